package api

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/httpx"
)

func (a *API) openapiRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Perm: auth.Public, Summary: "this document", Handler: a.openapi},
	}
}

// schemas are the named component schemas; feature files add theirs with
// addSchemas from an init function in their own file.
var schemas = map[string]any{
	"Error": obj(map[string]any{
		"error": obj(map[string]any{
			"code":    str("invalid, not_found, conflict, forbidden, unauthenticated, too_large, rate_limited, method_not_allowed or internal"),
			"message": str("a message for people"),
			"fields":  map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}, "description": "a message per invalid field"},
		}, "code", "message"),
	}, "error"),
	"Party":    obj(map[string]any{"code": str(""), "name": str(""), "kind": enum("state", "intermediary")}, "code", "name", "kind"),
	"Facility": obj(map[string]any{"id": integer(), "code": str(""), "name": str(""), "party": str(""), "kind": enum("camp", "prison", "hospital", "accommodation", "other"), "region": str(""), "postal_address": str("")}, "code", "name", "kind"),
	"Person": obj(map[string]any{
		"id": integer(), "external_id": str(""), "category": enum("pow", "civilian_internee", "displaced_civilian"), "party": str("the party the person belongs to"),
		"surname": str(""), "given_name": str(""), "patronymic": str(""), "native_name": str("full name in the native script"),
		"latin_names": map[string]any{"type": "array", "items": str("")}, "sex": enum("", "m", "f"), "birth_date": str("YYYY, YYYY-MM or YYYY-MM-DD"),
		"birth_place": str(""), "rank": str(""), "service_number": str(""), "father_name": str(""), "mother_maiden_name": str(""),
		"inform_person": str(""), "correspondence_address": str(""), "nationality": str(""), "last_residence": str(""),
		"distinguishing_marks": str(""), "intermediary_ref": str(""), "status": str("derived from the status history"),
		"facility_id": integer(), "holding_party": str(""), "capture_card_overdue": map[string]any{"type": "boolean"},
		"version": integer(),
	}, "category", "native_name"),
	"PersonInput": obj(map[string]any{
		"version":     map[string]any{"type": "integer", "description": "on PATCH: the version you read (required)"},
		"external_id": str(""), "category": enum("pow", "civilian_internee", "displaced_civilian"), "party": str("the party the person belongs to"),
		"surname": str(""), "given_name": str(""), "patronymic": str(""), "native_name": str("full name in the native script"),
		"latin_names": map[string]any{"type": "array", "items": str("")}, "sex": enum("", "m", "f"), "birth_date": str("YYYY, YYYY-MM or YYYY-MM-DD"),
		"birth_place": str(""), "rank": str("required for a prisoner of war"), "service_number": str("required for a prisoner of war"),
		"father_name": str(""), "mother_maiden_name": str(""), "inform_person": str(""), "correspondence_address": str(""),
		"nationality": str(""), "last_residence": str(""), "distinguishing_marks": str(""), "intermediary_ref": str(""),
		"facility_id": map[string]any{"type": "integer", "description": "on POST: where the person is held; recorded as an arrival"},
		"arrived_at":  map[string]any{"type": "string", "format": "date-time", "description": "on POST: when the person arrived there"},
	}),
	"StatusEventInput": obj(map[string]any{"type": enum("captured", "arrived", "capture_card_sent", "transferred", "hospitalised", "discharged", "released", "repatriated", "escaped", "died"),
		"occurred_at": map[string]any{"type": "string", "format": "date-time"}, "facility_id": integer(), "note": str("")}, "type"),
	"SearchHit": obj(map[string]any{"id": integer(), "external_id": str(""), "name": str(""), "score": map[string]any{"type": "number"},
		"why": map[string]any{"type": "array", "items": str("why the person matched")}}, "id", "name", "score", "why"),
	"StatusEvent": obj(map[string]any{"id": integer(), "person_id": integer(), "type": enum("captured", "arrived", "capture_card_sent", "transferred", "hospitalised", "discharged", "released", "repatriated", "escaped", "died"), "occurred_at": map[string]any{"type": "string", "format": "date-time"}, "facility_id": integer(), "note": str("")}, "type"),
}

// opDoc describes an operation beyond its route: query parameters (name →
// description), the request and response schemas, and whether the answer
// is a page of items.
type opDoc struct {
	Query    map[string]string
	Request  string
	Response string
	List     bool
	Status   int // the success status; 200 by default
}

// docs holds the opDocs by "METHOD pattern"; feature files add theirs with
// addDocs from an init function.
var docs = map[string]opDoc{
	"GET /api/v1/parties":           {Response: "Party", List: true},
	"GET /api/v1/facilities":        {Response: "Facility", List: true, Query: map[string]string{"party": "only this party's facilities"}},
	"POST /api/v1/facilities":       {Request: "Facility", Response: "Facility", Status: 201},
	"GET /api/v1/facilities/{id}":   {Response: "Facility"},
	"PATCH /api/v1/facilities/{id}": {Request: "Facility", Response: "Facility"},
	"GET /api/v1/persons": {Response: "Person", List: true, Query: map[string]string{
		"category": "pow, civilian_internee or displaced_civilian", "status": "the derived status", "party": "the party the person belongs to",
		"facility_id": "held at this facility", "q": "a substring of a name or external id", "capture_card_overdue": "true: capture card not sent within 7 days of arrival",
		"limit": "1 to 500, default 50", "cursor": "next_cursor of the previous page"}},
	"POST /api/v1/persons":             {Request: "PersonInput", Response: "Person", Status: 201},
	"GET /api/v1/persons/{id}":         {Response: "Person"},
	"PATCH /api/v1/persons/{id}":       {Request: "PersonInput", Response: "Person"},
	"GET /api/v1/persons/{id}/events":  {Response: "StatusEvent", List: true},
	"POST /api/v1/persons/{id}/events": {Request: "StatusEventInput", Response: "StatusEvent", Status: 201},
	"GET /api/v1/search/persons":       {Response: "SearchHit", List: true, Query: map[string]string{"q": "a name in any script or spelling (required, at most 200 characters)", "limit": "1 to 100, default 10", "birth_date": "rank by this date", "sex": "m or f", "place": "rank by this place"}},
}

func addDocs(m map[string]opDoc) {
	for k, v := range m {
		docs[k] = v
	}
}

func addSchemas(m map[string]any) {
	for k, v := range m {
		schemas[k] = v
	}
}

func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func str(desc string) map[string]any {
	s := map[string]any{"type": "string"}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func integer() map[string]any { return map[string]any{"type": "integer", "format": "int64"} }

func enum(vals ...string) map[string]any { return map[string]any{"type": "string", "enum": vals} }

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\.*\}`)

// OpenAPI builds the OpenAPI 3 document of the given routes.
func OpenAPI(routes []httpx.Route, version string) map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Pattern, "/api/") {
			continue
		}
		p := pathParam.ReplaceAllString(rt.Pattern, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt.Method, p),
			"responses": map[string]any{
				"default": map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
				"2XX":     map[string]any{"description": "success"},
			},
		}
		if rt.Perm == auth.Public {
			op["security"] = []any{}
		} else {
			op["x-permission"] = string(rt.Perm)
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			typ := "string"
			if m[1] == "id" {
				typ = "integer"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
		d, documented := docs[rt.Method+" "+rt.Pattern]
		qs := make([]string, 0, len(d.Query))
		for q := range d.Query {
			qs = append(qs, q)
		}
		sort.Strings(qs)
		for _, q := range qs {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "description": d.Query[q], "schema": map[string]any{"type": "string"}})
		}
		if rt.Method == "POST" {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false, "schema": map[string]any{"type": "string", "maxLength": 200}, "description": "repeat a POST safely: the same key and body get the stored response"})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Method == "POST" || rt.Method == "PATCH" || rt.Method == "PUT" {
			body := map[string]any{"type": "object"}
			if d.Request != "" {
				body = map[string]any{"$ref": "#/components/schemas/" + d.Request}
			}
			op["requestBody"] = map[string]any{"required": d.Request != "", "content": map[string]any{"application/json": map[string]any{"schema": body}}}
		}
		if documented && d.Response != "" {
			var schema any = map[string]any{"$ref": "#/components/schemas/" + d.Response}
			if d.List {
				schema = obj(map[string]any{"items": map[string]any{"type": "array", "items": schema}, "next_cursor": str("empty on the last page")}, "items")
			}
			st := d.Status
			if st == 0 {
				st = 200
			}
			op["responses"].(map[string]any)[strconv.Itoa(st)] = map[string]any{"description": "success", "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
			delete(op["responses"].(map[string]any), "2XX")
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Lifeline API", "version": version, "description": "Registry, family mail, consignments, repatriation and claims. Authenticate with Authorization: Bearer TOKEN (lifeline token create --user NAME)."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, s := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		s = strings.Trim(s, "{}")
		s = strings.NewReplacer(".", "_", "-", "_").Replace(s)
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "_")
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	doc := OpenAPI(a.Routes(), a.app.Version)
	httpx.WriteJSON(w, 200, doc)
}

// Paths lists the paths and methods of a document, sorted, for tests.
func Paths(doc map[string]any) []string {
	var out []string
	for p, ops := range doc["paths"].(map[string]map[string]any) {
		for m := range ops {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	return out
}

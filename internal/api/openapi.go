package api

import (
	"net/http"
	"regexp"
	"sort"
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
			"code":    str("invalid, not_found, conflict, forbidden, unauthenticated, too_large, rate_limited or internal"),
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
	"StatusEvent": obj(map[string]any{"id": integer(), "person_id": integer(), "type": enum("captured", "arrived", "capture_card_sent", "transferred", "hospitalised", "discharged", "released", "repatriated", "escaped", "died"), "occurred_at": map[string]any{"type": "string", "format": "date-time"}, "facility_id": integer(), "note": str("")}, "type"),
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
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if rt.Method == "POST" {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false, "schema": map[string]any{"type": "string", "maxLength": 200}, "description": "repeat a POST safely: the same key and body get the stored response"})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Method == "POST" || rt.Method == "PATCH" || rt.Method == "PUT" {
			op["requestBody"] = map[string]any{"required": false, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
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

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"lifeline/internal/api"
	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// env is a running server over a real store with users of parties AA, BB
// and the intermediary ICRC.
type env struct {
	t      *testing.T
	db     *store.DB
	srv    *httptest.Server
	s      *server.Server
	tokens map[string]string // user name → token
	facA   int64
	facB   int64
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, tokens: map[string]string{}}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty}, {Code: "ICRC", Name: "I", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, store.System, p); err != nil {
				return err
			}
		}
		fa := &registry.Facility{Code: "A-1", Name: "Camp A1", PartyCode: "AA", Kind: registry.Camp}
		fb := &registry.Facility{Code: "B-1", Name: "Camp B1", PartyCode: "BB", Kind: registry.Camp}
		if err := tx.CreateFacility(ctx, store.System, fa); err != nil {
			return err
		}
		if err := tx.CreateFacility(ctx, store.System, fb); err != nil {
			return err
		}
		e.facA, e.facB = fa.ID, fb.ID
		for _, u := range []store.User{{Name: "reg-a", Role: auth.Registrar, PartyCode: "AA"}, {Name: "reg-b", Role: auth.Registrar, PartyCode: "BB"},
			{Name: "admin-i", Role: auth.Admin, PartyCode: "ICRC"}, {Name: "analyst-a", Role: auth.Analyst, PartyCode: "AA"}} {
			u := u
			if err := tx.CreateUser(ctx, store.System, &u, "password for tests"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"reg-a", "reg-b", "admin-i", "analyst-a"} {
		tok, err := db.CreateToken(ctx, store.System, n)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[n] = tok
	}
	a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test"}
	if err := a.StartSearch(ctx); err != nil {
		t.Fatal(err)
	}
	e.s = server.New(a)
	e.srv = httptest.NewServer(e.s.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// do sends a request as user (empty: anonymous) and decodes the JSON answer.
func (e *env) do(user, method, path string, body any, hdr ...string) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return res.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func errorFields(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

var shcherbak = map[string]any{"category": "pow", "surname": "Щербак", "given_name": "Андрій", "native_name": "Щербак Андрій",
	"latin_names": []string{"Shcherbak Andrii"}, "rank": "солдат", "birth_date": "1991-03-04", "service_number": "UA-1"}

func TestPersonsLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st, p := e.do("reg-a", "POST", "/api/v1/persons", shcherbak)
		if st != 201 {
			t.Fatalf("create: got %d %v", st, p)
		}
		id := int64(p["id"].(float64))
		path := "/api/v1/persons/" + jsonNum(id)
		if p["party"] != "AA" || p["status"] != "registered" {
			t.Fatalf("created: got party %v status %v", p["party"], p["status"])
		}
		// Party BB arrests... no: BB cannot see an AA national it does not hold.
		if st, _ := e.do("reg-b", "GET", path, nil); st != 404 {
			t.Fatalf("BB reading AA's national: got %d, want 404", st)
		}
		// AA cannot move its national to BB's camp; BB registers the arrival of a person it holds: the intermediary records it here.
		if st, b := e.do("reg-a", "POST", path+"/events", map[string]any{"type": "arrived", "facility_id": e.facB}); st != 422 {
			t.Fatalf("AA moving a person into BB's camp: got %d %v, want 422", st, b)
		}
		if st, b := e.do("admin-i", "POST", path+"/events", map[string]any{"type": "arrived", "facility_id": e.facB}); st != 201 {
			t.Fatalf("arrival: got %d %v", st, b)
		}
		st, got := e.do("reg-b", "GET", path, nil)
		if st != 200 || got["holding_party"] != "BB" {
			t.Fatalf("BB reading the person it holds: got %d %v", st, got)
		}
		if st, b := e.do("reg-a", "POST", path+"/events", map[string]any{"type": "capture_card_sent"}); st != 403 {
			t.Fatalf("AA recording status of a person BB holds: got %d %v, want 403", st, b)
		}
		if st, b := e.do("reg-b", "POST", path+"/events", map[string]any{"type": "capture_card_sent"}); st != 201 {
			t.Fatalf("card: got %d %v", st, b)
		}
		st, evs := e.do("reg-a", "GET", path+"/events", nil)
		if st != 200 || len(evs["items"].([]any)) != 2 {
			t.Fatalf("events: got %d %v", st, evs)
		}
		// Update with the version read; a stale version is a conflict.
		_, got = e.do("reg-a", "GET", path, nil)
		v := got["version"].(float64)
		if st, b := e.do("reg-a", "PATCH", path, map[string]any{"version": v, "birth_place": "Суми"}); st != 200 || b["birth_place"] != "Суми" {
			t.Fatalf("update: got %d %v", st, b)
		}
		if st, b := e.do("reg-a", "PATCH", path, map[string]any{"version": v, "birth_place": "Київ"}); st != 409 {
			t.Fatalf("stale update: got %d %v, want 409", st, b)
		}
		// Lists are scoped: the analyst may not list persons at all.
		if st, _ := e.do("analyst-a", "GET", "/api/v1/persons", nil); st != 403 {
			t.Fatalf("analyst listing persons: got %d, want 403", st)
		}
		st, list := e.do("admin-i", "GET", "/api/v1/persons?category=pow&limit=10", nil)
		if st != 200 || len(list["items"].([]any)) != 1 || list["next_cursor"] != "" {
			t.Fatalf("list: got %d %v", st, list)
		}
		// Every view of the person was recorded.
		acc, err := db.AccessLog(context.Background(), "person", id)
		if err != nil || len(acc) < 1 {
			t.Fatalf("access log: got %d rows (%v), want at least 1", len(acc), err)
		}
		// Search finds him from another spelling, within scope only.
		st, res := e.do("reg-b", "GET", "/api/v1/search/persons?q=Scherbak+Andrey", nil)
		if st != 200 || len(res["items"].([]any)) != 1 {
			t.Fatalf("search: got %d %v", st, res)
		}
	})
}

func jsonNum(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"malformed JSON", `{"category": "pow",`, 422, ""},
			{"not an object", `[1,2]`, 422, ""},
			{"wrong type", `{"category": 7}`, 422, "category"},
			{"unknown field", `{"category": "pow", "shoe_size": 44}`, 422, "shoe_size"},
			{"empty body", ``, 422, ""},
			{"trailing data", `{"category": "pow"} {}`, 422, ""},
			{"oversized body", `{"native_name": "` + strings.Repeat("я", 1<<20) + `"}`, 413, ""},
			{"pow without rank", map[string]any{"category": "pow", "native_name": "Іван"}, 422, "rank"},
			{"bad date", map[string]any{"category": "displaced_civilian", "native_name": "Іван", "birth_date": "31.12.1990"}, 422, "birth_date"},
			{"other party's national not held", map[string]any{"category": "displaced_civilian", "native_name": "Іван", "party": "BB"}, 422, "facility_id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st, b := e.do("reg-a", "POST", "/api/v1/persons", tt.body)
				if st != tt.status {
					t.Fatalf("got %d %v, want %d", st, b, tt.status)
				}
				if errorCode(b) == "" || b["error"].(map[string]any)["message"] == "" {
					t.Fatalf("no error code or message: %v", b)
				}
				if tt.field != "" {
					if _, ok := errorFields(b)[tt.field]; !ok {
						t.Fatalf("got fields %v, want %s", errorFields(b), tt.field)
					}
				}
			})
		}
		_, list := e.do("admin-i", "GET", "/api/v1/persons", nil)
		if n := len(list["items"].([]any)); n != 0 {
			t.Fatalf("after bad input: %d persons stored, want 0", n)
		}
		for _, q := range []string{"?limit=0", "?limit=x", "?cursor=zzz", "?category=tourist", "?capture_card_overdue=maybe"} {
			if st, b := e.do("reg-a", "GET", "/api/v1/persons"+q, nil); st != 422 {
				t.Errorf("list%s: got %d %v, want 422", q, st, b)
			}
		}
		if st, _ := e.do("reg-a", "GET", "/api/v1/persons/abc", nil); st != 404 {
			t.Errorf("non-numeric id: got %d, want 404", st)
		}
		if st, _ := e.do("", "GET", "/api/v1/persons", nil); st != 401 {
			t.Errorf("anonymous: got %d, want 401", st)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/persons", nil)
		req.Header.Set("Authorization", "Bearer ll_not-a-token")
		if res, _ := http.DefaultClient.Do(req); res.StatusCode != 401 {
			t.Errorf("bad token: got %d, want 401", res.StatusCode)
		}
		if st, b := e.do("reg-a", "GET", "/api/v1/search/persons?q=", nil); st != 422 {
			t.Errorf("empty search: got %d %v, want 422", st, b)
		}
		if st, _ := e.do("reg-a", "GET", "/api/v1/search/persons?q="+strings.Repeat("Щ", 10000), nil); st != 422 {
			t.Errorf("long search: got %d, want 422", st)
		}
		if st, _ := e.do("reg-a", "GET", "/api/v1/nowhere", nil); st != 404 {
			t.Errorf("unknown endpoint: got %d, want 404", st)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st0, b0 := e.do("reg-a", "POST", "/api/v1/persons", map[string]any{"category": "displaced_civilian", "native_name": "Shcherbak Andriy", "birth_date": "1991-03-04"})
		if st0 != 201 || b0["possible_duplicates"] != nil {
			t.Fatalf("first: got %d %v", st0, b0["possible_duplicates"])
		}
		st1, b1 := e.do("reg-a", "POST", "/api/v1/persons", shcherbak, "Idempotency-Key", "k-1")
		if d, _ := b1["possible_duplicates"].([]any); len(d) != 1 {
			t.Fatalf("a likely duplicate: got %v, want the first person", b1["possible_duplicates"])
		}
		st2, b2 := e.do("reg-a", "POST", "/api/v1/persons", shcherbak, "Idempotency-Key", "k-1")
		if st1 != 201 || st2 != 201 || b1["id"] != b2["id"] {
			t.Fatalf("replay: got %d %v and %d %v, want the same 201", st1, b1["id"], st2, b2["id"])
		}
		other := map[string]any{"category": "displaced_civilian", "native_name": "Олена"}
		if st, b := e.do("reg-a", "POST", "/api/v1/persons", other, "Idempotency-Key", "k-1"); st != 422 {
			t.Fatalf("same key, other body: got %d %v, want 422", st, b)
		}
		// A failed request releases its key.
		bad := map[string]any{"category": "pow", "native_name": "Без звання"}
		if st, _ := e.do("reg-a", "POST", "/api/v1/persons", bad, "Idempotency-Key", "k-2"); st != 422 {
			t.Fatalf("bad request: got %d", st)
		}
		if st, _ := e.do("reg-a", "POST", "/api/v1/persons", other, "Idempotency-Key", "k-2"); st != 201 {
			t.Fatalf("retry after a failure: got %d, want 201", st)
		}
		_, list := e.do("admin-i", "GET", "/api/v1/persons", nil)
		if n := len(list["items"].([]any)); n != 3 {
			t.Fatalf("got %d persons, want 3", n)
		}
	})
}

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i := 0; i < 5; i++ {
			if st, b := e.do("reg-a", "POST", "/api/v1/persons", map[string]any{"category": "displaced_civilian", "native_name": "Особа"}); st != 201 {
				t.Fatalf("create: %d %v", st, b)
			}
		}
		seen := 0
		cursor := ""
		for i := 0; i < 5; i++ {
			_, page := e.do("reg-a", "GET", "/api/v1/persons?limit=2&cursor="+cursor, nil)
			seen += len(page["items"].([]any))
			cursor = page["next_cursor"].(string)
			if cursor == "" {
				break
			}
		}
		if seen != 5 || cursor != "" {
			t.Fatalf("got %d persons over pages (cursor %q), want 5", seen, cursor)
		}
	})
}

// TestOpenAPIMatchesRoutes checks the document against the real routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	st, doc := e.do("", "GET", "/api/v1/openapi.json", nil)
	if st != 200 || doc["openapi"] != "3.0.3" {
		t.Fatalf("got %d %v", st, doc["openapi"])
	}
	var documented []string
	for p, ops := range doc["paths"].(map[string]any) {
		for m := range ops.(map[string]any) {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(documented)
	var routes []string
	for _, rt := range e.s.Routes() {
		if strings.HasPrefix(rt.Pattern, "/api/") {
			routes = append(routes, rt.Method+" "+rt.Pattern)
		}
	}
	sort.Strings(routes)
	if strings.Join(documented, "\n") != strings.Join(routes, "\n") {
		t.Fatalf("documented:\n%s\nroutes:\n%s", strings.Join(documented, "\n"), strings.Join(routes, "\n"))
	}
	// Every operation has a summary and an operationId, unique.
	ids := map[string]bool{}
	for p, ops := range doc["paths"].(map[string]any) {
		for m, op := range ops.(map[string]any) {
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if o["summary"] == "" || id == "" || ids[id] {
				t.Errorf("%s %s: summary %q, operationId %q (duplicate %v)", m, p, o["summary"], id, ids[id])
			}
			ids[id] = true
		}
	}
	// The registry's operations name their schemas, and every $ref resolves.
	persons := doc["paths"].(map[string]any)["/api/v1/persons"].(map[string]any)
	if _, ok := persons["get"].(map[string]any)["responses"].(map[string]any)["200"]; !ok {
		t.Error("GET /api/v1/persons documents no 200 response")
	}
	raw, _ := json.Marshal(doc)
	comps := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if comps[m[1]] == nil {
			t.Errorf("$ref to a missing schema %s", m[1])
		}
	}
	_ = api.OpenAPI
}

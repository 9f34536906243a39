package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/httpx"
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// accessRow says who may use a route: the roles listed, everyone
// (anyone: true, including anonymous clients) or every logged-in user
// (all: true).
type accessRow struct {
	route  string // "METHOD pattern", exactly as in the route table
	anyone bool
	all    bool
	roles  []auth.Role
}

// accessTable has a row for every route. Feature files add theirs with
// addAccess from an init function in their own _test.go file.
var accessTable []accessRow

func addAccess(rows ...accessRow) { accessTable = append(accessTable, rows...) }

var (
	public    = accessRow{anyone: true}
	loggedIn  = accessRow{all: true}
	readers   = []auth.Role{auth.Admin, auth.Registrar, auth.Clerk, auth.Packer, auth.Logistics, auth.Caseworker, auth.Delegate, auth.Facility}
	writers   = []auth.Role{auth.Admin, auth.Registrar}
	onlyAdmin = []auth.Role{auth.Admin}
)

func row(route string, r accessRow) accessRow { r.route = route; return r }
func roles(route string, rs ...auth.Role) accessRow {
	return accessRow{route: route, roles: rs}
}

func init() {
	addAccess(
		row("GET /healthz", public),
		row("GET /readyz", public),
		row("GET /metrics", public),
		row("GET /api/v1/openapi.json", public),
		row("GET /api/v1/me", loggedIn),
		row("GET /api/v1/parties", loggedIn),
		row("GET /api/v1/facilities", loggedIn),
		roles("POST /api/v1/facilities", onlyAdmin...),
		row("GET /api/v1/facilities/{id}", loggedIn),
		roles("PATCH /api/v1/facilities/{id}", onlyAdmin...),
		roles("GET /api/v1/persons", readers...),
		roles("POST /api/v1/persons", writers...),
		roles("GET /api/v1/persons/{id}", readers...),
		roles("PATCH /api/v1/persons/{id}", writers...),
		roles("GET /api/v1/persons/{id}/events", readers...),
		roles("POST /api/v1/persons/{id}/events", writers...),
		roles("GET /api/v1/search/persons", readers...),
	)
}

type client struct {
	role   auth.Role
	token  string
	userID int64
}

// fixture starts a server over a fresh SQLite store with a user of every
// role, each with an API token and a UI session.
func fixture(t *testing.T) (*server.Server, *store.DB, []client) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	sys := store.System
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty}, {Code: "ICRC", Name: "I", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, sys, p); err != nil {
				return err
			}
		}
		for _, r := range auth.Roles {
			party := "AA"
			if r == auth.Delegate {
				party = "ICRC"
			}
			if err := tx.CreateUser(ctx, sys, &store.User{Name: "u-" + string(r), Role: r, PartyCode: party}, "password for tests"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clients := []client{{}}
	for _, r := range auth.Roles {
		tok, err := db.CreateToken(ctx, sys, "u-"+string(r))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := db.UserByName(ctx, "u-"+string(r))
		clients = append(clients, client{role: r, token: tok, userID: u.ID})
	}
	s := server.New(&app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test"})
	return s, db, clients
}

var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// preToken stands for the pre-session CSRF token a browser gets with its
// first page.
const preToken = "test-pre-session-token-of-43-characters-xyz"

func TestEveryRouteHasAnAccessRow(t *testing.T) {
	s, _, _ := fixture(t)
	rows := map[string]bool{}
	for _, r := range accessTable {
		if rows[r.route] {
			t.Errorf("two rows for %s", r.route)
		}
		rows[r.route] = true
	}
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		k := rt.Method + " " + rt.Pattern
		seen[k] = true
		if !rows[k] {
			t.Errorf("route %s has no row in the access table", k)
		}
	}
	for k := range rows {
		if !seen[k] {
			t.Errorf("the access table names %s, which is not a route", k)
		}
	}
}

// TestRoleRouteMatrix sends every route to every role and to an anonymous
// client and checks each answer.
func TestRoleRouteMatrix(t *testing.T) {
	s, db, clients := fixture(t)
	h := s.Handler()
	byRoute := map[string]httpx.Route{}
	for _, rt := range s.Routes() {
		byRoute[rt.Method+" "+rt.Pattern] = rt
	}
	sort.Slice(accessTable, func(i, j int) bool { return accessTable[i].route < accessTable[j].route })
	for _, row := range accessTable {
		rt, ok := byRoute[row.route]
		if !ok {
			continue // reported by TestEveryRouteHasAnAccessRow
		}
		for _, c := range clients {
			name := string(c.role)
			if name == "" {
				name = "anonymous"
			}
			t.Run(row.route+"/"+name, func(t *testing.T) {
				allowed := row.anyone || (c.role != "" && row.all)
				for _, r := range row.roles {
					allowed = allowed || r == c.role
				}
				if c.role != "" && c.role.Can(rt.Perm) != allowed && rt.Perm != auth.Public {
					t.Fatalf("the table says allowed=%v but the route's permission %s says %v", allowed, rt.Perm, !allowed)
				}
				path := wildcard.ReplaceAllString(strings.ReplaceAll(rt.Pattern, "{$}", ""), "1")
				if strings.HasSuffix(rt.Pattern, "/") {
					path += "x" // a subtree pattern
				}
				// A fresh UI session for each request: POST /logout ends one.
				var cookie, csrf string
				if c.role != "" && !rt.API {
					var err error
					if cookie, csrf, err = db.CreateSession(context.Background(), c.userID); err != nil {
						t.Fatal(err)
					}
				} else if !rt.API {
					csrf = preToken // the token of the anonymous browser's first page
				}
				var body io.Reader
				if rt.Method != "GET" {
					if rt.API {
						body = strings.NewReader("{}")
					} else {
						body = strings.NewReader(url.Values{"csrf": {csrf}}.Encode())
					}
				}
				req := httptest.NewRequest(rt.Method, path, body)
				if rt.Method != "GET" {
					if rt.API {
						req.Header.Set("Content-Type", "application/json")
					} else {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
				}
				if c.role != "" {
					if rt.API {
						req.Header.Set("Authorization", "Bearer "+c.token)
					} else {
						req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: cookie})
					}
				} else if !rt.API {
					req.AddCookie(&http.Cookie{Name: httpx.PreSessionCookie, Value: preToken})
				}
				req.RemoteAddr = "192.0.2.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				st := w.Code
				if st >= 500 {
					t.Fatalf("got %d: %s", st, w.Body.String())
				}
				switch {
				case allowed && (st == 401 || st == 403):
					t.Fatalf("got %d, want access: %s", st, w.Body.String())
				case !allowed && c.role == "" && rt.API && st != 401:
					t.Fatalf("anonymous: got %d, want 401", st)
				case !allowed && c.role == "" && !rt.API && rt.Method == "GET" && (st != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/login")):
					t.Fatalf("anonymous: got %d to %q, want a redirect to /login", st, w.Header().Get("Location"))
				case !allowed && c.role == "" && !rt.API && rt.Method != "GET" && st != 401:
					t.Fatalf("anonymous: got %d, want 401", st)
				case !allowed && c.role != "" && st != 403:
					t.Fatalf("got %d, want 403", st)
				}
			})
		}
	}
}

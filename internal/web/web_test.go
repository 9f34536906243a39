package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

const password = "password for tests"

// fixture is a server over a fresh SQLite store with two state parties
// (AA, BB), the intermediary (ICRC), a facility of each, three persons
// and users.
type fixture struct {
	db      *store.DB
	h       http.Handler
	facAA   int64 // AA's camp
	facBB   int64 // BB's camp
	facIC   int64 // the intermediary's transit centre
	pAA     int64 // AA's prisoner of war, held by BB, capture card overdue
	pBB     int64 // BB's prisoner of war, held by BB
	pCiv    int64 // AA's displaced civilian, nothing recorded
	nameAA  string
	latinAA string
	nameBB  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	sys := store.System
	fx := &fixture{db: db, nameAA: "Щербак Андрій Петрович", latinAA: "Shcherbak Andrii", nameBB: "Иванов Иван Иванович"}
	now := db.Now()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "Aland", Kind: registry.StateParty}, {Code: "BB", Name: "Borduria", Kind: registry.StateParty},
			{Code: "ICRC", Name: "Intermediary", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, sys, p); err != nil {
				return err
			}
		}
		for _, f := range []struct {
			id                     *int64
			code, name, party, reg string
		}{{&fx.facAA, "AA-C1", "Camp North", "AA", "North"}, {&fx.facBB, "BB-C1", "Camp South", "BB", "South"}, {&fx.facIC, "IC-T1", "Transit Centre", "ICRC", "Border"}} {
			fac := registry.Facility{Code: f.code, Name: f.name, PartyCode: f.party, Kind: registry.Camp, Region: f.reg}
			if err := tx.CreateFacility(ctx, sys, &fac); err != nil {
				return err
			}
			*f.id = fac.ID
		}
		pa := registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: fx.nameAA, LatinNames: []string{fx.latinAA, "Shcherbak Andriy"},
			Rank: "Sergeant", BirthDate: "1990-04-12", ServiceNumber: "AA-1001", Sex: "m"}
		pb := registry.Person{Category: registry.POW, PartyCode: "BB", NativeName: fx.nameBB, LatinNames: []string{"Ivanov Ivan"},
			Rank: "Private", BirthDate: "1995-01-02", ServiceNumber: "BB-2002"}
		pc := registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: "Коваленко Олена"}
		for _, p := range []*registry.Person{&pa, &pb, &pc} {
			if err := tx.CreatePerson(ctx, sys, p); err != nil {
				return err
			}
		}
		fx.pAA, fx.pBB, fx.pCiv = pa.ID, pb.ID, pc.ID
		for _, e := range []registry.Event{
			{PersonID: pa.ID, Type: registry.Captured, OccurredAt: now.Add(-12 * 24 * time.Hour)},
			{PersonID: pa.ID, Type: registry.Arrived, FacilityID: fx.facBB, OccurredAt: now.Add(-10 * 24 * time.Hour)},
			{PersonID: pb.ID, Type: registry.Captured, OccurredAt: now.Add(-5 * 24 * time.Hour)},
			{PersonID: pb.ID, Type: registry.Arrived, FacilityID: fx.facBB, OccurredAt: now.Add(-4 * 24 * time.Hour)},
		} {
			if err := tx.RecordStatus(ctx, sys, &e); err != nil {
				return err
			}
		}
		for _, u := range []store.User{
			{Name: "aa-reg", Role: auth.Registrar, PartyCode: "AA"},
			{Name: "aa-admin", Role: auth.Admin, PartyCode: "AA"},
			{Name: "aa-analyst", Role: auth.Analyst, PartyCode: "AA"},
			{Name: "bb-reg", Role: auth.Registrar, PartyCode: "BB"},
			{Name: "ic-admin", Role: auth.Admin, PartyCode: "ICRC"},
		} {
			if err := tx.CreateUser(ctx, sys, &u, password); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test"}
	if err := a.StartSearch(ctx); err != nil {
		t.Fatal(err)
	}
	fx.h = server.New(a).Handler()
	return fx
}

// client is a browser in miniature: it keeps cookies and the CSRF token
// of the last page it read.
type client struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	csrf    string
	accept  string // Accept-Language
}

func (fx *fixture) client(t *testing.T) *client {
	return &client{t: t, h: fx.h, cookies: map[string]string{}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.accept != "" {
		req.Header.Set("Accept-Language", c.accept)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfField.FindStringSubmatch(w.Body.String()); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return w
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do("GET", path, nil)
}

// post sends a form with the CSRF token of the last page read.
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	return c.do("POST", path, form)
}

// login logs in through the form and reads the dashboard for its token.
func (fx *fixture) login(t *testing.T, name string) *client {
	t.Helper()
	c := fx.client(t)
	c.get("/login") // as a browser: the form brings the pre-session token
	w := c.post("/login", url.Values{"name": {name}, "password": {password}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: got status %d, want 303; body %s", name, w.Code, w.Body)
	}
	if w := c.get("/"); w.Code != 200 || c.csrf == "" {
		t.Fatalf("dashboard after login: got %d (csrf %q)", w.Code, c.csrf)
	}
	return c
}

// want checks a response's status and that its body holds every text.
func want(t *testing.T, w *httptest.ResponseRecorder, status int, texts ...string) string {
	t.Helper()
	body := html.UnescapeString(w.Body.String())
	failed := false
	if w.Code != status {
		t.Errorf("got status %d, want %d", w.Code, status)
		failed = true
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
			failed = true
		}
	}
	if failed {
		t.Logf("body:\n%s", body)
	}
	return body
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

var regexpAfter = regexp.MustCompile(`name="after" value="([^"]+)"`)

func newCivilian(name string) *registry.Person {
	return &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: name}
}

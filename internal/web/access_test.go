package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
)

// A party sees its own nationals and the people it holds; anything else
// answers exactly like an unknown id. The intermediary sees both sides.
func TestScope(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, tc := range []struct {
		user     string
		person   int64
		sees     bool
		listSees []string
		listNot  []string
	}{
		{"aa-reg", fx.pBB, false, []string{"Щербак", "Коваленко"}, []string{"Иванов"}},
		{"aa-reg", fx.pAA, true, nil, nil},
		{"bb-reg", fx.pAA, true, []string{"Щербак", "Иванов"}, []string{"Коваленко"}}, // held by BB
		{"bb-reg", fx.pBB, true, nil, nil},
		{"bb-reg", fx.pCiv, false, nil, nil},
		{"ic-admin", fx.pAA, true, []string{"Щербак", "Иванов", "Коваленко"}, nil},
		{"ic-admin", fx.pBB, true, nil, nil},
	} {
		t.Run(tc.user+"/"+id(tc.person), func(t *testing.T) {
			c := fx.login(t, tc.user)
			path := "/persons/" + id(tc.person)
			pages := []string{path, path + "/edit"}
			for _, p := range pages {
				w := c.get(p)
				if tc.sees && w.Code != 200 {
					t.Errorf("GET %s: got %d, want 200", p, w.Code)
				}
				if !tc.sees {
					want(t, w, 404)
					if strings.Contains(w.Body.String(), "Иванов") || strings.Contains(w.Body.String(), "Коваленко") {
						t.Errorf("GET %s: the 404 page shows the person's name", p)
					}
					// The same page as an unknown id's.
					unknown := c.get(strings.Replace(p, id(tc.person), "999999", 1)).Body.String()
					if got := strings.ReplaceAll(unknown, "999999", id(tc.person)); got != w.Body.String() {
						t.Errorf("GET %s: the 404 differs from an unknown id's", p)
					}
				}
			}
			if !tc.sees {
				before, _ := fx.db.PersonEvents(context.Background(), tc.person)
				want(t, c.post(path+"/status", url.Values{"type": {"released"}}), 404)
				want(t, c.post(path, url.Values{"category": {"pow"}, "native_name": {"X"}, "version": {"1"}}), 404)
				after, _ := fx.db.PersonEvents(context.Background(), tc.person)
				if len(after) != len(before) {
					t.Errorf("a status was recorded for a person out of scope")
				}
				u, _ := fx.db.UserByName(context.Background(), tc.user)
				log, _ := fx.db.AccessLog(context.Background(), "person", tc.person)
				for _, a := range log {
					if a.UserID == u.ID {
						t.Errorf("an access by %s was logged for a person out of scope", tc.user)
					}
				}
			}
			if tc.listSees != nil {
				body := want(t, c.get("/persons"), 200, tc.listSees...)
				for _, s := range tc.listNot {
					if strings.Contains(body, s) {
						t.Errorf("the list shows %s to %s", s, tc.user)
					}
				}
			}
		})
	}
}

// A party registers its own nationals, and the other side's nationals only
// when it holds them; the intermediary either side's.
func TestCreateOwnPartyOnly(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	form := func(party string) url.Values {
		return url.Values{"category": {"displaced_civilian"}, "party": {party}, "native_name": {"Новий Запис"}, "confirm_duplicate": {"1"}}
	}
	c := fx.login(t, "aa-reg")
	before := countPersons(t, fx.db)
	want(t, c.post("/persons", form("BB")), 422, "A national of another party can be registered only when held at one of your facilities.")
	if got := countPersons(t, fx.db); got != before {
		t.Errorf("got %d persons, want %d", got, before)
	}
	held := form("BB")
	held.Set("facility_id", id(fx.facAA))
	if w := c.post("/persons", held); w.Code != 303 {
		t.Errorf("a BB national held at AA's camp: got %d, want 303: %s", w.Code, w.Body)
	}
	other := form("BB")
	other.Set("facility_id", id(fx.facBB))
	want(t, c.post("/persons", other), 422)
	if w := c.post("/persons", form("")); w.Code != 303 {
		t.Errorf("own party: got %d, want 303", w.Code)
	}
	ic := fx.login(t, "ic-admin")
	ic.get("/persons/new")
	if w := ic.post("/persons", form("BB")); w.Code != 303 {
		t.Errorf("intermediary for BB: got %d, want 303", w.Code)
	}
	want(t, ic.post("/persons", form("ICRC")), 422, "Must be a state party.")
}

// Every form refuses a POST without the session's token, and stores
// nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "ic-admin")
	before := countPersons(t, fx.db)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/persons", url.Values{"category": {"displaced_civilian"}, "party": {"AA"}, "native_name": {"Подделка"}}},
		{"/persons/" + id(fx.pAA) + "/status", url.Values{"type": {"capture_card_sent"}}},
		{"/persons/" + id(fx.pAA), url.Values{"category": {"pow"}, "native_name": {"Подделка"}}},
		{"/facilities", url.Values{"code": {"FAKE"}, "name": {"Fake"}, "kind": {"camp"}}},
		{"/lang", url.Values{"lang": {"ru"}}},
		{"/logout", url.Values{}},
	} {
		for _, token := range []string{"", "wrong-token"} {
			t.Run(tc.path+"/"+token, func(t *testing.T) {
				f := url.Values{}
				for k, v := range tc.form {
					f[k] = v
				}
				f.Set("csrf", token)
				w := c.do("POST", tc.path, f)
				want(t, w, 403, "The form has expired. Reload the page and try again.")
			})
		}
	}
	if got := countPersons(t, fx.db); got != before {
		t.Errorf("got %d persons, want %d", got, before)
	}
	if ev, _ := fx.db.PersonEvents(context.Background(), fx.pAA); len(ev) != 2 {
		t.Errorf("got %d events, want 2", len(ev))
	}
	if u, _ := fx.db.UserByName(context.Background(), "ic-admin"); u.Lang != "" {
		t.Errorf("the language changed to %q", u.Lang)
	}
	// The session survived: the logout was refused.
	if w := c.get("/"); w.Code != 200 {
		t.Errorf("after a refused logout: got %d, want 200", w.Code)
	}
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.client(t)
	w := c.get("/persons")
	if w.Code != 303 || w.Header().Get("Location") != "/login?next=%2Fpersons" {
		t.Fatalf("anonymous: got %d to %q, want 303 to the login", w.Code, w.Header().Get("Location"))
	}
	want(t, c.get("/login?next=/persons"), 200, `name="next" value="/persons"`)
	// A login form another site makes carries no token of this browser's.
	want(t, c.do("POST", "/login", url.Values{"name": {"aa-reg"}, "password": {password}}), 403, i18n.New("en").T("msg.csrf"))
	want(t, c.do("POST", "/login", url.Values{"name": {"aa-reg"}, "password": {password}, "csrf": {"forged-token-forged-token-forged-token"}}), 403)
	if _, ok := c.cookies[httpx.PreSessionCookie]; !ok {
		t.Fatal("the login page set no pre-session cookie")
	}
	want(t, c.post("/login", url.Values{"name": {"aa-reg"}, "password": {"wrong password!"}, "next": {"/persons"}}), 401,
		"Wrong name or password.", `value="aa-reg"`)
	want(t, c.post("/login", url.Values{"name": {""}, "password": {""}}), 422, "Required.")
	w = c.post("/login", url.Values{"name": {"aa-reg"}, "password": {password}, "next": {"/persons"}})
	if w.Code != 303 || w.Header().Get("Location") != "/persons" {
		t.Fatalf("login: got %d to %q, want 303 to /persons", w.Code, w.Header().Get("Location"))
	}
	var sc string
	for _, ck := range w.Result().Cookies() {
		if ck.Name == httpx.SessionCookie {
			sc = ck.String()
			if !ck.HttpOnly || ck.SameSite != 2 || ck.Path != "/" || ck.Secure {
				t.Errorf("session cookie %s: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", sc)
			}
		}
	}
	if sc == "" {
		t.Fatal("no session cookie")
	}
	want(t, c.get("/persons"), 200, "aa-reg")
	sid := c.cookies[httpx.SessionCookie]
	if w := c.post("/logout", nil); w.Code != 303 || w.Header().Get("Location") != "/login" {
		t.Fatalf("logout: got %d to %q", w.Code, w.Header().Get("Location"))
	}
	if _, _, err := fx.db.Session(context.Background(), sid); err == nil {
		t.Errorf("the session outlived the logout")
	}
	if w := c.get("/persons"); w.Code != 303 {
		t.Errorf("after logout: got %d, want 303 to the login", w.Code)
	}
	// A next that leaves the server is ignored.
	c.get("/login")
	w = c.post("/login", url.Values{"name": {"aa-reg"}, "password": {password}, "next": {"//evil.example/x"}})
	if w.Header().Get("Location") != "/" {
		t.Errorf("open redirect: went to %q", w.Header().Get("Location"))
	}
	// A POST with an expired session shows the way back in.
	stale := fx.client(t)
	stale.cookies[httpx.SessionCookie] = "s_gone"
	want(t, stale.do("POST", "/logout", url.Values{}), 401, `href="/login"`)
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, tc := range []struct {
		accept, lang string
	}{{"", "en"}, {"uk-UA,uk;q=0.9", "uk"}, {"ru", "ru"}, {"de-DE", "en"}, {"pl, ru;q=0.5", "ru"}} {
		c := fx.client(t)
		c.accept = tc.accept
		want(t, c.get("/login"), 200, `<html lang="`+tc.lang+`">`, i18n.New(tc.lang).T("login.title"))
	}

	// Anonymous: a cookie, over the browser's preference.
	c := fx.client(t)
	c.accept = "uk"
	c.get("/login")
	w := c.post("/lang", url.Values{"lang": {"ru"}, "next": {"/login"}})
	if w.Code != 303 || w.Header().Get("Location") != "/login" || c.cookies["lang"] != "ru" {
		t.Fatalf("anonymous switch: got %d to %q, cookie %q", w.Code, w.Header().Get("Location"), c.cookies["lang"])
	}
	want(t, c.get("/login"), 200, "Вход")
	want(t, c.post("/lang", url.Values{"lang": {"fr"}}), 422, "Выберите английский, русский или украинский.")

	// Logged in: stored in the user's setting, which wins over the
	// cookie and the browser, in every later session.
	c = fx.login(t, "aa-reg")
	c.accept = "ru"
	want(t, c.get("/"), 200, "Обзор")
	if w := c.post("/lang", url.Values{"lang": {"uk"}, "next": {"/persons"}}); w.Code != 303 || w.Header().Get("Location") != "/persons" {
		t.Fatalf("switch: got %d to %q", w.Code, w.Header().Get("Location"))
	}
	want(t, c.get("/persons"), 200, "Особи", `aria-pressed="true">Українська`)
	if u, _ := fx.db.UserByName(context.Background(), "aa-reg"); u.Lang != "uk" {
		t.Errorf("stored language: got %q, want uk", u.Lang)
	}
	d := fx.login(t, "aa-reg")
	d.accept = "en"
	d.cookies["lang"] = "ru"
	want(t, d.get("/"), 200, "Огляд", `<html lang="uk">`)
}

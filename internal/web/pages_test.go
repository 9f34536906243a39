package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lifeline/internal/i18n"
)

// leakedKey finds a catalog key shown instead of its text.
var leakedKey = regexp.MustCompile(`>[^<]*\b(app|nav|lang|login|dashboard|category|status|event|role|facility_kind|sex|filter|persons|col|field|person|person_new|person_edit|form|facilities|facility_new|facility_edit|error|msg)\.[a-z_]+\b[^<]*<`)

// TestEveryPage renders every page as a logged-in user of the
// intermediary (who may do everything) in each language, and checks the
// key text of each.
func TestEveryPage(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, lang := range i18n.Langs() {
		t.Run(lang, func(t *testing.T) {
			pr := i18n.New(lang)
			c := fx.login(t, "ic-admin")
			if w := c.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); w.Code != 303 {
				t.Fatalf("switch language: got %d, want 303", w.Code)
			}
			c.get("/")
			pages := []struct {
				path   string
				status int
				texts  []string
			}{
				{"/", 200, []string{pr.T("dashboard.title"), pr.T("dashboard.persons"), pr.N("dashboard.total", 3), pr.N("dashboard.overdue", 1),
					pr.T("category.pow"), pr.T("dashboard.overdue_link"), `href="/persons?overdue=1"`, "ic-admin", pr.T("role.admin"), "ICRC"}},
				{"/persons", 200, []string{pr.T("persons.title"), fx.nameAA, fx.latinAA, fx.nameBB, pr.T("category.displaced_civilian"),
					pr.T("status.held"), pr.T("persons.card_overdue"), pr.T("filter.apply"), pr.N("persons.shown", 3)}},
				{"/persons?category=pow", 200, []string{fx.nameAA, fx.nameBB}},
				{"/persons?overdue=1", 200, []string{fx.nameAA, pr.N("persons.shown", 1)}},
				{"/persons?status=released", 200, []string{pr.T("persons.empty_filtered"), pr.T("filter.clear")}},
				{"/persons/" + id(fx.pAA), 200, []string{fx.nameAA, pr.T("person.timeline"), pr.T("event.captured"), pr.T("event.arrived"),
					"Camp South", pr.T("person.card_overdue"), pr.T("person.record"), pr.T("category.pow"), "1990-04-12", "AA-1001", pr.T("sex.m")}},
				{"/persons/" + id(fx.pCiv), 200, []string{"Коваленко Олена", pr.T("person.timeline_empty"), pr.T("status.registered")}},
				{"/persons/new", 200, []string{pr.T("person_new.title"), pr.T("field.birth_date"), pr.T("form.military"), pr.T("form.save"), "Aland"}},
				{"/persons/" + id(fx.pAA) + "/edit", 200, []string{pr.T("person_edit.title", "#"+id(fx.pAA)), "AA-1001", fx.latinAA, `name="version" value="`}},
				{"/facilities", 200, []string{pr.T("facilities.title"), "Camp North", "Camp South", "Transit Centre", pr.T("facility_kind.camp"), pr.T("facilities.new")}},
				{"/facilities/new", 200, []string{pr.T("facility_new.title"), pr.T("field.code"), "ICRC"}},
				{"/facilities/" + id(fx.facIC) + "/edit", 200, []string{pr.T("facility_edit.title"), "Transit Centre", "IC-T1"}},
				{"/facilities/" + id(fx.facAA) + "/edit", 403, []string{pr.T("error.forbidden"), pr.T("msg.own_facility")}},
				{"/persons/999999", 404, []string{pr.T("error.not_found"), pr.T("error.not_found_text")}},
				{"/no/such/page", 404, []string{pr.T("error.not_found")}},
				{"/persons?category=spy", 422, []string{pr.T("error.invalid"), pr.T("msg.unknown_value")}},
				{"/persons?after=bogus", 422, []string{pr.T("msg.cursor")}},
			}
			for _, pg := range pages {
				t.Run(strings.TrimPrefix(pg.path, "/"), func(t *testing.T) {
					w := c.get(pg.path)
					body := want(t, w, pg.status, pg.texts...)
					if !strings.Contains(body, `<html lang="`+lang+`">`) {
						t.Errorf("page is not marked lang=%s", lang)
					}
					if got := w.Header().Get("Content-Language"); got != lang {
						t.Errorf("Content-Language: got %q, want %q", got, lang)
					}
					if m := leakedKey.FindString(body); m != "" {
						t.Errorf("a catalog key is shown instead of its text: %s", m)
					}
					if lang != i18n.English && strings.Contains(body, ">Persons<") {
						t.Errorf("English navigation on a %s page", lang)
					}
					for _, bad := range []string{"<script>", " style=", "http://", "https://"} {
						if strings.Contains(body, bad) {
							t.Errorf("page holds %q (inline script or style, or an outside URL)", bad)
						}
					}
				})
			}
		})
	}
}

// The login page and the anonymous pages render in each language too.
func TestAnonymousPages(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, lang := range i18n.Langs() {
		pr := i18n.New(lang)
		c := fx.client(t)
		c.accept = map[string]string{"en": "en-US", "ru": "ru-RU,ru;q=0.9", "uk": "uk-UA,uk;q=0.9,en;q=0.3"}[lang]
		want(t, c.get("/login"), 200, pr.T("login.title"), pr.T("login.name"), pr.T("login.password"), pr.T("login.submit"), `<html lang="`+lang+`">`)
		want(t, c.get("/nowhere"), 404, pr.T("error.not_found"))
	}
}

// The navigation shows only what the role may do.
func TestNavigationByRole(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, tc := range []struct {
		user      string
		want, not []string
	}{
		{"aa-analyst", []string{`href="/"`}, []string{`href="/persons"`, `href="/facilities"`, `href="/persons?overdue=1"`}},
		{"aa-reg", []string{`href="/persons"`, `href="/facilities"`, `href="/persons?overdue=1"`}, nil},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := fx.login(t, tc.user)
			body := want(t, c.get("/"), 200, tc.want...)
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("page shows %s to %s", s, tc.user)
				}
			}
			want(t, c.get("/persons/new"), map[string]int{"aa-analyst": 403, "aa-reg": 200}[tc.user])
		})
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "aa-reg")
	body := c.get("/").Body.String()
	for _, re := range []string{`href="(/static/app\.[0-9a-f]{10}\.css)"`, `src="(/static/app\.[0-9a-f]{10}\.js)"`} {
		m := regexp.MustCompile(re).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no asset matching %s on the page", re)
		}
		anon := fx.client(t)
		w := anon.get(m[1])
		if w.Code != 200 || w.Body.Len() == 0 {
			t.Errorf("%s: got %d with %d bytes", m[1], w.Code, w.Body.Len())
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want a year, immutable", m[1], cc)
		}
	}
	if w := fx.client(t).get("/static/app.css"); w.Code != 404 {
		t.Errorf("unhashed name: got %d, want 404", w.Code)
	}
}

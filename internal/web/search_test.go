package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPersonListSearch finds a person from other spellings, in scope only.
func TestPersonListSearch(t *testing.T) {
	fx := newFixture(t)
	aa := fx.login(t, "aa-reg")
	for _, q := range []string{"Scherbak Andrey", "Щербак Андрей", "andriy shcherbak"} {
		body := want(t, aa.post("/persons/search", url.Values{"q": {q}}), http.StatusOK, fx.nameAA)
		if !strings.Contains(body, "surname") {
			t.Errorf("%q: the result does not say why it matched", q)
		}
	}
	// Party AA neither owns nor holds BB's prisoner.
	body := want(t, aa.post("/persons/search", url.Values{"q": {"Ivanov Ivan"}}), http.StatusOK)
	if strings.Contains(body, fx.nameBB) {
		t.Error("AA found BB's national held by BB")
	}
	want(t, aa.post("/persons/search", url.Values{"q": {strings.Repeat("Щ", 300)}}), http.StatusOK, "200")
	// A name in a URL is sent away; the name does not come back in the redirect.
	w := aa.get("/persons?q=" + urlQuery("Щербак") + "&category=pow")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/persons?category=pow" {
		t.Errorf("GET with a name: got %d to %q", w.Code, w.Header().Get("Location"))
	}
	// Each person a search shows is recorded as an access.
	acc, err := fx.db.AccessLog(context.Background(), "person", fx.pAA)
	if err != nil || len(acc) < 3 {
		t.Errorf("access log of the found person: got %d rows (%v), want one per search", len(acc), err)
	}
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// TestDuplicateWarning warns before registering a likely duplicate and
// registers only when the user confirms.
func TestDuplicateWarning(t *testing.T) {
	fx := newFixture(t)
	c := fx.login(t, "aa-reg")
	c.get("/persons/new")
	form := url.Values{"category": {"pow"}, "native_name": {"Shcherbak Andriy"}, "rank": {"Sergeant"}, "birth_date": {"1990-04-12"},
		"service_number": {"AA-1002"}, "sex": {"m"}}
	before := countPersons(t, fx.db)
	want(t, c.post("/persons", form), http.StatusOK, `id="duplicates"`, fx.nameAA, `name="confirm_duplicate"`, "Shcherbak Andriy")
	if got := countPersons(t, fx.db); got != before {
		t.Fatalf("a warned registration stored a person: %d, want %d", got, before)
	}
	form.Set("confirm_duplicate", "1")
	if w := c.post("/persons", form); w.Code != http.StatusSeeOther {
		t.Fatalf("confirmed: got %d, want 303: %s", w.Code, w.Body)
	}
	// Someone else is registered without a warning.
	other := url.Values{"category": {"displaced_civilian"}, "native_name": {"Петренко Марія"}}
	if w := c.post("/persons", other); w.Code != http.StatusSeeOther {
		t.Fatalf("another person: got %d, want 303", w.Code)
	}
}

// TestLoginThrottled refuses a login after five failures for the name,
// even with the right password, and records every attempt.
func TestLoginThrottled(t *testing.T) {
	fx := newFixture(t)
	c := fx.client(t)
	c.get("/login")
	for i := 0; i < 5; i++ {
		want(t, c.post("/login", url.Values{"name": {"aa-reg"}, "password": {"not the password"}}), http.StatusUnauthorized)
	}
	w := c.post("/login", url.Values{"name": {"aa-reg"}, "password": {password}})
	want(t, w, http.StatusTooManyRequests)
	if w.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	var n int
	fx.db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM login_attempts`).Scan(&n)
	if n != 6 {
		t.Errorf("got %d recorded attempts, want 6", n)
	}
}

// TestCaseFind finds the people of a case by any spelling and offers to
// start the case with their registry id.
func TestCaseFind(t *testing.T) {
	fx := newFixture(t)
	c := fx.login(t, "aa-admin")
	c.get("/cases/find")
	body := want(t, c.post("/cases/find", url.Values{"q": {"Kovalenko Olena"}}), http.StatusOK, "Коваленко Олена", "/cases/new?members="+id(fx.pCiv))
	if !strings.Contains(body, "surname") {
		t.Error("no reason given for the match")
	}
	want(t, c.get("/cases/new?members="+id(fx.pCiv)), http.StatusOK, `value="`+id(fx.pCiv)+`"`)
}

// TestMailQuotas lets an admin set the party's monthly quota, refuses a
// limit below 2 letters and 4 cards, and shows the quotas read-only to
// others.
func TestMailQuotas(t *testing.T) {
	fx := newFixture(t)
	admin := fx.login(t, "aa-admin")
	admin.get("/mail/quotas")
	want(t, admin.post("/mail/quotas", url.Values{"direction": {"to_detainee"}, "letters": {"1"}, "cards": {"4"}}), http.StatusUnprocessableEntity, "below 2 letters")
	if w := admin.post("/mail/quotas", url.Values{"direction": {"to_detainee"}, "letters": {"3"}, "cards": {"5"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("a valid quota: got %d: %s", w.Code, w.Body)
	}
	qs, err := fx.db.Quotas(context.Background(), "AA")
	if err != nil || len(qs) != 1 || qs[0].Letters != 3 || qs[0].Cards != 5 {
		t.Fatalf("stored quotas: %+v (%v)", qs, err)
	}
	body := want(t, fx.login(t, "aa-reg").get("/mail/quotas"), http.StatusOK, "Letters a month")
	if strings.Contains(body, `name="letters"`) {
		t.Error("a registrar is offered the quota form")
	}
}

// TestMailSettingsForm lets an admin set the party's S10 numbering and
// screening limit, refuses bad values next to their fields with nothing
// stored, and shows the settings read-only to others.
func TestMailSettingsForm(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	before, err := fx.db.MailSettings(ctx, "AA")
	if err != nil {
		t.Fatal(err)
	}
	admin := fx.login(t, "aa-admin")
	want(t, admin.get("/mail/quotas"), http.StatusOK, `action="/mail/settings"`, `name="item_service"`)
	for _, bad := range []url.Values{
		{"item_service": {"R1"}, "parcel_service": {"CP"}, "country": {"UA"}, "screening_limit_hours": {"72"}},
		{"item_service": {"RR"}, "parcel_service": {"RR"}, "country": {"UA"}, "screening_limit_hours": {"72"}},
		{"item_service": {"RR"}, "parcel_service": {"CP"}, "country": {"UA"}, "screening_limit_hours": {"0"}},
		{"item_service": {"RR"}, "parcel_service": {"CP"}, "country": {"UA"}, "screening_limit_hours": {"soon"}},
	} {
		want(t, admin.post("/mail/settings", bad), http.StatusUnprocessableEntity, `aria-invalid="true"`)
		if got, _ := fx.db.MailSettings(ctx, "AA"); got != before {
			t.Errorf("refused settings %v changed them: got %+v", bad, got)
		}
	}
	if w := admin.post("/mail/settings", url.Values{"item_service": {"rb"}, "parcel_service": {"CB"}, "country": {"UA"}, "screening_limit_hours": {"48"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("valid settings: got %d: %s", w.Code, w.Body)
	}
	got, err := fx.db.MailSettings(ctx, "AA")
	if err != nil || got.ItemService != "RB" || got.ParcelService != "CB" || got.Country != "UA" || got.LimitHours != 48 {
		t.Fatalf("stored settings: %+v (%v)", got, err)
	}
	body := want(t, fx.login(t, "aa-reg").get("/mail/quotas"), http.StatusOK, "RB", "48")
	if strings.Contains(body, `name="item_service"`) {
		t.Error("a registrar is offered the settings form")
	}
}

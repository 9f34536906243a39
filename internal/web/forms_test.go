package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"lifeline/internal/i18n"
	"lifeline/internal/store"
)

func countPersons(t *testing.T, db *store.DB) int {
	t.Helper()
	m, err := db.CountPersons(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

func TestPersonCreateValidation(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	for _, lang := range i18n.Langs() {
		t.Run(lang, func(t *testing.T) {
			pr := i18n.New(lang)
			c := fx.login(t, "aa-reg")
			c.post("/lang", url.Values{"lang": {lang}, "next": {"/persons/new"}})
			c.get("/persons/new")
			before := countPersons(t, fx.db)
			form := url.Values{"category": {"pow"}, "surname": {"Бондаренко"}, "given_name": {"Тарас"}, "birth_date": {"1990-13-45"},
				"rank": {"Lieutenant"}, "service_number": {"AA-7"}, "latin_names": {"Bondarenko Taras\nBondarenko Taras\r\n"},
				"confirm_duplicate": {"1"}} // one Бондаренко Тарас per language
			w := c.post("/persons", form)
			body := want(t, w, 422, pr.T("msg.birth_date"), pr.N("form.errors", 1), `value="1990-13-45"`, `value="Бондаренко"`, `value="Тарас"`,
				`value="Lieutenant"`, "Bondarenko Taras", `aria-invalid="true" aria-describedby="e-birth_date"`)
			if strings.Count(body, `class="error"`) != 1 {
				t.Errorf("got %d field errors, want 1 (birth date)", strings.Count(body, `class="error"`))
			}
			if !strings.Contains(body, `id="f-birth_date" name="birth_date" type="text" value="1990-13-45" autofocus`) {
				t.Errorf("the wrong field does not get the focus")
			}
			if got := countPersons(t, fx.db); got != before {
				t.Errorf("got %d persons after a refused form, want %d", got, before)
			}

			// A prisoner of war without rank, birth date and number: one
			// message each (GC III 17).
			w = c.post("/persons", url.Values{"category": {"pow"}, "native_name": {"Без Звания"}})
			body = want(t, w, 422, pr.T("msg.pow_required"), pr.N("form.errors", 3))
			if n := strings.Count(body, pr.T("msg.pow_required")); n != 3 {
				t.Errorf("got %d GC III 17 messages, want 3", n)
			}

			// Corrected, it is stored and the browser goes to the new page.
			form.Set("birth_date", "1990-11-05")
			form.Set("external_id", "ext-"+lang)
			w = c.post("/persons", form)
			if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/persons/") {
				t.Fatalf("got %d to %q, want 303 to the person", w.Code, w.Header().Get("Location"))
			}
			loc := w.Header().Get("Location")
			want(t, c.get(loc), 200, "Бондаренко Тарас", "1990-11-05", pr.T("category.pow"))
			if got := countPersons(t, fx.db); got != before+1 {
				t.Errorf("got %d persons, want %d", got, before+1)
			}

			// The same external id again is a field error.
			w = c.post("/persons", form)
			want(t, w, 422, pr.T("msg.external_id_taken"), `value="ext-`+lang+`"`)
		})
	}
}

func TestPersonEdit(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "aa-reg")
	body := c.get("/persons/" + id(fx.pAA) + "/edit").Body.String()
	if !strings.Contains(body, `name="version" value="2"`) && !strings.Contains(body, `name="version" value="3"`) {
		t.Fatalf("no version field on the edit form")
	}
	p, err := fx.db.Person(context.Background(), fx.pAA)
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{"category": {"pow"}, "native_name": {fx.nameAA}, "rank": {"Staff sergeant"}, "birth_date": {"1990-04-12"},
		"service_number": {"AA-1001"}, "latin_names": {fx.latinAA}, "version": {id(int64(p.Version))}, "birth_place": {"Полтава"}}

	// A bad birth date keeps the input and changes nothing.
	bad := url.Values{}
	for k, x := range v {
		bad[k] = x
	}
	bad.Set("birth_date", "2999-01-01")
	want(t, c.post("/persons/"+id(fx.pAA), bad), 422, "Must be a past date", `value="2999-01-01"`, `value="Staff sergeant"`)
	if q, _ := fx.db.Person(context.Background(), fx.pAA); q.Rank != "Sergeant" || q.Version != p.Version {
		t.Errorf("a refused edit changed the record: rank %q version %d", q.Rank, q.Version)
	}

	w := c.post("/persons/"+id(fx.pAA), v)
	if w.Code != 303 {
		t.Fatalf("edit: got %d, want 303; %s", w.Code, w.Body)
	}
	want(t, c.get("/persons/"+id(fx.pAA)), 200, "Staff sergeant", "Полтава")

	// The same form again carries a stale version: a conflict, input kept.
	v.Set("rank", "Major")
	want(t, c.post("/persons/"+id(fx.pAA), v), 409, "Someone else changed this record", `value="Major"`)
	if q, _ := fx.db.Person(context.Background(), fx.pAA); q.Rank != "Staff sergeant" {
		t.Errorf("a stale edit was stored: rank %q", q.Rank)
	}
}

func TestStatusEvent(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "bb-reg")
	path := "/persons/" + id(fx.pAA)
	c.get(path)

	// Arrival needs a facility.
	want(t, c.post(path+"/status", url.Values{"type": {"transferred"}}), 422, "Choose the facility for this event.", `<option value="transferred" selected>`)
	// A discharge needs a hospitalisation first: a conflict shown on the page.
	want(t, c.post(path+"/status", url.Values{"type": {"discharged"}}), 409, "Only a person in hospital can be discharged.")
	// A date before the last event is refused next to the date.
	want(t, c.post(path+"/status", url.Values{"type": {"capture_card_sent"}, "date": {"2000-01-01"}}), 422,
		"Cannot be before the last recorded event", `id="e-date"`)
	want(t, c.post(path+"/status", url.Values{"type": {"capture_card_sent"}, "date": {"01.02.2020"}}), 422, "Must be a date as YYYY-MM-DD.")

	w := c.post(path+"/status", url.Values{"type": {"capture_card_sent"}, "note": {"sent by post"}})
	if w.Code != 303 || w.Header().Get("Location") != path+"#timeline" {
		t.Fatalf("got %d to %q, want 303 to the timeline", w.Code, w.Header().Get("Location"))
	}
	body := want(t, c.get(path), 200, "Capture card sent", "sent by post")
	if strings.Contains(body, "The capture card is overdue") {
		t.Errorf("the card is still shown overdue after it was sent")
	}
	// The timeline is oldest first.
	i, j, k := strings.Index(body, `"event">Captured<`), strings.Index(body, `"event">Arrived at facility<`), strings.Index(body, `"event">Capture card sent<`)
	if !(i >= 0 && i < j && j < k) {
		t.Errorf("timeline order: captured at %d, arrived at %d, card at %d; want oldest first", i, j, k)
	}
	// A detaining party moves people only between its own places.
	want(t, c.post(path+"/status", url.Values{"type": {"transferred"}, "facility_id": {id(fx.facAA)}}), 422, "Choose one of your own facilities")
	ic := fx.login(t, "ic-admin")
	ic.get(path)
	w = ic.post(path+"/status", url.Values{"type": {"transferred"}, "facility_id": {id(fx.facAA)}})
	if w.Code != 303 {
		t.Fatalf("transfer by the intermediary: got %d, want 303: %s", w.Code, w.Body)
	}
	// Now AA holds its own national: BB no longer sees the person, the
	// intermediary sees the transfer.
	want(t, c.get(path), 404)
	want(t, ic.get(path), 200, "Transferred</strong> — Camp North")
}

func TestViewIsLogged(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "aa-reg")
	c.get("/persons/" + id(fx.pAA))
	c.get("/persons/" + id(fx.pAA))
	log, err := fx.db.AccessLog(context.Background(), "person", fx.pAA)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Action != "view" || log[0].Party != "AA" {
		t.Errorf("got access log %+v, want two views by AA", log)
	}
	// The edit form shows the record too.
	c.get("/persons/" + id(fx.pAA) + "/edit")
	if log, _ := fx.db.AccessLog(context.Background(), "person", fx.pAA); len(log) != 3 {
		t.Errorf("got %d accesses after the edit form, want 3", len(log))
	}
	// The list is not a view of each record.
	c.get("/persons")
	if log, _ := fx.db.AccessLog(context.Background(), "person", fx.pBB); len(log) != 0 {
		t.Errorf("got %d accesses to a person nobody opened", len(log))
	}
}

func TestFacilities(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.login(t, "aa-admin")
	body := want(t, c.get("/facilities"), 200, "Camp North", "Camp South")
	if !strings.Contains(body, `href="/facilities/`+id(fx.facAA)+`/edit"`) || strings.Contains(body, `href="/facilities/`+id(fx.facBB)+`/edit"`) {
		t.Errorf("edit links: want only AA's facility")
	}
	c.get("/facilities/new")
	want(t, c.post("/facilities", url.Values{"code": {"x"}, "name": {""}, "kind": {"camp"}}), 422, "2 to 32 letters, digits, - or _.", "Required.", `value="x"`)
	want(t, c.post("/facilities", url.Values{"code": {"BB-C1"}, "name": {"Again"}, "kind": {"camp"}}), 422, "A facility with this code exists.", `value="Again"`)
	if w := c.post("/facilities", url.Values{"code": {"AA-H1"}, "name": {"Hospital 3"}, "kind": {"hospital"}, "region": {"East"}}); w.Code != 303 {
		t.Fatalf("create facility: got %d: %s", w.Code, w.Body)
	}
	want(t, c.get("/facilities"), 200, "Hospital 3", "AA-H1", "East")
	if w := c.post("/facilities/"+id(fx.facAA), url.Values{"name": {"Camp North-East"}, "kind": {"camp"}}); w.Code != 303 {
		t.Fatalf("edit facility: got %d: %s", w.Code, w.Body)
	}
	want(t, c.get("/facilities"), 200, "Camp North-East")
	want(t, c.post("/facilities/"+id(fx.facBB), url.Values{"name": {"Mine now"}, "kind": {"camp"}}), 403)
	if f, _ := fx.db.Facility(context.Background(), fx.facBB); f.Name != "Camp South" {
		t.Errorf("another party's facility was renamed to %q", f.Name)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		for i := range 60 {
			p := newCivilian("Paging Person " + id(int64(i+100)))
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Paging walks the filtered list; a name query instead shows the best
	// matches of the search index, ranked (TestPersonListSearch).
	c := fx.login(t, "aa-reg")
	body := want(t, c.get("/persons?category=displaced_civilian"), 200, "50 persons on this page", `name="after" value="`, `name="category" value="displaced_civilian"`)
	m := regexpAfter.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no next page")
	}
	body = want(t, c.get("/persons?category=displaced_civilian&after="+m[1]), 200, "11 persons on this page", "Paging Person 159", "First page")
	if strings.Contains(body, `name="after"`) {
		t.Errorf("the last page offers a next page")
	}
}

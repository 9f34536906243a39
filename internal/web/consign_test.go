package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
)

// consignFixture adds the consignment users to the fixture and n sealed
// parcels from AA to prisoners held by BB.
func consignFixture(t *testing.T, n int) (*fixture, []string) {
	t.Helper()
	fx := newFixture(t)
	ctx := context.Background()
	var ids []string
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		for _, u := range []store.User{{Name: "aa-log", Role: auth.Logistics, PartyCode: "AA"}, {Name: "bb-log", Role: auth.Logistics, PartyCode: "BB"},
			{Name: "ic-del", Role: auth.Delegate, PartyCode: "ICRC"}, {Name: "ic-del2", Role: auth.Delegate, PartyCode: "ICRC"},
			{Name: "bb-fac", Role: auth.Facility, PartyCode: "BB"}} {
			if err := tx.CreateUser(ctx, store.System, &u, password); err != nil {
				return err
			}
		}
		for i := range n {
			p := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Prisoner " + string(rune('A'+i)), Rank: "private", BirthDate: "1990", ServiceNumber: "1"}
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: fx.facBB}); err != nil {
				return err
			}
			id, _ := s10.Make("CP", uint32(300+i), "UA")
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcels (tracking, direction, person_id, from_party, to_party, facility_id, status, items, weight_grams,
				created_at, sealed_at, updated_at) VALUES ($1, 'to_detainee', $2, 'AA', 'BB', $3, 'sealed', 1, 350, $4, $4, $4)`, id, p.ID, fx.facBB, tx.Now()); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fx, ids
}

// scanJSON posts a scan as the page's script does.
func scanJSON(t *testing.T, c *client, path, tracking string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"tracking": {tracking}, "csrf": {c.csrf}}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("scan answer is not JSON: %s", w.Body)
	}
	return w.Code, out
}

func TestConsignmentPages(t *testing.T) {
	t.Parallel()
	fx, ids := consignFixture(t, 3)
	pr := i18n.New("en")
	aa := fx.login(t, "aa-log")
	w := aa.post("/consignments", url.Values{"to": {"BB"}, "period": {"2026-12"}, "target": {"2000"}})
	if w.Code != 303 {
		t.Fatalf("create: got %d: %s", w.Code, w.Body)
	}
	page := w.Header().Get("Location")
	ref := strings.TrimPrefix(page, "/consignments/")
	want(t, aa.get(page), 200, pr.T("consign.heading", ref), pr.T("consign.add_scan"), pr.T("consign_state.draft"))
	// A bad target is shown on the form.
	want(t, aa.post("/consignments", url.Values{"to": {"BB"}, "period": {"December"}}), 422, pr.T("consign.new"))
	want(t, aa.post(page+"/parcels", url.Values{"tracking": {"XX1"}}), 422, "XX1")
	if w := aa.post(page+"/parcels", url.Values{"tracking": {ids[0]}}); w.Code != 303 {
		t.Fatalf("add one: got %d: %s", w.Code, w.Body)
	}
	if w := aa.post(page+"/parcels", url.Values{"all": {"1"}}); w.Code != 303 {
		t.Fatalf("add all: got %d: %s", w.Code, w.Body)
	}
	aa.get(page)
	for _, step := range []string{"/seal", "/dispatch"} {
		if w := aa.post(page+step, nil); w.Code != 303 {
			t.Fatalf("%s: got %d: %s", step, w.Code, w.Body)
		}
		aa.get(page)
	}
	want(t, aa.get(page), 200, pr.T("consign_state.dispatched"), pr.T("consign.manifest_pdf"), pr.T("bundle_kind.manifest"))
	if w := aa.get(page + "/files/manifest.pdf"); w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("manifest PDF: got %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w := aa.get(page + "/files/manifest.bundle"); w.Code != 200 || !strings.Contains(w.Body.String(), `"kind": "manifest"`) {
		t.Errorf("manifest bundle: got %d", w.Code)
	}

	// The handover screen, in every language, with one input field that
	// has the focus.
	del := fx.login(t, "ic-del")
	for _, lang := range i18n.Langs() {
		del.post("/lang", url.Values{"lang": {lang}, "next": {"/"}})
		p := i18n.New(lang)
		body := want(t, del.get(page+"/handover"), 200, p.T("handover.title", ref), p.T("handover.scan_label"), p.T("handover.expected"))
		if strings.Count(body, "autofocus") != 1 || !strings.Contains(body, `id="tracking" name="tracking"`) {
			t.Errorf("%s: the scanner screen needs one autofocused field", lang)
		}
	}
	del.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	del.get(page + "/handover")
	// Without the script: the form posts and the page comes back, green.
	want(t, del.post(page+"/scan", url.Values{"tracking": {strings.ToLower(ids[0])}}), 200, pr.T("handover.outcome_expected", ids[0]), `class="scan-result ok"`)
	// With the script: JSON with the running counts.
	st, res := scanJSON(t, del, page+"/scan", ids[1])
	if st != 200 || res["ok"] != true || res["counts"].(map[string]any)["scanned"].(float64) != 2 {
		t.Errorf("JSON scan: got %d %v", st, res)
	}
	st, res = scanJSON(t, del, page+"/scan", "not-a-parcel")
	if st != 422 || res["ok"] != false || !strings.Contains(res["message"].(string), "not-a-parcel") {
		t.Errorf("bad scan: got %d %v", st, res)
	}
	// One parcel missing: the handover needs a note confirmed by two people.
	w = del.post(page+"/handover", nil)
	want(t, w, 409, "discrepancy note")
	del.get(page + "/handover")
	if w := del.post(page+"/notes", url.Values{"text": {"one parcel was not in the truck"}}); w.Code != 303 {
		t.Fatalf("note: got %d: %s", w.Code, w.Body)
	}
	body := want(t, del.get(page+"/handover"), 200, "one parcel was not in the truck", pr.T("note.confirm"))
	noteAction := regexpConfirm.FindString(body)
	if noteAction == "" {
		t.Fatal("no confirm form")
	}
	if w := del.post(noteAction, nil); w.Code != 303 {
		t.Fatalf("confirm: got %d", w.Code)
	}
	del.get(page + "/handover")
	want(t, del.post(noteAction, nil), 409, "already confirmed")
	del2 := fx.login(t, "ic-del2")
	del2.get(page + "/handover")
	if w := del2.post(noteAction, nil); w.Code != 303 {
		t.Fatalf("second confirm: got %d: %s", w.Code, w.Body)
	}
	del.get(page + "/handover")
	if w := del.post(page+"/handover", nil); w.Code != 303 {
		t.Fatalf("complete handover: got %d: %s", w.Code, w.Body)
	}
	del.get(page)
	want(t, del.post(page+"/handover", nil), 409, "a second handover is refused")

	bb := fx.login(t, "bb-log")
	bb.get(page)
	if w := bb.post(page+"/countersign", nil); w.Code != 303 {
		t.Fatalf("countersign: got %d: %s", w.Code, w.Body)
	}
	if w := bb.get(page + "/files/receipt.pdf"); w.Code != 200 {
		t.Errorf("receipt PDF: got %d", w.Code)
	}
	fac := fx.login(t, "bb-fac")
	want(t, fac.get(page+"/deliveries"), 200, pr.T("delivery.title", ref), pr.T("delivery.bulk"))
	want(t, fac.post(page+"/deliveries", url.Values{"tracking": {ids[2]}, "outcome": {"delivered"}, "ack_kind": {"signed_slip"}, "ack_ref": {"s2"}}), 409, "never arrived")
	fac.get(page + "/deliveries")
	if w := fac.post(page+"/deliveries", url.Values{"tracking": {ids[0]}, "outcome": {"delivered"}, "ack_kind": {"signed_slip"}, "ack_ref": {"s0"}}); w.Code != 303 {
		t.Fatalf("delivery: got %d: %s", w.Code, w.Body)
	}
	fac.get(page + "/deliveries")
	today := time.Now().UTC().Format("2006-01-02")
	want(t, fac.post(page+"/deliveries/csv", url.Values{"csv": {"tracking,outcome,date,reason,action\n" + ids[1] + ",undeliverable,soon,deceased,returned"}}), 422, "line 2, column 3 (date)")
	fac.get(page + "/deliveries")
	if w := fac.post(page+"/deliveries/csv", url.Values{"csv": {"tracking,outcome,date,reason,action\n" + ids[1] + ",undeliverable," + today + ",deceased,returned"}}); w.Code != 303 {
		t.Fatalf("CSV: got %d: %s", w.Code, w.Body)
	}
	bb.get(page)
	w = bb.post(page+"/returns", nil)
	if w.Code != 303 || !strings.Contains(w.Header().Get("Location"), "-R01") {
		t.Fatalf("return: got %d %s", w.Code, w.Header().Get("Location"))
	}
	bb.get(page)
	if w := bb.post(page+"/report", nil); w.Code != 303 {
		t.Fatalf("report: got %d: %s", w.Code, w.Body)
	}
	want(t, bb.get(page), 200, pr.T("consign_state.closed"), pr.T("bundle_kind.delivery_report"), pr.T("parcel_state.missing"), pr.T("parcel_state.returned"))
	want(t, bb.get("/consignments"), 200, ref, pr.T("consign.return"))
	if w := bb.get(page + "/files/events.csv"); w.Code != 200 || !strings.Contains(w.Body.String(), ",EMI,") {
		t.Errorf("events: got %d %s", w.Code, w.Body)
	}
	// The analyst sees no consignments; another party's outsider gets 404.
	if w := fx.login(t, "aa-analyst").get("/consignments"); w.Code != 403 {
		t.Errorf("analyst: got %d, want 403", w.Code)
	}
}

var regexpConfirm = regexp.MustCompile(`/consignments/[A-Z0-9-]+/notes/\d+/confirm`)

package api_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// consignEnv adds the users of a consignment to env: logistics of both
// parties, two delegates of the intermediary and the detaining authority's
// facility staff; and n sealed parcels from AA to prisoners held by BB.
func consignEnv(t *testing.T, db *store.DB, n int) (*env, []string) {
	t.Helper()
	e := newEnv(t, db)
	ctx := context.Background()
	users := []store.User{{Name: "log-a", Role: auth.Logistics, PartyCode: "AA"}, {Name: "log-b", Role: auth.Logistics, PartyCode: "BB"},
		{Name: "del-1", Role: auth.Delegate, PartyCode: "ICRC"}, {Name: "del-2", Role: auth.Delegate, PartyCode: "ICRC"},
		{Name: "fac-b", Role: auth.Facility, PartyCode: "BB"}}
	var ids []string
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, u := range users {
			if err := tx.CreateUser(ctx, store.System, &u, "password for tests"); err != nil {
				return err
			}
		}
		for i := range n {
			p := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Prisoner " + string(rune('A'+i)), Rank: "private", BirthDate: "1990", ServiceNumber: "1"}
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: e.facB}); err != nil {
				return err
			}
			id, _ := s10.Make("CP", uint32(100+i), "UA")
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcels (tracking, direction, person_id, from_party, to_party, facility_id, status, items, weight_grams,
				created_at, sealed_at, updated_at) VALUES ($1, 'to_detainee', $2, 'AA', 'BB', $3, 'sealed', 2, 400, $4, $4, $4)`, id, p.ID, e.facB, tx.Now()); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		tok, err := db.CreateToken(ctx, store.System, u.Name)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.Name] = tok
	}
	return e, ids
}

// raw sends a request and returns the status, the content type and the body.
func (e *env) raw(user, method, path, contentType, body string) (int, string, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func (e *env) want(st int, want int, body map[string]any, what string) {
	e.t.Helper()
	if st != want {
		e.t.Fatalf("%s: got %d %v, want %d", what, st, body, want)
	}
}

func errMessage(body map[string]any) string {
	if e, ok := body["error"].(map[string]any); ok {
		m, _ := e["message"].(string)
		return m
	}
	return ""
}

func TestConsignmentAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, ids := consignEnv(t, db, 4)
		st, c := e.do("log-a", "POST", "/api/v1/consignments", map[string]any{"to": "BB", "period": "2026-12", "target": 2000})
		e.want(st, 201, c, "create")
		ref := c["ref"].(string)
		base := "/api/v1/consignments/" + ref
		if c["via"] != "ICRC" || c["state"] != "draft" {
			t.Errorf("created: got %v", c)
		}
		// Another party cannot see it; a delegate can but may not add parcels.
		st, body := e.do("reg-b", "GET", base, nil)
		if st != 200 {
			t.Errorf("receiving party: got %d, want 200 (it is sent to BB)", st)
		}
		st, body = e.do("log-b", "POST", base+"/parcels", map[string]any{"all": true})
		e.want(st, 403, body, "receiving party adding parcels")
		st, body = e.do("log-a", "POST", base+"/parcels", map[string]any{"tracking": strings.ToLower(ids[0])})
		e.want(st, 200, body, "add one")
		st, body = e.do("log-a", "POST", base+"/parcels", map[string]any{"all": true})
		if st != 200 || body["parcels"].(float64) != 4 {
			t.Fatalf("add all: got %d %v", st, body)
		}
		st, body = e.do("log-a", "POST", base+"/seal", map[string]any{})
		e.want(st, 200, body, "seal")
		if body["state"] != "sealed" || len(body["bundles"].([]any)) != 1 {
			t.Errorf("sealed: got %v", body)
		}
		stc, ct, pdfBody := e.raw("log-a", "GET", base+"/manifest.pdf", "", "")
		if stc != 200 || ct != "application/pdf" || !strings.HasPrefix(pdfBody, "%PDF") {
			t.Errorf("manifest.pdf: got %d %s", stc, ct)
		}
		stc, _, csv := e.raw("reg-b", "GET", base+"/manifest.csv", "", "")
		if stc != 200 || !strings.HasPrefix(csv, "tracking,recipient_ref,weight_grams,items\n") || strings.Count(csv, "\n") != 5 {
			t.Errorf("manifest.csv: got %d %q", stc, csv)
		}
		st, body = e.do("log-a", "POST", base+"/dispatch", map[string]any{})
		e.want(st, 200, body, "dispatch")

		// The handover at the exchange point.
		st, body = e.do("del-1", "POST", base+"/scans", map[string]any{"tracking": ids[0]})
		e.want(st, 200, body, "scan")
		if body["outcome"] != "expected" || body["ok"] != true {
			t.Errorf("scan: got %v", body)
		}
		e.do("del-1", "POST", base+"/scans", map[string]any{"tracking": ids[1]})
		st, body = e.do("del-1", "POST", base+"/scans", map[string]any{"tracking": ids[2], "damaged": true})
		counts := body["counts"].(map[string]any)
		if counts["expected"].(float64) != 4 || counts["received"].(float64) != 3 || counts["damaged"].(float64) != 1 || counts["missing"].(float64) != 1 {
			t.Errorf("counts: got %v", counts)
		}
		st, body = e.do("del-1", "POST", base+"/handover", map[string]any{})
		e.want(st, 409, body, "handover without a note")
		st, note := e.do("del-1", "POST", base+"/notes", map[string]any{"text": "one parcel short, one torn"})
		e.want(st, 201, note, "note")
		confirm := base + "/notes/" + jsonID(note["id"]) + "/confirm"
		st, body = e.do("del-1", "POST", confirm, map[string]any{})
		e.want(st, 200, body, "first confirmation")
		st, body = e.do("del-1", "POST", confirm, map[string]any{})
		e.want(st, 409, body, "same user confirming twice")
		if !strings.Contains(errMessage(body), "already confirmed") {
			t.Errorf("same user twice: got %q", errMessage(body))
		}
		st, body = e.do("del-2", "POST", confirm, map[string]any{})
		e.want(st, 200, body, "second confirmation")
		st, body = e.do("del-1", "POST", base+"/handover", map[string]any{})
		e.want(st, 200, body, "handover")
		st, body = e.do("del-1", "POST", base+"/handover", map[string]any{})
		e.want(st, 409, body, "second handover")
		st, body = e.do("del-1", "POST", base+"/scans", map[string]any{"tracking": ids[3]})
		e.want(st, 409, body, "scan after the handover")
		stc, ct, _ = e.raw("log-b", "GET", base+"/receipt.pdf", "", "")
		if stc != 200 || ct != "application/pdf" {
			t.Errorf("receipt.pdf: got %d %s", stc, ct)
		}
		st, body = e.do("log-a", "POST", base+"/countersign", map[string]any{})
		e.want(st, 403, body, "sender countersigning")
		st, body = e.do("log-b", "POST", base+"/countersign", map[string]any{})
		e.want(st, 200, body, "countersign")
		if body["state"] != "receipted" {
			t.Errorf("countersigned: got %v", body["state"])
		}

		// Deliveries.
		st, body = e.do("fac-b", "POST", "/api/v1/deliveries", map[string]any{"tracking": ids[3], "outcome": "delivered", "ack_kind": "signed_slip", "ack_ref": "slip-3"})
		e.want(st, 409, body, "delivery of a parcel that never arrived")
		today := time.Now().UTC().Format("2006-01-02")
		bad := "tracking,outcome,date,ack_kind,ack_ref\n" + ids[0] + ",delivered," + today + ",signed_slip,s0\n" + ids[1] + ",delivered,5 Dec,signed_slip,s1\n"
		stc, _, msg := e.raw("fac-b", "POST", base+"/deliveries.csv", "text/csv", bad)
		if stc != 422 || !strings.Contains(msg, "line 3, column 3 (date)") {
			t.Errorf("bad CSV: got %d %s", stc, msg)
		}
		good := "tracking,outcome,date,ack_kind,ack_ref,reason,action\n" + ids[0] + ",delivered," + today + ",signed_slip,s0,,\n" +
			ids[1] + ",undeliverable," + today + ",,,released,returned\n"
		stc, _, msg = e.raw("fac-b", "POST", base+"/deliveries.csv", "text/csv", good)
		if stc != 201 || !strings.Contains(msg, `"recorded":2`) {
			t.Fatalf("CSV deliveries: got %d %s", stc, msg)
		}
		st, body = e.do("fac-b", "POST", "/api/v1/deliveries", map[string]any{"tracking": ids[2], "outcome": "delivered", "ack_kind": "representative", "ack_ref": "ATT-1"})
		e.want(st, 201, body, "delivery by scan")
		if body["state"] != "acknowledged" || body["ref"] != ref {
			t.Errorf("delivery by scan: got %v", body)
		}
		st, body = e.do("log-b", "POST", base+"/returns", map[string]any{})
		e.want(st, 201, body, "return")
		if body["kind"] != "return" || body["parcels"].(float64) != 1 {
			t.Errorf("return: got %v", body)
		}
		st, body = e.do("log-b", "POST", base+"/report", map[string]any{})
		e.want(st, 200, body, "report")
		if body["state"] != "closed" {
			t.Errorf("after the report: got state %v, want closed", body["state"])
		}
		stc, _, events := e.raw("reg-a", "GET", base+"/events.csv", "", "")
		if stc != 200 || !strings.Contains(events, ",EMI,") || !strings.Contains(events, ",EMH,") {
			t.Errorf("events.csv: got %d %s", stc, events)
		}
		stc, _, bundle := e.raw("log-a", "GET", base+"/bundle?kind=handover_receipt", "", "")
		if stc != 200 || !strings.Contains(bundle, `"kind": "handover_receipt"`) {
			t.Fatalf("bundle: got %d %s", stc, bundle)
		}
		// Pushing a bundle this node already has changes nothing; a changed one is refused.
		stc, _, msg = e.raw("log-a", "POST", "/api/v1/bundles", "application/json", bundle)
		if stc != 200 || !strings.Contains(msg, `"changed":false`) {
			t.Errorf("push of a known bundle: got %d %s", stc, msg)
		}
		i := strings.Index(bundle, `"payload": "`) + 20
		tampered := bundle[:i] + string(rune(bundle[i]^1)) + bundle[i+1:]
		stc, _, msg = e.raw("log-a", "POST", "/api/v1/bundles", "application/json", tampered)
		if stc != 422 || !strings.Contains(msg, "does not verify") {
			t.Errorf("tampered bundle: got %d %s", stc, msg)
		}
		stc, _, msg = e.raw("log-a", "POST", "/api/v1/bundles", "application/json", bundle[:len(bundle)/2])
		if stc != 422 || !strings.Contains(msg, "truncated") {
			t.Errorf("truncated bundle: got %d %s", stc, msg)
		}
		st, list := e.do("analyst-a", "GET", "/api/v1/consignments", nil)
		e.want(st, 403, list, "analyst listing")
		st, list = e.do("reg-a", "GET", "/api/v1/consignments", nil)
		if st != 200 || len(list["items"].([]any)) != 2 {
			t.Errorf("list: got %d %v", st, list)
		}
	})
}

func jsonID(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

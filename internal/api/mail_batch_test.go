package api_test

import (
	"context"
	"strings"
	"testing"

	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// takeIn takes in n letters to person as user and returns their ids.
func (e *mailEnv) takeIn(t *testing.T, user string, person int64, n int) []int64 {
	t.Helper()
	var ids []int64
	var sender int64
	for range n {
		in := map[string]any{"person_id": person, "kind": "letter"}
		if sender == 0 {
			in["sender"] = map[string]any{"name": "Олена Щербак", "relationship": "mother", "contact": "+380 44 000 00 00"}
		} else {
			in["sender_id"] = sender
		}
		st, b := e.do(user, "POST", "/api/v1/items", in)
		if st != 201 {
			t.Fatalf("intake: got %d %v", st, b)
		}
		it := b["item"].(map[string]any)
		sender = num(it["sender_id"])
		ids = append(ids, num(it["id"]))
	}
	return ids
}

type screeningTally struct{ screenings, approved int }

func screeningCounts(t *testing.T, db *store.DB) screeningTally {
	t.Helper()
	var c screeningTally
	err := db.Read().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM screenings),
		(SELECT count(*) FROM items WHERE status = 'approved')`).Scan(&c.screenings, &c.approved)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decisions(ids []int64, outcome string) map[string]any {
	var ds []map[string]any
	for _, id := range ids {
		ds = append(ds, map[string]any{"item_id": id, "outcome": outcome})
	}
	return map[string]any{"decisions": ds}
}

func TestScreeningBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		ids := e.takeIn(t, "clerk-a", e.pow, 3)
		foreign := e.takeIn(t, "clerk-b", e.other, 1) // BB to BB: not AA's
		before := screeningCounts(t, db)

		tests := []struct {
			name   string
			user   string
			body   any
			status int
			field  string // a field message key the error must hold
			msg    string // text the error message must hold
		}{
			{"no decisions", "screener-a", map[string]any{"decisions": []any{}}, 422, "decisions", ""},
			{"too many", "screener-a", decisions(make([]int64, 201), "approved"), 422, "decisions", ""},
			{"an item outside the party's scope", "screener-a", decisions(append(ids[:1:1], foreign[0]), "approved"), 404, "", "decision 2"},
			{"an unknown item", "screener-a", decisions([]int64{ids[0], 999999}, "approved"), 404, "", "decision 2"},
			{"a rejection without a reason", "screener-a", map[string]any{"decisions": []map[string]any{
				{"item_id": ids[0], "outcome": "approved"}, {"item_id": ids[1], "outcome": "rejected"}}}, 422, "decisions.1.reason", ""},
			{"a redaction, which needs its scan", "screener-a", decisions(ids[:1], "redacted"), 422, "decisions.0.redacted_scan", ""},
			{"the same item twice", "screener-a", decisions([]int64{ids[0], ids[1], ids[0]}, "approved"), 409, "", "decision 3"},
			{"a clerk may not screen", "clerk-a", decisions(ids, "approved"), 403, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				st, b := e.do(tc.user, "POST", "/api/v1/screening/decisions", tc.body)
				if st != tc.status {
					t.Fatalf("got %d %v, want %d", st, b, tc.status)
				}
				if tc.field != "" {
					if _, ok := errorFields(b)[tc.field]; !ok {
						t.Errorf("got fields %v, want %s", errorFields(b), tc.field)
					}
				}
				if msg, _ := b["error"].(map[string]any)["message"].(string); !strings.Contains(msg, tc.msg) {
					t.Errorf("got message %q, want it to hold %q", msg, tc.msg)
				}
				if got := screeningCounts(t, db); got.screenings != before.screenings || got.approved != before.approved {
					t.Errorf("a refused batch changed the database: got %v, want %v", got, before)
				}
			})
		}

		st, b := e.do("screener-a", "POST", "/api/v1/screening/decisions", decisions(ids, "approved"))
		if st != 201 || len(b["items"].([]any)) != 3 {
			t.Fatalf("batch: got %d %v, want 201 and 3 screenings", st, b)
		}
		for i, sc := range b["items"].([]any) {
			s := sc.(map[string]any)
			if num(s["item_id"]) != ids[i] || s["side"] != "sending" || s["outcome"] != "approved" {
				t.Errorf("screening %d: got %v", i, s)
			}
			evs, _ := db.Events(context.Background(), "item", jsonNum(ids[i]), 0, 100)
			if evs[len(evs)-1].Type != "screened" {
				t.Errorf("item %d: last event %s, want screened", ids[i], evs[len(evs)-1].Type)
			}
		}
		// The same side again: refused, audited, nothing applied.
		after := screeningCounts(t, db)
		st, b = e.do("screener-a", "POST", "/api/v1/screening/decisions", decisions(ids[1:], "approved"))
		if st != 409 || !strings.Contains(b["error"].(map[string]any)["message"].(string), "second examination") {
			t.Fatalf("second pass: got %d %v, want 409", st, b)
		}
		evs, _ := db.Events(context.Background(), "item", jsonNum(ids[1]), 0, 100)
		if evs[len(evs)-1].Type != "screening_refused" {
			t.Errorf("the refused pass is not audited: last event %s", evs[len(evs)-1].Type)
		}
		if got := screeningCounts(t, db); got.screenings != after.screenings || got.approved != after.approved {
			t.Errorf("after a refused batch: got %+v, want %+v", got, after)
		}
		// The receiving side now screens the page.
		if st, b := e.do("screener-b", "POST", "/api/v1/screening/decisions", decisions(ids, "approved")); st != 201 {
			t.Fatalf("BB batch: got %d %v", st, b)
		}
	})
}

// TestPackAndSeal packs a recipient's items and seals the parcel in one
// request, or does nothing.
func TestPackAndSeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		ids := e.takeIn(t, "clerk-a", e.pow, 2)
		if st, b := e.do("screener-a", "POST", "/api/v1/screening/decisions", decisions(ids, "approved")); st != 201 {
			t.Fatalf("screening: got %d %v", st, b)
		}
		before := counts(t, db)
		for _, w := range []int{0, 30001} {
			st, b := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": ids, "weight_grams": w})
			if st != 422 || errorFields(b)["weight_grams"] == nil {
				t.Errorf("weight %d: got %d %v, want 422 on weight_grams", w, st, b)
			}
			if got := counts(t, db); !equalCounts(got, before) {
				t.Errorf("weight %d: a refused pack changed the database: got %v, want %v", w, got, before)
			}
		}
		for name, tc := range map[string]struct {
			ids    []int64
			status int
		}{
			"the same item twice": {[]int64{ids[0], ids[1], ids[0]}, 409},
			"an unknown item":     {[]int64{ids[0], 999999}, 422},
		} {
			st, b := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": tc.ids})
			if st != tc.status {
				t.Errorf("%s: got %d %v, want %d", name, st, b, tc.status)
			}
			if got := counts(t, db); !equalCounts(got, before) {
				t.Errorf("%s: a refused pack changed the database: got %v, want %v", name, got, before)
			}
		}
		st, p := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": ids, "weight_grams": 240})
		if st != 201 || p["status"] != "sealed" || num(p["weight_grams"]) != 240 || num(p["items"]) != 2 {
			t.Fatalf("pack and seal: got %d %v, want a sealed parcel of 2 items, 240 g", st, p)
		}
		evs, _ := db.Events(context.Background(), "parcel", jsonNum(num(p["id"])), 0, 100)
		var types []string
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		if strings.Join(types, ",") != "opened,packed,sealed" {
			t.Errorf("parcel events: got %v, want opened, packed, sealed", types)
		}
		for i, id := range ids {
			it, err := db.Item(context.Background(), id)
			if err != nil || it.Status != "packed" || it.ParcelID != num(p["id"]) {
				t.Errorf("item %d: got %+v %v, want packed in parcel %d", i, it, err, num(p["id"]))
			}
		}
		if pe, err := db.ParcelEvents(context.Background(), num(p["id"])); err != nil || len(pe) != 1 || pe[0].Status != "sealed" || pe[0].UPU != "EMA" {
			t.Errorf("parcel timeline: got %+v %v, want sealed (EMA)", pe, err)
		}
		// Without a weight the parcel stays open, as before.
		more := e.takeIn(t, "clerk-a", e.pow, 1)
		e.do("screener-a", "POST", "/api/v1/screening/decisions", decisions(more, "approved"))
		if st, p := e.do("packer-a", "POST", "/api/v1/parcels", map[string]any{"person_id": e.pow, "item_ids": more}); st != 201 || p["status"] != "open" {
			t.Errorf("pack without a weight: got %d %v, want an open parcel", st, p)
		}
	})
}

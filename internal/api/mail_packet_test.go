package api_test

import (
	"context"
	"strings"
	"testing"

	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func countItems(t *testing.T, db *store.DB) (items, senders, events int) {
	t.Helper()
	err := db.Read().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM senders),
		(SELECT count(*) FROM events)`).Scan(&items, &senders, &events)
	if err != nil {
		t.Fatal(err)
	}
	return items, senders, events
}

func packet(person int64, kinds ...string) map[string]any {
	var its []map[string]any
	for _, k := range kinds {
		its = append(its, map[string]any{"kind": k, "pages": 1})
	}
	return map[string]any{"person_id": person, "items": its,
		"sender": map[string]any{"name": "Олена Щербак", "relationship": "mother", "contact": "+380 44 000 00 00"}}
}

// TestPacket takes in what a mother brings at once — a letter, two
// photographs and a drawing — as four items with their own tracking
// numbers and PINs, or refuses the whole packet.
func TestPacket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		if st, b := e.do("admin-a", "PUT", "/api/v1/mail/quotas", map[string]any{"direction": "to_detainee", "letters": 2, "cards": 4}); st != 200 {
			t.Fatalf("quota: got %d %v", st, b)
		}
		before, beforeSenders, beforeEvents := countItems(t, db)
		tooMany := make([]string, 51)
		for i := range tooMany {
			tooMany[i] = "photograph"
		}
		tests := []struct {
			name   string
			user   string
			body   any
			status int
			field  string // a field message key the error must hold
			msg    string // text the error message must hold
		}{
			{"no items", "clerk-a", packet(e.pow), 422, "items", ""},
			{"more than a parcel holds", "clerk-a", packet(e.pow, tooMany...), 422, "items", ""},
			{"an unknown kind in the second item", "clerk-a", packet(e.pow, "letter", "parcel bomb"), 422, "items.1.kind", "item 2"},
			{"a third letter over the monthly limit of two", "clerk-a", packet(e.pow, "letter", "photograph", "letter", "letter"), 409, "", "item 4"},
			{"a person outside the party's reach", "clerk-a", packet(e.other, "letter"), 422, "person_id", ""},
			{"no sender", "clerk-a", map[string]any{"person_id": e.pow, "items": []map[string]any{{"kind": "letter"}}}, 422, "sender", ""},
			{"a screener may not take in mail", "screener-a", packet(e.pow, "letter"), 403, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				st, b := e.do(tc.user, "POST", "/api/v1/items/packet", tc.body)
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
				if items, senders, events := countItems(t, db); items != before || senders != beforeSenders || events != beforeEvents {
					t.Errorf("a refused packet changed the database: got %d items, %d senders, %d events; want %d, %d, %d",
						items, senders, events, before, beforeSenders, beforeEvents)
				}
			})
		}

		st, b := e.do("clerk-a", "POST", "/api/v1/items/packet", packet(e.pow, "letter", "photograph", "photograph", "drawing"))
		if st != 201 {
			t.Fatalf("packet: got %d %v", st, b)
		}
		got := b["items"].([]any)
		if len(got) != 4 || num(b["sender_id"]) == 0 {
			t.Fatalf("got %v, want 4 items and the new sender", b)
		}
		if evs, _ := db.Events(context.Background(), "sender", jsonNum(num(b["sender_id"])), 0, 10); len(evs) != 1 || evs[0].Type != "created" {
			t.Errorf("new sender: got events %v, want created", evs)
		}
		seen := map[string]bool{}
		for i, x := range got {
			in := x.(map[string]any)
			it := in["item"].(map[string]any)
			tracking, _ := it["tracking"].(string)
			if seen[tracking] || len(tracking) != 13 || len(in["pin"].(string)) != 6 || num(it["sender_id"]) != num(b["sender_id"]) ||
				it["status"] != "received" || it["dest_party"] != "BB" {
				t.Errorf("item %d: got %v", i, in)
			}
			seen[tracking] = true
			evs, _ := db.Events(context.Background(), "item", jsonNum(num(it["id"])), 0, 10)
			if len(evs) != 1 || evs[0].Type != "received" {
				t.Errorf("item %d: got events %v, want received", i, evs)
			}
			// Each item is an item of its own: its scans come after.
			if st, b := e.do("clerk-a", "GET", path("/api/v1/items/", num(it["id"])), nil); st != 200 {
				t.Errorf("item %d: got %d %v", i, st, b)
			}
		}
		if items, senders, _ := countItems(t, db); items != before+4 || senders != beforeSenders+1 {
			t.Errorf("got %d items and %d senders, want %d and %d", items, senders, before+4, beforeSenders+1)
		}
		// The packet's letter counts: one more letter this month, then none.
		one := packet(e.pow, "letter")
		delete(one, "sender")
		one["sender_id"] = num(b["sender_id"])
		if st, b := e.do("clerk-a", "POST", "/api/v1/items/packet", one); st != 201 {
			t.Fatalf("second letter: got %d %v", st, b)
		}
		if st, b := e.do("clerk-a", "POST", "/api/v1/items/packet", one); st != 409 {
			t.Fatalf("third letter: got %d %v, want 409", st, b)
		}
	})
}

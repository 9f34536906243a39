package api_test

import (
	"strings"
	"testing"

	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// TestNoteReplyAPI: the sending party answers the confirmed discrepancy
// note once (RCV-3); every bad request is refused with a clear error and
// stores nothing.
func TestNoteReplyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, ids := consignEnv(t, db, 2)
		st, c := e.do("log-a", "POST", "/api/v1/consignments", map[string]any{"to": "BB", "period": "2026-12"})
		e.want(st, 201, c, "create")
		base := "/api/v1/consignments/" + c["ref"].(string)
		for _, step := range []struct{ user, path string }{{"log-a", "/parcels"}, {"log-a", "/seal"}, {"log-a", "/dispatch"}} {
			body := map[string]any{}
			if step.path == "/parcels" {
				body["all"] = true
			}
			st, b := e.do(step.user, "POST", base+step.path, body)
			e.want(st, 200, b, step.path)
		}
		st, b := e.do("del-1", "POST", base+"/scans", map[string]any{"tracking": ids[0]})
		e.want(st, 200, b, "scan")
		st, note := e.do("del-1", "POST", base+"/notes", map[string]any{"text": "one parcel not in the truck"})
		e.want(st, 201, note, "note")
		notePath := base + "/notes/" + jsonID(note["id"])
		reply := notePath + "/reply"
		answer := map[string]any{"text": "  It left our depot on the 3rd; we are looking for it.  "}

		refusals := []struct {
			name, user, path string
			body             map[string]any
			status           int
			says             string
		}{
			{"unconfirmed note", "log-a", reply, answer, 409, "not confirmed yet (0 of 2"},
		}
		check := func(rs []struct {
			name, user, path string
			body             map[string]any
			status           int
			says             string
		}) {
			t.Helper()
			for _, r := range rs {
				st, body := e.do(r.user, "POST", r.path, r.body)
				if st != r.status {
					t.Errorf("%s: got %d %v, want %d", r.name, st, body, r.status)
					continue
				}
				msg := errMessage(body)
				if f, ok := body["error"].(map[string]any)["fields"].(map[string]any); ok {
					for k, v := range f {
						msg += " " + k + ": " + v.(string)
					}
				}
				if !strings.Contains(msg, r.says) {
					t.Errorf("%s: got %q, want it to say %q", r.name, msg, r.says)
				}
			}
			st, rec := e.do("log-a", "GET", base+"/reconciliation", nil)
			e.want(st, 200, rec, "reconciliation")
			if n, _ := rec["note"].(map[string]any); n == nil || n["reply"] != nil {
				t.Errorf("after refusals: got note %v, want it without a reply", rec["note"])
			}
		}
		check(refusals)
		st, b = e.do("del-1", "POST", notePath+"/confirm", map[string]any{})
		e.want(st, 200, b, "first confirmation")
		check(refusals[:0:0])
		st, b = e.do("log-a", "POST", reply, answer)
		e.want(st, 409, b, "reply to a note confirmed by one")
		st, b = e.do("del-2", "POST", notePath+"/confirm", map[string]any{})
		e.want(st, 200, b, "second confirmation")

		check([]struct {
			name, user, path string
			body             map[string]any
			status           int
			says             string
		}{
			{"receiving party", "log-b", reply, answer, 403, "only the sending party (AA)"},
			{"intermediary's delegate", "del-1", reply, answer, 403, ""},
			{"intermediary's admin", "admin-i", reply, answer, 403, "only the sending party (AA)"},
			{"empty text", "log-a", reply, map[string]any{"text": "  \n "}, 422, "text: write the reply"},
			{"no text", "log-a", reply, map[string]any{}, 422, "text: write the reply"},
			{"too long", "log-a", reply, map[string]any{"text": strings.Repeat("я", 2001)}, 422, "at most 2000"},
			{"unknown note", "log-a", base + "/notes/99999/reply", answer, 404, "has no discrepancy note 99999"},
			{"not a note id", "log-a", base + "/notes/x/reply", answer, 404, ""},
			{"unknown consignment", "log-a", "/api/v1/consignments/AA-BB-1999-01-01/notes/" + jsonID(note["id"]) + "/reply", answer, 404, ""},
		})

		st, n := e.do("log-a", "POST", reply, answer)
		e.want(st, 200, n, "reply")
		rp, _ := n["reply"].(map[string]any)
		if rp == nil || rp["text"] != "It left our depot on the 3rd; we are looking for it." || rp["party"] != "AA" || rp["at"] == nil {
			t.Errorf("reply: got %v", n["reply"])
		}
		if n["expected"].(float64) != 2 || n["scanned"].(float64) != 1 || len(n["missing_parcels"].([]any)) != 1 || n["text"] != "one parcel not in the truck" {
			t.Errorf("the note's quantities changed: got %v", n)
		}
		st, b = e.do("log-a", "POST", reply, map[string]any{"text": "a second answer"})
		e.want(st, 409, b, "second reply")
		if !strings.Contains(errMessage(b), "already replied") {
			t.Errorf("second reply: got %q, want it to say already replied", errMessage(b))
		}
		// Every reader in scope sees the reply with the note.
		st, rec := e.do("reg-b", "GET", base+"/reconciliation", nil)
		e.want(st, 200, rec, "reconciliation")
		if got := rec["note"].(map[string]any)["reply"].(map[string]any)["text"]; got != rp["text"] {
			t.Errorf("reconciliation's note: got reply %v, want %v", got, rp["text"])
		}
	})
}

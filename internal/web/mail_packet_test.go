package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

var doneTrackingRE = regexp.MustCompile(`class="done-tracking"[^>]*>([A-Z0-9]{13})<`)

func countRows(t *testing.T, fx *fixture, table string) int {
	t.Helper()
	var n int
	if err := fx.db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMailPacketForm: the intake form takes in a packet — the form's item
// and the rows filled in below it — as items with their own tracking
// numbers and PINs, or, when one row is wrong, nothing, naming the row.
func TestMailPacketForm(t *testing.T) {
	fx := newFixture(t)
	mailReady(t, fx)
	c := fx.login(t, "aa-admin")
	person := strconv.FormatInt(fx.pAA, 10)
	want(t, c.get("/mail/intake?person="+person), 200, "More items in this packet", `name="extra_kind"`)
	form := func(extra ...string) url.Values {
		v := url.Values{"person_id": {person}, "kind": {"letter"}, "pages": {"2"},
			"sender_name": {"Олена Щербак"}, "sender_relationship": {"mother"}, "sender_contact": {"Kyiv"}}
		for _, k := range extra {
			v.Add("extra_kind", k)
			v.Add("extra_pages", "1")
		}
		return v
	}
	before := countRows(t, fx, "items")
	want(t, c.post("/mail/intake", form("photograph", "parcel bomb")), 422, "Item 3")
	if got := countRows(t, fx, "items"); got != before {
		t.Fatalf("a refused packet stored %d items", got-before)
	}
	body := want(t, c.post("/mail/intake", form("photograph", "", "drawing")), 201, "Item taken in")
	got := doneTrackingRE.FindAllStringSubmatch(body, -1)
	if len(got) != 3 || len(itemRE.FindAllString(body, -1)) != 3 {
		t.Fatalf("got %d tracking numbers and %d receipts, want 3 each", len(got), len(itemRE.FindAllString(body, -1)))
	}
	kinds := map[string]bool{}
	for _, m := range got {
		it, err := fx.db.ItemByTracking(context.Background(), m[1])
		if err != nil || it.PersonID != fx.pAA {
			t.Fatalf("item %s: got %+v %v", m[1], it, err)
		}
		kinds[string(it.Kind)] = true
	}
	if !kinds["letter"] || !kinds["photograph"] || !kinds["drawing"] {
		t.Errorf("got kinds %v, want the letter, the photograph and the drawing", kinds)
	}
	if n := countRows(t, fx, "items"); n != before+3 {
		t.Errorf("got %d items stored, want 3", n-before)
	}
}

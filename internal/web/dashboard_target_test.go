package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"lifeline/internal/i18n"
	"lifeline/internal/ledger"
	"lifeline/internal/store"
)

// TestDashboardTarget: the dashboard shows, for the current month, parcels
// sent and delivered against the target per direction: the month's
// outbound consignments count (their targets add up), a draft sends
// nothing yet, and last month's consignment and a return do not count.
func TestDashboardTarget(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	now := fx.db.Now()
	month := ledger.MonthOf(now)
	// Before any consignment, the tile says none is planned.
	want(t, fx.login(t, "aa-admin").get("/"), 200, `id="target-tile"`, i18n.New("en").T("target.empty", month))
	last := ledger.MonthOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
	type consignment struct {
		ref, kind, from, to, period string
		target                      int
		state                       string
		parcels                     []string
	}
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		for i, c := range []consignment{
			{"C-1", "outbound", "AA", "BB", month, 10, "handed_over", []string{"delivered", "acknowledged", "delivered", "received"}},
			{"C-2", "outbound", "AA", "BB", month, 5, "draft", []string{"sealed", "sealed"}},
			{"C-3", "outbound", "BB", "AA", month, 8, "dispatched", []string{"dispatched", "dispatched", "dispatched"}},
			{"C-4", "outbound", "AA", "BB", last, 100, "closed", []string{"delivered"}},
			{"C-1-R01", "return", "BB", "AA", month, 0, "dispatched", []string{"dispatched"}},
		} {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO consignments (ref, kind, from_party, to_party, via_party, period, target, state, origin,
				created_at, updated_at) VALUES ($1, $2, $3, $4, 'ICRC', $5, $6, $7, 'local', $8, $8) RETURNING id`,
				c.ref, c.kind, c.from, c.to, c.period, c.target, c.state, now).Scan(&id)
			if err != nil {
				return err
			}
			for j, s := range c.parcels {
				if _, err := tx.ExecContext(ctx, `INSERT INTO consignment_parcels (consignment_id, tracking, recipient_ref, weight_grams, items, state,
					position, updated_at) VALUES ($1, $2, 'r', 350, 1, $3, $4, $5)`, id, fmt.Sprintf("CP%03d%03dUA", i, j), s, j+1, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs() {
		pr := i18n.New(lang)
		for _, tt := range []struct {
			user string
			link bool // the direction links to the consignments
		}{
			{"aa-admin", true},
			{"ic-admin", true},
			{"aa-analyst", false},
		} {
			t.Run(lang+"/"+tt.user, func(t *testing.T) {
				c := fx.login(t, tt.user)
				c.post("/lang", map[string][]string{"lang": {lang}, "next": {"/"}})
				body := want(t, c.get("/"), 200, `id="target-tile"`, pr.T("target.title", month), "AA → BB", "BB → AA",
					pr.N("target.consignments", 2), pr.N("target.consignments", 1),
					pr.T("target.of", 4, 15), `<progress max="15" value="4"`, // sent AA → BB: the draft's parcels are not sent
					pr.T("target.of", 3, 15), `<progress max="15" value="3"`, // delivered or acknowledged
					pr.T("target.of", 3, 8), `<progress max="8" value="3"`,
					pr.T("target.of", 0, 8), `<progress max="8" value="0"`)
				if strings.Contains(body, `max="100"`) || strings.Contains(body, `max="0"`) {
					t.Errorf("last month's consignment or the return counts:\n%s", body)
				}
				if got := strings.Contains(body, `<a href="/consignments">AA → BB</a>`); got != tt.link {
					t.Errorf("link to the consignments: got %v, want %v", got, tt.link)
				}
			})
		}
	}
}

package web

import (
	"cmp"
	"net/http"
	"slices"

	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/httpx"
	"lifeline/internal/ledger"
	"lifeline/internal/store"
)

// targetTile is the dashboard's part about parcels against the monthly
// target: for the current month (the app clock, UTC), per direction the
// user may see, the parcels planned (the sum of the targets of that
// period's outbound consignments), sent (on those of them dispatched or
// further on) and delivered (their parcels given to the addressee).
type targetTile struct {
	Month string
	Next  string // set when Month is a coming month: nothing is planned for this one
	Rows  []targetRow
}

// targetRow is one direction of the tile.
type targetRow struct {
	From, To     string
	Consignments int
	Target       int
	Sent         int
	Delivered    int
}

// targetLimit bounds the consignments the tile reads, newest first: a
// month's consignments are among the newest.
const targetLimit = 1000

func (u *UI) targetTile(r *http.Request) (*targetTile, error) {
	p := httpx.Principal(r)
	if !p.Can(auth.PersonsRead) && !p.Can(auth.Aggregates) {
		return nil, nil
	}
	ctx := r.Context()
	t := &targetTile{Month: ledger.MonthOf(u.app.Now())}
	cs, err := u.db.Consignments(ctx, store.ConsignmentFilter{Scope: p.Scope(), Limit: targetLimit})
	if err != nil {
		return nil, err
	}
	// Parcels are packed ahead of their month: when nothing is planned for
	// this month, the tile shows the next month that has consignments.
	if !slices.ContainsFunc(cs, func(c *store.Consignment) bool { return c.Period == t.Month && c.Kind == consignments.Outbound }) {
		for _, c := range cs {
			if c.Kind == consignments.Outbound && c.Period > t.Month && (t.Next == "" || c.Period < t.Next) {
				t.Next = c.Period
			}
		}
		if t.Next != "" {
			t.Month = t.Next
		}
	}
	rows := map[[2]string]*targetRow{}
	for _, c := range cs {
		if c.Period != t.Month || c.Kind != consignments.Outbound || !c.Sees(p.Scope()) {
			continue
		}
		k := [2]string{c.From, c.To}
		row := rows[k]
		if row == nil {
			row = &targetRow{From: c.From, To: c.To}
			rows[k] = row
		}
		row.Consignments++
		row.Target += c.Target
		if !c.State.AtLeast(consignments.Dispatched) {
			continue
		}
		row.Sent += c.Parcels
		ls, err := u.db.ConsignmentLines(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if l.State == consignments.ParcelDelivered || l.State == consignments.ParcelAcknowledged {
				row.Delivered++
			}
		}
	}
	for _, row := range rows {
		t.Rows = append(t.Rows, *row)
	}
	slices.SortFunc(t.Rows, func(a, b targetRow) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return t, nil
}

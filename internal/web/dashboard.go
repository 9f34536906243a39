package web

import (
	"net/http"

	"lifeline/internal/auth"
	"lifeline/internal/httpx"
	"lifeline/internal/registry"
)

type categoryCount struct {
	Category registry.Category
	Count    int
}

type dashboardPage struct {
	ShowCounts  bool // aggregates: any role with aggregates.read
	Counts      []categoryCount
	Total       int
	ShowOverdue bool // needs persons.read: the link lists persons
	Overdue     int
	Cases       *casesTile  // stranded civilians and recent operations, for readers of cases
	Mail        *mailTile   // the screening backlog and items over the waiting limit, for mail staff
	Target      *targetTile // parcels against the month's target, for readers of consignments or aggregates
	Replies     []string    // consignments whose confirmed discrepancy note waits for the party's reply (RCV-3)
}

func (u *UI) dashboard(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	ctx := r.Context()
	var d dashboardPage
	if p.Can(auth.Aggregates) || p.Can(auth.PersonsRead) {
		counts, err := u.db.CountPersons(ctx, p.Scope())
		if err != nil {
			Error(w, r, err)
			return
		}
		d.ShowCounts = true
		for _, c := range registry.Categories {
			d.Counts = append(d.Counts, categoryCount{c, counts[c]})
			d.Total += counts[c]
		}
	}
	if p.Can(auth.PersonsRead) {
		n, err := u.db.CountCardsDue(ctx, p.Scope(), u.app.Now().Add(-registry.CardDeadline))
		if err != nil {
			Error(w, r, err)
			return
		}
		d.ShowOverdue, d.Overdue = true, n
	}
	if p.Can(auth.CasesRead) {
		t, err := u.casesTile(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.Cases = t
	}
	mt, err := u.mailTile(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	d.Mail = mt
	if d.Target, err = u.targetTile(r); err != nil {
		Error(w, r, err)
		return
	}
	if d.Replies, err = u.repliesAwaited(r); err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "dashboard", printer(r).T("dashboard.title"), d)
}

package web

import (
	"net/http"
	"slices"

	"lifeline/internal/auth"
	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

// caseRow is one case in a list.
type caseRow struct {
	*cases.Case
	Days     int
	Facility string
}

type caseListPage struct {
	Form      *Form
	States    []Option
	Cases     []caseRow
	Filtered  bool
	CanCreate bool
	Stranded  int
}

func (u *UI) caseRows(r *http.Request, cs []*cases.Case) ([]caseRow, error) {
	facilities, err := u.db.Facilities(r.Context(), "")
	if err != nil {
		return nil, err
	}
	names := facilityNames(facilities)
	now := u.app.Now()
	rows := make([]caseRow, len(cs))
	for i, c := range cs {
		rows[i] = caseRow{Case: c, Days: c.DaysWaiting(now), Facility: names[c.FacilityID]}
	}
	return rows, nil
}

func (u *UI) caseList(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	pr := printer(r)
	f := newForm(r.URL.Query())
	filter := store.CaseFilter{Scope: p.Scope()}
	if s := cases.State(f.Get("state")); s != "" {
		if !s.Valid() {
			Error(w, r, errs.Fields("web.caseList", map[string]string{"state": "unknown value"}))
			return
		}
		filter.States = []cases.State{s}
	}
	cs, err := u.db.Cases(r.Context(), filter)
	if err != nil {
		Error(w, r, err)
		return
	}
	rows, err := u.caseRows(r, cs)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := caseListPage{Form: f, States: withAny(pr, caseStateOptions(pr)), Cases: rows, Filtered: len(filter.States) > 0, CanCreate: p.Can(auth.CasesWrite)}
	for _, c := range cs {
		if c.State.Stranded() {
			d.Stranded++
		}
	}
	render(w, r, http.StatusOK, "cases", pr.T("cases.title"), d)
}

type strandedPage struct {
	Cases   []caseRow
	Persons int
	Refused int
}

// strandedCases lists the cases waiting on acceptance or refused, the
// longest waiting first.
func (u *UI) strandedCases(r *http.Request) ([]caseRow, error) {
	cs, err := u.db.Cases(r.Context(), store.CaseFilter{Scope: httpx.Principal(r).Scope(), Stranded: true, Oldest: true})
	if err != nil {
		return nil, err
	}
	rows, err := u.caseRows(r, cs)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b caseRow) int { return b.Days - a.Days })
	return rows, nil
}

func (u *UI) caseStranded(w http.ResponseWriter, r *http.Request) {
	rows, err := u.strandedCases(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := strandedPage{Cases: rows}
	for _, c := range rows {
		d.Persons += len(c.Members)
		if c.State == cases.Refused {
			d.Refused++
		}
	}
	render(w, r, http.StatusOK, "cases_stranded", printer(r).T("stranded.title"), d)
}

// caseTable is what the case_table partial renders.
type caseTable struct {
	*Page
	Rows []caseRow
}

// CaseTable wraps rows of cases for the case_table partial.
func (pg *Page) CaseTable(rows []caseRow) caseTable { return caseTable{Page: pg, Rows: rows} }

// waitBucket counts stranded cases whose days waiting fall in a range.
type waitBucket struct {
	Key     string // catalog key of the range
	Cases   int
	Persons int
}

// casesTile is the dashboard's part about civilians: the stranded ones by
// days waiting, the longest waiting, and the recent operations.
type casesTile struct {
	Buckets    []waitBucket
	Longest    []caseRow
	Operations []operationRow
	Stranded   int
}

func (u *UI) casesTile(r *http.Request) (*casesTile, error) {
	rows, err := u.strandedCases(r)
	if err != nil {
		return nil, err
	}
	t := &casesTile{Buckets: []waitBucket{{Key: "dashboard.wait_2w"}, {Key: "dashboard.wait_1m"}, {Key: "dashboard.wait_2m"}, {Key: "dashboard.wait_more"}}}
	for _, c := range rows {
		i := 3
		switch {
		case c.Days < 14:
			i = 0
		case c.Days < 30:
			i = 1
		case c.Days < 60:
			i = 2
		}
		t.Buckets[i].Cases++
		t.Buckets[i].Persons += len(c.Members)
		t.Stranded++
	}
	t.Longest = rows[:min(5, len(rows))]
	ops, err := u.db.Operations(r.Context(), httpx.Principal(r).Scope(), 5)
	if err != nil {
		return nil, err
	}
	for _, o := range ops {
		t.Operations = append(t.Operations, opRow(o))
	}
	return t, nil
}

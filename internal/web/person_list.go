package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/names"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// personRow is one line of the persons list.
type personRow struct {
	*registry.Person
	Facility string
	Overdue  bool
	Why      string // why a name search matched
}

type personListPage struct {
	Form       *Form
	Categories []Option
	Statuses   []Option
	Facilities []Option
	Persons    []personRow
	Filtered   bool   // some filter is set
	Paged      bool   // this is not the first page
	Next       string // the cursor of the next page, "" on the last
	CanCreate  bool
}

// pageSize is how many persons a list page shows.
const pageSize = 50

func (u *UI) personList(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("q") != "" {
		// Names never travel in URLs: a name search is a POST.
		q := r.URL.Query()
		q.Del("q")
		http.Redirect(w, r, "/persons?"+q.Encode(), http.StatusSeeOther)
		return
	}
	u.renderPersonList(w, r, r.URL.Query())
}

// personSearch is the filter form with a name: POSTed, so that the name
// stays out of URLs, browser history and proxy logs.
func (u *UI) personSearch(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.personSearch", errs.Invalid, err))
		return
	}
	v := url.Values{}
	for _, k := range []string{"q", "category", "status", "facility", "overdue"} {
		if x := strings.TrimSpace(r.PostForm.Get(k)); x != "" {
			v.Set(k, x)
		}
	}
	if v.Get("q") == "" {
		http.Redirect(w, r, "/persons?"+v.Encode(), http.StatusSeeOther)
		return
	}
	u.renderPersonList(w, r, v)
}

func (u *UI) renderPersonList(w http.ResponseWriter, r *http.Request, values url.Values) {
	const op = "web.personList"
	ctx := r.Context()
	p := httpx.Principal(r)
	pr := printer(r)
	f := newForm(values)
	now := u.app.Now()
	filter := store.PersonFilter{Scope: p.Scope(), Text: f.Get("q"), Limit: pageSize}
	bad := map[string]string{}
	if c := registry.Category(f.Get("category")); c != "" {
		if !c.Valid() {
			bad["category"] = "unknown value"
		}
		filter.Category = c
	}
	if s := registry.Status(f.Get("status")); s != "" {
		if !slices.Contains(registry.Statuses, s) {
			bad["status"] = "unknown value"
		}
		filter.Status = s
	}
	if v := f.Get("facility"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad["facility"] = "unknown value"
		}
		filter.FacilityID = id
	}
	if f.Get("overdue") != "" {
		filter.CardDueBefore = now.Add(-registry.CardDeadline)
	}
	after, err := store.DecodeCursor(f.Get("after"))
	if err != nil {
		bad["after"] = "not a cursor this server gave out"
	}
	filter.After = after
	if len(bad) > 0 {
		Error(w, r, errs.Fields(op, bad))
		return
	}
	facilities, err := u.db.Facilities(ctx, "")
	if err != nil {
		Error(w, r, err)
		return
	}
	// A name query goes to the cross-script search index: any spelling, in
	// either script, ranked; the other filters then narrow its results.
	var why map[int64][]string
	if q := strings.TrimSpace(filter.Text); q != "" && u.app.Search != nil {
		hits, err := u.app.Search.Search(names.Query{Text: q, Limit: 100}, p)
		if err != nil {
			f.fail(pr, "q", "msg.search_query")
			hits = nil
		}
		if len(hits) > 0 {
			why = map[int64][]string{}
			filter.IDs, filter.Text, filter.After = make([]int64, len(hits)), "", 0
			for i, h := range hits {
				filter.IDs[i] = h.ID
				why[h.ID] = h.Why
			}
			filter.Limit = len(hits)
		}
	}
	persons, next, err := u.db.Persons(ctx, filter)
	if err != nil {
		Error(w, r, err)
		return
	}
	if why != nil {
		rank := map[int64]int{}
		for i, id := range filter.IDs {
			rank[id] = i
		}
		slices.SortFunc(persons, func(a, b *registry.Person) int { return rank[a.ID] - rank[b.ID] })
		next = ""
	}
	// Every person shown is an access to a sensitive record.
	ids := make([]int64, len(persons))
	for i, ps := range persons {
		ids[i] = ps.ID
	}
	action := "list"
	if why != nil {
		action = "search"
	}
	if err := u.db.RecordAccesses(ctx, actor(r), "person", ids, action); err != nil {
		Error(w, r, err)
		return
	}
	facNames := facilityNames(facilities)
	d := personListPage{
		Form:       f,
		Categories: withAny(pr, categoryOptions(pr)),
		Statuses:   withAny(pr, statusOptions(pr)),
		Facilities: withAny(pr, facilityOptions(facilities)),
		Filtered:   filter.Category != "" || filter.Status != "" || filter.FacilityID != 0 || filter.Text != "" || !filter.CardDueBefore.IsZero(),
		Paged:      after > 0,
		Next:       next,
		CanCreate:  p.Can(auth.PersonsWrite),
	}
	for _, ps := range persons {
		d.Persons = append(d.Persons, personRow{Person: ps, Facility: facNames[ps.FacilityID],
			Overdue: registry.CardOverdue(ps.Status, ps.ArrivedAt, ps.CardSentAt, now), Why: strings.Join(why[ps.ID], "; ")})
	}
	render(w, r, http.StatusOK, "persons", pr.T("persons.title"), d)
}

func facilityNames(fs []registry.Facility) map[int64]string {
	m := make(map[int64]string, len(fs))
	for _, f := range fs {
		m[f.ID] = f.Name
	}
	return m
}

func withAny(pr *i18n.Printer, opts []Option) []Option {
	return append([]Option{{Value: "", Label: pr.T("filter.any")}}, opts...)
}

func categoryOptions(pr *i18n.Printer) []Option {
	var o []Option
	for _, c := range registry.Categories {
		o = append(o, Option{string(c), pr.T("category." + string(c))})
	}
	return o
}

func statusOptions(pr *i18n.Printer) []Option {
	var o []Option
	for _, s := range registry.Statuses {
		o = append(o, Option{string(s), pr.T("status." + string(s))})
	}
	return o
}

func facilityOptions(fs []registry.Facility) []Option {
	var o []Option
	for _, f := range fs {
		o = append(o, Option{strconv.FormatInt(f.ID, 10), f.Name + " (" + f.PartyCode + ")"})
	}
	return o
}

// findPersons finds persons in the caller's scope from any spelling of a
// name, best first, through the search index, and records each one shown
// as an access. why says why each matched.
func (u *UI) findPersons(r *http.Request, q string, limit int) ([]*registry.Person, map[int64]string, error) {
	ctx := r.Context()
	p := httpx.Principal(r)
	if u.app.Search == nil {
		ps, _, err := u.db.Persons(ctx, store.PersonFilter{Scope: p.Scope(), Text: q, Limit: limit})
		return ps, nil, err
	}
	hits, err := u.app.Search.Search(names.Query{Text: q, Limit: limit}, p)
	if err != nil || len(hits) == 0 {
		return nil, nil, nil
	}
	ids := make([]int64, len(hits))
	why := map[int64]string{}
	for i, h := range hits {
		ids[i] = h.ID
		why[h.ID] = strings.Join(h.Why, "; ")
	}
	ps, _, err := u.db.Persons(ctx, store.PersonFilter{Scope: p.Scope(), IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, nil, err
	}
	rank := map[int64]int{}
	for i, id := range ids {
		rank[id] = i
	}
	slices.SortFunc(ps, func(a, b *registry.Person) int { return rank[a.ID] - rank[b.ID] })
	shown := make([]int64, len(ps))
	for i, x := range ps {
		shown[i] = x.ID
	}
	if err := u.db.RecordAccesses(ctx, actor(r), "person", shown, "search"); err != nil {
		return nil, nil, err
	}
	return ps, why, nil
}

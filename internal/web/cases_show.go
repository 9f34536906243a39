package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

type casePage struct {
	// Error is the message of a refused step, shown next to the forms.
	Error      string
	Case       *cases.Case
	Days       int
	Facility   string
	Events     []store.CaseEvent
	Next       []Option // the states a caseworker can move the case to
	Wishes     []Option
	CanWrite   bool
	CanAct     bool
	Delegate   bool // the user hears wishes for the intermediary
	Stranded   bool
	Operation  string
	Priorities []cases.Priority
	// the parties that signed the recorded refusal, and whether the
	// user's party may sign it now
	RefusalSigners []string
	CanSignRefusal bool
}

func (u *UI) visibleCase(r *http.Request) (*cases.Case, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	c, err := u.db.Case(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !seesCase(httpx.Principal(r), c) {
		return nil, errs.E("web.visibleCase", errs.NotFound, "not found")
	}
	return c, nil
}

func (u *UI) caseShow(w http.ResponseWriter, r *http.Request) { u.renderCase(w, r, http.StatusOK, nil) }

// renderCase renders the page with status st; failed, when not nil, is
// a refused step (409/422) shown next to the forms.
func (u *UI) renderCase(w http.ResponseWriter, r *http.Request, st int, failed error) {
	c, err := u.visibleCase(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	pr := printer(r)
	p := httpx.Principal(r)
	d := casePage{Case: c, Days: c.DaysWaiting(u.app.Now()), CanWrite: p.Can(auth.CasesWrite), CanAct: canAct(p),
		Delegate: p.Intermediary, Stranded: c.State.Stranded(), Priorities: cases.Priorities}
	if c.FacilityID != 0 {
		if f, err := u.db.Facility(r.Context(), c.FacilityID); err == nil {
			d.Facility = f.Name
		}
	}
	if c.OperationID != 0 {
		if o, err := u.db.Operation(r.Context(), c.OperationID); err == nil {
			d.Operation = o.Ref
		}
	}
	if c.Refusal != nil {
		doc, err := u.db.CaseRefusalDocument(r.Context(), c.ID)
		switch {
		case err == nil:
			d.RefusalSigners = doc.Signers
		case !errs.Is(err, errs.NotFound):
			Error(w, r, err)
			return
		}
		d.CanSignRefusal = d.CanAct && !slices.Contains(d.RefusalSigners, p.Party) && c.CanSignRefusal(p.Party, p.Intermediary) == nil
	}
	if d.Events, err = u.db.CaseEvents(r.Context(), c.ID); err != nil {
		Error(w, r, err)
		return
	}
	for _, s := range []cases.State{cases.AcceptanceRequested, cases.Accepted, cases.Refused, cases.Cancelled, cases.Resettled} {
		if c.State.CanMoveTo(s) {
			d.Next = append(d.Next, Option{string(s), pr.T("case_state." + string(s))})
		}
	}
	for _, wsh := range cases.Wishes {
		d.Wishes = append(d.Wishes, Option{string(wsh), pr.T("wish." + string(wsh))})
	}
	if failed != nil {
		d.Error = inlineMessage(r, failed)
	}
	render(w, r, st, "case", pr.T("case.title", c.ID), d)
}

// caseAction parses a form posted from a case page, runs fn in a
// transaction and goes back to the case.
func (u *UI) caseAction(w http.ResponseWriter, r *http.Request, fn func(tx *store.Tx, c *cases.Case, f *Form) error) {
	c, err := u.visibleCase(r)
	if err == nil {
		err = r.ParseForm()
		if err != nil {
			err = errs.WrapKind("web.caseAction", errs.Invalid, err)
		}
	}
	if err == nil {
		f := newForm(r.PostForm)
		version, _ := strconv.Atoi(f.Get("version"))
		if version != 0 && version != c.Version {
			err = errs.E("web.caseAction", errs.Conflict, "the record was changed by someone else; reload and try again")
		} else {
			err = u.db.Tx(r.Context(), func(tx *store.Tx) error { return fn(tx, c, f) })
		}
	}
	if err != nil {
		if inline(err) {
			u.renderCase(w, r, statusOf(r, err), err)
			return
		}
		actionError(w, r, err)
		return
	}
	redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10))
}

func (u *UI) caseTransition(w http.ResponseWriter, r *http.Request) {
	u.caseAction(w, r, func(tx *store.Tx, c *cases.Case, f *Form) error {
		t := cases.Transition{To: cases.State(f.Get("to")), At: tx.Now(), Reason: f.Get("reason")}
		if t.To == cases.Accepted || t.To == cases.Refused {
			at := tx.Now()
			if v := f.Get("decided_on"); v != "" {
				d, err := time.Parse(time.DateOnly, v)
				if err != nil {
					return errs.Fields("web.caseTransition", map[string]string{"decided_on": "must be a past date as YYYY-MM-DD, YYYY-MM or YYYY"})
				}
				at = d
			}
			t.Decision = &cases.Decision{Party: c.Party, At: at, Reason: f.Get("reason"), Source: f.Get("source")}
		}
		_, err := tx.MoveCase(r.Context(), actor(r), c.ID, c.Version, t)
		return err
	})
}

func (u *UI) caseWish(w http.ResponseWriter, r *http.Request) {
	if err := mustAct(r); err != nil {
		if _, e := u.visibleCase(r); e != nil {
			err = e
		}
		if inline(err) {
			u.renderCase(w, r, statusOf(r, err), err)
			return
		}
		actionError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	u.caseAction(w, r, func(tx *store.Tx, c *cases.Case, f *Form) error {
		var iv *cases.Interview
		if p.Intermediary {
			iv = &cases.Interview{At: tx.Now(), By: p.Name, Intermediary: true, Private: f.Get("private") != ""}
		}
		_, err := tx.RecordCaseWish(r.Context(), actor(r), c.ID, c.Version, cases.Wish(f.Get("wish")), iv)
		return err
	})
}

// caseRefusalSign signs the case's recorded refusal for the user's party
// (the refusing party, the host party or the intermediary), so that a
// claim about it can be verified.
func (u *UI) caseRefusalSign(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	u.caseAction(w, r, func(tx *store.Tx, c *cases.Case, f *Form) error {
		if !canAct(p) {
			return errs.E("web.caseRefusalSign", errs.Forbidden, "a refusal is signed by a caseworker of a party or a delegate of the intermediary")
		}
		_, err := tx.SignCaseRefusal(r.Context(), actor(r), c.ID, p.Party, tx.HeldKeys(r.Context()))
		return err
	})
}

func (u *UI) caseRisk(w http.ResponseWriter, r *http.Request) {
	u.caseAction(w, r, func(tx *store.Tx, c *cases.Case, f *Form) error {
		_, err := tx.SetCaseRisk(r.Context(), actor(r), c.ID, c.Version, f.Get("on") != "", f.Get("reason"))
		return err
	})
}

func (u *UI) caseSplit(w http.ResponseWriter, r *http.Request) {
	u.caseAction(w, r, func(tx *store.Tx, c *cases.Case, f *Form) error {
		var ids []int64
		for _, v := range f.Values["person"] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errs.Fields("web.caseSplit", map[string]string{"members": "unknown value"})
			}
			ids = append(ids, id)
		}
		_, err := tx.SplitCase(r.Context(), actor(r), c.ID, c.Version, ids, f.Get("reason"))
		return err
	})
}

type caseFormPage struct {
	Form       *Form
	Parties    []Option
	Placements []Option
	Facilities []Option
	Priorities []Option
	Checked    map[string]bool
}

func (u *UI) caseFormPage(r *http.Request, f *Form) (caseFormPage, error) {
	pr := printer(r)
	d := caseFormPage{Form: f, Checked: map[string]bool{}}
	ps, err := u.db.Parties(r.Context())
	if err != nil {
		return d, err
	}
	for _, p := range ps {
		if p.Kind == registry.StateParty {
			d.Parties = append(d.Parties, Option{p.Code, p.Code + " · " + p.Name})
		}
	}
	for _, pl := range cases.Placements {
		d.Placements = append(d.Placements, Option{string(pl), pr.T("placement." + string(pl))})
	}
	fs, err := u.db.Facilities(r.Context(), "")
	if err != nil {
		return d, err
	}
	d.Facilities = append([]Option{{"", pr.T("case_form.no_facility")}}, facilityOptions(fs)...)
	for _, p := range cases.Priorities {
		d.Priorities = append(d.Priorities, Option{string(p), pr.T("priority." + string(p))})
	}
	for _, v := range f.Values["priority"] {
		d.Checked[v] = true
	}
	return d, nil
}

func (u *UI) caseNew(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	f := newForm(nil)
	f.Values.Set("placement", string(cases.Accommodation))
	if m := r.URL.Query().Get("members"); m != "" {
		f.Values.Set("members", m) // registry ids chosen on /cases/find
	}
	if !p.Intermediary {
		f.Values.Set("host_party", p.Party)
	}
	d, err := u.caseFormPage(r, f)
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "case_form", printer(r).T("case_new.title"), d)
}

var caseFields = []string{"party", "host_party", "origin", "region", "placement", "facility_id", "members", "priorities", "note"}

func (u *UI) caseCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.caseCreate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	p := httpx.Principal(r)
	f := newForm(r.PostForm)
	c := &cases.Case{Party: f.Get("party"), HostParty: f.Get("host_party"), Origin: f.Get("origin"), Region: f.Get("region"),
		Placement: cases.Placement(f.Get("placement")), Note: f.Get("note")}
	if v := f.Get("facility_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.fail(pr, "facility_id", "msg.no_facility")
		}
		c.FacilityID = id
	}
	ids, ok := parseIDs(f.Get("members"))
	if !ok {
		f.fail(pr, "members", "msg.unknown_value")
	}
	for _, id := range ids {
		c.Members = append(c.Members, cases.Member{PersonID: id})
	}
	for _, v := range f.Values["priority"] {
		c.Priorities = append(c.Priorities, cases.Priority(v))
	}
	if !p.Intermediary && p.Party != c.Party && p.Party != c.HostParty {
		f.fail(pr, "host_party", "msg.own_party_case")
	}
	var err error
	if !f.Invalid() {
		err = u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateCase(r.Context(), actor(r), c) })
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
				Error(w, r, err)
				return
			}
			f.setErr(pr, err, caseFields...)
		}
	}
	if f.Invalid() {
		d, err := u.caseFormPage(r, f)
		if err != nil {
			Error(w, r, err)
			return
		}
		render(w, r, http.StatusUnprocessableEntity, "case_form", pr.T("case_new.title"), d)
		return
	}
	redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10))
}

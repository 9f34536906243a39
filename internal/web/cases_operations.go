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
	"lifeline/internal/repatriation"
	"lifeline/internal/store"
)

// operationRow is an operation in a list, with its counts.
type operationRow struct {
	*repatriation.Operation
	Handed, NotTravelled, Pending int
}

func opRow(o *repatriation.Operation) operationRow {
	h, n, p := o.Counts()
	return operationRow{Operation: o, Handed: h, NotTravelled: n, Pending: p}
}

type operationListPage struct {
	Operations []operationRow
	CanCreate  bool
}

func (u *UI) operationList(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	os, err := u.db.Operations(r.Context(), p.Scope(), 0)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := operationListPage{CanCreate: p.Can(auth.CasesWrite)}
	for _, o := range os {
		d.Operations = append(d.Operations, opRow(o))
	}
	render(w, r, http.StatusOK, "operations", printer(r).T("operations.title"), d)
}

// signatory is one party's signature on a document.
type signatory struct {
	Party  string
	Signed bool
}

type operationPage struct {
	// Error is the message of a refused step, shown next to the forms.
	Error       string
	Op          operationRow
	Roster      []rosterRow
	RosterSigs  []signatory
	OutcomeSigs []signatory
	Accepted    []caseRow // cases that can go on the roster
	CanWrite    bool
	CanAct      bool
	CanSign     string // the document kind the user's party can sign now, or ""
	Party       string
	RosterOpen  bool
	Outcomes    bool // outcomes can be recorded
	Completable bool
	HasRoster   bool // a signed roster bundle exists
	HasOutcomes bool
	KindRoster  string
	KindOutcome string
}

// rosterRow is one person on the roster, with the days their case waited.
type rosterRow struct {
	repatriation.Entry
	Days int
}

func sigs(parties, signed []string) []signatory {
	var out []signatory
	for _, p := range parties {
		out = append(out, signatory{p, slices.Contains(signed, p)})
	}
	return out
}

func (u *UI) visibleOperation(r *http.Request) (*repatriation.Operation, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	o, err := u.db.Operation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !seesOperation(httpx.Principal(r), o) {
		return nil, errs.E("web.visibleOperation", errs.NotFound, "not found")
	}
	return o, nil
}

func (u *UI) operationShow(w http.ResponseWriter, r *http.Request) {
	u.renderOperation(w, r, http.StatusOK, nil)
}

// renderOperation renders the page with status st; failed, when not nil, is
// a refused step (409/422) shown next to the forms.
func (u *UI) renderOperation(w http.ResponseWriter, r *http.Request, st int, failed error) {
	o, err := u.visibleOperation(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	p := httpx.Principal(r)
	d := operationPage{Op: opRow(o), RosterSigs: sigs(o.Signatories(), o.RosterSigners), OutcomeSigs: sigs(o.Signatories(), o.OutcomeSigners),
		CanWrite: p.Can(auth.CasesWrite), CanAct: canAct(p), Party: p.Party,
		RosterOpen: o.State == repatriation.Planned && len(o.RosterSigners) == 0, Outcomes: o.State == repatriation.RosterSigned,
		KindRoster: repatriation.KindRoster, KindOutcome: repatriation.KindOutcomes}
	_, _, pending := o.Counts()
	d.Completable = o.State == repatriation.RosterSigned && pending == 0
	if slices.Contains(o.Signatories(), p.Party) && d.CanAct {
		switch {
		case o.State == repatriation.Planned && len(o.Roster) > 0 && !slices.Contains(o.RosterSigners, p.Party):
			d.CanSign = repatriation.KindRoster
		case o.State == repatriation.Completed && !slices.Contains(o.OutcomeSigners, p.Party):
			d.CanSign = repatriation.KindOutcomes
		}
	}
	d.HasRoster, d.HasOutcomes = len(o.RosterSigners) > 0, len(o.OutcomeSigners) > 0
	ids := o.CaseIDs()
	byCase := map[int64]int{}
	if len(ids) > 0 {
		cs, err := u.db.Cases(r.Context(), store.CaseFilter{IDs: ids})
		if err != nil {
			Error(w, r, err)
			return
		}
		for _, c := range cs {
			byCase[c.ID] = c.DaysWaiting(u.app.Now())
		}
	}
	for _, e := range o.Roster {
		d.Roster = append(d.Roster, rosterRow{Entry: e, Days: byCase[e.CaseID]})
	}
	if d.RosterOpen && d.CanWrite {
		cs, err := u.db.Cases(r.Context(), store.CaseFilter{Scope: p.Scope(), States: []cases.State{cases.Accepted}, Oldest: true})
		if err != nil {
			Error(w, r, err)
			return
		}
		var fit []*cases.Case
		for _, c := range cs {
			if c.Party == o.To && c.HostParty == o.From && c.CanSchedule() == nil {
				fit = append(fit, c)
			}
		}
		if d.Accepted, err = u.caseRows(r, fit); err != nil {
			Error(w, r, err)
			return
		}
	}
	if failed != nil {
		d.Error = inlineMessage(r, failed)
	}
	render(w, r, st, "operation", printer(r).T("operation.title", o.Ref), d)
}

// operationAction runs fn on an operation in a transaction and goes back
// to its page.
func (u *UI) operationAction(w http.ResponseWriter, r *http.Request, act bool, fn func(tx *store.Tx, o *repatriation.Operation, f *Form) error) {
	o, err := u.visibleOperation(r)
	if err == nil && act {
		err = mustAct(r)
	}
	if err == nil {
		if err = r.ParseForm(); err != nil {
			err = errs.WrapKind("web.operationAction", errs.Invalid, err)
		}
	}
	if err == nil {
		f := newForm(r.PostForm)
		err = u.db.Tx(r.Context(), func(tx *store.Tx) error { return fn(tx, o, f) })
	}
	if err != nil {
		if inline(err) {
			u.renderOperation(w, r, statusOf(r, err), err)
			return
		}
		actionError(w, r, err)
		return
	}
	redirect(w, r, "/operations/"+strconv.FormatInt(o.ID, 10))
}

func formID(f *Form, name string) int64 {
	id, _ := strconv.ParseInt(f.Get(name), 10, 64)
	return id
}

func (u *UI) operationRoster(w http.ResponseWriter, r *http.Request) {
	u.operationAction(w, r, false, func(tx *store.Tx, o *repatriation.Operation, f *Form) error {
		ctx := r.Context()
		caseID, personID := formID(f, "case_id"), formID(f, "person_id")
		switch {
		case f.Get("remove") != "" && caseID != 0:
			return tx.RemoveCaseFromOperation(ctx, actor(r), o.ID, caseID, f.Get("reason"))
		case f.Get("remove") != "" && personID != 0:
			return tx.RemovePersonFromOperation(ctx, actor(r), o.ID, personID)
		case caseID != 0:
			c, err := tx.Case(ctx, caseID)
			if err != nil || !seesCase(httpx.Principal(r), c) {
				return errs.E("web.operationRoster", errs.NotFound, "not found")
			}
			return tx.AddCaseToOperation(ctx, actor(r), o.ID, caseID)
		case personID != 0:
			return tx.AddPersonToOperation(ctx, actor(r), o.ID, personID)
		}
		return errs.Fields("web.operationRoster", map[string]string{"person_id": "required"})
	})
}

func (u *UI) operationSign(w http.ResponseWriter, r *http.Request) {
	u.operationAction(w, r, true, func(tx *store.Tx, o *repatriation.Operation, f *Form) error {
		return tx.SignOperation(r.Context(), actor(r), o.ID, f.Get("kind"), httpx.Principal(r).Party, tx.HeldKeys(r.Context()))
	})
}

func (u *UI) operationOutcome(w http.ResponseWriter, r *http.Request) {
	u.operationAction(w, r, true, func(tx *store.Tx, o *repatriation.Operation, f *Form) error {
		return tx.RecordOperationOutcome(r.Context(), actor(r), o.ID, formID(f, "person_id"), repatriation.Outcome(f.Get("outcome")), f.Get("reason"))
	})
}

func (u *UI) operationComplete(w http.ResponseWriter, r *http.Request) {
	u.operationAction(w, r, true, func(tx *store.Tx, o *repatriation.Operation, f *Form) error {
		return tx.CompleteOperation(r.Context(), actor(r), o.ID)
	})
}

func (u *UI) operationCancel(w http.ResponseWriter, r *http.Request) {
	u.operationAction(w, r, false, func(tx *store.Tx, o *repatriation.Operation, f *Form) error {
		return tx.CancelOperation(r.Context(), actor(r), o.ID, f.Get("reason"))
	})
}

func (u *UI) operationBundle(w http.ResponseWriter, r *http.Request) {
	o, err := u.visibleOperation(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	kind := r.PathValue("kind")
	if kind != repatriation.KindRoster && kind != repatriation.KindOutcomes {
		NotFound(w, r)
		return
	}
	d, err := u.db.OperationDocument(r.Context(), o.ID, kind)
	if err != nil {
		Error(w, r, err)
		return
	}
	name := []rune(o.Ref)
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			name[i] = '_'
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+string(name)+"-"+kind+`.json"`)
	w.Write(d.Bundle)
}

type operationFormPage struct {
	Form          *Form
	Parties       []Option
	Intermediarys []Option
}

func (u *UI) operationFormPage(r *http.Request, f *Form) (operationFormPage, error) {
	d := operationFormPage{Form: f}
	ps, err := u.db.Parties(r.Context())
	if err != nil {
		return d, err
	}
	for _, p := range ps {
		o := Option{p.Code, p.Code + " · " + p.Name}
		if p.Kind == registry.Intermediary {
			d.Intermediarys = append(d.Intermediarys, o)
		} else {
			d.Parties = append(d.Parties, o)
		}
	}
	return d, nil
}

func (u *UI) operationNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.Values.Set("date", u.app.Now().Add(7*24*time.Hour).Format(time.DateOnly))
	d, err := u.operationFormPage(r, f)
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "operation_form", printer(r).T("operation_new.title"), d)
}

var operationFields = []string{"ref", "date", "crossing_point", "intermediary", "from", "to", "note"}

func (u *UI) operationCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.operationCreate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	p := httpx.Principal(r)
	f := newForm(r.PostForm)
	o := &repatriation.Operation{Ref: f.Get("ref"), CrossingPoint: f.Get("crossing_point"), Intermediary: f.Get("intermediary"),
		From: f.Get("from"), To: f.Get("to"), Note: f.Get("note")}
	if d, err := time.Parse(time.DateOnly, f.Get("date")); err == nil {
		o.Date = d
	} else {
		f.fail(pr, "date", "msg.required")
	}
	if !p.Intermediary && p.Party != o.From && p.Party != o.To {
		f.fail(pr, "from", "msg.own_party_operation")
	}
	if !f.Invalid() {
		err := u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateOperation(r.Context(), actor(r), o) })
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
				Error(w, r, err)
				return
			}
			f.setErr(pr, err, operationFields...)
		}
	}
	if f.Invalid() {
		d, err := u.operationFormPage(r, f)
		if err != nil {
			Error(w, r, err)
			return
		}
		render(w, r, http.StatusUnprocessableEntity, "operation_form", pr.T("operation_new.title"), d)
		return
	}
	redirect(w, r, "/operations/"+strconv.FormatInt(o.ID, 10))
}

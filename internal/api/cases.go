package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/ledger"
	"lifeline/internal/repatriation"
	"lifeline/internal/store"
)

// casesRoutes: displaced civilians' cases, repatriation operations, claims
// and the reciprocity ledger.
func (a *API) casesRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/cases", Perm: auth.CasesRead, Summary: "list cases in scope (state, stranded=1), with days waiting", Handler: a.listCases},
		{Method: "POST", Pattern: "/api/v1/cases", Perm: auth.CasesWrite, Summary: "register a case: one person or a household", Handler: a.createCase},
		{Method: "GET", Pattern: "/api/v1/cases/{id}", Perm: auth.CasesRead, Summary: "a case with its history and days waiting", Handler: a.getCase},
		{Method: "PATCH", Pattern: "/api/v1/cases/{id}", Perm: auth.CasesWrite, Summary: "edit where a case comes from and is, its priorities and note", Handler: a.updateCase},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/transitions", Perm: auth.CasesWrite, Summary: "move a case: acceptance_requested, accepted, refused (with party, date, reason, source), cancelled, resettled", Handler: a.moveCase},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/wish", Perm: auth.CasesRead, Summary: "record the person's wish; a return only after a private interview by the intermediary", Handler: a.caseWish},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/risk", Perm: auth.CasesWrite, Summary: "set or clear the persecution-risk flag that blocks any return", Handler: a.caseRisk},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/refusal/sign", Perm: auth.CasesRead, Summary: "sign the case's recorded refusal for the caller's party (the refusing party, the host party or the intermediary), so that a claim about it can be verified", Handler: a.signRefusal},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/split", Perm: auth.CasesWrite, Summary: "split persons off a household into a new case, with a reason", Handler: a.splitCase},
		{Method: "GET", Pattern: "/api/v1/operations", Perm: auth.CasesRead, Summary: "list repatriation operations in scope", Handler: a.listOperations},
		{Method: "POST", Pattern: "/api/v1/operations", Perm: auth.CasesWrite, Summary: "plan a repatriation operation", Handler: a.createOperation},
		{Method: "GET", Pattern: "/api/v1/operations/{id}", Perm: auth.CasesRead, Summary: "an operation with its roster, outcomes and signatures", Handler: a.getOperation},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/roster", Perm: auth.CasesWrite, Summary: "put an accepted case (case_id) or a prisoner of war (person_id) on the roster", Handler: a.rosterAdd},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/roster/remove", Perm: auth.CasesWrite, Summary: "take a case or a person off a roster not yet signed", Handler: a.rosterRemove},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/sign", Perm: auth.CasesRead, Summary: "sign the roster or the outcomes for the caller's party", Handler: a.signOperation},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/outcomes", Perm: auth.CasesRead, Summary: "record a person's outcome: handed_over, or did_not_travel with a reason", Handler: a.recordOutcome},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/complete", Perm: auth.CasesRead, Summary: "complete the operation once every person has an outcome", Handler: a.completeOperation},
		{Method: "POST", Pattern: "/api/v1/operations/{id}/cancel", Perm: auth.CasesWrite, Summary: "cancel an operation not yet completed", Handler: a.cancelOperation},
		{Method: "GET", Pattern: "/api/v1/operations/{id}/bundles/{kind}", Perm: auth.CasesRead, Summary: "the signed bundle of the roster or outcomes (kind repatriation_roster or repatriation_outcomes)", Handler: a.operationBundle},
		{Method: "GET", Pattern: "/api/v1/claims", Perm: auth.CasesRead, Summary: "list claims", Handler: a.listClaims},
		{Method: "POST", Pattern: "/api/v1/claims", Perm: auth.CasesWrite, Summary: "record a claim a party made, with links to cases, operations or consignments", Handler: a.createClaim},
		{Method: "GET", Pattern: "/api/v1/claims/{id}", Perm: auth.CasesRead, Summary: "a claim with its evidence and assessment", Handler: a.getClaim},
		{Method: "POST", Pattern: "/api/v1/claims/{id}/status", Perm: auth.CasesRead, Summary: "corroborate, contradict or verify a claim", Handler: a.claimStatus},
		{Method: "GET", Pattern: "/api/v1/ledger", Perm: auth.Aggregates, Summary: "the reciprocity ledger per direction and month", Handler: a.getLedger},
		{Method: "GET", Pattern: "/api/v1/ledger.csv", Perm: auth.Aggregates, Summary: "the reciprocity ledger as HXL-tagged CSV", Handler: a.getLedgerCSV},
	}
}

// CanAct reports whether p may take part in a case's or an operation's
// steps: a party's caseworker, or the intermediary's delegate.
func CanAct(p *auth.Principal) bool {
	return p.Can(auth.CasesWrite) || (p.Intermediary && p.Can(auth.Handover))
}

func notFound(op, what string) error { return errs.E(op, errs.NotFound, "no such %s", what) }

// CaseView is a case as the API shows it.
type CaseView struct {
	*cases.Case
	DaysWaiting int               `json:"days_waiting"`
	Stranded    bool              `json:"stranded"`
	Events      []store.CaseEvent `json:"events,omitempty"`
}

func (a *API) caseView(c *cases.Case) CaseView {
	return CaseView{Case: c, DaysWaiting: c.DaysWaiting(a.app.Now()), Stranded: c.State.Stranded()}
}

// seesCase reports whether p may see c: its home party, the party it is
// with, or the intermediary.
func seesCase(p *auth.Principal, c *cases.Case) bool {
	s := p.Scope()
	return s == "" || s == c.Party || s == c.HostParty
}

func seesOperation(p *auth.Principal, o *repatriation.Operation) bool {
	s := p.Scope()
	return s == "" || s == o.From || s == o.To
}

func (a *API) loadCase(r *http.Request) (*cases.Case, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	c, err := a.app.DB.Case(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !seesCase(httpx.Principal(r), c) {
		return nil, notFound("api.case", "case")
	}
	return c, nil
}

func (a *API) loadOperation(r *http.Request) (*repatriation.Operation, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	o, err := a.app.DB.Operation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !seesOperation(httpx.Principal(r), o) {
		return nil, notFound("api.operation", "operation")
	}
	return o, nil
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.CaseFilter{Scope: httpx.Principal(r).Scope(), Stranded: q.Get("stranded") != "", Oldest: q.Get("stranded") != ""}
	if s := cases.State(q.Get("state")); s != "" {
		if !s.Valid() {
			httpx.WriteError(w, r, errs.Fields("api.listCases", map[string]string{"state": "unknown state"}))
			return
		}
		f.States = []cases.State{s}
	}
	cs, err := a.app.DB.Cases(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]CaseView, len(cs))
	for i, c := range cs {
		out[i] = a.caseView(c)
	}
	httpx.WriteJSON(w, 200, Page[CaseView]{Items: out})
}

// CaseInput is the body of POST /cases and PATCH /cases/{id}.
type CaseInput struct {
	Party      string            `json:"party"`
	HostParty  string            `json:"host_party"`
	Origin     *string           `json:"origin"`
	Region     *string           `json:"region"`
	Placement  *string           `json:"placement"`
	FacilityID *int64            `json:"facility_id"`
	Priorities *[]cases.Priority `json:"priorities"`
	Note       *string           `json:"note"`
	PersonIDs  []int64           `json:"person_ids"`
	Version    int               `json:"version"`
}

func (a *API) createCase(w http.ResponseWriter, r *http.Request) {
	var in CaseInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	c := &cases.Case{Party: in.Party, HostParty: in.HostParty}
	if c.HostParty == "" && !p.Intermediary {
		c.HostParty = p.Party
	}
	if !p.Intermediary && p.Party != c.Party && p.Party != c.HostParty {
		httpx.WriteError(w, r, errs.Fields("api.createCase", map[string]string{"party": "a party registers cases of its own nationals or of people on its side"}))
		return
	}
	if in.Origin != nil {
		c.Origin = *in.Origin
	}
	if in.Region != nil {
		c.Region = *in.Region
	}
	if in.Placement != nil {
		c.Placement = cases.Placement(*in.Placement)
	}
	if in.FacilityID != nil {
		c.FacilityID = *in.FacilityID
	}
	if in.Priorities != nil {
		c.Priorities = *in.Priorities
	}
	if in.Note != nil {
		c.Note = *in.Note
	}
	for _, id := range in.PersonIDs {
		c.Members = append(c.Members, cases.Member{PersonID: id})
	}
	if err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateCase(r.Context(), Actor(r), c) }); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, a.caseView(c))
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request) {
	c, err := a.loadCase(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v := a.caseView(c)
	if v.Events, err = a.app.DB.CaseEvents(r.Context(), c.ID); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, v)
}

// caseChange loads the case in scope, then runs fn in a transaction and
// answers with the case it returns.
func (a *API) caseChange(w http.ResponseWriter, r *http.Request, in any, check func() error, fn func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error)) {
	c, err := a.loadCase(r)
	if err == nil {
		err = httpx.DecodeJSON(r, in)
	}
	if err == nil && check != nil {
		err = check()
	}
	var out *cases.Case
	if err == nil {
		err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
			var err error
			out, err = fn(r.Context(), tx, c)
			return err
		})
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, a.caseView(out))
}

func (a *API) updateCase(w http.ResponseWriter, r *http.Request) {
	var in CaseInput
	a.caseChange(w, r, &in, nil, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		u := store.CaseUpdate{Origin: in.Origin, Region: in.Region, FacilityID: in.FacilityID, Priorities: in.Priorities, Note: in.Note}
		if in.Placement != nil {
			pl := cases.Placement(*in.Placement)
			u.Placement = &pl
		}
		return tx.UpdateCase(ctx, Actor(r), c.ID, in.Version, u)
	})
}

// TransitionInput is the body of POST /cases/{id}/transitions.
type TransitionInput struct {
	To        cases.State `json:"to"`
	Version   int         `json:"version"`
	Party     string      `json:"party"`      // who accepted or refused
	DecidedAt *time.Time  `json:"decided_at"` // when; default now
	Reason    string      `json:"reason"`
	Source    string      `json:"source"`
}

// Transition turns the input into a case transition at now.
func (in TransitionInput) Transition(now time.Time) cases.Transition {
	t := cases.Transition{To: in.To, At: now, Reason: in.Reason}
	if in.To == cases.Accepted || in.To == cases.Refused {
		at := now
		if in.DecidedAt != nil {
			at = in.DecidedAt.UTC()
		}
		t.Decision = &cases.Decision{Party: in.Party, At: at, Reason: in.Reason, Source: in.Source}
	}
	return t
}

func (a *API) moveCase(w http.ResponseWriter, r *http.Request) {
	var in TransitionInput
	a.caseChange(w, r, &in, nil, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		return tx.MoveCase(ctx, Actor(r), c.ID, in.Version, in.Transition(tx.Now()))
	})
}

// WishInput is the body of POST /cases/{id}/wish.
type WishInput struct {
	Wish    cases.Wish `json:"wish"`
	Private bool       `json:"private"` // the interview was private
	Version int        `json:"version"`
}

func (a *API) caseWish(w http.ResponseWriter, r *http.Request) {
	var in WishInput
	p := httpx.Principal(r)
	check := func() error {
		if !CanAct(p) {
			return errs.E("api.caseWish", errs.Forbidden, "a wish is recorded by a caseworker or heard by the intermediary")
		}
		return nil
	}
	a.caseChange(w, r, &in, check, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		var iv *cases.Interview
		if p.Intermediary {
			iv = &cases.Interview{At: tx.Now(), By: p.Name, Intermediary: true, Private: in.Private}
		}
		return tx.RecordCaseWish(ctx, Actor(r), c.ID, in.Version, in.Wish, iv)
	})
}

// RiskInput is the body of POST /cases/{id}/risk.
type RiskInput struct {
	On      bool   `json:"on"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

func (a *API) caseRisk(w http.ResponseWriter, r *http.Request) {
	var in RiskInput
	a.caseChange(w, r, &in, nil, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		return tx.SetCaseRisk(ctx, Actor(r), c.ID, in.Version, in.On, in.Reason)
	})
}

// SplitInput is the body of POST /cases/{id}/split.
type SplitInput struct {
	PersonIDs []int64 `json:"person_ids"`
	Reason    string  `json:"reason"`
	Version   int     `json:"version"`
}

func (a *API) splitCase(w http.ResponseWriter, r *http.Request) {
	var in SplitInput
	a.caseChange(w, r, &in, nil, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		return tx.SplitCase(ctx, Actor(r), c.ID, in.Version, in.PersonIDs, in.Reason)
	})
}

// OperationView is an operation as the API shows it.
type OperationView struct {
	*repatriation.Operation
	HandedOver   int `json:"handed_over"`
	DidNotTravel int `json:"did_not_travel"`
	Pending      int `json:"pending"`
}

func operationView(o *repatriation.Operation) OperationView {
	h, n, p := o.Counts()
	return OperationView{Operation: o, HandedOver: h, DidNotTravel: n, Pending: p}
}

func (a *API) listOperations(w http.ResponseWriter, r *http.Request) {
	os, err := a.app.DB.Operations(r.Context(), httpx.Principal(r).Scope(), 0)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]OperationView, len(os))
	for i, o := range os {
		out[i] = operationView(o)
	}
	httpx.WriteJSON(w, 200, Page[OperationView]{Items: out})
}

// OperationInput is the body of POST /operations.
type OperationInput struct {
	Ref           string `json:"ref"`
	Date          string `json:"date"` // YYYY-MM-DD
	CrossingPoint string `json:"crossing_point"`
	Intermediary  string `json:"intermediary"`
	From          string `json:"from"`
	To            string `json:"to"`
	Note          string `json:"note"`
}

// Operation turns the input into a planned operation.
func (in OperationInput) Operation() (*repatriation.Operation, error) {
	o := &repatriation.Operation{Ref: in.Ref, CrossingPoint: in.CrossingPoint, Intermediary: in.Intermediary, From: in.From, To: in.To, Note: in.Note}
	if in.Date != "" {
		d, err := time.Parse(time.DateOnly, in.Date)
		if err != nil {
			return nil, errs.Fields("api.Operation", map[string]string{"date": "a date as YYYY-MM-DD"})
		}
		o.Date = d
	}
	return o, nil
}

func (a *API) createOperation(w http.ResponseWriter, r *http.Request) {
	var in OperationInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	o, err := in.Operation()
	if err == nil {
		p := httpx.Principal(r)
		if !p.Intermediary && p.Party != o.From && p.Party != o.To {
			err = errs.Fields("api.createOperation", map[string]string{"from": "a party plans operations it takes part in"})
		}
	}
	if err == nil {
		err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateOperation(r.Context(), Actor(r), o) })
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/operations/"+strconv.FormatInt(o.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, operationView(o))
}

func (a *API) getOperation(w http.ResponseWriter, r *http.Request) {
	o, err := a.loadOperation(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, operationView(o))
}

// operationChange loads the operation in scope, decodes in, checks, runs
// fn in a transaction and answers with the operation as it is then.
func (a *API) operationChange(w http.ResponseWriter, r *http.Request, in any, act bool, fn func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error) {
	o, err := a.loadOperation(r)
	if err == nil {
		err = httpx.DecodeJSON(r, in)
	}
	if err == nil && act && !CanAct(httpx.Principal(r)) {
		err = errs.E("api.operation", errs.Forbidden, "this step is taken by a caseworker of a party or a delegate of the intermediary")
	}
	if err == nil {
		err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return fn(r.Context(), tx, o) })
	}
	if err == nil {
		o, err = a.app.DB.Operation(r.Context(), o.ID)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, operationView(o))
}

// RosterInput is the body of POST /operations/{id}/roster and
// /roster/remove: a case or a person.
type RosterInput struct {
	CaseID   int64  `json:"case_id"`
	PersonID int64  `json:"person_id"`
	Reason   string `json:"reason"`
}

func (in RosterInput) check(op string) error {
	if (in.CaseID == 0) == (in.PersonID == 0) {
		return errs.Fields(op, map[string]string{"case_id": "give a case_id or a person_id"})
	}
	return nil
}

func (a *API) rosterAdd(w http.ResponseWriter, r *http.Request) {
	var in RosterInput
	a.operationChange(w, r, &in, false, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		if err := in.check("api.rosterAdd"); err != nil {
			return err
		}
		if in.CaseID != 0 {
			c, err := tx.Case(ctx, in.CaseID)
			if err != nil || !seesCase(httpx.Principal(r), c) {
				return errs.Fields("api.rosterAdd", map[string]string{"case_id": "no such case"})
			}
			return tx.AddCaseToOperation(ctx, Actor(r), o.ID, in.CaseID)
		}
		return tx.AddPersonToOperation(ctx, Actor(r), o.ID, in.PersonID)
	})
}

func (a *API) rosterRemove(w http.ResponseWriter, r *http.Request) {
	var in RosterInput
	a.operationChange(w, r, &in, false, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		if err := in.check("api.rosterRemove"); err != nil {
			return err
		}
		if in.CaseID != 0 {
			return tx.RemoveCaseFromOperation(ctx, Actor(r), o.ID, in.CaseID, in.Reason)
		}
		return tx.RemovePersonFromOperation(ctx, Actor(r), o.ID, in.PersonID)
	})
}

// SignInput is the body of POST /operations/{id}/sign.
type SignInput struct {
	Kind string `json:"kind"` // repatriation_roster or repatriation_outcomes
}

func (a *API) signRefusal(w http.ResponseWriter, r *http.Request) {
	var in struct{}
	p := httpx.Principal(r)
	check := func() error {
		if !CanAct(p) {
			return errs.E("api.signRefusal", errs.Forbidden, "a refusal is signed by a caseworker of a party or a delegate of the intermediary")
		}
		return nil
	}
	a.caseChange(w, r, &in, check, func(ctx context.Context, tx *store.Tx, c *cases.Case) (*cases.Case, error) {
		if _, err := tx.SignCaseRefusal(ctx, Actor(r), c.ID, p.Party, tx.HeldKeys(ctx)); err != nil {
			return nil, err
		}
		return tx.Case(ctx, c.ID)
	})
}

func (a *API) signOperation(w http.ResponseWriter, r *http.Request) {
	var in SignInput
	a.operationChange(w, r, &in, true, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		return tx.SignOperation(ctx, Actor(r), o.ID, in.Kind, httpx.Principal(r).Party, tx.HeldKeys(ctx))
	})
}

// OutcomeInput is the body of POST /operations/{id}/outcomes.
type OutcomeInput struct {
	PersonID int64                `json:"person_id"`
	Outcome  repatriation.Outcome `json:"outcome"`
	Reason   string               `json:"reason"`
}

func (a *API) recordOutcome(w http.ResponseWriter, r *http.Request) {
	var in OutcomeInput
	a.operationChange(w, r, &in, true, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		return tx.RecordOperationOutcome(ctx, Actor(r), o.ID, in.PersonID, in.Outcome, in.Reason)
	})
}

func (a *API) completeOperation(w http.ResponseWriter, r *http.Request) {
	var in struct{}
	a.operationChange(w, r, &in, true, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		return tx.CompleteOperation(ctx, Actor(r), o.ID)
	})
}

func (a *API) cancelOperation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	a.operationChange(w, r, &in, false, func(ctx context.Context, tx *store.Tx, o *repatriation.Operation) error {
		return tx.CancelOperation(ctx, Actor(r), o.ID, in.Reason)
	})
}

func (a *API) operationBundle(w http.ResponseWriter, r *http.Request) {
	o, err := a.loadOperation(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	kind := r.PathValue("kind")
	if kind != repatriation.KindRoster && kind != repatriation.KindOutcomes {
		httpx.WriteError(w, r, notFound("api.operationBundle", "document"))
		return
	}
	d, err := a.app.DB.OperationDocument(r.Context(), o.ID, kind)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+BundleFileName(o.Ref, kind)+`"`)
	w.WriteHeader(200)
	w.Write(d.Bundle)
}

// BundleFileName is the file name of an operation's bundle.
func BundleFileName(ref, kind string) string {
	safe := []rune(ref)
	for i, c := range safe {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			safe[i] = '_'
		}
	}
	return string(safe) + "." + kind + ".bundle.json"
}

// ClaimView is a claim with what the evidence says.
type ClaimView struct {
	*claims.Claim
	Evidence   []claims.Evidence  `json:"evidence,omitempty"`
	Assessment *claims.Assessment `json:"assessment,omitempty"`
}

func (a *API) listClaims(w http.ResponseWriter, r *http.Request) {
	cs, err := a.app.DB.Claims(r.Context(), 0)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]ClaimView, len(cs))
	for i, c := range cs {
		out[i] = ClaimView{Claim: c}
	}
	httpx.WriteJSON(w, 200, Page[ClaimView]{Items: out})
}

// ClaimInput is the body of POST /claims.
type ClaimInput struct {
	Statement string         `json:"statement"`
	Party     string         `json:"party"`
	MadeOn    string         `json:"made_on"` // YYYY-MM-DD
	Source    string         `json:"source"`
	Subject   claims.Subject `json:"subject"`
	Count     int            `json:"count"`
	Links     []claims.Link  `json:"links"`
}

// Claim turns the input into a claim.
func (in ClaimInput) Claim() (*claims.Claim, error) {
	c := &claims.Claim{Statement: in.Statement, Party: in.Party, Source: in.Source, Subject: in.Subject, Count: in.Count, Links: in.Links}
	if in.MadeOn != "" {
		d, err := time.Parse(time.DateOnly, in.MadeOn)
		if err != nil {
			return nil, errs.Fields("api.Claim", map[string]string{"made_on": "a date as YYYY-MM-DD"})
		}
		c.MadeOn = d
	}
	return c, nil
}

func (a *API) createClaim(w http.ResponseWriter, r *http.Request) {
	var in ClaimInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := in.Claim()
	if err == nil {
		err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateClaim(r.Context(), Actor(r), c) })
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/claims/"+strconv.FormatInt(c.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, ClaimView{Claim: c})
}

func (a *API) getClaim(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.app.DB.Claim(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ev, err := a.app.DB.ClaimEvidence(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	lc, err := a.app.ClaimLogCount(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	as := claims.Assess(c, ev, lc)
	httpx.WriteJSON(w, 200, ClaimView{Claim: c, Evidence: ev, Assessment: &as})
}

// ClaimStatusInput is the body of POST /claims/{id}/status.
type ClaimStatusInput struct {
	Status  claims.Status `json:"status"`
	Note    string        `json:"note"`
	Version int           `json:"version"`
}

func (a *API) claimStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in ClaimStatusInput
	c, err := a.app.DB.Claim(r.Context(), id)
	if err == nil {
		err = httpx.DecodeJSON(r, &in)
	}
	p := httpx.Principal(r)
	if err == nil && !CanAct(p) {
		err = errs.E("api.claimStatus", errs.Forbidden, "a claim's status is set by a caseworker or the intermediary")
	}
	// The log's count is read before the transaction: it audits the
	// published checkpoint through the read pool.
	var lc *claims.LogCount
	if err == nil && in.Status == claims.Verified {
		lc, err = a.app.ClaimLogCount(r.Context(), c)
	}
	if err == nil {
		err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
			var err error
			c, err = tx.SetClaimStatus(r.Context(), Actor(r), id, in.Version, in.Status, claims.Decider{Party: p.Party, Intermediary: p.Intermediary}, in.Note, lc)
			return err
		})
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, ClaimView{Claim: c})
}

func (a *API) getLedger(w http.ResponseWriter, r *http.Request) {
	l, err := a.app.Ledger(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, l)
}

func (a *API) getLedgerCSV(w http.ResponseWriter, r *http.Request) {
	l, err := a.app.DB.Ledger(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reciprocity-ledger.csv"`)
	w.WriteHeader(200)
	if err := ledger.WriteHXL(w, l); err != nil {
		httpx.Report(r, err)
	}
}

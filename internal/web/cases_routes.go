package web

import (
	"net/http"
	"strconv"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/repatriation"
)

// casesRoutes: displaced civilians' cases, the stranded civilians,
// repatriation operations, claims and the reciprocity ledger.
func (u *UI) casesRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/cases", Perm: auth.CasesRead, Summary: "cases list with days waiting", Handler: u.caseList},
		{Method: "GET", Pattern: "/cases/stranded", Perm: auth.CasesRead, Summary: "stranded civilians by days waiting", Handler: u.caseStranded},
		{Method: "GET", Pattern: "/cases/new", Perm: auth.CasesWrite, Summary: "new case form", Handler: u.caseNew},
		{Method: "POST", Pattern: "/cases", Perm: auth.CasesWrite, Summary: "create a case", Handler: u.caseCreate},
		{Method: "GET", Pattern: "/cases/{id}", Perm: auth.CasesRead, Summary: "a case, its history and its steps", Handler: u.caseShow},
		{Method: "POST", Pattern: "/cases/{id}/transition", Perm: auth.CasesWrite, Summary: "move a case", Handler: u.caseTransition},
		{Method: "POST", Pattern: "/cases/{id}/wish", Perm: auth.CasesRead, Summary: "record the person's wish", Handler: u.caseWish},
		{Method: "POST", Pattern: "/cases/{id}/risk", Perm: auth.CasesWrite, Summary: "set or clear the persecution-risk flag", Handler: u.caseRisk},
		{Method: "POST", Pattern: "/cases/{id}/split", Perm: auth.CasesWrite, Summary: "split a household", Handler: u.caseSplit},
		{Method: "POST", Pattern: "/cases/{id}/refusal/sign", Perm: auth.CasesRead, Summary: "sign the case's recorded refusal for the user's party", Handler: u.caseRefusalSign},
		{Method: "GET", Pattern: "/operations", Perm: auth.CasesRead, Summary: "repatriation operations", Handler: u.operationList},
		{Method: "GET", Pattern: "/operations/new", Perm: auth.CasesWrite, Summary: "new operation form", Handler: u.operationNew},
		{Method: "POST", Pattern: "/operations", Perm: auth.CasesWrite, Summary: "plan an operation", Handler: u.operationCreate},
		{Method: "GET", Pattern: "/operations/{id}", Perm: auth.CasesRead, Summary: "an operation: roster, outcomes, signatures", Handler: u.operationShow},
		{Method: "POST", Pattern: "/operations/{id}/roster", Perm: auth.CasesWrite, Summary: "add to or remove from the roster", Handler: u.operationRoster},
		{Method: "POST", Pattern: "/operations/{id}/sign", Perm: auth.CasesRead, Summary: "sign the roster or the outcomes", Handler: u.operationSign},
		{Method: "POST", Pattern: "/operations/{id}/outcome", Perm: auth.CasesRead, Summary: "record a person's outcome", Handler: u.operationOutcome},
		{Method: "POST", Pattern: "/operations/{id}/complete", Perm: auth.CasesRead, Summary: "complete the operation", Handler: u.operationComplete},
		{Method: "POST", Pattern: "/operations/{id}/cancel", Perm: auth.CasesWrite, Summary: "cancel the operation", Handler: u.operationCancel},
		{Method: "GET", Pattern: "/operations/{id}/bundles/{kind}", Perm: auth.CasesRead, Summary: "download a signed bundle", Handler: u.operationBundle},
		{Method: "GET", Pattern: "/claims", Perm: auth.CasesRead, Summary: "claims", Handler: u.claimList},
		{Method: "GET", Pattern: "/claims/new", Perm: auth.CasesWrite, Summary: "new claim form", Handler: u.claimNew},
		{Method: "POST", Pattern: "/claims", Perm: auth.CasesWrite, Summary: "record a claim", Handler: u.claimCreate},
		{Method: "GET", Pattern: "/claims/{id}", Perm: auth.CasesRead, Summary: "a claim and its evidence", Handler: u.claimShow},
		{Method: "POST", Pattern: "/claims/{id}/status", Perm: auth.CasesRead, Summary: "corroborate, contradict or verify a claim", Handler: u.claimStatus},
		{Method: "GET", Pattern: "/ledger", Perm: auth.Aggregates, Summary: "the reciprocity ledger", Handler: u.ledgerShow},
		{Method: "GET", Pattern: "/ledger/hxl", Perm: auth.Aggregates, Summary: "the reciprocity ledger as HXL-tagged CSV", Handler: u.ledgerHXL},
	}
}

func init() {
	navEntries = append(navEntries,
		navEntry{"/cases", "nav.cases", auth.CasesRead},
		navEntry{"/operations", "nav.operations", auth.CasesRead},
		navEntry{"/claims", "nav.claims", auth.CasesRead},
		navEntry{"/ledger", "nav.ledger", auth.Aggregates},
	)
}

// canAct reports whether p takes part in the steps of a case or an
// operation: a party's caseworker, or the intermediary's delegate.
func canAct(p *auth.Principal) bool {
	return p.Can(auth.CasesWrite) || (p.Intermediary && p.Can(auth.Handover))
}

func mustAct(r *http.Request) error {
	if !canAct(httpx.Principal(r)) {
		return errs.E("web.mustAct", errs.Forbidden, "your role may not do this")
	}
	return nil
}

func seesCase(p *auth.Principal, c *cases.Case) bool {
	s := p.Scope()
	return s == "" || s == c.Party || s == c.HostParty
}

func seesOperation(p *auth.Principal, o *repatriation.Operation) bool {
	s := p.Scope()
	return s == "" || s == o.From || s == o.To
}

// CaseState, Wish, Priority, Placement, OpState, Outcome, ClaimStatus and
// Subject translate the values of the cases area.
func (pg *Page) CaseState(s cases.State) string      { return pg.p.T("case_state." + string(s)) }
func (pg *Page) Wish(w cases.Wish) string            { return pg.p.T("wish." + string(w)) }
func (pg *Page) Priority(p cases.Priority) string    { return pg.p.T("priority." + string(p)) }
func (pg *Page) Placement(p cases.Placement) string  { return pg.p.T("placement." + string(p)) }
func (pg *Page) OpState(s repatriation.State) string { return pg.p.T("op_state." + string(s)) }
func (pg *Page) ClaimStatus(s string) string         { return pg.p.T("claim_status." + s) }
func (pg *Page) Subject(s string) string             { return pg.p.T("claim_subject." + s) }
func (pg *Page) Outcome(o repatriation.Outcome) string {
	if o == "" {
		return pg.p.T("outcome.pending")
	}
	return pg.p.T("outcome." + string(o))
}

// Days shows a number of days waiting.
func (pg *Page) Days(n int) string { return pg.p.N("cases.days", n) }

func caseStateOptions(pr *i18n.Printer) []Option {
	var o []Option
	for _, s := range cases.States {
		o = append(o, Option{string(s), pr.T("case_state." + string(s))})
	}
	return o
}

// parseIDs reads ids separated by commas or spaces.
func parseIDs(s string) ([]int64, bool) {
	var ids []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// actionError shows the error of a step taken from a page's forms: the
// error page with its message, nothing changed.
func actionError(w http.ResponseWriter, r *http.Request, err error) { Error(w, r, err) }

// inline reports whether a refused step is shown on its page, next to the
// form, rather than on the error page: a conflict (409) or bad input (422).
func inline(err error) bool {
	k := errs.KindOf(err)
	return k == errs.Conflict || k == errs.Invalid
}

// statusOf is the HTTP status of err.
func statusOf(r *http.Request, err error) int {
	st, _ := httpx.Detail(r, err)
	return st
}

// inlineMessage is err's message with its field messages, translated.
func inlineMessage(r *http.Request, err error) string {
	_, d := httpx.Detail(r, err)
	pr := printer(r)
	msg := message(pr, d.Message)
	for _, f := range sortedKeys(d.Fields) {
		msg += "; " + f + ": " + message(pr, d.Fields[f])
	}
	return msg
}

package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/claims"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/ledger"
	"lifeline/internal/store"
)

type claimListPage struct {
	Claims    []*claims.Claim
	CanCreate bool
}

func (u *UI) claimList(w http.ResponseWriter, r *http.Request) {
	cs, err := u.db.Claims(r.Context(), 0)
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "claims", printer(r).T("claims.title"), claimListPage{Claims: cs, CanCreate: httpx.Principal(r).Can(auth.CasesWrite)})
}

type claimPage struct {
	Claim      *claims.Claim
	Evidence   []claims.Evidence
	Assessment claims.Assessment
	Next       []Option
	CanAct     bool
	// Error is the message of a status change refused (409/422), shown
	// next to the form.
	Error string
}

func (u *UI) claimShow(w http.ResponseWriter, r *http.Request) {
	u.renderClaim(w, r, http.StatusOK, nil)
}

// renderClaim renders the claim page with status st; failed, when not nil,
// is a refused status change shown next to its form.
func (u *UI) renderClaim(w http.ResponseWriter, r *http.Request, st int, failed error) {
	id, err := pathID(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	c, err := u.db.Claim(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	ev, err := u.db.ClaimEvidence(r.Context(), c)
	if err != nil {
		Error(w, r, err)
		return
	}
	lc, err := u.app.ClaimLogCount(r.Context(), c)
	if err != nil {
		Error(w, r, err)
		return
	}
	pr := printer(r)
	d := claimPage{Claim: c, Evidence: ev, Assessment: claims.Assess(c, ev, lc), CanAct: canAct(httpx.Principal(r))}
	if failed != nil {
		d.Error = inlineMessage(r, failed)
	}
	for _, s := range claims.Statuses {
		if c.Status.CanMoveTo(s) {
			d.Next = append(d.Next, Option{string(s), pr.T("claim_status." + string(s))})
		}
	}
	render(w, r, st, "claim", pr.T("claim.title", c.ID), d)
}

func (u *UI) claimStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *claims.Claim
	if err == nil {
		c, err = u.db.Claim(r.Context(), id)
	}
	if err == nil {
		err = mustAct(r)
	}
	if err == nil {
		if err = r.ParseForm(); err != nil {
			err = errs.WrapKind("web.claimStatus", errs.Invalid, err)
		}
	}
	var lc *claims.LogCount
	f := newForm(r.PostForm)
	if err == nil && claims.Status(f.Get("status")) == claims.Verified {
		// Read before the transaction: it audits the published checkpoint.
		lc, err = u.app.ClaimLogCount(r.Context(), c)
	}
	if err == nil {
		p := httpx.Principal(r)
		err = u.db.Tx(r.Context(), func(tx *store.Tx) error {
			_, err := tx.SetClaimStatus(r.Context(), actor(r), id, 0, claims.Status(f.Get("status")),
				claims.Decider{Party: p.Party, Intermediary: p.Intermediary}, f.Get("note"), lc)
			return err
		})
	}
	if err != nil {
		if inline(err) {
			u.renderClaim(w, r, statusOf(r, err), err)
			return
		}
		actionError(w, r, err)
		return
	}
	redirect(w, r, "/claims/"+strconv.FormatInt(id, 10))
}

type claimFormPage struct {
	Form     *Form
	Parties  []Option
	Subjects []Option
}

func (u *UI) claimFormPage(r *http.Request, f *Form) (claimFormPage, error) {
	pr := printer(r)
	d := claimFormPage{Form: f}
	ps, err := u.db.Parties(r.Context())
	if err != nil {
		return d, err
	}
	for _, p := range ps {
		d.Parties = append(d.Parties, Option{p.Code, p.Code + " · " + p.Name})
	}
	for _, s := range claims.Subjects {
		d.Subjects = append(d.Subjects, Option{string(s), pr.T("claim_subject." + string(s))})
	}
	return d, nil
}

func (u *UI) claimNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.Values.Set("made_on", u.app.Now().Format(time.DateOnly))
	d, err := u.claimFormPage(r, f)
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "claim_form", printer(r).T("claim_new.title"), d)
}

var claimFields = []string{"statement", "party", "made_on", "source", "subject", "count", "links"}

// parseLinks reads links such as "case 12, operation 3".
func parseLinks(s string) ([]claims.Link, bool) {
	var out []claims.Link
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		fs := strings.Fields(strings.ReplaceAll(part, "#", " "))
		if len(fs) == 0 {
			continue
		}
		if len(fs) != 2 {
			return nil, false
		}
		id, err := strconv.ParseInt(fs[1], 10, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, claims.Link{Kind: claims.LinkKind(strings.ToLower(fs[0])), ID: id})
	}
	return out, true
}

func (u *UI) claimCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.claimCreate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	c := &claims.Claim{Statement: f.Get("statement"), Party: f.Get("party"), Source: f.Get("source"), Subject: claims.Subject(f.Get("subject"))}
	if d, err := time.Parse(time.DateOnly, f.Get("made_on")); err == nil {
		c.MadeOn = d
	} else {
		f.fail(pr, "made_on", "msg.required")
	}
	if v := f.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.fail(pr, "count", "msg.unknown_value")
		}
		c.Count = n
	}
	links, ok := parseLinks(f.Get("links"))
	if !ok {
		f.fail(pr, "links", "msg.links")
	}
	c.Links = links
	if !f.Invalid() {
		err := u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateClaim(r.Context(), actor(r), c) })
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
				Error(w, r, err)
				return
			}
			f.setErr(pr, err, claimFields...)
		}
	}
	if f.Invalid() {
		d, err := u.claimFormPage(r, f)
		if err != nil {
			Error(w, r, err)
			return
		}
		render(w, r, http.StatusUnprocessableEntity, "claim_form", pr.T("claim_new.title"), d)
		return
	}
	redirect(w, r, "/claims/"+strconv.FormatInt(c.ID, 10))
}

type ledgerPage struct {
	Ledger *ledger.Ledger
	Months []ledger.Month // newest first
}

func (u *UI) ledgerShow(w http.ResponseWriter, r *http.Request) {
	l, err := u.app.Ledger(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	d := ledgerPage{Ledger: l}
	for i := len(l.Months) - 1; i >= 0; i-- {
		d.Months = append(d.Months, l.Months[i])
	}
	render(w, r, http.StatusOK, "ledger", printer(r).T("ledger.title"), d)
}

func (u *UI) ledgerHXL(w http.ResponseWriter, r *http.Request) {
	l, err := u.db.Ledger(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reciprocity-ledger.csv"`)
	if err := ledger.WriteHXL(w, l); err != nil {
		httpx.Report(r, err)
	}
}

// Median shows a median number of days, or a dash.
func (pg *Page) Median(m *float64) string {
	if m == nil {
		return "–"
	}
	return strconv.FormatFloat(*m, 'f', 1, 64)
}

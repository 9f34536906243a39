package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

type consignListPage struct {
	Consignments []*store.Consignment
	CanCreate    bool
	Form         *Form
	Parties      []Option
	State        string
	States       []Option
	// Awaiting marks the consignments whose confirmed discrepancy note
	// waits for the caller's party's reply (RCV-3).
	Awaiting map[string]bool
}

var consignFields = []string{"to", "period", "target", "place"}

func (u *UI) consignList(w http.ResponseWriter, r *http.Request) {
	u.renderConsignList(w, r, http.StatusOK, nil)
}

func (u *UI) renderConsignList(w http.ResponseWriter, r *http.Request, st int, f *Form) {
	me := httpx.Principal(r)
	pr := printer(r)
	state := consignments.State(r.URL.Query().Get("state"))
	if state != "" && !state.Valid() {
		Error(w, r, errs.Fields("web.consignList", map[string]string{"state": "unknown value"}))
		return
	}
	cs, err := u.db.Consignments(r.Context(), store.ConsignmentFilter{Scope: me.Scope(), State: state})
	if err != nil {
		Error(w, r, err)
		return
	}
	d := consignListPage{Consignments: cs, CanCreate: me.Can(auth.Consignments) && !me.Intermediary, Form: f, State: string(state)}
	if d.Form == nil {
		d.Form = newForm(url.Values{"period": {u.app.Now().Format("2006-01")}})
	}
	awaited, err := u.repliesAwaited(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	d.Awaiting = make(map[string]bool, len(awaited))
	for _, ref := range awaited {
		d.Awaiting[ref] = true
	}
	ps, err := u.db.Parties(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	for _, p := range ps {
		if p.Kind == "state" && p.Code != me.Party {
			d.Parties = append(d.Parties, Option{p.Code, p.Code + " · " + p.Name})
		}
	}
	for _, s := range consignments.States {
		d.States = append(d.States, Option{string(s), pr.T("consign_state." + string(s))})
	}
	render(w, r, st, "consign_list", pr.T("consign.title"), d)
}

func (u *UI) consignCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignCreate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	in := api.ConsignmentInput{To: f.Get("to"), Period: f.Get("period"), Place: f.Get("place")}
	if t := f.Get("target"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			f.fail(pr, "target", "consign.target_number")
		}
		in.Target = n
	}
	if f.Invalid() {
		u.renderConsignList(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	c, err := u.api().CreateConsignment(r.Context(), httpx.Principal(r), in)
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
			Error(w, r, err)
			return
		}
		f.setErr(pr, err, consignFields...)
		u.renderConsignList(w, r, httpx.Status(errs.KindOf(err)), f)
		return
	}
	redirect(w, r, "/consignments/"+c.Ref)
}

func apiParcels(tracking string, all bool) api.ParcelsInput {
	return api.ParcelsInput{Tracking: strings.TrimSpace(tracking), All: all}
}

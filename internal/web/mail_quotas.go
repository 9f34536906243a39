package web

import (
	"net/http"
	"strconv"

	"lifeline/internal/auth"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

// quotaRow is one direction's monthly limits of the user's party.
type quotaRow struct {
	Direction correspondence.Direction
	Letters   int
	Cards     int
	Form      *Form
}

type quotasPage struct {
	Party   string
	Rows    []quotaRow
	CanEdit bool
}

// mailQuotas shows the party's monthly quotas (COR-3): limits may never go
// below 2 letters and 4 cards; capture cards, complaints and legal
// documents never count.
func (u *UI) mailQuotas(w http.ResponseWriter, r *http.Request) {
	u.renderQuotas(w, r, http.StatusOK, "", nil)
}

func (u *UI) renderQuotas(w http.ResponseWriter, r *http.Request, st int, failed correspondence.Direction, f *Form) {
	p := httpx.Principal(r)
	qs, err := u.db.Quotas(r.Context(), p.Party)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := quotasPage{Party: p.Party, CanEdit: p.Can(auth.UsersAdmin)}
	for _, dir := range []correspondence.Direction{correspondence.ToDetainee, correspondence.Reply} {
		row := quotaRow{Direction: dir, Form: newForm(nil)}
		for _, q := range qs {
			if q.Direction == dir {
				row.Letters, row.Cards = q.Letters, q.Cards
			}
		}
		row.Form.Values.Set("letters", strconv.Itoa(row.Letters))
		row.Form.Values.Set("cards", strconv.Itoa(row.Cards))
		if dir == failed && f != nil {
			row.Form = f
		}
		d.Rows = append(d.Rows, row)
	}
	render(w, r, st, "mail_quotas", printer(r).T("quota.title"), d)
}

// mailQuotaSet sets one direction's limits of the user's party.
func (u *UI) mailQuotaSet(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.mailQuotaSet", errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	q := correspondence.Quota{Party: httpx.Principal(r).Party, Direction: correspondence.Direction(f.Get("direction"))}
	var bad bool
	for _, k := range []string{"letters", "cards"} {
		n, err := strconv.Atoi(f.Get(k))
		if err != nil {
			f.fail(pr, k, "msg.unknown_value")
			bad = true
		}
		if k == "letters" {
			q.Letters = n
		} else {
			q.Cards = n
		}
	}
	if !q.Direction.Valid() {
		Error(w, r, errs.Fields("web.mailQuotaSet", map[string]string{"direction": "unknown value"}))
		return
	}
	if !bad {
		err := u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.SetQuota(r.Context(), actor(r), q) })
		if err == nil {
			redirect(w, r, "/mail/quotas")
			return
		}
		if !formFailed(w, r, pr, f, err, []string{"letters", "cards"}) {
			return
		}
	}
	u.renderQuotas(w, r, http.StatusUnprocessableEntity, q.Direction, f)
}

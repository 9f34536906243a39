package web

import (
	"net/http"
	"net/url"
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
	Party    string
	Rows     []quotaRow
	CanEdit  bool
	Settings *Form // the party's mail settings: S10 numbering, screening limit
}

// mailQuotas shows the party's monthly quotas (COR-3): limits may never go
// below 2 letters and 4 cards; capture cards, complaints and legal
// documents never count.
func (u *UI) mailQuotas(w http.ResponseWriter, r *http.Request) {
	u.renderQuotas(w, r, http.StatusOK, "", nil)
}

func (u *UI) renderQuotas(w http.ResponseWriter, r *http.Request, st int, failed correspondence.Direction, f *Form) {
	u.renderMailAdmin(w, r, st, failed, f, nil)
}

// renderMailAdmin renders the page of the party's quotas and mail
// settings, a refused form (f for a quota's direction, sf for the
// settings) shown as it was sent.
func (u *UI) renderMailAdmin(w http.ResponseWriter, r *http.Request, st int, failed correspondence.Direction, f, sf *Form) {
	p := httpx.Principal(r)
	qs, err := u.db.Quotas(r.Context(), p.Party)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := quotasPage{Party: p.Party, CanEdit: p.Can(auth.UsersAdmin), Settings: sf}
	if sf == nil {
		ms, err := u.db.MailSettings(r.Context(), p.Party)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.Settings = newForm(url.Values{"item_service": {ms.ItemService}, "parcel_service": {ms.ParcelService},
			"country": {ms.Country}, "screening_limit_hours": {strconv.Itoa(ms.LimitHours)}})
	}
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

// mailSettingsSet sets the party's mail settings: the S10 service
// indicators of its items and parcels, its country code, and how long an
// item may wait for screening before it shows as overdue.
func (u *UI) mailSettingsSet(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.mailSettingsSet", errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	s := store.MailSettings{Party: httpx.Principal(r).Party, ItemService: f.Get("item_service"), ParcelService: f.Get("parcel_service"),
		Country: f.Get("country")}
	hours, err := strconv.Atoi(f.Get("screening_limit_hours"))
	if err != nil {
		f.fail(pr, "screening_limit_hours", "msg.unknown_value")
	} else {
		s.LimitHours = hours
		err := u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.SetMailSettings(r.Context(), actor(r), s) })
		if err == nil {
			redirect(w, r, "/mail/quotas")
			return
		}
		if !formFailed(w, r, pr, f, err, []string{"item_service", "parcel_service", "country", "screening_limit_hours"}) {
			return
		}
	}
	u.renderMailAdmin(w, r, http.StatusUnprocessableEntity, "", nil, f)
}

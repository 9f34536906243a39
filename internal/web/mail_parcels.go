package web

import (
	"net/http"
	"net/url"
	"strconv"

	"lifeline/internal/api"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/parcels"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

type mailPackingPage struct {
	Groups []store.PackingGroup
	Error  string
}

func (u *UI) mailPacking(w http.ResponseWriter, r *http.Request) {
	g, err := u.db.PackingQueue(r.Context(), httpx.Principal(r).Party, 100)
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "mail_packing", printer(r).T("mail.packing_title"), mailPackingPage{Groups: g})
}

func (u *UI) mailPack(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := newForm(r.PostForm)
	in := api.PackInput{Direction: correspondence.Direction(f.Get("direction"))}
	in.PersonID, _ = strconv.ParseInt(f.Get("person_id"), 10, 64)
	in.SenderID, _ = strconv.ParseInt(f.Get("sender_id"), 10, 64)
	for _, v := range r.PostForm["item"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.ItemIDs = append(in.ItemIDs, id)
		}
	}
	p, err := u.mailAPI().Pack(r.Context(), httpx.Principal(r), in)
	if err != nil {
		g, gerr := u.db.PackingQueue(r.Context(), httpx.Principal(r).Party, 100)
		if gerr != nil {
			Error(w, r, gerr)
			return
		}
		st, _ := httpx.Detail(r, err)
		pr := printer(r)
		fm := newForm(nil)
		fm.setErr(pr, err)
		render(w, r, st, "mail_packing", pr.T("mail.packing_title"), mailPackingPage{Groups: g, Error: fm.Error})
		return
	}
	http.Redirect(w, r, "/mail/parcels/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

type mailParcelsPage struct {
	Form     *Form
	Statuses []Option
	Parcels  []*parcels.Parcel
	Next     string
	Sealed   int
}

func (u *UI) mailParcels(w http.ResponseWriter, r *http.Request) {
	pr := printer(r)
	p := httpx.Principal(r)
	f := newForm(r.URL.Query())
	after, err := store.DecodeCursor(f.Get("after"))
	if err != nil {
		Error(w, r, err)
		return
	}
	st := parcels.Status(f.Get("status"))
	if st != "" && !st.Valid() {
		Error(w, r, errs.Fields("web.mailParcels", map[string]string{"status": "unknown value"}))
		return
	}
	ps, next, err := u.db.Parcels(r.Context(), store.ParcelFilter{Scope: p.Scope(), Status: st, Flagged: f.Get("flagged") != "", After: after, Limit: 100})
	if err != nil {
		Error(w, r, err)
		return
	}
	d := mailParcelsPage{Form: f, Parcels: ps, Next: next, Statuses: []Option{{"", pr.T("mail.any_status")}}}
	for _, s := range parcels.Statuses {
		d.Statuses = append(d.Statuses, Option{string(s), pr.T("parcel_status." + string(s))})
	}
	if b, err := u.db.MailBacklog(r.Context(), p.Party, u.app.Now()); err == nil {
		d.Sealed = b.Parcels[string(parcels.Sealed)]
	}
	render(w, r, http.StatusOK, "mail_parcels", pr.T("mail.parcels_title"), d)
}

type mailParcelPage struct {
	View     *api.ParcelView
	Person   *registry.Person
	Facility string
	NewPlace string
	Form     *Form
}

func (u *UI) visibleMailParcel(r *http.Request) (*parcels.Parcel, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := u.db.Parcel(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s := httpx.Principal(r).Scope(); s != "" && p.FromParty != s && p.ToParty != s {
		return nil, errs.E("web.mailParcel", errs.NotFound, "not found")
	}
	return p, nil
}

func (u *UI) renderParcel(w http.ResponseWriter, r *http.Request, st int, p *parcels.Parcel, f *Form) {
	ctx := r.Context()
	v, err := u.mailAPI().ParcelView(ctx, p)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := mailParcelPage{View: v, Form: f}
	if d.Person, err = u.db.Person(ctx, p.PersonID); err != nil {
		Error(w, r, err)
		return
	}
	if p.FacilityID != 0 {
		if fac, err := u.db.Facility(ctx, p.FacilityID); err == nil {
			d.Facility = fac.Name
		}
	}
	if v.Offer.To != 0 {
		if fac, err := u.db.Facility(ctx, v.Offer.To); err == nil {
			d.NewPlace = fac.Name
		}
	}
	render(w, r, st, "mail_parcel", p.Tracking, d)
}

func (u *UI) mailParcelShow(w http.ResponseWriter, r *http.Request) {
	p, err := u.visibleMailParcel(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	u.renderParcel(w, r, http.StatusOK, p, newForm(nil))
}

func (u *UI) mailParcelSeal(w http.ResponseWriter, r *http.Request) {
	p, err := u.visibleMailParcel(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	r.ParseForm()
	f := newForm(r.PostForm)
	grams, _ := strconv.Atoi(f.Get("weight_grams"))
	err = u.db.Tx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.SealParcel(r.Context(), mailActor(r), p.ID, grams)
		return err
	})
	if err != nil {
		f.setErr(printer(r), err, "weight_grams")
		st, _ := httpx.Detail(r, err)
		u.renderParcel(w, r, st, p, f)
		return
	}
	http.Redirect(w, r, "/mail/parcels/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// mailActor is the store actor of the request's user.
func mailActor(r *http.Request) store.Actor {
	p := httpx.Principal(r)
	return store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
}

func (u *UI) mailParcelAction(redirect bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := u.visibleMailParcel(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		err = u.db.Tx(r.Context(), func(tx *store.Tx) error {
			var err error
			if redirect {
				_, err = tx.RedirectParcel(r.Context(), mailActor(r), p.ID)
			} else {
				_, err = tx.ReturnParcel(r.Context(), mailActor(r), p.ID)
			}
			return err
		})
		if err != nil {
			f := newForm(url.Values{})
			f.setErr(printer(r), err)
			st, _ := httpx.Detail(r, err)
			u.renderParcel(w, r, st, p, f)
			return
		}
		http.Redirect(w, r, "/mail/parcels/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
	}
}

func (u *UI) mailParcelPDF(packing bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := u.visibleMailParcel(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		b, err := u.mailAPI().ParcelPDF(r.Context(), []int64{p.ID}, packing)
		if err != nil {
			Error(w, r, err)
			return
		}
		name := "label-"
		if packing {
			name = "packing-list-"
		}
		sendPDF(w, name+p.Tracking, b)
	}
}

func (u *UI) mailBatchPDF(packing bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		status := q.Get("status")
		if status == "" && q.Get("ids") == "" {
			status = string(parcels.Sealed)
		}
		ids, err := u.mailAPI().BatchIDs(r.Context(), httpx.Principal(r), q.Get("ids"), status)
		if err != nil {
			Error(w, r, err)
			return
		}
		b, err := u.mailAPI().ParcelPDF(r.Context(), ids, packing)
		if err != nil {
			Error(w, r, err)
			return
		}
		name := "labels"
		if packing {
			name = "packing-lists"
		}
		sendPDF(w, name+"-"+u.app.Now().Format("2006-01-02"), b)
	}
}

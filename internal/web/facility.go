package web

import (
	"net/http"
	"net/url"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

type facilityRow struct {
	registry.Facility
	CanEdit bool
}

type facilityListPage struct {
	Facilities []facilityRow
	CanCreate  bool
}

func (u *UI) facilityList(w http.ResponseWriter, r *http.Request) {
	me := httpx.Principal(r)
	fs, err := u.db.Facilities(r.Context(), "")
	if err != nil {
		Error(w, r, err)
		return
	}
	d := facilityListPage{CanCreate: me.Can(auth.FacilitiesEdit)}
	for _, f := range fs {
		d.Facilities = append(d.Facilities, facilityRow{Facility: f, CanEdit: d.CanCreate && f.PartyCode == me.Party})
	}
	render(w, r, http.StatusOK, "facilities", printer(r).T("facilities.title"), d)
}

type facilityFormPage struct {
	Form  *Form
	Edit  bool
	ID    int64
	Party string
	Kinds []Option
}

var facilityFields = []string{"code", "name", "kind", "region", "postal_address"}

func kindOptions(pr *i18n.Printer) []Option {
	var o []Option
	for _, k := range registry.FacilityKinds {
		o = append(o, Option{string(k), pr.T("facility_kind." + string(k))})
	}
	return o
}

func (u *UI) renderFacilityForm(w http.ResponseWriter, r *http.Request, st int, f *Form, id int64) {
	pr := printer(r)
	d := facilityFormPage{Form: f, Edit: id != 0, ID: id, Party: httpx.Principal(r).Party, Kinds: kindOptions(pr)}
	title := pr.T("facility_new.title")
	if d.Edit {
		title = pr.T("facility_edit.title")
	}
	render(w, r, st, "facility_form", title, d)
}

func (u *UI) facilityNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.Values.Set("kind", string(registry.Camp))
	u.renderFacilityForm(w, r, http.StatusOK, f, 0)
}

// ownFacility loads a facility of the caller's party; another party's
// facility cannot be edited here.
func (u *UI) ownFacility(r *http.Request) (registry.Facility, error) {
	id, err := pathID(r)
	if err != nil {
		return registry.Facility{}, err
	}
	f, err := u.db.Facility(r.Context(), id)
	if err != nil {
		return f, err
	}
	if f.PartyCode != httpx.Principal(r).Party {
		return f, errs.E("web.ownFacility", errs.Forbidden, "you may edit only your own party's facilities")
	}
	return f, nil
}

func (u *UI) facilityEdit(w http.ResponseWriter, r *http.Request) {
	fac, err := u.ownFacility(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	v := url.Values{"code": {fac.Code}, "name": {fac.Name}, "kind": {string(fac.Kind)}, "region": {fac.Region}, "postal_address": {fac.PostalAddress}}
	u.renderFacilityForm(w, r, http.StatusOK, newForm(v), fac.ID)
}

func facilityFromForm(f *Form, fac *registry.Facility) {
	fac.Name = f.Get("name")
	fac.Kind = registry.FacilityKind(f.Get("kind"))
	fac.Region = f.Get("region")
	fac.PostalAddress = f.Get("postal_address")
}

func (u *UI) facilityCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.facilityCreate", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	fac := registry.Facility{Code: f.Get("code"), PartyCode: httpx.Principal(r).Party}
	facilityFromForm(f, &fac)
	err := u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateFacility(r.Context(), actor(r), &fac) })
	if err != nil {
		if formFailed(w, r, printer(r), f, err, facilityFields) {
			u.renderFacilityForm(w, r, formStatus(err), f, 0)
		}
		return
	}
	redirect(w, r, "/facilities")
}

func (u *UI) facilityUpdate(w http.ResponseWriter, r *http.Request) {
	fac, err := u.ownFacility(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.facilityUpdate", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	f.Values.Set("code", fac.Code)
	facilityFromForm(f, &fac)
	err = u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.UpdateFacility(r.Context(), actor(r), fac) })
	if err != nil {
		if formFailed(w, r, printer(r), f, err, facilityFields) {
			u.renderFacilityForm(w, r, formStatus(err), f, fac.ID)
		}
		return
	}
	redirect(w, r, "/facilities")
}

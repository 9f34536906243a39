package web

import (
	"errors"
	"lifeline/internal/api"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

type personFormPage struct {
	Form       *Form
	Edit       bool
	ID         int64
	Categories []Option
	Parties    []Option // state parties the user may register for
	FixedParty string   // the party, when the user cannot choose
	Sexes      []Option
	HeldAt     []Option // facilities where a new person may be recorded as held
	Duplicates []duplicateRow
}

// personFields are the fields of the person form, named as in the API.
var personFields = []string{"category", "party", "facility_id", "surname", "given_name", "patronymic", "native_name", "latin_names", "sex",
	"birth_date", "birth_place", "rank", "service_number", "father_name", "mother_maiden_name", "inform_person",
	"correspondence_address", "nationality", "last_residence", "distinguishing_marks", "external_id", "intermediary_ref", "version"}

func (u *UI) personNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.Values.Set("category", string(registry.POW))
	u.renderPersonForm(w, r, http.StatusOK, f, nil)
}

func (u *UI) personEdit(w http.ResponseWriter, r *http.Request) {
	p, err := u.visiblePerson(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	// The edit form shows the whole record: a view of a sensitive record.
	if err := u.db.RecordAccess(r.Context(), actor(r), "person", p.ID, "view"); err != nil {
		Error(w, r, err)
		return
	}
	u.renderPersonForm(w, r, http.StatusOK, newForm(personValues(p)), p)
}

// renderPersonForm renders the create form, or the edit form of p.
// errDuplicates stops a registration to show its likely duplicates.
var errDuplicates = errors.New("likely duplicates")

// duplicateRow is a registered person who may be the one being registered.
type duplicateRow struct {
	ID   int64
	Name string
	Why  string
}

func (u *UI) renderPersonForm(w http.ResponseWriter, r *http.Request, st int, f *Form, p *registry.Person, dups ...duplicateRow) {
	pr := printer(r)
	me := httpx.Principal(r)
	d := personFormPage{Form: f, Categories: categoryOptions(pr), Sexes: []Option{{"", pr.T("sex.none")}, {"m", pr.T("sex.m")}, {"f", pr.T("sex.f")}}, Duplicates: dups}
	title := pr.T("person_new.title")
	switch {
	case p != nil:
		d.Edit, d.ID, d.FixedParty = true, p.ID, p.PartyCode
		title = pr.T("person_edit.title", "#"+strconv.FormatInt(p.ID, 10))
	default:
		// A party registers its own nationals, and the other side's
		// nationals it holds (recorded as arrived at one of its places).
		parties, err := u.db.Parties(r.Context())
		if err != nil {
			Error(w, r, err)
			return
		}
		for _, pt := range parties {
			if pt.Kind == registry.StateParty {
				d.Parties = append(d.Parties, Option{pt.Code, pt.Code + " — " + pt.Name})
			}
		}
		scope := me.Party
		if me.Intermediary {
			scope = ""
		}
		facs, err := u.db.Facilities(r.Context(), scope)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.HeldAt = append([]Option{{"", pr.T("field.held_at_none")}}, facilityOptions(facs)...)
	}
	render(w, r, st, "person_form", title, d)
}

// personValues fills a form from a person.
func personValues(p *registry.Person) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("category", string(p.Category))
	set("party", p.PartyCode)
	set("surname", p.Surname)
	set("given_name", p.GivenName)
	set("patronymic", p.Patronymic)
	set("native_name", p.NativeName)
	set("latin_names", strings.Join(p.LatinNames, "\n"))
	set("sex", p.Sex)
	set("birth_date", p.BirthDate)
	set("birth_place", p.BirthPlace)
	set("rank", p.Rank)
	set("service_number", p.ServiceNumber)
	set("father_name", p.FatherName)
	set("mother_maiden_name", p.MotherMaidenName)
	set("inform_person", p.InformPerson)
	set("correspondence_address", p.CorrespondenceAddress)
	set("nationality", p.Nationality)
	set("last_residence", p.LastResidence)
	set("distinguishing_marks", p.DistinguishingMarks)
	set("external_id", p.ExternalID)
	set("intermediary_ref", p.IntermediaryRef)
	v.Set("version", strconv.Itoa(p.Version))
	return v
}

// personFromForm reads the editable fields of a person from a form.
func personFromForm(f *Form, p *registry.Person) {
	p.Category = registry.Category(f.Get("category"))
	p.Surname = f.Get("surname")
	p.GivenName = f.Get("given_name")
	p.Patronymic = f.Get("patronymic")
	p.NativeName = f.Get("native_name")
	p.LatinNames = nil
	for _, l := range strings.Split(f.Raw("latin_names"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			p.LatinNames = append(p.LatinNames, l)
		}
	}
	p.Sex = f.Get("sex")
	p.BirthDate = f.Get("birth_date")
	p.BirthPlace = f.Get("birth_place")
	p.Rank = f.Get("rank")
	p.ServiceNumber = f.Get("service_number")
	p.FatherName = f.Get("father_name")
	p.MotherMaidenName = f.Get("mother_maiden_name")
	p.InformPerson = f.Get("inform_person")
	p.CorrespondenceAddress = f.Get("correspondence_address")
	p.Nationality = f.Get("nationality")
	p.LastResidence = f.Get("last_residence")
	p.DistinguishingMarks = f.Get("distinguishing_marks")
	p.ExternalID = f.Get("external_id")
	p.IntermediaryRef = f.Get("intermediary_ref")
}

// formFailed puts a validation or conflict error on f, or answers with
// the error page for any other error and reports false.
func formFailed(w http.ResponseWriter, r *http.Request, pr *i18n.Printer, f *Form, err error, fields []string) bool {
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		Error(w, r, err)
		return false
	}
	f.setErr(pr, err, fields...)
	return true
}

func formStatus(err error) int {
	if errs.Is(err, errs.Conflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

func (u *UI) personCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.personCreate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	me := httpx.Principal(r)
	f := newForm(r.PostForm)
	var p registry.Person
	personFromForm(f, &p)
	p.PartyCode = f.Get("party")
	if !me.Intermediary && p.PartyCode == "" {
		p.PartyCode = me.Party
	}
	var heldAt int64
	if v := f.Get("facility_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.fail(pr, "facility_id", "msg.no_facility")
			u.renderPersonForm(w, r, http.StatusUnprocessableEntity, f, nil)
			return
		}
		heldAt = id
	}
	// Registration warns about likely duplicates; a person decides, and
	// nothing is merged.
	var dups []duplicateRow
	warn := func(c *registry.Person) error {
		if f.Get("confirm_duplicate") != "" || u.app.Search == nil {
			return nil
		}
		for _, d := range u.app.Search.Duplicates(c, me) {
			dups = append(dups, duplicateRow{ID: d.ID, Name: d.Name, Why: strings.Join(d.Why, "; ")})
		}
		if len(dups) > 0 {
			return errDuplicates
		}
		return nil
	}
	// api.Register applies who may register whom (registry.CanRegister)
	// and records the arrival in the same transaction.
	err := api.Register(r, u.db, &p, heldAt, time.Time{}, warn)
	if err == errDuplicates {
		u.renderPersonForm(w, r, http.StatusOK, f, nil, dups...)
		return
	}
	if err != nil {
		if formFailed(w, r, pr, f, err, personFields) {
			u.renderPersonForm(w, r, formStatus(err), f, nil)
		}
		return
	}
	redirect(w, r, "/persons/"+strconv.FormatInt(p.ID, 10))
}

func (u *UI) personUpdate(w http.ResponseWriter, r *http.Request) {
	old, err := u.visiblePerson(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.personUpdate", errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	p := *old
	personFromForm(f, &p)
	ver, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		f.Error = pr.T("msg.changed")
		u.renderPersonForm(w, r, http.StatusConflict, f, old)
		return
	}
	p.Version = ver
	err = u.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.UpdatePerson(r.Context(), actor(r), &p) })
	if err != nil {
		if formFailed(w, r, pr, f, err, personFields) {
			u.renderPersonForm(w, r, formStatus(err), f, old)
		}
		return
	}
	redirect(w, r, "/persons/"+strconv.FormatInt(p.ID, 10))
}

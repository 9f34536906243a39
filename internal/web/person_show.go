package web

import (
	"lifeline/internal/api"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
)

// timelineEntry is one status event as the person's page shows it.
type timelineEntry struct {
	registry.Event
	Facility string
}

type personPage struct {
	Person       *registry.Person
	Facility     string // the current facility's name
	Overdue      bool
	Timeline     []timelineEntry
	CanWrite     bool
	Form         *Form // the status event form
	EventTypes   []Option
	FacilityOpts []Option
	FacilityFor  string // event types that name a facility, space-separated
}

// visiblePerson loads a person the caller may see; anyone else's person
// is not found, exactly like an unknown id.
func (u *UI) visiblePerson(r *http.Request) (*registry.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := u.db.Person(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !httpx.Principal(r).SeesPerson(p.PartyCode, p.HoldingParty) {
		return nil, errs.E("web.visiblePerson", errs.NotFound, "no such person")
	}
	return p, nil
}

func (u *UI) personShow(w http.ResponseWriter, r *http.Request) {
	p, err := u.visiblePerson(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := u.db.RecordAccess(r.Context(), actor(r), "person", p.ID, "view"); err != nil {
		Error(w, r, err)
		return
	}
	f := newForm(nil)
	f.Values.Set("date", u.app.Now().Format("2006-01-02"))
	u.renderPerson(w, r, http.StatusOK, p, f)
}

// renderPerson renders a person's page with the status form f.
func (u *UI) renderPerson(w http.ResponseWriter, r *http.Request, st int, p *registry.Person, f *Form) {
	ctx := r.Context()
	pr := printer(r)
	events, err := u.db.PersonEvents(ctx, p.ID)
	if err != nil {
		Error(w, r, err)
		return
	}
	facilities, err := u.db.Facilities(ctx, "")
	if err != nil {
		Error(w, r, err)
		return
	}
	names := facilityNames(facilities)
	d := personPage{
		Person:       p,
		Facility:     names[p.FacilityID],
		Overdue:      registry.CardOverdue(p.Status, p.ArrivedAt, p.CardSentAt, u.app.Now()),
		CanWrite:     httpx.Principal(r).Can(auth.PersonsWrite) && !p.Status.Final(),
		Form:         f,
		EventTypes:   eventTypeOptions(pr),
		FacilityOpts: append([]Option{{"", pr.T("filter.none")}}, facilityOptions(facilities)...),
	}
	var need []string
	for _, t := range registry.EventTypes {
		if t.NeedsFacility() {
			need = append(need, string(t))
		}
	}
	d.FacilityFor = strings.Join(need, " ")
	for _, e := range events {
		d.Timeline = append(d.Timeline, timelineEntry{Event: e, Facility: names[e.FacilityID]})
	}
	// The page title names no one: titles end up in history and tab lists.
	render(w, r, st, "person", printer(r).T("person.page_title", strconv.FormatInt(p.ID, 10)), d)
}

func eventTypeOptions(pr *i18n.Printer) []Option {
	var o []Option
	for _, t := range registry.EventTypes {
		o = append(o, Option{string(t), pr.T("event." + string(t))})
	}
	return o
}

// statusFields are the fields of the status form.
var statusFields = []string{"type", "date", "time", "facility_id", "note"}

func (u *UI) personStatus(w http.ResponseWriter, r *http.Request) {
	const op = "web.personStatus"
	p, err := u.visiblePerson(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind(op, errs.Invalid, err))
		return
	}
	pr := printer(r)
	f := newForm(r.PostForm)
	e := registry.Event{PersonID: p.ID, Type: registry.EventType(f.Get("type")), Note: f.Get("note")}
	if !e.Type.Valid() {
		f.fail(pr, "type", "msg.event_type")
	}
	if v := f.Get("facility_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.fail(pr, "facility_id", "msg.no_facility")
		}
		e.FacilityID = id
	}
	if len(f.Get("note")) > 1000 {
		f.fail(pr, "note", "msg.max_chars", "1000")
	}
	e.OccurredAt = u.occurredAt(pr, f)
	if f.Invalid() {
		u.renderPerson(w, r, http.StatusUnprocessableEntity, p, f)
		return
	}
	// The detaining party records what happens in its custody (api.RecordStatus checks it).
	err = api.RecordStatus(r, u.db, p, &e)
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
			Error(w, r, err)
			return
		}
		if fm := errs.FieldsOf(err); fm["occurred_at"] != "" {
			fm = maps.Clone(fm)
			fm["date"] = fm["occurred_at"]
			delete(fm, "occurred_at")
			err = errs.Fields(op, fm)
		}
		f.setErr(pr, err, statusFields...)
		st := http.StatusUnprocessableEntity
		if errs.Is(err, errs.Conflict) {
			st = http.StatusConflict
		}
		u.renderPerson(w, r, st, p, f)
		return
	}
	redirect(w, r, "/persons/"+strconv.FormatInt(p.ID, 10)+"#timeline")
}

// occurredAt reads the date and the optional time of a status event. No
// date is now; a date without a time is now when it is today, else the
// start of that day (UTC).
func (u *UI) occurredAt(pr *i18n.Printer, f *Form) time.Time {
	now := u.app.Now().UTC()
	ds, ts := f.Get("date"), f.Get("time")
	if ds == "" {
		if ts != "" {
			f.fail(pr, "date", "msg.required")
		}
		return now
	}
	day, err := time.Parse("2006-01-02", ds)
	if err != nil {
		f.fail(pr, "date", "msg.date")
		return now
	}
	if ts == "" {
		if day.Format("2006-01-02") == now.Format("2006-01-02") {
			return now
		}
		return day
	}
	t, err := time.Parse("15:04", ts)
	if err != nil {
		f.fail(pr, "time", "msg.time")
		return now
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

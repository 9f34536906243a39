package api

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

func (a *API) registryRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/me", Perm: auth.Authenticated, Summary: "the caller's account", Handler: a.me},
		{Method: "GET", Pattern: "/api/v1/parties", Perm: auth.Authenticated, Summary: "list parties", Handler: a.listParties},
		{Method: "GET", Pattern: "/api/v1/facilities", Perm: auth.Authenticated, Summary: "list facilities", Handler: a.listFacilities},
		{Method: "POST", Pattern: "/api/v1/facilities", Perm: auth.FacilitiesEdit, Summary: "create a facility of the caller's party", Handler: a.createFacility},
		{Method: "GET", Pattern: "/api/v1/facilities/{id}", Perm: auth.Authenticated, Summary: "get a facility", Handler: a.getFacility},
		{Method: "PATCH", Pattern: "/api/v1/facilities/{id}", Perm: auth.FacilitiesEdit, Summary: "update a facility", Handler: a.updateFacility},
		{Method: "GET", Pattern: "/api/v1/persons", Perm: auth.PersonsRead, Summary: "list persons in scope, with filters and cursor pagination", Handler: a.listPersons},
		{Method: "POST", Pattern: "/api/v1/persons", Perm: auth.PersonsWrite, Summary: "register a person", Handler: a.createPerson},
		{Method: "GET", Pattern: "/api/v1/persons/{id}", Perm: auth.PersonsRead, Summary: "get a person (the access is recorded)", Handler: a.getPerson},
		{Method: "PATCH", Pattern: "/api/v1/persons/{id}", Perm: auth.PersonsWrite, Summary: "update a person (optimistic: send the version you read)", Handler: a.updatePerson},
		{Method: "GET", Pattern: "/api/v1/persons/{id}/events", Perm: auth.PersonsRead, Summary: "a person's status history", Handler: a.personEvents},
		{Method: "POST", Pattern: "/api/v1/persons/{id}/events", Perm: auth.PersonsWrite, Summary: "record a status event", Handler: a.recordEvent},
	}
}

// Actor returns the store actor of a request's principal.
func Actor(r *http.Request) store.Actor {
	p := httpx.Principal(r)
	if p == nil {
		return store.Actor{Name: "anonymous"}
	}
	return store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E("api", errs.NotFound, "no such record")
	}
	return id, nil
}

// Page is a page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	httpx.WriteJSON(w, 200, map[string]any{"id": p.UserID, "name": p.Name, "role": p.Role, "party": p.Party, "intermediary": p.Intermediary})
}

func (a *API) listParties(w http.ResponseWriter, r *http.Request) {
	ps, err := a.app.DB.Parties(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[registry.Party]{Items: orEmpty(ps)})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) listFacilities(w http.ResponseWriter, r *http.Request) {
	fs, err := a.app.DB.Facilities(r.Context(), r.URL.Query().Get("party"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[registry.Facility]{Items: orEmpty(fs)})
}

func (a *API) getFacility(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var f registry.Facility
		if f, err = a.app.DB.Facility(r.Context(), id); err == nil {
			httpx.WriteJSON(w, 200, f)
			return
		}
	}
	httpx.WriteError(w, r, err)
}

// FacilityInput is the body of POST and PATCH /facilities.
type FacilityInput struct {
	Code          *string `json:"code"`
	Name          *string `json:"name"`
	Kind          *string `json:"kind"`
	Region        *string `json:"region"`
	PostalAddress *string `json:"postal_address"`
}

func (in FacilityInput) apply(f *registry.Facility) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&f.Code, in.Code)
	set(&f.Name, in.Name)
	if in.Kind != nil {
		f.Kind = registry.FacilityKind(*in.Kind)
	}
	set(&f.Region, in.Region)
	set(&f.PostalAddress, in.PostalAddress)
}

func (a *API) createFacility(w http.ResponseWriter, r *http.Request) {
	var in FacilityInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f := registry.Facility{PartyCode: httpx.Principal(r).Party}
	in.apply(&f)
	err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateFacility(r.Context(), Actor(r), &f) })
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/facilities/"+strconv.FormatInt(f.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, f)
}

func (a *API) updateFacility(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in FacilityInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := a.app.DB.Facility(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	if f.PartyCode != p.Party && !p.Intermediary {
		httpx.WriteError(w, r, errs.E("api.updateFacility", errs.Forbidden, "a party edits only its own facilities"))
		return
	}
	if in.Code != nil && *in.Code != f.Code {
		httpx.WriteError(w, r, errs.Fields("api.updateFacility", map[string]string{"code": "the code of a facility cannot change"}))
		return
	}
	in.apply(&f)
	if err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.UpdateFacility(r.Context(), Actor(r), f) }); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, f)
}

// PersonView is a person as the API shows it.
type PersonView struct {
	*registry.Person
	CaptureCardOverdue bool `json:"capture_card_overdue"`
	// On creation: persons already registered who may be the same one.
	// Nothing is merged; a person decides.
	PossibleDuplicates []Hit `json:"possible_duplicates,omitempty"`
}

func (a *API) view(p *registry.Person) PersonView {
	return PersonView{Person: p, CaptureCardOverdue: registry.CardOverdue(p.Status, p.ArrivedAt, p.CardSentAt, a.app.Now())}
}

func (a *API) listPersons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.PersonFilter{
		Scope:    httpx.Principal(r).Scope(),
		Category: registry.Category(q.Get("category")),
		Status:   registry.Status(q.Get("status")),
		Party:    q.Get("party"),
		Text:     q.Get("q"),
	}
	bad := map[string]string{}
	if f.Category != "" && !f.Category.Valid() {
		bad["category"] = "must be pow, civilian_internee or displaced_civilian"
	}
	if f.Status != "" && !slices.Contains(registry.Statuses, f.Status) {
		bad["status"] = "unknown status"
	}
	if f.Party != "" {
		if _, err := a.app.DB.Party(r.Context(), f.Party); err != nil {
			bad["party"] = "no party with this code"
		}
	}
	if v := q.Get("facility_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad["facility_id"] = "must be a facility id"
		} else if _, err := a.app.DB.Facility(r.Context(), id); err != nil {
			bad["facility_id"] = "no such facility"
		}
		f.FacilityID = id
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad["limit"] = "must be a number from 1 to 500"
		}
		f.Limit = n
	}
	switch q.Get("capture_card_overdue") {
	case "", "false":
	case "true":
		f.CardDueBefore = a.app.Now().Add(-registry.CardDeadline)
	default:
		bad["capture_card_overdue"] = "must be true or false"
	}
	after, err := store.DecodeCursor(q.Get("cursor"))
	if err != nil {
		bad["cursor"] = errs.FieldsOf(err)["cursor"]
	}
	if len(bad) > 0 {
		httpx.WriteError(w, r, errs.Fields("api.listPersons", bad))
		return
	}
	f.After = after
	ps, next, err := a.app.DB.Persons(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := Page[PersonView]{Items: make([]PersonView, len(ps)), NextCursor: next}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		out.Items[i] = a.view(p)
		ids[i] = p.ID
	}
	if err := a.app.DB.RecordAccesses(r.Context(), Actor(r), "person", ids, "api.list"); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, out)
}

// visiblePerson loads a person the caller may see; anything else is
// NotFound, exactly like an unknown id.
func (a *API) visiblePerson(r *http.Request) (*registry.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := a.app.DB.Person(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !httpx.Principal(r).SeesPerson(p.PartyCode, p.HoldingParty) {
		return nil, errs.E("api", errs.NotFound, "no such person")
	}
	return p, nil
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	p, err := a.visiblePerson(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := a.app.DB.RecordAccess(r.Context(), Actor(r), "person", p.ID, "api.view"); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, a.view(p))
}

// PersonInput is the body of POST and PATCH /persons. On PATCH only the
// fields present change, and version is required.
type PersonInput struct {
	Version               *int      `json:"version"`
	ExternalID            *string   `json:"external_id"`
	Category              *string   `json:"category"`
	Party                 *string   `json:"party"`
	Surname               *string   `json:"surname"`
	GivenName             *string   `json:"given_name"`
	Patronymic            *string   `json:"patronymic"`
	NativeName            *string   `json:"native_name"`
	LatinNames            *[]string `json:"latin_names"`
	Sex                   *string   `json:"sex"`
	BirthDate             *string   `json:"birth_date"`
	BirthPlace            *string   `json:"birth_place"`
	Rank                  *string   `json:"rank"`
	ServiceNumber         *string   `json:"service_number"`
	FatherName            *string   `json:"father_name"`
	MotherMaidenName      *string   `json:"mother_maiden_name"`
	InformPerson          *string   `json:"inform_person"`
	CorrespondenceAddress *string   `json:"correspondence_address"`
	Nationality           *string   `json:"nationality"`
	LastResidence         *string   `json:"last_residence"`
	DistinguishingMarks   *string   `json:"distinguishing_marks"`
	IntermediaryRef       *string   `json:"intermediary_ref"`
	// On POST only: where the person is held, recorded as an arrival.
	FacilityID *int64  `json:"facility_id"`
	ArrivedAt  *string `json:"arrived_at"`
}

// parseTime reads an RFC 3339 time of a field.
func parseTime(field string, s *string, bad map[string]string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		bad[field] = "must be an RFC 3339 time such as 2026-12-01T10:00:00Z"
	}
	return t
}

// Apply copies the fields present in in onto p.
func (in PersonInput) Apply(p *registry.Person) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Category != nil {
		p.Category = registry.Category(*in.Category)
	}
	set(&p.PartyCode, in.Party)
	set(&p.ExternalID, in.ExternalID)
	set(&p.Surname, in.Surname)
	set(&p.GivenName, in.GivenName)
	set(&p.Patronymic, in.Patronymic)
	set(&p.NativeName, in.NativeName)
	if in.LatinNames != nil {
		p.LatinNames = *in.LatinNames
	}
	set(&p.Sex, in.Sex)
	set(&p.BirthDate, in.BirthDate)
	set(&p.BirthPlace, in.BirthPlace)
	set(&p.Rank, in.Rank)
	set(&p.ServiceNumber, in.ServiceNumber)
	set(&p.FatherName, in.FatherName)
	set(&p.MotherMaidenName, in.MotherMaidenName)
	set(&p.InformPerson, in.InformPerson)
	set(&p.CorrespondenceAddress, in.CorrespondenceAddress)
	set(&p.Nationality, in.Nationality)
	set(&p.LastResidence, in.LastResidence)
	set(&p.DistinguishingMarks, in.DistinguishingMarks)
	set(&p.IntermediaryRef, in.IntermediaryRef)
}

// Register creates a person for the principal in one transaction,
// recording the arrival at facilityID when it is not zero. Each check runs
// once the record is valid and may be registered, before anything is
// written (the UI's duplicate warning is one).
func Register(r *http.Request, db *store.DB, p *registry.Person, facilityID int64, arrived time.Time, checks ...func(*registry.Person) error) error {
	ctx := r.Context()
	pr := httpx.Principal(r)
	if p.PartyCode == "" && !pr.Intermediary {
		p.PartyCode = pr.Party
	}
	facParty := ""
	if facilityID != 0 {
		f, err := db.Facility(ctx, facilityID)
		if err != nil {
			return errs.Fields("api.Register", map[string]string{"facility_id": "no such facility"})
		}
		facParty = f.PartyCode
	}
	// Every field error at once: the record's own, then who may register it.
	p.Normalize()
	fields := map[string]string{}
	if err := p.Validate(db.Now()); err != nil {
		maps.Copy(fields, errs.FieldsOf(err))
	}
	if err := registry.CanRegister(pr.Party, pr.Intermediary, p.PartyCode, facParty); err != nil && fields["party"] == "" {
		maps.Copy(fields, errs.FieldsOf(err))
	}
	if len(fields) == 0 && p.ExternalID != "" {
		taken, err := db.ExistingExternalIDs(ctx, []string{p.ExternalID})
		if err != nil {
			return err
		}
		if taken[p.ExternalID] {
			fields["external_id"] = "another person has this external id"
		}
	}
	if len(fields) > 0 {
		return errs.Fields("api.Register", fields)
	}
	for _, check := range checks {
		if err := check(p); err != nil {
			return err
		}
	}
	return db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePerson(ctx, Actor(r), p); err != nil {
			return err
		}
		if facilityID == 0 {
			return nil
		}
		err := tx.RecordStatus(ctx, Actor(r), &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: facilityID, OccurredAt: arrived})
		if msg := errs.FieldsOf(err)["occurred_at"]; msg != "" {
			return errs.Fields("api.Register", map[string]string{"arrived_at": msg})
		}
		return err
	})
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) {
	var in PersonInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Version != nil {
		httpx.WriteError(w, r, errs.Fields("api.createPerson", map[string]string{"version": "not allowed when creating"}))
		return
	}
	var p registry.Person
	in.Apply(&p)
	var fac int64
	if in.FacilityID != nil {
		fac = *in.FacilityID
	}
	bad := map[string]string{}
	arrived := parseTime("arrived_at", in.ArrivedAt, bad)
	if len(bad) > 0 {
		httpx.WriteError(w, r, errs.Fields("api.createPerson", bad))
		return
	}
	var dups []Hit
	note := func(c *registry.Person) error {
		if a.app.Search != nil {
			dups = Hits(a.app.Search.Duplicates(c, httpx.Principal(r)))
		}
		return nil
	}
	if err := Register(r, a.app.DB, &p, fac, arrived, note); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	np, err := a.app.DB.Person(r.Context(), p.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v := a.view(np)
	v.PossibleDuplicates = dups
	w.Header().Set("Location", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, v)
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request) {
	var in PersonInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.visiblePerson(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	bad := map[string]string{}
	if in.Version == nil {
		bad["version"] = "required: the version you read"
	}
	if in.FacilityID != nil || in.ArrivedAt != nil {
		bad["facility_id"] = "record a status event to move a person"
	}
	if len(bad) > 0 {
		httpx.WriteError(w, r, errs.Fields("api.updatePerson", bad))
		return
	}
	in.Apply(p)
	p.Version = *in.Version
	if err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.UpdatePerson(r.Context(), Actor(r), p) }); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	np, err := a.app.DB.Person(r.Context(), p.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, a.view(np))
}

func (a *API) personEvents(w http.ResponseWriter, r *http.Request) {
	p, err := a.visiblePerson(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	es, err := a.app.DB.PersonEvents(r.Context(), p.ID)
	if err == nil {
		err = a.app.DB.RecordAccess(r.Context(), Actor(r), "person", p.ID, "api.events")
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[registry.Event]{Items: orEmpty(es)})
}

// EventInput is the body of POST /persons/{id}/events.
type EventInput struct {
	Type       string  `json:"type"`
	OccurredAt *string `json:"occurred_at"`
	FacilityID int64   `json:"facility_id"`
	Note       string  `json:"note"`
}

func (a *API) recordEvent(w http.ResponseWriter, r *http.Request) {
	var in EventInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.visiblePerson(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	bad := map[string]string{}
	e := registry.Event{PersonID: p.ID, Type: registry.EventType(in.Type), FacilityID: in.FacilityID, Note: in.Note,
		OccurredAt: parseTime("occurred_at", in.OccurredAt, bad)}
	if len([]rune(e.Note)) > 1000 {
		bad["note"] = "at most 1000 characters"
	}
	if len(bad) > 0 {
		httpx.WriteError(w, r, errs.Fields("api.recordEvent", bad))
		return
	}
	if err := RecordStatus(r, a.app.DB, p, &e); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, e)
}

// RecordStatus records a status event for p on behalf of the request's
// principal, after checking that the principal's party may record it.
func RecordStatus(r *http.Request, db *store.DB, p *registry.Person, e *registry.Event) error {
	pr := httpx.Principal(r)
	facParty := ""
	if e.FacilityID != 0 {
		f, err := db.Facility(r.Context(), e.FacilityID)
		if err != nil {
			return errs.Fields("api.RecordStatus", map[string]string{"facility_id": "no such facility"})
		}
		facParty = f.PartyCode
	}
	if err := registry.CanRecordStatus(pr.Party, pr.Intermediary, p.PartyCode, p.HoldingParty, facParty); err != nil {
		return err
	}
	return db.Tx(r.Context(), func(tx *store.Tx) error { return tx.RecordStatus(r.Context(), Actor(r), e) })
}

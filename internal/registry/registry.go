// Package registry holds the domain of the registry of detained and
// displaced people: parties, facilities, persons and their status history
// (DOMAIN.md REG-1 to REG-3). It does no I/O.
package registry

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// PartyKind tells a state party from the intermediary.
type PartyKind string

const (
	StateParty   PartyKind = "state"
	Intermediary PartyKind = "intermediary"
)

// Party is a state party (its ombudsman acting as information bureau) or
// the neutral intermediary.
type Party struct {
	Code string    `json:"code"`
	Name string    `json:"name"`
	Kind PartyKind `json:"kind"`
}

var partyCode = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,7}$`)

// Validate checks a party.
func (p Party) Validate() error {
	f := map[string]string{}
	if !partyCode.MatchString(p.Code) {
		f["code"] = "2 to 8 capital letters or digits, starting with a letter"
	}
	if strings.TrimSpace(p.Name) == "" {
		f["name"] = "required"
	}
	if p.Kind != StateParty && p.Kind != Intermediary {
		f["kind"] = "must be state or intermediary"
	}
	if len(f) > 0 {
		return errs.Fields("registry.Party.Validate", f)
	}
	return nil
}

// CheckPartySet checks that adding p to existing keeps at most two state
// parties and one intermediary.
func CheckPartySet(existing []Party, p Party) error {
	n := 0
	for _, e := range existing {
		if e.Kind == p.Kind {
			n++
		}
	}
	if p.Kind == StateParty && n >= 2 {
		return errs.E("registry.CheckPartySet", errs.Conflict, "there are already two state parties")
	}
	if p.Kind == Intermediary && n >= 1 {
		return errs.E("registry.CheckPartySet", errs.Conflict, "there is already an intermediary")
	}
	return nil
}

// FacilityKind is the kind of a place of detention or accommodation.
type FacilityKind string

const (
	Camp          FacilityKind = "camp"
	Prison        FacilityKind = "prison"
	Hospital      FacilityKind = "hospital"
	Accommodation FacilityKind = "accommodation"
	OtherFacility FacilityKind = "other"
)

// FacilityKinds lists the kinds in display order.
var FacilityKinds = []FacilityKind{Camp, Prison, Hospital, Accommodation, OtherFacility}

// Facility is a place of detention or accommodation.
type Facility struct {
	ID            int64        `json:"id"`
	Code          string       `json:"code"`
	Name          string       `json:"name"`
	PartyCode     string       `json:"party"`
	Kind          FacilityKind `json:"kind"`
	Region        string       `json:"region"`
	PostalAddress string       `json:"postal_address"`
}

var facilityCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$`)

// Validate checks a facility.
func (f Facility) Validate() error {
	m := map[string]string{}
	if !facilityCode.MatchString(f.Code) {
		m["code"] = "2 to 32 letters, digits, - or _"
	}
	if strings.TrimSpace(f.Name) == "" {
		m["name"] = "required"
	} else if utf8.RuneCountInString(f.Name) > 200 {
		m["name"] = "at most 200 characters"
	}
	if f.PartyCode == "" {
		m["party"] = "required"
	}
	ok := false
	for _, k := range FacilityKinds {
		ok = ok || f.Kind == k
	}
	if !ok {
		m["kind"] = "must be one of camp, prison, hospital, accommodation, other"
	}
	if len(m) > 0 {
		return errs.Fields("registry.Facility.Validate", m)
	}
	return nil
}

// Category is the legal category of a person (REG-2).
type Category string

const (
	POW               Category = "pow"
	CivilianInternee  Category = "civilian_internee"
	DisplacedCivilian Category = "displaced_civilian"
)

// Categories lists the categories in display order.
var Categories = []Category{POW, CivilianInternee, DisplacedCivilian}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	return c == POW || c == CivilianInternee || c == DisplacedCivilian
}

// Person is a registered person (GC III 122, GC IV 138).
type Person struct {
	ID         int64    `json:"id"`
	ExternalID string   `json:"external_id,omitempty"`
	Category   Category `json:"category"`
	PartyCode  string   `json:"party"` // the party the person belongs to

	Surname    string   `json:"surname,omitempty"`
	GivenName  string   `json:"given_name,omitempty"`
	Patronymic string   `json:"patronymic,omitempty"`
	NativeName string   `json:"native_name"`           // the full name in the native script
	LatinNames []string `json:"latin_names,omitempty"` // every Latin spelling on record

	Sex        string `json:"sex,omitempty"`        // "m", "f" or "" (not provided)
	BirthDate  string `json:"birth_date,omitempty"` // YYYY, YYYY-MM or YYYY-MM-DD
	BirthPlace string `json:"birth_place,omitempty"`

	Rank          string `json:"rank,omitempty"`
	ServiceNumber string `json:"service_number,omitempty"`

	FatherName            string `json:"father_name,omitempty"`
	MotherMaidenName      string `json:"mother_maiden_name,omitempty"`
	InformPerson          string `json:"inform_person,omitempty"`
	CorrespondenceAddress string `json:"correspondence_address,omitempty"`

	Nationality         string `json:"nationality,omitempty"`
	LastResidence       string `json:"last_residence,omitempty"`
	DistinguishingMarks string `json:"distinguishing_marks,omitempty"`
	IntermediaryRef     string `json:"intermediary_ref,omitempty"`

	// Derived from the status history.
	Status       Status     `json:"status"`
	FacilityID   int64      `json:"facility_id,omitempty"`
	HoldingParty string     `json:"holding_party,omitempty"`
	ArrivedAt    *time.Time `json:"arrived_at,omitempty"`
	CardSentAt   *time.Time `json:"capture_card_sent_at,omitempty"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DisplayName is the name to show: the native name.
func (p *Person) DisplayName() string { return p.NativeName }

var (
	partialDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	externalID  = regexp.MustCompile(`^[\p{L}\p{N}._:/-]{1,64}$`)
)

// ValidDate reports whether s is a YYYY, YYYY-MM or YYYY-MM-DD date that
// exists and is not in the future relative to now.
func ValidDate(s string, now time.Time) bool {
	if !partialDate.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	t, err := time.Parse(layout, s)
	return err == nil && t.Year() >= 1900 && !t.After(now)
}

// Normalize trims the fields of p and composes the native name from its
// parts when it is missing.
func (p *Person) Normalize() {
	for _, s := range []*string{&p.ExternalID, &p.Surname, &p.GivenName, &p.Patronymic, &p.NativeName,
		&p.Sex, &p.BirthDate, &p.BirthPlace, &p.Rank, &p.ServiceNumber, &p.FatherName, &p.MotherMaidenName,
		&p.InformPerson, &p.CorrespondenceAddress, &p.Nationality, &p.LastResidence, &p.DistinguishingMarks,
		&p.IntermediaryRef} {
		*s = strings.Join(strings.Fields(*s), " ")
	}
	p.Sex = strings.ToLower(p.Sex)
	if p.NativeName == "" {
		p.NativeName = strings.Join(strings.Fields(p.Surname+" "+p.GivenName+" "+p.Patronymic), " ")
	}
	var ln []string
	seen := map[string]bool{}
	for _, n := range p.LatinNames {
		n = strings.Join(strings.Fields(n), " ")
		if n != "" && !seen[n] {
			seen[n] = true
			ln = append(ln, n)
		}
	}
	p.LatinNames = ln
}

// Validate checks p. Only what GC III 17 asks of a prisoner of war is
// required of one (name, rank, date of birth, service number); for the
// others only a name. Absent optional fields are never an error (REG-1).
func (p *Person) Validate(now time.Time) error {
	m := map[string]string{}
	if !p.Category.Valid() {
		m["category"] = "must be pow, civilian_internee or displaced_civilian"
	}
	if p.PartyCode == "" {
		m["party"] = "required"
	}
	if p.NativeName == "" {
		m["native_name"] = "a name is required (the full name, or surname and given name)"
	}
	if p.ExternalID != "" && !externalID.MatchString(p.ExternalID) {
		m["external_id"] = "at most 64 letters, digits and . _ : / -"
	}
	if p.Sex != "" && p.Sex != "m" && p.Sex != "f" {
		m["sex"] = "must be m, f or empty"
	}
	if p.BirthDate != "" && !ValidDate(p.BirthDate, now) {
		m["birth_date"] = "must be a past date as YYYY-MM-DD, YYYY-MM or YYYY"
	}
	if p.Category == POW {
		if p.Rank == "" {
			m["rank"] = "required for a prisoner of war (GC III 17)"
		}
		if p.BirthDate == "" {
			m["birth_date"] = "required for a prisoner of war (GC III 17)"
		}
		if p.ServiceNumber == "" {
			m["service_number"] = "required for a prisoner of war (GC III 17)"
		}
	}
	check := func(field, v string, n int) {
		if utf8.RuneCountInString(v) > n {
			m[field] = fmt.Sprintf("at most %d characters", n)
		}
		if !ValidText(v) {
			m[field] = "contains characters that are not text (control characters or invalid bytes)"
		}
	}
	check("surname", p.Surname, 100)
	check("given_name", p.GivenName, 100)
	check("patronymic", p.Patronymic, 100)
	check("native_name", p.NativeName, 300)
	check("birth_place", p.BirthPlace, 200)
	check("rank", p.Rank, 100)
	check("service_number", p.ServiceNumber, 64)
	check("father_name", p.FatherName, 100)
	check("mother_maiden_name", p.MotherMaidenName, 100)
	check("inform_person", p.InformPerson, 300)
	check("correspondence_address", p.CorrespondenceAddress, 500)
	check("nationality", p.Nationality, 100)
	check("last_residence", p.LastResidence, 300)
	check("distinguishing_marks", p.DistinguishingMarks, 500)
	check("intermediary_ref", p.IntermediaryRef, 64)
	if len(p.LatinNames) > 20 {
		m["latin_names"] = "at most 20 spellings"
	}
	for _, n := range p.LatinNames {
		if utf8.RuneCountInString(n) > 300 {
			m["latin_names"] = "each spelling at most 300 characters"
		}
		if !ValidText(n) {
			m["latin_names"] = "contains characters that are not text (control characters or invalid bytes)"
		}
	}
	if len(m) > 0 {
		return errs.Fields("registry.Person.Validate", m)
	}
	return nil
}

// ValidText reports whether s is valid UTF-8 without control characters
// (tabs and line breaks aside) or the replacement character that invalid
// bytes decode to.
func ValidText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r') {
			return false
		}
	}
	return true
}

// CanRegister reports whether a user of party userParty (or of the
// intermediary) may register a person belonging to personParty who will be
// held at a facility of facilityParty ("" when not held). A party registers
// its own nationals and the other side's nationals it holds.
func CanRegister(userParty string, intermediary bool, personParty, facilityParty string) error {
	if intermediary || personParty == userParty {
		return nil
	}
	if facilityParty == userParty {
		return nil
	}
	return errs.Fields("registry.CanRegister", map[string]string{
		"facility_id": "a national of another party can be registered only when held at one of your facilities",
	})
}

// CanRecordStatus reports whether a user of userParty may record a status
// event for a person of personParty held by holding ("" when not held), at
// a facility of facilityParty ("" when the event names none). The detaining
// party records what happens in its custody; the intermediary may record
// anything.
func CanRecordStatus(userParty string, intermediary bool, personParty, holding, facilityParty string) error {
	const op = "registry.CanRecordStatus"
	if intermediary {
		return nil
	}
	if facilityParty != "" && facilityParty != userParty {
		return errs.Fields(op, map[string]string{"facility_id": "choose one of your own facilities"})
	}
	if holding != "" && holding != userParty {
		return errs.E(op, errs.Forbidden, "only the party holding the person records their status")
	}
	if holding == "" && personParty != userParty && facilityParty == "" {
		return errs.E(op, errs.Forbidden, "only the party holding the person records their status")
	}
	return nil
}

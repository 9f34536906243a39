// Package pfif reads and writes the People Finder Interchange Format
// (PFIF, http://zesty.ca/pfif/), the XML format in which person records
// and the notes about them travel between missing-person registries.
//
// It reads PFIF 1.1, 1.2, 1.3 and 1.4 and writes PFIF 1.4. The namespace
// of the root element decides the version; element prefixes are free
// (pfif:person and person in a default namespace are the same element).
//
// Three entry points serve three jobs:
//
//   - Parse is the tolerant reader behind an import. It accepts what a
//     lenient registry would accept and maps older field names to their
//     1.4 names (first_name → given_name, last_name → family_name,
//     home_zip → home_postal_code, found → author_made_contact,
//     other "description: …" → description). It fails only when the input
//     is not XML, is not PFIF (wrong or unknown namespace), is too large or
//     too deep, or repeats a record id.
//   - Validate is the strict validator behind `lifeline pfif validate`. It
//     reports every problem it finds against the declared version: missing
//     mandatory fields, field order where the version fixes it, value formats,
//     fields the version does not define, duplicate ids and expired records
//     that still carry personal data.
//   - Document.Importable decides what an import actually stores: expired
//     records (expiry_date) are left out, optionally so are records outside
//     the domains the importer may write, and every omission is reported.
//
// Write produces PFIF 1.4. The package does no I/O beyond the reader and
// writer it is given, and keeps no state.
package pfif

import (
	"regexp"
	"strings"
	"time"
)

// Namespace URIs of the PFIF versions this package reads.
const (
	Namespace11 = "http://zesty.ca/pfif/1.1"
	Namespace12 = "http://zesty.ca/pfif/1.2"
	Namespace13 = "http://zesty.ca/pfif/1.3"
	Namespace14 = "http://zesty.ca/pfif/1.4"
)

// Limits that guard the decoder against hostile input. encoding/xml
// never expands external or DTD-declared entities, so entity expansion
// cannot blow up; size and nesting are bounded here.
const (
	MaxDocumentBytes = 1 << 30 // a document larger than this is refused (errs.TooLarge)
	MaxFieldBytes    = 1 << 20 // a single field value larger than this is refused
	MaxDepth         = 32      // deeper element nesting is refused
)

// ExpiryGrace is how long after its expiry_date a person record may still
// carry data: the PFIF 1.3 and 1.4 specifications ask a repository to remove
// the data of an expired record within one day.
const ExpiryGrace = 24 * time.Hour

// Person is a PFIF person record, with the 1.4 field names. Values are kept
// as written in the document (Parse does not trim them); Importable returns
// trimmed copies.
type Person struct {
	RecordID         string // person_record_id, "domain/unique-id"
	EntryDate        string // entry_date, yyyy-mm-ddThh:mm:ssZ
	ExpiryDate       string // expiry_date (1.3+)
	AuthorName       string
	AuthorEmail      string
	AuthorPhone      string
	SourceName       string
	SourceDate       string
	SourceURL        string
	FullName         string // full_name (1.3+); several names one a line
	GivenName        string // given_name (first_name before 1.4)
	FamilyName       string // family_name (last_name before 1.4)
	AlternateNames   string // alternate_names (1.4), one a line
	Description      string // description (1.4), from other "description: …" before 1.4
	Sex              string // female, male or other (1.2+)
	DateOfBirth      string // yyyy, yyyy-mm or yyyy-mm-dd (1.2+)
	Age              string // "n" or "n-m" (1.2+)
	HomeStreet       string
	HomeNeighborhood string
	HomeCity         string
	HomeState        string
	HomePostalCode   string // home_postal_code (home_zip in 1.1)
	HomeCountry      string // ISO 3166-1 alpha-2 (1.2+)
	PhotoURL         string
	ProfileURLs      string // profile_urls (1.4), one a line
	Notes            []Note // notes nested in the person element
}

// Note is a PFIF note record, with the 1.4 field names.
type Note struct {
	NoteRecordID         string
	PersonRecordID       string // for a nested note without one, Parse fills in the person's id
	LinkedPersonRecordID string // (1.2+)
	EntryDate            string
	AuthorName           string
	AuthorEmail          string
	AuthorPhone          string
	SourceDate           string
	AuthorMadeContact    string // "true", "false" or "" (unknown); found before 1.4
	Status               string // information_sought, is_note_author, believed_alive, believed_missing, believed_dead (1.2+)
	EmailOfFoundPerson   string
	PhoneOfFoundPerson   string
	LastKnownLocation    string
	Text                 string
	PhotoURL             string // (1.4)
}

// Document is a parsed PFIF document.
type Document struct {
	Version string   // "1.1", "1.2", "1.3" or "1.4", from the namespace
	Persons []Person // person records, each with its nested notes
	Notes   []Note   // top-level notes (1.2+), each naming its person
}

// Code classifies a Problem.
type Code string

// Problem codes.
const (
	CodeMissing   Code = "missing"   // a mandatory field is absent
	CodeOrder     Code = "order"     // the version fixes the order of fields and it is broken
	CodeFormat    Code = "format"    // a value does not have the form the specification asks for
	CodeUnknown   Code = "unknown"   // an element the version does not define here
	CodeRepeated  Code = "repeated"  // a field given twice in one record
	CodeDuplicate Code = "duplicate" // a record id used by two records
	CodeMismatch  Code = "mismatch"  // a nested note names another person
	CodeExpired   Code = "expired"   // a record past its expiry date (still carrying data, or not imported)
	CodeStructure Code = "structure" // text or markup where the format allows none
	CodeSkipped   Code = "skipped"   // the importer leaves a record out
)

// Problem is one finding of the validator or the importer.
type Problem struct {
	Line    int    // line in the input, 0 when unknown
	Path    string // e.g. "pfif/person[1]/note[2]/author_name"
	Record  string // the person_record_id or note_record_id concerned, when known
	Field   string // the PFIF field concerned, when there is one
	Code    Code
	Message string
}

// String renders the problem on one line, for command-line output.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString("line ")
		b.WriteString(itoa(p.Line))
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Record != "" {
		b.WriteString(" (record ")
		b.WriteString(p.Record)
		b.WriteString(")")
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// ParseTime parses a PFIF date-time, "yyyy-mm-ddThh:mm:ssZ" in UTC with
// optional fractional seconds. Surrounding white space is ignored.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !dateRE.MatchString(s) {
		return time.Time{}, &time.ParseError{Layout: "yyyy-mm-ddThh:mm:ssZ", Value: s, Message: ": not a PFIF UTC date-time"}
	}
	return time.Parse(time.RFC3339Nano, s)
}

// FormatTime writes t as a PFIF date-time in UTC, to the second.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Domain returns the domain part of a record id ("example.org/person.1" →
// "example.org"), or "" when the id has no slash.
func Domain(recordID string) string {
	d, _, ok := strings.Cut(strings.TrimSpace(recordID), "/")
	if !ok {
		return ""
	}
	return d
}

// Expired reports whether the person record's data must no longer be kept
// at now: its expiry_date plus ExpiryGrace has passed. A record without a
// readable expiry_date never expires.
func (p Person) Expired(now time.Time) bool {
	if strings.TrimSpace(p.ExpiryDate) == "" {
		return false
	}
	t, err := ParseTime(p.ExpiryDate)
	if err != nil {
		return false
	}
	return !now.Before(t.Add(ExpiryGrace))
}

// MadeContact interprets author_made_contact: made is its value and known
// is false when the note does not say.
func (n Note) MadeContact() (made, known bool) {
	switch strings.TrimSpace(n.AuthorMadeContact) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// NoteStatuses lists the values of a note's status field.
var NoteStatuses = []string{"information_sought", "is_note_author", "believed_alive", "believed_missing", "believed_dead"}

// Sexes lists the values of a person's sex field.
var Sexes = []string{"female", "male", "other"}

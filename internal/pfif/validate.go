package pfif

import (
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Validate checks a PFIF document strictly against the version its
// namespace declares and reports every problem it finds, in document order:
// missing mandatory fields, broken field order (PFIF 1.1 fixes the whole
// order; 1.2 wants the record id first and nested notes last), values of
// the wrong form (record ids "domain/id", UTC date-times
// "yyyy-mm-ddThh:mm:ssZ", e-mail addresses, phone numbers, http(s) URLs,
// sex, date of birth, age, note status, booleans, country and state codes,
// and the CAPITALS of PFIF 1.1), fields the version does not define,
// repeated fields, duplicate record ids, nested notes that name another
// person, and person records that expired more than ExpiryGrace before now
// yet still carry personal data (1.3+).
//
// It returns an error only when the input cannot be read as PFIF at all:
// not well-formed XML, not a pfif root in a PFIF 1.1–1.4 namespace, or past
// the size limits. The returned Document is what Parse would return.
func Validate(r io.Reader, now time.Time) (*Document, []Problem, error) {
	const op = "pfif.Validate"
	raw, err := decode(op, r)
	if err != nil {
		return nil, nil, err
	}
	v := &validator{version: raw.version, now: now}
	v.problems = append(v.problems, raw.problems...)
	for _, p := range raw.persons {
		v.record(p, "person", "")
	}
	for _, n := range raw.notes {
		v.record(n, "top_note", "")
	}
	v.problems = append(v.problems, duplicates(raw)...)
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Line < v.problems[j].Line })
	return documentOf(raw), v.problems, nil
}

type validator struct {
	version  string
	now      time.Time
	problems []Problem
}

func (v *validator) add(line int, path, record, field string, code Code, msg string) {
	v.problems = append(v.problems, Problem{Line: line, Path: path, Record: record, Field: field, Code: code, Message: msg})
}

// record checks one person ("person"), nested note ("note") or top-level
// note ("top_note"). parentID is the id of the person around a nested note.
func (v *validator) record(r *rawRecord, role, parentID string) {
	kind := r.kind
	id := r.id()
	allowed := personFields[v.version]
	if kind == "note" {
		allowed = noteFields[v.version]
	}
	seen := map[string]bool{}
	for _, f := range r.fields {
		if !contains(allowed, f.name) {
			v.add(f.line, f.path, id, f.name, CodeUnknown, unknownMessage(v.version, kind, f.name))
			continue
		}
		if seen[f.name] {
			v.add(f.line, f.path, id, f.name, CodeRepeated, "<"+f.name+"> appears more than once in this "+kind)
			continue
		}
		seen[f.name] = true
		if f.markup {
			v.add(f.line, f.path, id, f.name, CodeStructure, "<"+f.name+"> holds elements; a field holds text only")
		}
		if msg := formatProblem(v.version, f.name, f.value); msg != "" {
			v.add(f.line, f.path, id, f.name, CodeFormat, msg)
		}
	}
	for _, name := range mandatory[v.version][role] {
		if kind == "person" && name != "person_record_id" && v.expired(r) {
			continue // an expired record is reduced to its placeholder fields
		}
		val, ok := r.get(name)
		switch {
		case !ok:
			v.add(r.line, r.path, id, name, CodeMissing, "the "+kind+" lacks the mandatory field <"+name+">")
		case strings.TrimSpace(val) == "":
			v.add(r.line, r.path, id, name, CodeMissing, "the mandatory field <"+name+"> is empty")
		}
	}
	v.order(r, id)
	if role == "note" {
		if pid, ok := r.get("person_record_id"); ok && parentID != "" && strings.TrimSpace(pid) != parentID {
			v.add(r.line, r.path, id, "person_record_id", CodeMismatch,
				"the note is nested in person "+quote(parentID)+" but names person "+quote(strings.TrimSpace(pid)))
		}
	}
	if kind == "person" {
		v.expiry(r, id)
		for _, n := range r.notes {
			v.record(n, "note", id)
		}
	}
}

// order checks the field order where the version fixes it.
func (v *validator) order(r *rawRecord, id string) {
	maxRank, maxName := -1, ""
	fi := 0
	noteIdx := 0
	for _, name := range r.children {
		line, path := r.line, r.path
		if name == "note" {
			if noteIdx < len(r.notes) {
				line, path = r.notes[noteIdx].line, r.notes[noteIdx].path
			}
			noteIdx++
		} else {
			if fi < len(r.fields) {
				line, path = r.fields[fi].line, r.fields[fi].path
			}
			fi++
		}
		rank, fixed := orderRank(v.version, r.kind, name)
		if !fixed {
			continue
		}
		if rank < maxRank {
			v.add(line, path, id, name, CodeOrder, orderMessage(v.version, r.kind, name, maxName))
			continue
		}
		maxRank, maxName = rank, name
	}
}

func orderMessage(version, kind, name, after string) string {
	if version == "1.2" {
		switch {
		case name == "note":
			return "nested notes must come after all fields of a PFIF 1.2 person; <" + after + "> follows a note"
		case kind == "person" && name == "person_record_id", kind == "note" && name == "note_record_id":
			return "<" + name + "> must be the first field of a PFIF 1.2 " + kind + "; it follows <" + after + ">"
		case kind == "note" && name == "person_record_id":
			return "<person_record_id> must come right after <note_record_id> in a PFIF 1.2 note; it follows <" + after + ">"
		case kind == "person":
			return "<" + name + "> must come before the nested notes of a PFIF 1.2 person"
		}
	}
	return "<" + name + "> must come before <" + after + "> in a PFIF " + version + " " + kind + " (PFIF " + version + " fixes the order of fields)"
}

// expiryTime returns the expiry date of a person record of a version that
// has one (1.3+), and whether the record is expired at v.now.
func (v *validator) expiryTime(r *rawRecord) (t time.Time, expired bool) {
	if v.version != "1.3" && v.version != "1.4" {
		return t, false
	}
	exp, ok := r.get("expiry_date")
	if !ok {
		return t, false
	}
	t, err := ParseTime(exp)
	if err != nil {
		return t, false
	}
	return t, !v.now.Before(t.Add(ExpiryGrace))
}

func (v *validator) expired(r *rawRecord) bool {
	_, expired := v.expiryTime(r)
	return expired
}

// expiry reports a person record past its expiry date (plus ExpiryGrace)
// that still carries more than the placeholder fields.
func (v *validator) expiry(r *rawRecord, id string) {
	t, expired := v.expiryTime(r)
	if !expired {
		return
	}
	var extra []string
	for _, f := range r.fields {
		if !placeholderFields[f.name] && strings.TrimSpace(f.value) != "" {
			extra = append(extra, f.name)
		}
	}
	if len(r.notes) > 0 {
		extra = append(extra, itoa(len(r.notes))+" note(s)")
	}
	if len(extra) == 0 {
		return
	}
	v.add(r.line, r.path, id, "expiry_date", CodeExpired,
		"the record expired on "+FormatTime(t)+" but still carries "+strings.Join(extra, ", ")+
			"; an expired record keeps only person_record_id, expiry_date, source_date and entry_date")
}

func unknownMessage(version, kind, name string) string {
	table := personFields
	if kind == "note" {
		table = noteFields
	}
	var in []string
	for _, ver := range []string{"1.1", "1.2", "1.3", "1.4"} {
		if contains(table[ver], name) {
			in = append(in, ver)
		}
	}
	msg := "<" + name + "> is not a " + kind + " field in PFIF " + version
	if kind == "note" && name == "note" {
		return "a note cannot contain another note"
	}
	if len(in) > 0 {
		msg += " (it belongs to PFIF " + strings.Join(in, ", ") + ")"
	}
	return msg
}

var (
	recordIDRE = regexp.MustCompile(`^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\.?/.+$`)
	emailRE    = regexp.MustCompile(`^.+@.+$`)
	phoneRE    = regexp.MustCompile(`^([-.+() ]*\d[-.+() ]*)+([#x]\d+)?$`)
	dobRE      = regexp.MustCompile(`^(\d{4})(-(\d{2})(-(\d{2}))?)?$`)
	ageRE      = regexp.MustCompile(`^\d+(-\d+)?$`)
	countryRE  = regexp.MustCompile(`^[A-Z][A-Z]$`)
	usStateRE  = regexp.MustCompile(`^[A-Z][A-Z]$`)
	isoStateRE = regexp.MustCompile(`^[a-zA-Z0-9]{1,3}$`)
	digitsRE   = regexp.MustCompile(`^\d+$`)
)

// typed fields have a schema type stricter than free text; in PFIF 1.4 an
// empty value does not satisfy it.
var typed = map[string]bool{
	"person_record_id": true, "note_record_id": true, "linked_person_record_id": true,
	"entry_date": true, "expiry_date": true, "source_date": true,
	"author_email": true, "email_of_found_person": true, "author_phone": true, "phone_of_found_person": true,
	"sex": true, "date_of_birth": true, "age": true, "author_made_contact": true, "status": true,
	"home_country": true,
}

// formatProblem checks one value as written (not trimmed: surrounding white
// space is itself a fault in a typed field) and returns what is wrong, or "".
func formatProblem(version, name, v string) string {
	if strings.TrimSpace(v) == "" {
		if version == "1.4" && typed[name] {
			return "<" + name + "> is empty, which its PFIF 1.4 type does not allow; leave the element out instead"
		}
		return ""
	}
	bad := func(want string) string {
		return "<" + name + "> " + quote(v) + " is not " + want
	}
	switch name {
	case "person_record_id", "note_record_id", "linked_person_record_id":
		if !recordIDRE.MatchString(v) {
			return bad(`a record id "domain/unique-id"`)
		}
	case "entry_date", "expiry_date", "source_date":
		if !dateRE.MatchString(v) {
			return bad(`a UTC date-time "yyyy-mm-ddThh:mm:ssZ"`)
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return bad("a real date and time")
		}
	case "author_email", "email_of_found_person":
		if !emailRE.MatchString(v) {
			return bad("an e-mail address")
		}
	case "author_phone", "phone_of_found_person":
		if !phoneRE.MatchString(v) {
			return bad("a phone number (digits, spaces, - . + ( ), optional extension)")
		}
	case "source_url", "photo_url":
		if !httpURL(v) {
			return bad("an http or https URL")
		}
	case "profile_urls":
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" && !httpURL(line) {
				return "<profile_urls> line " + quote(line) + " is not an http or https URL"
			}
		}
	case "sex":
		if !contains(Sexes, v) {
			return bad("female, male or other")
		}
	case "status":
		if !contains(NoteStatuses, v) {
			return bad("one of " + strings.Join(NoteStatuses, ", "))
		}
	case "found", "author_made_contact":
		if v != "true" && v != "false" {
			return bad("true or false")
		}
	case "date_of_birth":
		if !validDOB(v) {
			return bad("a date yyyy, yyyy-mm or yyyy-mm-dd")
		}
	case "age":
		if !ageRE.MatchString(v) {
			return bad(`an age "n" or a range "n-m"`)
		}
	case "home_country":
		if !countryRE.MatchString(v) {
			return bad("an ISO 3166-1 two-letter country code")
		}
	case "home_state":
		switch version {
		case "1.1":
			if !usStateRE.MatchString(v) {
				return bad("a two-letter state code in capitals")
			}
		case "1.2", "1.3":
			if !isoStateRE.MatchString(v) {
				return bad("an ISO 3166-2 subdivision code (1 to 3 letters or digits)")
			}
		}
	case "home_zip":
		if !digitsRE.MatchString(v) {
			return bad("a numeric postal code")
		}
	case "home_postal_code":
		if version == "1.2" && !digitsRE.MatchString(v) {
			return bad("a numeric postal code")
		}
	case "first_name", "last_name", "home_city", "home_neighborhood", "home_street":
		if version == "1.1" && strings.ToUpper(v) != v {
			return bad("written in CAPITALS, as PFIF 1.1 asks")
		}
	}
	return ""
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validDOB(s string) bool {
	m := dobRE.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	switch {
	case m[5] != "":
		_, err := time.Parse("2006-01-02", s)
		return err == nil
	case m[3] != "":
		_, err := time.Parse("2006-01", s)
		return err == nil
	}
	return true
}

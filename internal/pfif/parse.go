package pfif

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Parse reads a PFIF 1.1–1.4 document tolerantly, for import. Field names
// of older versions are mapped to their 1.4 names, a nested note without a
// person_record_id takes its person's id, and values are kept as written.
// Unknown elements, elements of other namespaces, wrong formats and missing
// fields are not errors here (Validate reports them; Importable warns).
//
// Parse fails with errs.Invalid when the input is not well-formed XML, when
// its root is not a pfif element in a PFIF 1.1–1.4 namespace, or when two
// persons (or two notes) share a record id; with errs.TooLarge past the
// package limits.
func Parse(r io.Reader) (*Document, error) {
	const op = "pfif.Parse"
	raw, err := decode(op, r)
	if err != nil {
		return nil, err
	}
	if p := duplicates(raw); len(p) > 0 {
		e := errs.E(op, errs.Invalid, "%s", p[0].Message)
		if p[0].Line > 0 {
			e.Message += " (line " + itoa(p[0].Line) + ")"
		}
		return nil, e
	}
	return documentOf(raw), nil
}

// documentOf maps the raw records to Persons and Notes.
func documentOf(raw *rawDoc) *Document {
	doc := &Document{Version: raw.version}
	for _, rp := range raw.persons {
		p := toPerson(rp)
		for _, rn := range rp.notes {
			n := toNote(rn)
			if strings.TrimSpace(n.PersonRecordID) == "" {
				n.PersonRecordID = p.RecordID
			}
			p.Notes = append(p.Notes, n)
		}
		doc.Persons = append(doc.Persons, p)
	}
	for _, rn := range raw.notes {
		doc.Notes = append(doc.Notes, toNote(rn))
	}
	return doc
}

func toPerson(r *rawRecord) Person {
	var p Person
	set := map[*string]bool{}
	var other string
	var hasOther bool
	for _, f := range r.fields {
		if f.name == "other" {
			if !hasOther {
				other, hasOther = f.value, true
			}
			continue
		}
		ptr := personField(&p, f.name)
		if ptr == nil || set[ptr] {
			continue
		}
		*ptr, set[ptr] = f.value, true
	}
	if hasOther && !set[&p.Description] {
		p.Description = descriptionFromOther(other)
	}
	return p
}

func toNote(r *rawRecord) Note {
	var n Note
	set := map[*string]bool{}
	for _, f := range r.fields {
		ptr := noteField(&n, f.name)
		if ptr == nil || set[ptr] {
			continue
		}
		*ptr, set[ptr] = f.value, true
	}
	return n
}

// descriptionFromOther turns the free "other" field of PFIF 1.1–1.3 into a
// 1.4 description. Person Finder writes it as "description:" followed by
// the text; that label and the white space after it are removed, the rest
// is kept as written.
func descriptionFromOther(other string) string {
	s := strings.TrimLeft(other, " \t\r\n")
	if rest, ok := strings.CutPrefix(s, "description:"); ok {
		return strings.TrimLeft(rest, " \t\r\n")
	}
	return other
}

// duplicates reports every person_record_id used by two persons and every
// note_record_id used by two notes.
func duplicates(raw *rawDoc) []Problem {
	var out []Problem
	seen := map[string]*rawRecord{}
	check := func(r *rawRecord, field string) {
		id := r.id()
		if id == "" {
			return
		}
		key := r.kind + "\x00" + id
		if first, ok := seen[key]; ok {
			out = append(out, Problem{Line: r.line, Path: r.path, Record: id, Field: field, Code: CodeDuplicate,
				Message: "duplicate " + field + " " + quote(id) + ", first used at line " + itoa(first.line)})
			return
		}
		seen[key] = r
	}
	for _, p := range raw.persons {
		check(p, "person_record_id")
	}
	for _, p := range raw.persons {
		for _, n := range p.notes {
			check(n, "note_record_id")
		}
	}
	for _, n := range raw.notes {
		check(n, "note_record_id")
	}
	return out
}

// quote renders a value for a message, shortened to 80 characters.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		s = string(r[:77]) + "..."
	}
	return strconv.Quote(s)
}

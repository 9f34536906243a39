package pfif

import (
	"strings"
	"time"
)

// Import is what a tolerant importer stores from one document, with the
// reasons for what it leaves out.
type Import struct {
	// Persons to store: values trimmed of surrounding white space, full_name
	// derived from given and family name when absent, each carrying its
	// notes (nested ones and top-level ones about it).
	Persons []Person
	// Notes about persons that are not in this document. The caller stores
	// each only if its person already exists, and skips it otherwise.
	Notes []Note
	// Skipped lists every record left out, and why (Code CodeExpired or
	// CodeSkipped).
	Skipped []Problem
	// Warnings lists defects of records that are stored anyway, such as a
	// note without author_name (stored empty).
	Warnings []Problem
}

// NoteCount is the number of notes the import stores, nested or not.
func (im Import) NoteCount() int {
	n := len(im.Notes)
	for _, p := range im.Persons {
		n += len(p.Notes)
	}
	return n
}

// Importable decides what a tolerant import stores at time now.
//
// A person record whose expiry_date lies more than ExpiryGrace before now
// is expired: it is not imported, nor are its notes, and Skipped says so.
// When domains are given, only records whose id lies in one of them are
// imported (a repository writes only its authorized domains); the others are
// skipped. Persons without person_record_id and notes without
// note_record_id or person_record_id are skipped. The entry_date of the
// document is kept as written; a repository that stamps its own entry time
// overwrites it.
func (d *Document) Importable(now time.Time, domains ...string) Import {
	var im Import
	allowed := func(id string) bool {
		if len(domains) == 0 {
			return true
		}
		return contains(domains, Domain(id))
	}
	skip := func(record, path string, code Code, msg string) {
		im.Skipped = append(im.Skipped, Problem{Path: path, Record: record, Code: code, Message: msg})
	}
	warn := func(record, path, field, msg string) {
		im.Warnings = append(im.Warnings, Problem{Path: path, Record: record, Field: field, Code: CodeMissing, Message: msg})
	}

	accepted := map[string]int{}     // person id → index in im.Persons
	notImported := map[string]bool{} // person ids left out
	var notes []Note
	var notePaths []string
	for i, p := range d.Persons {
		path := "pfif/person[" + itoa(i+1) + "]"
		for j, n := range p.Notes {
			notes = append(notes, n)
			notePaths = append(notePaths, path+"/note["+itoa(j+1)+"]")
		}
		p = trimPerson(p)
		p.Notes = nil
		switch {
		case p.RecordID == "":
			skip("", path, CodeSkipped, "person without person_record_id not imported")
			continue
		case !allowed(p.RecordID):
			notImported[p.RecordID] = true
			skip(p.RecordID, path, CodeSkipped, "person not imported: "+quote(Domain(p.RecordID))+" is not an authorized domain")
			continue
		case p.Expired(now):
			notImported[p.RecordID] = true
			skip(p.RecordID, path, CodeExpired, "person record expired on "+p.ExpiryDate+"; not imported")
			continue
		}
		if p.ExpiryDate != "" {
			if _, err := ParseTime(p.ExpiryDate); err != nil {
				warn(p.RecordID, path, "expiry_date", "expiry_date "+quote(p.ExpiryDate)+" is not a date-time; the record is imported without expiry")
			}
		}
		if p.FullName == "" {
			p.FullName = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
		}
		if p.FullName == "" {
			warn(p.RecordID, path, "full_name", "person has no name")
		}
		if p.SourceDate == "" {
			warn(p.RecordID, path, "source_date", "person has no source_date")
		}
		accepted[p.RecordID] = len(im.Persons)
		im.Persons = append(im.Persons, p)
	}
	for i, n := range d.Notes {
		notes = append(notes, n)
		notePaths = append(notePaths, "pfif/note["+itoa(i+1)+"]")
	}
	for i, n := range notes {
		n = trimNote(n)
		path := notePaths[i]
		switch {
		case n.NoteRecordID == "":
			skip("", path, CodeSkipped, "note without note_record_id not imported")
			continue
		case n.PersonRecordID == "":
			skip(n.NoteRecordID, path, CodeSkipped, "note without person_record_id not imported")
			continue
		case !allowed(n.NoteRecordID):
			skip(n.NoteRecordID, path, CodeSkipped, "note not imported: "+quote(Domain(n.NoteRecordID))+" is not an authorized domain")
			continue
		case notImported[n.PersonRecordID]:
			skip(n.NoteRecordID, path, CodeSkipped, "note not imported: its person "+quote(n.PersonRecordID)+" is not imported")
			continue
		}
		if n.AuthorName == "" {
			warn(n.NoteRecordID, path, "author_name", "note has no author_name; stored empty")
		}
		if n.Text == "" {
			warn(n.NoteRecordID, path, "text", "note has no text")
		}
		if n.SourceDate == "" {
			warn(n.NoteRecordID, path, "source_date", "note has no source_date")
		}
		if k, ok := accepted[n.PersonRecordID]; ok {
			im.Persons[k].Notes = append(im.Persons[k].Notes, n)
		} else {
			im.Notes = append(im.Notes, n)
		}
	}
	return im
}

func trimPerson(p Person) Person {
	for _, f := range personFields["1.4"] {
		ptr := personField(&p, f)
		*ptr = strings.TrimSpace(*ptr)
	}
	return p
}

func trimNote(n Note) Note {
	for _, f := range noteFields["1.4"] {
		ptr := noteField(&n, f)
		*ptr = strings.TrimSpace(*ptr)
	}
	return n
}

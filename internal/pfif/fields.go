package pfif

// The field tables of each PFIF version: which fields a person and a note
// may carry, in the order the specification lists them, which are mandatory,
// and where a version fixes the order.

var versions = map[string]string{
	Namespace11: "1.1",
	Namespace12: "1.2",
	Namespace13: "1.3",
	Namespace14: "1.4",
}

// personFields lists the fields of a person record per version, in
// specification order (the order is binding in 1.1).
var personFields = map[string][]string{
	"1.1": {"person_record_id", "entry_date", "author_name", "author_email", "author_phone",
		"source_name", "source_date", "source_url", "first_name", "last_name", "home_city",
		"home_state", "home_neighborhood", "home_street", "home_zip", "photo_url", "other"},
	"1.2": {"person_record_id", "entry_date", "author_name", "author_email", "author_phone",
		"source_name", "source_date", "source_url", "first_name", "last_name", "sex",
		"date_of_birth", "age", "home_street", "home_neighborhood", "home_city", "home_state",
		"home_postal_code", "home_country", "photo_url", "other"},
	"1.3": {"person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
		"author_phone", "source_name", "source_date", "source_url", "full_name", "first_name",
		"last_name", "sex", "date_of_birth", "age", "home_street", "home_neighborhood",
		"home_city", "home_state", "home_postal_code", "home_country", "photo_url", "other"},
	"1.4": {"person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
		"author_phone", "source_name", "source_date", "source_url", "full_name", "given_name",
		"family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
		"home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
		"home_country", "photo_url", "profile_urls"},
}

// noteFields lists the fields of a note record per version.
var noteFields = map[string][]string{
	"1.1": {"note_record_id", "entry_date", "author_name", "author_email", "author_phone",
		"source_date", "found", "email_of_found_person", "phone_of_found_person",
		"last_known_location", "text"},
	"1.2": {"note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
		"author_name", "author_email", "author_phone", "source_date", "found", "status",
		"email_of_found_person", "phone_of_found_person", "last_known_location", "text"},
	"1.3": {"note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
		"author_name", "author_email", "author_phone", "source_date", "found", "status",
		"email_of_found_person", "phone_of_found_person", "last_known_location", "text"},
	"1.4": {"note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
		"author_name", "author_email", "author_phone", "source_date", "author_made_contact",
		"status", "email_of_found_person", "phone_of_found_person", "last_known_location",
		"text", "photo_url"},
}

// mandatory fields per version and record kind ("person", "note" for a
// nested note, "top_note" for a note directly under the root).
var mandatory = map[string]map[string][]string{
	"1.1": {
		"person": {"person_record_id", "first_name", "last_name"},
		"note":   {"note_record_id", "author_name", "source_date", "text"},
	},
	"1.2": {
		"person":   {"person_record_id", "first_name", "last_name"},
		"note":     {"note_record_id", "author_name", "source_date", "text"},
		"top_note": {"note_record_id", "person_record_id", "author_name", "source_date", "text"},
	},
	"1.3": {
		"person":   {"person_record_id", "source_date", "full_name"},
		"note":     {"note_record_id", "author_name", "source_date", "text"},
		"top_note": {"note_record_id", "person_record_id", "author_name", "source_date", "text"},
	},
	"1.4": {
		"person":   {"person_record_id", "source_date", "full_name"},
		"note":     {"note_record_id", "author_name", "source_date", "text"},
		"top_note": {"note_record_id", "person_record_id", "author_name", "source_date", "text"},
	},
}

// orderRank gives, for versions that fix the order of fields, the rank of
// each child of a record; ranks must not decrease along the record. "note"
// stands for nested note elements. PFIF 1.1 fixes the whole sequence; 1.2
// only asks that person_record_id come first in a person, note_record_id
// then person_record_id first in a note, and nested notes after the fields.
// 1.3 and 1.4 leave the order free.
func orderRank(version, kind, field string) (rank int, fixed bool) {
	switch version {
	case "1.1":
		list := personFields["1.1"]
		if kind != "person" {
			list = noteFields["1.1"]
		}
		if field == "note" {
			return len(list), true
		}
		for i, f := range list {
			if f == field {
				return i, true
			}
		}
		return 0, false
	case "1.2":
		if kind == "person" {
			switch field {
			case "person_record_id":
				return 0, true
			case "note":
				return 2, true
			}
			return 1, true
		}
		switch field {
		case "note_record_id":
			return 0, true
		case "person_record_id":
			return 1, true
		}
		return 2, true
	}
	return 0, false
}

// placeholderFields may remain in an expired person record.
var placeholderFields = map[string]bool{
	"person_record_id": true, "expiry_date": true, "source_date": true, "entry_date": true,
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// personField returns the Person field that the element name (of any
// version) fills, or nil for a name that is not a person field.
func personField(p *Person, name string) *string {
	switch name {
	case "person_record_id":
		return &p.RecordID
	case "entry_date":
		return &p.EntryDate
	case "expiry_date":
		return &p.ExpiryDate
	case "author_name":
		return &p.AuthorName
	case "author_email":
		return &p.AuthorEmail
	case "author_phone":
		return &p.AuthorPhone
	case "source_name":
		return &p.SourceName
	case "source_date":
		return &p.SourceDate
	case "source_url":
		return &p.SourceURL
	case "full_name":
		return &p.FullName
	case "given_name", "first_name":
		return &p.GivenName
	case "family_name", "last_name":
		return &p.FamilyName
	case "alternate_names":
		return &p.AlternateNames
	case "description", "other":
		return &p.Description
	case "sex":
		return &p.Sex
	case "date_of_birth":
		return &p.DateOfBirth
	case "age":
		return &p.Age
	case "home_street":
		return &p.HomeStreet
	case "home_neighborhood":
		return &p.HomeNeighborhood
	case "home_city":
		return &p.HomeCity
	case "home_state":
		return &p.HomeState
	case "home_postal_code", "home_zip":
		return &p.HomePostalCode
	case "home_country":
		return &p.HomeCountry
	case "photo_url":
		return &p.PhotoURL
	case "profile_urls":
		return &p.ProfileURLs
	}
	return nil
}

// noteField returns the Note field that the element name (of any version)
// fills, or nil.
func noteField(n *Note, name string) *string {
	switch name {
	case "note_record_id":
		return &n.NoteRecordID
	case "person_record_id":
		return &n.PersonRecordID
	case "linked_person_record_id":
		return &n.LinkedPersonRecordID
	case "entry_date":
		return &n.EntryDate
	case "author_name":
		return &n.AuthorName
	case "author_email":
		return &n.AuthorEmail
	case "author_phone":
		return &n.AuthorPhone
	case "source_date":
		return &n.SourceDate
	case "author_made_contact", "found":
		return &n.AuthorMadeContact
	case "status":
		return &n.Status
	case "email_of_found_person":
		return &n.EmailOfFoundPerson
	case "phone_of_found_person":
		return &n.PhoneOfFoundPerson
	case "last_known_location":
		return &n.LastKnownLocation
	case "text":
		return &n.Text
	case "photo_url":
		return &n.PhotoURL
	}
	return nil
}

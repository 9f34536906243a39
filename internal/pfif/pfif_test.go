package pfif

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// validationTime is the clock of the strict validator in these tests: long
// after the expiry dates of the reference documents.
var validationTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// conformanceDir finds ../shared/testdata/pfif from the module root (the
// directory holding go.mod), wherever the test runs.
func conformanceDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
	pfifDir := filepath.Join(dir, "..", "shared", "testdata", "pfif")
	if _, err := os.Stat(filepath.Join(pfifDir, "expected.json")); err != nil {
		t.Fatalf("conformance data missing: %v", err)
	}
	return pfifDir
}

type expectedFile struct {
	File          string `json:"file"`
	Version       string `json:"version"`
	Persons       int    `json:"persons"`
	Notes         int    `json:"notes"`
	NotesNested   int    `json:"notes_nested"`
	NotesTopLevel int    `json:"notes_top_level"`
	Strict        string `json:"strict"`
	Import        string `json:"import"`
	Clock         string `json:"clock"`
}

func readExpected(t *testing.T, dir string) []expectedFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []expectedFile `json:"files"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Files
}

// finding is a validator problem reduced to what a test can name.
type finding struct {
	Code   Code
	Record string
	Field  string
}

func (f finding) String() string { return fmt.Sprintf("%s %s %s", f.Code, f.Record, f.Field) }

const (
	person21009 = "test.google.com/person.21009"
	note27009   = "test.google.com/note.27009"
	note31095   = "test.google.com/note.31095"
	note40121   = "test.google.com/note.40121"
	note50121   = "test.google.com/note.50121"
)

// conformance restates the reasons expected.json gives in prose, file by
// file: the findings the strict validator must report (want, all of them),
// whether its order findings must be exactly those (PFIF 1.1 documents
// break the order in many places), and what the importer stores.
var conformance = map[string]struct {
	want            []finding
	orderNotExact   bool
	persons, notes  int // stored by Importable at validationTime (notes: nested + pending)
	pending         int // top-level notes whose person the caller must look up
	skipped         int
	warnings        bool
	domain          string // when set, also import with writes restricted to this domain
	domainPersons   int
	domainNotes     int
	domainSkippedID string
}{
	"tests__test.pfif-1.1.xml": {
		want: []finding{
			{CodeOrder, person21009, "author_name"},
			{CodeOrder, person21009, "last_name"},
			{CodeFormat, person21009, "first_name"},
			{CodeFormat, person21009, "home_city"},
			{CodeFormat, person21009, "home_state"},
			{CodeFormat, person21009, "home_zip"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, person21009, "author_phone"},
			{CodeFormat, person21009, "photo_url"},
		},
		orderNotExact: true,
		persons:       1, notes: 2,
	},
	"tests__test.pfif-1.2.xml": {
		want: []finding{
			{CodeMissing, note40121, "author_name"},
			{CodeMissing, note50121, "author_name"},
			{CodeOrder, person21009, "person_record_id"},
			{CodeOrder, note31095, "note_record_id"},
			{CodeOrder, note40121, "note_record_id"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, person21009, "author_phone"},
			{CodeFormat, person21009, "source_url"},
		},
		persons: 1, notes: 4, warnings: true,
	},
	"tests__test.pfif-1.2-badrecord.xml": {
		want: []finding{
			{CodeMissing, note40121, "author_name"},
			{CodeMissing, note50121, "author_name"},
			{CodeOrder, person21009, "person_record_id"},
			{CodeOrder, "foo.google.com/person.666", "person_record_id"},
			{CodeOrder, note31095, "note_record_id"},
			{CodeOrder, note40121, "note_record_id"},
			{CodeFormat, person21009, "author_email"},
		},
		persons: 2, notes: 4, warnings: true,
		domain: "test.google.com", domainPersons: 1, domainNotes: 4, domainSkippedID: "foo.google.com/person.666",
	},
	"tests__test.pfif-1.2-believed-dead.xml": {
		want: []finding{
			{CodeFormat, "test.google.com/note.218", "author_email"},
			{CodeFormat, "test.google.com/note.218", "author_phone"},
		},
		notes: 1, pending: 1,
	},
	"tests__test.pfif-1.2-note.xml": {
		want: []finding{
			{CodeOrder, note31095, "note_record_id"},
			{CodeFormat, note27009, "author_email"},
		},
		notes: 2, pending: 2,
	},
	"tests__test.pfif-1.2-notification.xml": {
		want: []finding{
			{CodeFormat, note27009, "author_email"},
			{CodeFormat, note27009, "author_phone"},
		},
		notes: 1, pending: 1,
	},
	"tests__test.pfif-1.2-source.xml": {
		want: []finding{
			{CodeOrder, "mytestdomain.com/person.21009", "person_record_id"},
			{CodeFormat, "mytestdomain.com/person.21009", "author_email"},
			{CodeFormat, "mytestdomain.com/person.21009", "source_url"},
		},
		persons: 1,
	},
	"tests__test.pfif-1.4.xml": {
		want: []finding{
			{CodeMissing, note40121, "author_name"},
			{CodeMissing, note50121, "author_name"},
			{CodeFormat, note31095, "email_of_found_person"},
			{CodeFormat, note31095, "phone_of_found_person"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, person21009, "profile_urls"},
		},
		persons: 1, notes: 4, warnings: true,
	},
	"roundtrip__1.4-prefixed.xml": {
		want: []finding{
			{CodeExpired, person21009, "expiry_date"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, note27009, "phone_of_found_person"},
		},
		skipped: 2, // the expired person and its note
	},
	"roundtrip__1.3-prefixed.xml": {
		want: []finding{
			{CodeExpired, person21009, "expiry_date"},
			{CodeFormat, person21009, "home_state"},
			{CodeFormat, person21009, "author_email"},
		},
		skipped: 2,
	},
	"roundtrip__1.2-prefixed.xml": {
		want: []finding{
			{CodeFormat, person21009, "home_postal_code"},
			{CodeFormat, person21009, "home_state"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, person21009, "source_url"},
		},
		persons: 1, notes: 1,
	},
	"roundtrip__1.1-prefixed.xml": {
		want: []finding{
			{CodeFormat, person21009, "first_name"},
			{CodeFormat, person21009, "home_state"},
			{CodeFormat, person21009, "home_zip"},
			{CodeFormat, person21009, "author_email"},
			{CodeFormat, note27009, "author_phone"},
		},
		persons: 1, notes: 1,
	},
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	files := readExpected(t, dir)

	xmls, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(files), len(xmls); got != want {
		t.Errorf("expected.json describes %d documents, want one for each of the %d XML files", got, want)
	}

	for _, exp := range files {
		t.Run(exp.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, exp.File))
			if err != nil {
				t.Fatal(err)
			}
			c, ok := conformance[exp.File]
			if !ok {
				t.Fatalf("no conformance entry for %s", exp.File)
			}

			doc, err := Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkCounts(t, doc, exp)

			vdoc, problems, err := Validate(bytes.NewReader(data), validationTime)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !reflect.DeepEqual(vdoc, doc) {
				t.Errorf("Validate's document differs from Parse's")
			}
			checkVerdict(t, exp.Strict, problems)
			checkFindings(t, problems, c.want, c.orderNotExact)
			checkGolden(t, exp.File, problems)

			im := doc.Importable(validationTime)
			if got := len(im.Persons); got != c.persons {
				t.Errorf("import: got %d persons, want %d (%s)", got, c.persons, exp.Import)
			}
			if got := im.NoteCount(); got != c.notes {
				t.Errorf("import: got %d notes, want %d (%s)", got, c.notes, exp.Import)
			}
			if got := len(im.Notes); got != c.pending {
				t.Errorf("import: got %d notes pending a person lookup, want %d", got, c.pending)
			}
			if got := len(im.Skipped); got != c.skipped {
				t.Errorf("import: got %d skipped %v, want %d", got, im.Skipped, c.skipped)
			}
			if got := len(im.Warnings) > 0; got != c.warnings {
				t.Errorf("import: got warnings %v, want warnings: %v", im.Warnings, c.warnings)
			}
			if c.domain != "" {
				dim := doc.Importable(validationTime, c.domain)
				if len(dim.Persons) != c.domainPersons || dim.NoteCount() != c.domainNotes {
					t.Errorf("import for domain %s: got %d persons + %d notes, want %d + %d",
						c.domain, len(dim.Persons), dim.NoteCount(), c.domainPersons, c.domainNotes)
				}
				if len(dim.Skipped) != 1 || dim.Skipped[0].Record != c.domainSkippedID {
					t.Errorf("import for domain %s: got skipped %v, want only %s", c.domain, dim.Skipped, c.domainSkippedID)
				}
			}
			if exp.Clock != "" {
				checkClock(t, doc, data)
			}
		})
	}
}

func checkCounts(t *testing.T, doc *Document, exp expectedFile) {
	t.Helper()
	nested := 0
	for _, p := range doc.Persons {
		nested += len(p.Notes)
	}
	if doc.Version != exp.Version {
		t.Errorf("version: got %q, want %q", doc.Version, exp.Version)
	}
	if got := len(doc.Persons); got != exp.Persons {
		t.Errorf("persons: got %d, want %d", got, exp.Persons)
	}
	if nested != exp.NotesNested {
		t.Errorf("nested notes: got %d, want %d", nested, exp.NotesNested)
	}
	if got := len(doc.Notes); got != exp.NotesTopLevel {
		t.Errorf("top-level notes: got %d, want %d", got, exp.NotesTopLevel)
	}
	if got := nested + len(doc.Notes); got != exp.Notes {
		t.Errorf("notes: got %d, want %d", got, exp.Notes)
	}
}

// checkVerdict reads the verdict of expected.json: "VALID structure" allows
// format problems only; "INVALID (format only)" wants problems but no
// missing mandatory field; "INVALID" wants problems.
func checkVerdict(t *testing.T, strict string, problems []Problem) {
	t.Helper()
	codes := map[Code]int{}
	for _, p := range problems {
		codes[p.Code]++
	}
	switch {
	case strings.HasPrefix(strict, "VALID"):
		for code, n := range codes {
			if code != CodeFormat {
				t.Errorf("verdict %q: got %d %s problems, want format problems only", strict, n, code)
			}
		}
	case strings.HasPrefix(strict, "INVALID (format only)"):
		if len(problems) == 0 {
			t.Errorf("verdict %q: got no problems", strict)
		}
		if codes[CodeMissing] > 0 {
			t.Errorf("verdict %q: got %d missing fields, want none", strict, codes[CodeMissing])
		}
	case strings.HasPrefix(strict, "INVALID"):
		if len(problems) == 0 {
			t.Errorf("verdict %q: got no problems", strict)
		}
	default:
		t.Fatalf("unknown verdict %q", strict)
	}
	// Every problem is placed.
	for _, p := range problems {
		if p.Line == 0 || p.Path == "" || p.Message == "" {
			t.Errorf("problem without line, path or message: %+v", p)
		}
	}
}

// checkFindings wants every finding of want, and no finding of a
// structural code (anything but format, and order when orderNotExact) that
// want does not list.
func checkFindings(t *testing.T, problems []Problem, want []finding, orderNotExact bool) {
	t.Helper()
	got := map[finding]bool{}
	for _, p := range problems {
		got[finding{p.Code, p.Record, p.Field}] = true
	}
	wanted := map[finding]bool{}
	for _, f := range want {
		wanted[f] = true
		if !got[f] {
			t.Errorf("missing finding %v", f)
		}
	}
	var extra []string
	for f := range got {
		if f.Code == CodeFormat || (f.Code == CodeOrder && orderNotExact) || wanted[f] {
			continue
		}
		extra = append(extra, f.String())
	}
	sort.Strings(extra)
	for _, f := range extra {
		t.Errorf("unexpected finding %s", f)
	}
}

// checkGolden compares the validator's report with testdata/validate/FILE.txt.
func checkGolden(t *testing.T, file string, problems []Problem) {
	t.Helper()
	var b strings.Builder
	for _, p := range problems {
		fmt.Fprintf(&b, "%s\t%s\n", p.Code, p)
	}
	path := filepath.Join("testdata", "validate", strings.TrimSuffix(file, ".xml")+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("validator report differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// checkClock: the expiry date plus one day is the edge between a full
// import and an expired record that is not imported.
func checkClock(t *testing.T, doc *Document, data []byte) {
	t.Helper()
	exp, err := ParseTime(doc.Persons[0].ExpiryDate)
	if err != nil {
		t.Fatalf("expiry_date: %v", err)
	}
	edge := exp.Add(ExpiryGrace)

	before := doc.Importable(edge.Add(-time.Second))
	if len(before.Persons) != 1 || before.NoteCount() != 1 || len(before.Skipped) != 0 {
		t.Errorf("import just before expiry: got %d persons, %d notes, skipped %v; want 1, 1, none",
			len(before.Persons), before.NoteCount(), before.Skipped)
	}
	after := doc.Importable(edge)
	if len(after.Persons) != 0 || after.NoteCount() != 0 {
		t.Errorf("import at expiry: got %d persons, %d notes; want none", len(after.Persons), after.NoteCount())
	}
	if len(after.Skipped) == 0 || after.Skipped[0].Code != CodeExpired || !strings.Contains(after.Skipped[0].Message, "expired") {
		t.Errorf("import at expiry: got skipped %v, want the person reported as expired", after.Skipped)
	}

	_, problems, err := Validate(bytes.NewReader(data), edge.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if p.Code == CodeExpired {
			t.Errorf("validate before expiry: got %v", p)
		}
	}
}

func parseFile(t *testing.T, name string) (*Document, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(conformanceDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Parse %s: %v", name, err)
	}
	return doc, data
}

// TestFieldMapping checks the details expected.json lists for the values
// of parsed and imported records.
func TestFieldMapping(t *testing.T) {
	t.Run("1.1", func(t *testing.T) {
		doc, _ := parseFile(t, "tests__test.pfif-1.1.xml")
		im := doc.Importable(validationTime)
		p := im.Persons[0]
		wantEq(t, "given_name", p.GivenName, "_test_first_name")
		wantEq(t, "family_name", p.FamilyName, "_test_last_name")
		wantEq(t, "full_name", p.FullName, "_test_first_name _test_last_name")
		wantEq(t, "home_postal_code", p.HomePostalCode, "_test_home_zip")
		wantEq(t, "description", p.Description, "_test_description")
		wantEq(t, "home_city", p.HomeCity, "_test_home_city")
		wantEq(t, "note 1 id", p.Notes[0].NoteRecordID, note27009)
		wantEq(t, "note 1 person", p.Notes[0].PersonRecordID, person21009)
		wantEq(t, "note 2 person", p.Notes[1].PersonRecordID, person21009)
		wantEq(t, "note 1 author_made_contact", p.Notes[0].AuthorMadeContact, "true")
		if made, known := p.Notes[1].MadeContact(); known {
			t.Errorf("note 2 author_made_contact: got known %v, want unknown", made)
		}
		wantEq(t, "note 2 email_of_found_person", p.Notes[1].EmailOfFoundPerson, "")
	})
	t.Run("1.2", func(t *testing.T) {
		doc, _ := parseFile(t, "tests__test.pfif-1.2.xml")
		p := doc.Importable(validationTime).Persons[0]
		wantEq(t, "full_name", p.FullName, "_test_first_name _test_last_name")
		wantEq(t, "description", p.Description, "_test_description")
		wantEq(t, "27009 linked", p.Notes[0].LinkedPersonRecordID, "test.google.com/person.999")
		wantEq(t, "31095 status", p.Notes[1].Status, "")
		wantEq(t, "31095 author_made_contact", p.Notes[1].AuthorMadeContact, "true")
		wantEq(t, "40121 author_made_contact", p.Notes[2].AuthorMadeContact, "")
		wantEq(t, "40121 status", p.Notes[2].Status, "is_note_author")
		wantEq(t, "50121 author_made_contact", p.Notes[3].AuthorMadeContact, "false")
	})
	t.Run("1.2-note", func(t *testing.T) {
		doc, _ := parseFile(t, "tests__test.pfif-1.2-note.xml")
		wantEq(t, "27009 status", doc.Notes[0].Status, "believed_missing")
		wantEq(t, "27009 author_made_contact", doc.Notes[0].AuthorMadeContact, "false")
		wantEq(t, "31095 author_made_contact", doc.Notes[1].AuthorMadeContact, "")
		wantEq(t, "31095 person", doc.Notes[1].PersonRecordID, "test.google.com/person.21010")
	})
	t.Run("1.4", func(t *testing.T) {
		doc, _ := parseFile(t, "tests__test.pfif-1.4.xml")
		p := doc.Importable(validationTime).Persons[0]
		wantEq(t, "full_name", p.FullName, "_test_full_name1\n_test_full_name2")
		wantEq(t, "alternate_names", p.AlternateNames, "_test_alternate_name1\n_test_alternate_name2")
		wantEq(t, "profile_urls", p.ProfileURLs, "_test_profile_url1\n_test_profile_url2")
		wantEq(t, "date_of_birth", p.DateOfBirth, "1970-01")
		wantEq(t, "age", p.Age, "35-45")
		wantEq(t, "home_city", p.HomeCity, "_test_home_city")
		wantEq(t, "27009 photo_url", p.Notes[0].PhotoURL, "_test_note_photo_url")
	})
	t.Run("roundtrip 1.4", func(t *testing.T) {
		doc, _ := parseFile(t, "roundtrip__1.4-prefixed.xml")
		p := doc.Persons[0]
		wantEq(t, "description", p.Description, "_test_description & < > \"\n")
		wantEq(t, "note text", p.Notes[0].Text, "_test_text\n    line two\n")
		wantEq(t, "author_made_contact", p.Notes[0].AuthorMadeContact, "true")
		wantEq(t, "status", p.Notes[0].Status, "believed_alive")
		wantEq(t, "linked", p.Notes[0].LinkedPersonRecordID, "test.google.com/person.777")
	})
	t.Run("roundtrip 1.3", func(t *testing.T) {
		doc, _ := parseFile(t, "roundtrip__1.3-prefixed.xml")
		p := doc.Persons[0]
		wantEq(t, "given_name", p.GivenName, "_test_given_name")
		wantEq(t, "family_name", p.FamilyName, "_test_family_name")
		wantEq(t, "description", p.Description, "_test_description & < > \"\n")
		wantEq(t, "author_made_contact", p.Notes[0].AuthorMadeContact, "true")
	})
	t.Run("roundtrip 1.1", func(t *testing.T) {
		doc, _ := parseFile(t, "roundtrip__1.1-prefixed.xml")
		wantEq(t, "note person", doc.Persons[0].Notes[0].PersonRecordID, person21009)
		wantEq(t, "home_postal_code", doc.Persons[0].HomePostalCode, "_test_home_zip")
	})
}

func wantEq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// TestWriteReproducesPersonFinder: writing the records of the PFIF 1.4
// round-trip document gives it back byte for byte, as Person Finder does.
func TestWriteReproducesPersonFinder(t *testing.T) {
	doc, data := parseFile(t, "roundtrip__1.4-prefixed.xml")
	var buf bytes.Buffer
	if err := Write(&buf, doc.Persons, doc.Notes); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(data) {
		t.Errorf("Write output differs from the document:\ngot:\n%s\nwant:\n%s", got, data)
	}
}

// TestRoundTrip: Write then Parse gives the same records, for every
// reference document and for values with characters that need escaping.
func TestRoundTrip(t *testing.T) {
	dir := conformanceDir(t)
	xmls, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]*Document{}
	for _, f := range xmls {
		doc, _ := parseFile(t, filepath.Base(f))
		docs[filepath.Base(f)] = doc
	}
	docs["escaping"] = &Document{
		Persons: []Person{{
			RecordID:    "example.org/person.1",
			FullName:    "Щербак Андрій\nShcherbak Andrii",
			Description: "a & b < c > d \" e ' f ]]> g\r\nh\ttab  ",
			SourceDate:  "2024-01-02T03:04:05Z",
			Notes: []Note{{
				NoteRecordID: "example.org/note.1", PersonRecordID: "example.org/person.1",
				Text: "  leading and trailing  ", AuthorName: "<script>",
			}},
		}},
		Notes: []Note{{NoteRecordID: "example.org/note.2", PersonRecordID: "example.org/person.9", Status: "believed_alive"}},
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, doc.Persons, doc.Notes); err != nil {
				t.Fatal(err)
			}
			back, err := Parse(&buf)
			if err != nil {
				t.Fatalf("Parse of written document: %v\n%s", err, buf.String())
			}
			if back.Version != "1.4" {
				t.Errorf("version: got %q, want 1.4", back.Version)
			}
			if !reflect.DeepEqual(back.Persons, doc.Persons) {
				t.Errorf("persons differ:\ngot  %+v\nwant %+v", back.Persons, doc.Persons)
			}
			if !reflect.DeepEqual(back.Notes, doc.Notes) {
				t.Errorf("notes differ:\ngot  %+v\nwant %+v", back.Notes, doc.Notes)
			}
		})
	}
}

func TestWriteValid(t *testing.T) {
	persons := []Person{{
		RecordID: "example.org/person.1", EntryDate: "2024-01-02T03:04:05Z", SourceDate: "2024-01-02T03:04:05Z",
		FullName: "Andrii Shcherbak", GivenName: "Andrii", FamilyName: "Shcherbak", Sex: "male",
		DateOfBirth: "1990-05-17", Age: "34", HomeCountry: "UA", AuthorName: "Registrar",
		AuthorEmail: "registrar@example.org", SourceURL: "https://example.org/p/1",
		Notes: []Note{{
			NoteRecordID: "example.org/note.1", PersonRecordID: "example.org/person.1",
			AuthorName: "Registrar", SourceDate: "2024-01-03T00:00:00Z", Text: "Seen at the crossing.",
			AuthorMadeContact: "true", Status: "believed_alive",
		}},
	}}
	var buf bytes.Buffer
	if err := Write(&buf, persons, nil); err != nil {
		t.Fatal(err)
	}
	_, problems, err := Validate(&buf, validationTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("got problem %v, want none", p)
	}
}

func TestBadInput(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	deep := head + `<pfif xmlns="http://zesty.ca/pfif/1.4"><person>` + strings.Repeat("<x>", MaxDepth) + strings.Repeat("</x>", MaxDepth) + `</person></pfif>`
	huge := head + `<pfif xmlns="http://zesty.ca/pfif/1.4"><person><full_name>` + strings.Repeat("a", MaxFieldBytes+1) + `</full_name></person></pfif>`
	laughs := head + `<!DOCTYPE pfif [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
		`<pfif xmlns="http://zesty.ca/pfif/1.4"><person><full_name>&b;</full_name></person></pfif>`
	external := head + `<!DOCTYPE pfif [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
		`<pfif xmlns="http://zesty.ca/pfif/1.4"><person><full_name>&x;</full_name></person></pfif>`
	tests := []struct {
		name  string
		input string
		kind  errs.Kind
		want  string // in the message
	}{
		{"empty", "", errs.Invalid, "no XML element"},
		{"text", "person_record_id,full_name\nexample.org/1,Andrii\n", errs.Invalid, "text outside the root"},
		{"json", `{"persons": []}`, errs.Invalid, "text outside the root"},
		{"binary", "\x00\x01\x02\xff\xfe", errs.Invalid, ""},
		{"truncated", head + `<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:full_name>x`, errs.Invalid, "XML"},
		{"mismatched tags", head + `<pfif xmlns="http://zesty.ca/pfif/1.4"><person></note></pfif>`, errs.Invalid, "not well-formed"},
		{"html", "<!DOCTYPE html><html><body>hi</body></html>", errs.Invalid, "<html>"},
		{"no namespace", head + `<pfif><person/></pfif>`, errs.Invalid, "no namespace"},
		{"future version", head + `<pfif xmlns="http://zesty.ca/pfif/1.5"><person/></pfif>`, errs.Invalid, "unknown namespace"},
		{"undeclared prefix", head + `<pfif:pfif><pfif:person/></pfif:pfif>`, errs.Invalid, "namespace"},
		{"other root", head + `<feed xmlns="http://www.w3.org/2005/Atom"/>`, errs.Invalid, "<feed>"},
		{"unsupported charset", `<?xml version="1.0" encoding="Shift_JIS"?><pfif xmlns="http://zesty.ca/pfif/1.4"/>`, errs.Invalid, "charset"},
		{"too deep", deep, errs.Invalid, "deeper"},
		{"field too long", huge, errs.TooLarge, "longer"},
		{"entity expansion", laughs, errs.Invalid, "entity"},
		{"external entity", external, errs.Invalid, "entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(strings.NewReader(tt.input))
			checkErr(t, "Parse", doc == nil, err, tt.kind, tt.want)
			vdoc, problems, err := Validate(strings.NewReader(tt.input), validationTime)
			checkErr(t, "Validate", vdoc == nil && problems == nil, err, tt.kind, tt.want)
		})
	}
}

func checkErr(t *testing.T, fn string, nilResult bool, err error, kind errs.Kind, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", fn, kind)
	}
	if !nilResult {
		t.Errorf("%s: got a result with the error", fn)
	}
	if got := errs.KindOf(err); got != kind {
		t.Errorf("%s: got kind %q (%v), want %q", fn, got, err, kind)
	}
	if msg := errs.MessageOf(err); !strings.Contains(msg, want) {
		t.Errorf("%s: got message %q, want it to mention %q", fn, msg, want)
	}
}

func TestDuplicateIDs(t *testing.T) {
	const ns = `<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">`
	person := func(id string) string {
		return `<pfif:person><pfif:person_record_id>` + id + `</pfif:person_record_id><pfif:full_name>X</pfif:full_name>` +
			`<pfif:source_date>2024-01-01T00:00:00Z</pfif:source_date></pfif:person>`
	}
	note := func(id string) string {
		return `<pfif:note><pfif:note_record_id>` + id + `</pfif:note_record_id><pfif:person_record_id>example.org/p.1</pfif:person_record_id>` +
			`<pfif:author_name>A</pfif:author_name><pfif:source_date>2024-01-01T00:00:00Z</pfif:source_date><pfif:text>t</pfif:text></pfif:note>`
	}
	tests := []struct {
		name, input, field, id string
	}{
		{"persons", ns + person("example.org/p.1") + "\n" + person("example.org/p.2") + "\n" + person("example.org/p.1") + `</pfif:pfif>`,
			"person_record_id", "example.org/p.1"},
		{"persons with white space", ns + person("example.org/p.1") + person(" example.org/p.1\n") + `</pfif:pfif>`,
			"person_record_id", "example.org/p.1"},
		{"notes", ns + note("example.org/n.1") + note("example.org/n.1") + `</pfif:pfif>`,
			"note_record_id", "example.org/n.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.input))
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Parse: got %v, want an Invalid error", err)
			}
			if msg := errs.MessageOf(err); !strings.Contains(msg, "duplicate "+tt.field) || !strings.Contains(msg, tt.id) {
				t.Errorf("Parse: got message %q, want it to name the duplicate %s %s", msg, tt.field, tt.id)
			}
			_, problems, err := Validate(strings.NewReader(tt.input), validationTime)
			if err != nil {
				t.Fatalf("Validate: got error %v, want problems", err)
			}
			var dups int
			for _, p := range problems {
				if p.Code == CodeDuplicate && p.Record == tt.id {
					dups++
				}
			}
			if dups != 1 {
				t.Errorf("Validate: got %d duplicate problems in %v, want 1", dups, problems)
			}
		})
	}
}

// TestValidateReportsEverything: one document with many faults gets one
// problem per fault, not just the first.
func TestValidateReportsEverything(t *testing.T) {
	input := `<?xml version="1.0" encoding="UTF-8"?>
<pfif xmlns="http://zesty.ca/pfif/1.3" xmlns:x="urn:example:extension">
  <person>
    <person_record_id>no-domain</person_record_id>
    <entry_date>2024-13-01T00:00:00Z</entry_date>
    <source_date>2024-01-01 00:00:00</source_date>
    <full_name>A<b>B</b></full_name>
    <given_name>Andrii</given_name>
    <sex>M</sex>
    <date_of_birth>1990-02-30</date_of_birth>
    <age>about 30</age>
    <home_country>Ukraine</home_country>
    <photo_url>ftp://example.org/a.jpg</photo_url>
    <sex>male</sex>
    <x:rank>private</x:rank>
    <note>
      <note_record_id>example.org/n.1</note_record_id>
      <person_record_id>example.org/other</person_record_id>
      <status>found</status>
      <found>yes</found>
      <photo_url>https://example.org/n.jpg</photo_url>
      <text>t</text>
    </note>
  </person>
  <note>
    <note_record_id>example.org/n.2</note_record_id>
  </note>
</pfif>`
	_, problems, err := Validate(strings.NewReader(input), validationTime)
	if err != nil {
		t.Fatal(err)
	}
	want := []finding{
		{CodeFormat, "no-domain", "person_record_id"},
		{CodeFormat, "no-domain", "entry_date"},
		{CodeFormat, "no-domain", "source_date"},
		{CodeStructure, "no-domain", "full_name"},
		{CodeUnknown, "no-domain", "given_name"},
		{CodeFormat, "no-domain", "sex"},
		{CodeFormat, "no-domain", "date_of_birth"},
		{CodeFormat, "no-domain", "age"},
		{CodeFormat, "no-domain", "home_country"},
		{CodeFormat, "no-domain", "photo_url"},
		{CodeRepeated, "no-domain", "sex"},
		{CodeMismatch, "example.org/n.1", "person_record_id"},
		{CodeFormat, "example.org/n.1", "status"},
		{CodeFormat, "example.org/n.1", "found"},
		{CodeUnknown, "example.org/n.1", "photo_url"},
		{CodeMissing, "example.org/n.1", "author_name"},
		{CodeMissing, "example.org/n.1", "source_date"},
		{CodeMissing, "example.org/n.2", "person_record_id"},
		{CodeMissing, "example.org/n.2", "author_name"},
		{CodeMissing, "example.org/n.2", "source_date"},
		{CodeMissing, "example.org/n.2", "text"},
	}
	got := map[finding]bool{}
	for _, p := range problems {
		got[finding{p.Code, p.Record, p.Field}] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("missing finding %v", f)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d:", len(problems), len(want))
		for _, p := range problems {
			t.Logf("  %s %v", p.Code, p)
		}
	}
	for i := 1; i < len(problems); i++ {
		if problems[i].Line < problems[i-1].Line {
			t.Errorf("problems not in document order: line %d after line %d", problems[i].Line, problems[i-1].Line)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2010-02-16T02:07:57Z", true},
		{"2010-02-16T02:07:57.25Z", true},
		{" 2010-02-16T02:07:57Z\n", true},
		{"1234-56-78T90:12:34Z", false},
		{"2010-02-16T02:07:57+01:00", false},
		{"2010-02-16", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := ParseTime(tt.in)
		if got := err == nil; got != tt.ok {
			t.Errorf("ParseTime(%q): got ok %v, want %v (%v)", tt.in, got, tt.ok, err)
		}
	}
}

func TestExpired(t *testing.T) {
	p := Person{ExpiryDate: "2010-02-16T02:07:57Z"}
	tests := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2010, 2, 16, 2, 7, 57, 0, time.UTC), false},
		{time.Date(2010, 2, 17, 2, 7, 56, 0, time.UTC), false},
		{time.Date(2010, 2, 17, 2, 7, 57, 0, time.UTC), true},
		{validationTime, true},
	}
	for _, tt := range tests {
		if got := p.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%v): got %v, want %v", tt.now, got, tt.want)
		}
	}
	if (Person{}).Expired(validationTime) {
		t.Errorf("a person without expiry_date: got expired, want not")
	}
	if (Person{ExpiryDate: "soon"}).Expired(validationTime) {
		t.Errorf("a person with an unreadable expiry_date: got expired, want not")
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"test.google.com/person.21009": "test.google.com",
		" example.org/a/b ":            "example.org",
		"no-slash":                     "",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestLatin1(t *testing.T) {
	input := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<pfif xmlns=\"http://zesty.ca/pfif/1.4\"><person>" +
		"<person_record_id>example.org/p.1</person_record_id><full_name>Jos\xe9 M\xfcller</full_name></person></pfif>"
	doc, err := Parse(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "full_name", doc.Persons[0].FullName, "José Müller")
}

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	var persons []Person
	for i := range 1000 {
		persons = append(persons, Person{
			RecordID: fmt.Sprintf("example.org/person.%d", i), FullName: "Andrii Shcherbak", SourceDate: "2024-01-02T03:04:05Z",
			Notes: []Note{{NoteRecordID: fmt.Sprintf("example.org/note.%d", i), PersonRecordID: fmt.Sprintf("example.org/person.%d", i),
				AuthorName: "A", SourceDate: "2024-01-02T03:04:05Z", Text: "text"}},
		})
	}
	if err := Write(&buf, persons, nil); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

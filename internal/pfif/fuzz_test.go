package pfif

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse and Validate never panic, agree on what they can read,
// and whatever Parse accepts, Write writes in a form Parse reads back.
func FuzzParse(f *testing.F) {
	xmls, err := filepath.Glob(filepath.Join(conformanceDir(f), "*.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range xmls {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("<pfif xmlns='http://zesty.ca/pfif/1.2'><note><note_record_id>a/b</note_record_id></note></pfif>"))
	f.Add([]byte("<pfif xmlns='http://zesty.ca/pfif/1.4'><person><person_record_id>a/b</person_record_id></person><person><person_record_id>a/b</person_record_id></person></pfif>"))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a 'b'>]><pfif xmlns='http://zesty.ca/pfif/1.3'>&a;</pfif>"))

	f.Fuzz(func(t *testing.T, data []byte) {
		doc, perr := Parse(bytes.NewReader(data))
		vdoc, problems, verr := Validate(bytes.NewReader(data), validationTime)
		if verr == nil && vdoc == nil {
			t.Fatal("Validate: got neither a document nor an error")
		}
		if verr != nil && perr == nil {
			t.Fatalf("Validate failed (%v) where Parse succeeded", verr)
		}
		if perr != nil {
			return
		}
		for _, p := range problems {
			if p.Message == "" {
				t.Errorf("problem without a message: %+v", p)
			}
		}
		doc.Importable(validationTime)
		var buf bytes.Buffer
		if err := Write(&buf, doc.Persons, doc.Notes); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(&buf); err != nil {
			t.Fatalf("Parse of Write output: %v\n%s", err, buf.String())
		}
	})
}

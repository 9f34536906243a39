package pfif_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"lifeline/internal/pfif"
)

const exampleDoc = `<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
    <pfif:source_date>2024-01-02T03:04:05Z</pfif:source_date>
    <pfif:full_name>Andrii Shcherbak</pfif:full_name>
    <pfif:sex>m</pfif:sex>
  </pfif:person>
  <pfif:person>
    <!-- expired: reduced to its placeholder fields, as the specification asks -->
    <pfif:person_record_id>example.org/person.2</pfif:person_record_id>
    <pfif:expiry_date>2020-01-01T00:00:00Z</pfif:expiry_date>
    <pfif:source_date>2019-01-01T00:00:00Z</pfif:source_date>
  </pfif:person>
</pfif:pfif>`

func ExampleValidate() {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	_, problems, err := pfif.Validate(strings.NewReader(exampleDoc), now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// line 7: pfif/person[1]/sex: <sex> "m" is not female, male or other (record example.org/person.1)
}

func ExampleDocument_Importable() {
	doc, err := pfif.Parse(strings.NewReader(exampleDoc))
	if err != nil {
		fmt.Println(err)
		return
	}
	im := doc.Importable(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, p := range im.Persons {
		fmt.Println("import", p.RecordID, p.FullName)
	}
	for _, s := range im.Skipped {
		fmt.Println("skip", s.Record+":", s.Message)
	}
	if err := pfif.Write(os.Stdout, im.Persons, im.Notes); err != nil {
		fmt.Println(err)
	}
	// Output:
	// import example.org/person.1 Andrii Shcherbak
	// skip example.org/person.2: person record expired on 2020-01-01T00:00:00Z; not imported
	// <?xml version="1.0" encoding="UTF-8"?>
	// <pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
	//   <pfif:person>
	//     <pfif:person_record_id>example.org/person.1</pfif:person_record_id>
	//     <pfif:source_date>2024-01-02T03:04:05Z</pfif:source_date>
	//     <pfif:full_name>Andrii Shcherbak</pfif:full_name>
	//     <pfif:sex>m</pfif:sex>
	//   </pfif:person>
	// </pfif:pfif>
}

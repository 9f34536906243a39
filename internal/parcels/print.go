package parcels

import (
	"strings"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/pdf"
	"lifeline/internal/registry"
	"lifeline/internal/translit"
)

// Print is what a parcel's label and packing list show, gathered from the
// records: the parcel, its items, the person, the facility it goes to, the
// sending party and, for replies, the family member it goes to.
type Print struct {
	Parcel   Parcel
	Items    []correspondence.Item
	Person   *registry.Person
	Facility registry.Facility      // for mail to a detainee
	From     registry.Party         // the sending party
	To       registry.Party         // the receiving party
	Family   *correspondence.Sender // for replies
}

// LatinName returns the Latin spelling of a person's name to print: the
// first one on record, or a romanization of the native name (the
// Ukrainian national system for Ukraine's nationals, ICAO 9303 otherwise).
func LatinName(p *registry.Person) string {
	if len(p.LatinNames) > 0 {
		return p.LatinNames[0]
	}
	if translit.Script(p.NativeName) != "cyrillic" {
		return ""
	}
	s := translit.ICAO9303
	if p.PartyCode == "UA" {
		s = translit.KMU2010
	}
	return translit.Translit(s, p.NativeName)
}

func (v Print) recipient() (pdf.Name, string) {
	if v.Parcel.Direction == correspondence.Reply && v.Family != nil {
		return pdf.Name{Native: v.Family.Name, Latin: latinOf(v.Family.Name)}, ""
	}
	ref := v.Person.ServiceNumber
	if ref == "" {
		ref = v.Person.ExternalID
	}
	return pdf.Name{Native: v.Person.NativeName, Latin: LatinName(v.Person)}, ref
}

func latinOf(name string) string {
	if translit.Script(name) != "cyrillic" {
		return ""
	}
	return translit.Translit(translit.ICAO9303, name)
}

func (v Print) date() time.Time {
	if !v.Parcel.SealedAt.IsZero() {
		return v.Parcel.SealedAt
	}
	return v.Parcel.CreatedAt
}

// Label returns the parcel's address label.
func (v Print) Label() pdf.Label {
	name, ref := v.recipient()
	l := pdf.Label{
		Tracking: v.Parcel.Tracking, Recipient: name, RecipientRef: ref,
		Sender: pdf.Party{Name: v.From.Name}, Items: v.Parcel.Items, WeightGrams: v.Parcel.WeightGrams, Date: v.date(),
	}
	if v.Parcel.Direction == correspondence.Reply {
		l.Facility = v.To.Name
		if v.Family != nil {
			l.Address = []string{v.Family.Contact}
		}
		return l
	}
	l.Facility = v.Facility.Name
	for _, line := range strings.Split(v.Facility.PostalAddress, ",") {
		if s := strings.TrimSpace(line); s != "" {
			l.Address = append(l.Address, s)
		}
	}
	return l
}

// printKind is how a kind appears on a packing list: capture cards as
// cards, complaints as letters.
func printKind(k correspondence.Kind) string {
	switch k {
	case correspondence.CaptureCard:
		return string(correspondence.Card)
	case correspondence.Complaint:
		return string(correspondence.Letter)
	}
	return string(k)
}

// PackingList returns the parcel's content list.
func (v Print) PackingList() pdf.PackingList {
	name, ref := v.recipient()
	p := pdf.PackingList{Tracking: v.Parcel.Tracking, Recipient: name, RecipientRef: ref, WeightGrams: v.Parcel.WeightGrams, Date: v.date()}
	for _, it := range v.Items {
		p.Items = append(p.Items, pdf.Item{Tracking: it.Tracking, Kind: printKind(it.Kind), Pages: it.Pages, Language: it.Language})
	}
	return p
}

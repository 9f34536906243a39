package repatriation

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/gowebpki/jcs"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

// The kinds of signed document of an operation.
const (
	KindRoster   = sign.KindRepatriationRoster
	KindOutcomes = sign.KindRepatriationOutcomes
)

// Step numbers of an operation's bundles: the roster comes first.
const (
	SeqRoster   = 1
	SeqOutcomes = 2
)

// RosterPerson is one line of a signed roster.
type RosterPerson struct {
	PersonID  int64  `json:"person_id"`
	CaseID    int64  `json:"case_id,omitempty"`
	Category  string `json:"category"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date,omitempty"`
	Sex       string `json:"sex,omitempty"`
}

// RosterDocument is the roster as both parties and the intermediary sign it.
type RosterDocument struct {
	Operation     string         `json:"operation"`
	Date          string         `json:"date"`
	CrossingPoint string         `json:"crossing_point"`
	Intermediary  string         `json:"intermediary"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	Count         int            `json:"count"`
	Persons       []RosterPerson `json:"persons"`
}

// OutcomeLine is one person's outcome in the signed outcomes.
type OutcomeLine struct {
	PersonID int64  `json:"person_id"`
	CaseID   int64  `json:"case_id,omitempty"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
}

// OutcomesDocument is the record of the day as both parties and the
// intermediary sign it.
type OutcomesDocument struct {
	Operation    string        `json:"operation"`
	Date         string        `json:"date"`
	Intermediary string        `json:"intermediary"`
	From         string        `json:"from"`
	To           string        `json:"to"`
	HandedOver   int           `json:"handed_over"`
	DidNotTravel int           `json:"did_not_travel"`
	Outcomes     []OutcomeLine `json:"outcomes"`
}

// RosterDocument returns the roster to sign.
func (o *Operation) RosterDocument() RosterDocument {
	d := RosterDocument{
		Operation: o.Ref, Date: o.Date.UTC().Format(time.DateOnly), CrossingPoint: o.CrossingPoint,
		Intermediary: o.Intermediary, From: o.From, To: o.To, Count: len(o.Roster),
		Persons: make([]RosterPerson, len(o.Roster)),
	}
	for i, e := range o.Roster {
		d.Persons[i] = RosterPerson{PersonID: e.PersonID, CaseID: e.CaseID, Category: string(e.Category), Name: e.Name, BirthDate: e.BirthDate, Sex: e.Sex}
	}
	return d
}

// OutcomesDocument returns the outcomes to sign.
func (o *Operation) OutcomesDocument() OutcomesDocument {
	h, n, _ := o.Counts()
	d := OutcomesDocument{
		Operation: o.Ref, Date: o.Date.UTC().Format(time.DateOnly), Intermediary: o.Intermediary,
		From: o.From, To: o.To, HandedOver: h, DidNotTravel: n, Outcomes: make([]OutcomeLine, len(o.Roster)),
	}
	for i, e := range o.Roster {
		d.Outcomes[i] = OutcomeLine{PersonID: e.PersonID, CaseID: e.CaseID, Outcome: string(e.Outcome), Reason: e.Reason}
	}
	return d
}

// Document returns the document of kind for the operation.
func (o *Operation) Document(kind string) (any, error) {
	switch kind {
	case KindRoster:
		return o.RosterDocument(), nil
	case KindOutcomes:
		return o.OutcomesDocument(), nil
	}
	return nil, errs.Fields("repatriation.Operation.Document", map[string]string{"kind": "must be " + KindRoster + " or " + KindOutcomes})
}

// Header is the bundle header of the operation's document of kind: from the
// party the people leave, to the party they return to, a copy to the
// intermediary.
func (o *Operation) Header(kind string, created time.Time) sign.Header {
	seq := int64(SeqRoster)
	if kind == KindOutcomes {
		seq = SeqOutcomes
	}
	return sign.Header{Kind: kind, From: o.From, To: o.To, Cc: []string{o.Intermediary}, Ref: o.Ref, Seq: seq, Created: created}
}

// NewBundle signs the operation's document of kind with k, the key of the
// first party to sign it. The others add theirs with [SignBundle].
func (o *Operation) NewBundle(k *sign.Key, kind string, created time.Time) (*sign.Bundle, error) {
	doc, err := o.Document(kind)
	if err != nil {
		return nil, err
	}
	return sign.NewBundle(k, o.Header(kind, created), doc)
}

// SignBundle adds k's signature to an operation's bundle, after checking
// that every signature already on it verifies against trust and that it
// carries the operation's current document of that kind: nobody countersigns
// a roster that is not the one on record.
func (o *Operation) SignBundle(b *sign.Bundle, k *sign.Key, trust sign.TrustSet, self string) error {
	const op = "repatriation.Operation.SignBundle"
	v, err := b.Verify(trust, self, nil)
	if err != nil {
		return err
	}
	if err := o.Matches(v); err != nil {
		return err
	}
	if v.SignedBy(self) {
		return errs.E(op, errs.Conflict, "party %s has already signed this %s", self, docName(v.Kind))
	}
	return b.Countersign(k)
}

// Matches checks that a verified bundle carries this operation's current
// document of its kind.
func (o *Operation) Matches(v *sign.Verified) error {
	const op = "repatriation.Operation.Matches"
	if v.Ref != o.Ref || (v.Kind != KindRoster && v.Kind != KindOutcomes) {
		return errs.E(op, errs.Invalid, "the bundle is a %s for %s, not a document of operation %s", v.Kind, v.Ref, o.Ref)
	}
	doc, _ := o.Document(v.Kind)
	want, err := canonical(doc)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if !bytes.Equal(want, v.Document()) {
		return errs.E(op, errs.Conflict, "the signed %s differs from the operation's current one", docName(v.Kind))
	}
	return nil
}

func canonical(doc any) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(raw)
}

// VerifyRoster verifies a roster bundle for the node of party self: signed
// by both parties and the intermediary named in it.
func VerifyRoster(b *sign.Bundle, trust sign.TrustSet, self string) (*RosterDocument, *sign.Verified, error) {
	var d RosterDocument
	v, err := verifyDoc(b, trust, self, KindRoster, &d, func() []string { return []string{d.From, d.To, d.Intermediary} })
	if err != nil {
		return nil, nil, err
	}
	return &d, v, nil
}

// VerifyOutcomes verifies an outcomes bundle for the node of party self:
// signed by both parties and the intermediary named in it, and its counts
// agreeing with its lines.
func VerifyOutcomes(b *sign.Bundle, trust sign.TrustSet, self string) (*OutcomesDocument, *sign.Verified, error) {
	var d OutcomesDocument
	v, err := verifyDoc(b, trust, self, KindOutcomes, &d, func() []string { return []string{d.From, d.To, d.Intermediary} })
	if err != nil {
		return nil, nil, err
	}
	h, n := 0, 0
	for _, l := range d.Outcomes {
		switch Outcome(l.Outcome) {
		case HandedOver:
			h++
		case DidNotTravel:
			n++
		default:
			return nil, nil, errs.E("repatriation.VerifyOutcomes", errs.Invalid, "person %d has no outcome", l.PersonID)
		}
	}
	if h != d.HandedOver || n != d.DidNotTravel {
		return nil, nil, errs.E("repatriation.VerifyOutcomes", errs.Invalid, "the outcome counts (%d handed over, %d did not travel) disagree with the lines (%d, %d)", d.HandedOver, d.DidNotTravel, h, n)
	}
	return &d, v, nil
}

func verifyDoc(b *sign.Bundle, trust sign.TrustSet, self, kind string, dst any, signers func() []string) (*sign.Verified, error) {
	const op = "repatriation.verify"
	if b.Kind != kind {
		return nil, errs.E(op, errs.Invalid, "the bundle holds a %s, not a %s", b.Kind, kind)
	}
	v, err := b.Verify(trust, self, nil)
	if err != nil {
		return nil, err
	}
	if err := v.Decode(dst); err != nil {
		return nil, err
	}
	for _, p := range signers() {
		if !v.SignedBy(p) {
			return nil, errs.E(op, errs.Invalid, "this %s is not signed by %s, whose signature it needs", docName(kind), p)
		}
	}
	return v, nil
}

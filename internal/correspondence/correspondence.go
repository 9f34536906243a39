// Package correspondence holds the domain of family mail: items, their
// senders and recipients, screening (GC III 76, DOMAIN.md SCR-1 to SCR-3),
// quotas (COR-3), waiting times (SCR-2), tracking numbers and PINs. It does
// no I/O.
package correspondence

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Kind is the kind of an item (COR-2).
type Kind string

const (
	Letter        Kind = "letter"
	Card          Kind = "card"
	Photograph    Kind = "photograph"
	Drawing       Kind = "drawing"
	LegalDocument Kind = "legal_document"
	CaptureCard   Kind = "capture_card"
	Complaint     Kind = "complaint"
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Letter, Card, Photograph, Drawing, LegalDocument, CaptureCard, Complaint}

// IntakeKinds are the kinds a family member hands in at a collection point.
var IntakeKinds = []Kind{Letter, Card, Photograph, Drawing, LegalDocument}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// CountsForQuota reports whether items of kind k count against a monthly
// quota: capture cards, complaints and legal documents never do (COR-2,
// COR-3, GC III 71, 77, 78).
func (k Kind) CountsForQuota() bool {
	return k != CaptureCard && k != Complaint && k != LegalDocument
}

// Holdable reports whether screening may hold or reject an item of kind k:
// no hold is allowed on capture cards (COR-1, GC III 70).
func (k Kind) Holdable() bool { return k != CaptureCard }

// Direction tells mail to a detainee from a reply by one.
type Direction string

const (
	ToDetainee Direction = "to_detainee" // from a family member to a detained person
	Reply      Direction = "reply"       // from a detained person back to the family
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == ToDetainee || d == Reply }

// Sender is the family member at the other end of an item: the sender of
// mail to a detainee, and the addressee of a reply.
type Sender struct {
	ID           int64     `json:"id"`
	Party        string    `json:"party"` // the party whose collection point registered them
	Name         string    `json:"name"`
	Relationship string    `json:"relationship"` // e.g. mother, wife, son
	Contact      string    `json:"contact"`      // a postal address, a telephone number or an e-mail address
	CreatedAt    time.Time `json:"created_at"`
}

// Normalize trims the sender's fields.
func (s *Sender) Normalize() {
	for _, f := range []*string{&s.Party, &s.Name, &s.Relationship, &s.Contact} {
		*f = strings.Join(strings.Fields(*f), " ")
	}
	s.Relationship = strings.ToLower(s.Relationship)
}

// Validate checks a sender.
func (s Sender) Validate() error {
	m := map[string]string{}
	if s.Name == "" {
		m["sender.name"] = "required"
	}
	if s.Relationship == "" {
		m["sender.relationship"] = "required"
	}
	if s.Contact == "" {
		m["sender.contact"] = "required: an address, a telephone number or an e-mail address"
	}
	textField(m, "sender.name", s.Name, 200)
	textField(m, "sender.relationship", s.Relationship, 60)
	textField(m, "sender.contact", s.Contact, 300)
	if len(m) > 0 {
		return errs.Fields("correspondence.Sender.Validate", m)
	}
	return nil
}

func textField(m map[string]string, field, v string, n int) {
	if !utf8.ValidString(v) {
		m[field] = "not valid text"
	} else if utf8.RuneCountInString(v) > n {
		m[field] = "too long"
	}
}

// Status is the state of an item. After packed an item follows its parcel.
type Status string

const (
	Received Status = "received" // taken in, waiting for screening
	Approved Status = "approved" // screened and passed
	Redacted Status = "redacted" // screened and passed with a redacted scan for delivery
	Rejected Status = "rejected" // screened and refused; returned to the sender with a notice
	Packed   Status = "packed"   // in a parcel; from here on it follows the parcel
)

// Statuses lists the statuses in display order.
var Statuses = []Status{Received, Approved, Redacted, Rejected, Packed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Screened reports whether an item in status s has passed screening and
// may go into a parcel.
func (s Status) Screened() bool { return s == Approved || s == Redacted }

// moves lists, for each status, the statuses an item may move to. An
// approved item can still be redacted or rejected by the other side's
// screening; a packed item by the receiving side's (SCR-1).
var moves = map[Status][]Status{
	Received: {Approved, Redacted, Rejected},
	Approved: {Redacted, Rejected, Packed},
	Redacted: {Rejected, Packed},
	Packed:   {Redacted, Rejected},
	Rejected: {},
}

// CanMoveTo reports whether an item may move from s to t, as an error
// that says why not.
func (s Status) CanMoveTo(t Status) error {
	const op = "correspondence.Status.CanMoveTo"
	if !s.Valid() || !t.Valid() {
		return errs.E(op, errs.Invalid, "unknown item status")
	}
	if slices.Contains(moves[s], t) {
		return nil
	}
	return errs.E(op, errs.Conflict, "an item that is %s cannot become %s", s, t)
}

// Item is one piece of mail: a letter, a card, a photograph, a drawing, a
// legal document, a capture card or a complaint.
type Item struct {
	ID          int64     `json:"id"`
	Tracking    string    `json:"tracking"` // S10 tracking number
	Kind        Kind      `json:"kind"`
	Direction   Direction `json:"direction"`
	SenderID    int64     `json:"sender_id"`    // the family member
	PersonID    int64     `json:"person_id"`    // the detained person: the recipient, or the writer of a reply
	OriginParty string    `json:"origin_party"` // the party that took the item in: the sending side
	DestParty   string    `json:"dest_party"`   // the party that receives it: the receiving side
	Language    string    `json:"language"`     // ISO 639-1 code, e.g. "uk"
	Pages       int       `json:"pages"`
	Status      Status    `json:"status"`
	ParcelID    int64     `json:"parcel_id,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	ScreenedAt  time.Time `json:"screened_at,omitzero"` // the first screening decision
	PINHash     string    `json:"-"`
	Version     int       `json:"version"`
}

var language = regexp.MustCompile(`^[a-z]{2,3}$`)

// Undetermined is the ISO 639-2 code of an item whose language is not
// known.
const Undetermined = "und"

// MaxPages is the most pages an item may declare.
const MaxPages = 100

// Normalize trims the item's fields and sets its language to fallback
// (the recipient's native language) when none was given (COR-5), or to
// Undetermined when neither is known.
func (it *Item) Normalize(fallback string) {
	it.Language = strings.ToLower(strings.TrimSpace(it.Language))
	if it.Language == "" {
		it.Language = strings.ToLower(strings.TrimSpace(fallback))
	}
	if it.Language == "" {
		it.Language = Undetermined
	}
	if it.Direction == "" {
		it.Direction = ToDetainee
	}
	if it.Pages == 0 {
		it.Pages = 1
	}
}

// Validate checks an item as it is taken in.
func (it Item) Validate() error {
	m := map[string]string{}
	switch {
	case !it.Kind.Valid():
		m["kind"] = "must be letter, card, photograph, drawing, legal_document, capture_card or complaint"
	case it.Direction == ToDetainee && it.Kind == CaptureCard:
		m["kind"] = "a capture card is written by the detained person"
	}
	if !it.Direction.Valid() {
		m["direction"] = "must be to_detainee or reply"
	}
	if it.PersonID <= 0 {
		m["person_id"] = "required"
	}
	if it.SenderID <= 0 {
		m["sender_id"] = "required"
	}
	if !language.MatchString(it.Language) {
		m["language"] = "an ISO 639 language code such as uk, ru or en"
	}
	if it.Pages < 1 || it.Pages > MaxPages {
		m["pages"] = "from 1 to 100"
	}
	if len(m) > 0 {
		return errs.Fields("correspondence.Item.Validate", m)
	}
	return nil
}

// InitialStatus is the status of a new item of kind k: received, except a
// capture card, which no screening may hold (COR-1).
func InitialStatus(k Kind) Status {
	if !k.Holdable() {
		return Approved
	}
	return Received
}

// DefaultLanguage is the language assumed for a person of the given party
// when an item's language is not stated (COR-5): the main language of the
// party's country, or "" when unknown.
func DefaultLanguage(party string) string {
	switch party {
	case "UA":
		return "uk"
	case "RU", "BY", "KZ", "KG":
		return "ru"
	case "GB", "US", "IE", "AU", "NZ", "CA":
		return "en"
	case "FR":
		return "fr"
	case "DE", "AT":
		return "de"
	case "PL":
		return "pl"
	case "GE":
		return "ka"
	case "AM":
		return "hy"
	case "AZ":
		return "az"
	}
	return ""
}

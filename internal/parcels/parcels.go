// Package parcels holds the domain of parcels: the mail for one recipient,
// sealed, weighed, with a content list and an S10 tracking number; the
// parcel state machine shared with consignments; UPU event codes; and the
// redirect rules for a recipient who moved, was freed or died before
// delivery (DOMAIN.md PKG, EVT-3, EVT-4). It does no I/O.
package parcels

import (
	"slices"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// Status is the state of a parcel.
type Status string

const (
	Open          Status = "open"          // being packed
	Sealed        Status = "sealed"        // weighed, content list fixed, labelled
	Dispatched    Status = "dispatched"    // left the sending party in a consignment
	HandedOver    Status = "handed_over"   // handed to the receiving party at the exchange point
	Received      Status = "received"      // arrived at the addressee's place of detention
	Delivered     Status = "delivered"     // given to the addressee
	Acknowledged  Status = "acknowledged"  // the addressee's acknowledgement is on record
	Undeliverable Status = "undeliverable" // could not be delivered; a reason is recorded
	Redirected    Status = "redirected"    // on its way to the addressee's new place of detention (EVT-3)
	Returned      Status = "returned"      // back to the sender
	Missing       Status = "missing"       // not found at handover
)

// Statuses lists the statuses in lifecycle order.
var Statuses = []Status{Open, Sealed, Dispatched, HandedOver, Received, Delivered, Acknowledged, Undeliverable, Redirected, Returned, Missing}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Final reports whether nothing can follow s.
func (s Status) Final() bool { return s == Acknowledged || s == Returned || s == Missing }

// moves lists, for each status, the statuses a parcel may move to.
//
// An open or sealed parcel can go back to the sender before it leaves
// (EVT-4). A parcel the receiving side has can be redirected when its
// addressee was transferred (EVT-3) and arrive at the new place, or be
// undeliverable and go back.
var moves = map[Status][]Status{
	Open:          {Sealed, Returned},
	Sealed:        {Dispatched, Returned},
	Dispatched:    {HandedOver, Missing},
	HandedOver:    {Received, Redirected, Undeliverable},
	Received:      {Delivered, Undeliverable, Redirected},
	Delivered:     {Acknowledged},
	Undeliverable: {Returned, Redirected},
	Redirected:    {Received, Undeliverable},
}

// CanMoveTo reports whether a parcel may move from s to t, as an error
// that says why not.
func (s Status) CanMoveTo(t Status) error {
	const op = "parcels.Status.CanMoveTo"
	if !s.Valid() || !t.Valid() {
		return errs.E(op, errs.Invalid, "unknown parcel status")
	}
	if slices.Contains(moves[s], t) {
		return nil
	}
	return errs.E(op, errs.Conflict, "a parcel that is %s cannot become %s", s, t)
}

// UPU tracking event codes (UPU EMSEVT), as used in exports.
const (
	EMA = "EMA" // posting / collection
	EMC = "EMC" // departure from outward office of exchange
	EMD = "EMD" // arrival at inward office of exchange
	EMG = "EMG" // arrival at delivery office
	EMH = "EMH" // attempted or unsuccessful delivery
	EMI = "EMI" // final delivery
)

// UPUCode is the UPU event code of the event that moves a parcel into s,
// or "" when the event has none.
func (s Status) UPUCode() string {
	switch s {
	case Sealed:
		return EMA
	case Dispatched:
		return EMC
	case HandedOver:
		return EMD
	case Received, Redirected:
		return EMG
	case Undeliverable:
		return EMH
	case Delivered:
		return EMI
	}
	return ""
}

// Parcel is the mail for one recipient.
type Parcel struct {
	ID          int64                    `json:"id"`
	Tracking    string                   `json:"tracking"` // S10 tracking number
	Direction   correspondence.Direction `json:"direction"`
	PersonID    int64                    `json:"person_id"`           // the detained person: addressee, or writer of the replies
	SenderID    int64                    `json:"sender_id,omitempty"` // for replies: the family member they go to
	FromParty   string                   `json:"from_party"`
	ToParty     string                   `json:"to_party"`
	FacilityID  int64                    `json:"facility_id,omitempty"` // where it goes (to_detainee)
	Status      Status                   `json:"status"`
	Items       int                      `json:"items"`
	WeightGrams int                      `json:"weight_grams,omitempty"`
	Flag        Flag                     `json:"flag,omitempty"` // why the parcel waits for a redirect or return decision
	CreatedAt   time.Time                `json:"created_at"`
	SealedAt    time.Time                `json:"sealed_at,omitzero"`
	Version     int                      `json:"version"`
}

// MaxWeightGrams is the heaviest parcel accepted (UPU letter-post bags
// carry up to 30 kg; a family parcel is far lighter).
const MaxWeightGrams = 30_000

// MaxItems is the most items one parcel holds.
const MaxItems = 200

// CanAdd reports whether item it may go into parcel p: the parcel is open,
// the item passed screening and is in no parcel, and both are for the same
// person in the same direction (one parcel per recipient).
func CanAdd(p Parcel, it correspondence.Item) error {
	const op = "parcels.CanAdd"
	switch {
	case p.Status != Open:
		return errs.E(op, errs.Conflict, "the parcel is %s; only an open parcel takes items", p.Status)
	case !it.Status.Screened():
		return errs.E(op, errs.Conflict, "item %s is %s; only approved or redacted items are packed", it.Tracking, it.Status)
	case it.ParcelID != 0:
		return errs.E(op, errs.Conflict, "item %s is already in a parcel", it.Tracking)
	case it.PersonID != p.PersonID || it.Direction != p.Direction:
		return errs.E(op, errs.Conflict, "item %s is for another recipient", it.Tracking)
	case it.Direction == correspondence.Reply && it.SenderID != p.SenderID:
		return errs.E(op, errs.Conflict, "reply %s goes to another family member", it.Tracking)
	case p.Items >= MaxItems:
		return errs.E(op, errs.Conflict, "the parcel is full (%d items)", MaxItems)
	}
	return nil
}

// CanSeal reports whether p may be sealed with the given weight.
func CanSeal(p Parcel, weightGrams int) error {
	const op = "parcels.CanSeal"
	if err := p.Status.CanMoveTo(Sealed); err != nil {
		return err
	}
	if p.Items < 1 {
		return errs.E(op, errs.Conflict, "an empty parcel cannot be sealed")
	}
	if weightGrams < 1 || weightGrams > MaxWeightGrams {
		return errs.Fields(op, map[string]string{"weight_grams": "from 1 to 30000 grams"})
	}
	if p.Flag != "" {
		return errs.E(op, errs.Conflict, "the recipient's status changed; redirect the parcel or return it to the sender first")
	}
	return nil
}

// Flag says why a parcel waits for a decision: its addressee's status
// changed before delivery (EVT-3, EVT-4).
type Flag string

const (
	NoFlag            Flag = ""
	FlagTransferred   Flag = "transferred"
	FlagReleased      Flag = "released"
	FlagRepatriated   Flag = "repatriated"
	FlagDied          Flag = "died"
	FlagUndeliverable Flag = "undeliverable"
)

// FlagFor returns the flag a status event of the addressee puts on their
// parcels, or NoFlag when the event changes nothing for the mail.
func FlagFor(t registry.EventType) Flag {
	switch t {
	case registry.Transferred:
		return FlagTransferred
	case registry.Released:
		return FlagReleased
	case registry.Repatriated:
		return FlagRepatriated
	case registry.Died:
		return FlagDied
	}
	return NoFlag
}

// Flaggable reports whether a parcel in status s is flagged when its
// addressee's status changes: the ones that have not left yet.
func (s Status) Flaggable() bool { return s == Open || s == Sealed }

// Offer is what the user is offered for a flagged parcel.
type Offer struct {
	Redirect bool  `json:"redirect"`                  // to the addressee's new place of detention
	Return   bool  `json:"return"`                    // to the sender
	To       int64 `json:"facility_id,omitempty"`     // the new facility, for a redirect
	Care     bool  `json:"notify_with_care,omitzero"` // the addressee died: the family is told with care (EVT-4)
}

// OfferFor returns what may be done with parcel p, flagged with f, when
// the addressee's current facility is facility (0 when not held). A
// transferred addressee's mail follows them (GC III 48); after a release,
// a repatriation or a death the mail goes back to the sender.
func OfferFor(p Parcel, f Flag, facility int64) Offer {
	switch f {
	case FlagTransferred:
		o := Offer{Return: true}
		if facility != 0 && facility != p.FacilityID {
			o.Redirect, o.To = true, facility
		}
		return o
	case FlagReleased, FlagRepatriated, FlagUndeliverable:
		return Offer{Return: true}
	case FlagDied:
		return Offer{Return: true, Care: true}
	}
	return Offer{}
}

// Redirect checks that a flagged parcel p may be sent to facility instead
// and returns it so changed. It keeps its status: an open parcel stays
// open, a sealed one sealed (its label is printed again).
func Redirect(p Parcel, facility int64) (Parcel, error) {
	const op = "parcels.Redirect"
	if !p.Status.Flaggable() {
		return p, errs.E(op, errs.Conflict, "the parcel is %s; the receiving side redirects it on delivery", p.Status)
	}
	if o := OfferFor(p, p.Flag, facility); !o.Redirect {
		return p, errs.E(op, errs.Conflict, "this parcel cannot be redirected; it can be returned to the sender")
	}
	p.FacilityID, p.Flag = facility, NoFlag
	return p, nil
}

// Return checks that parcel p may go back to the sender before it leaves
// and returns it so changed.
func Return(p Parcel) (Parcel, error) {
	const op = "parcels.Return"
	if err := p.Status.CanMoveTo(Returned); err != nil {
		return p, err
	}
	if p.Flag == NoFlag && p.Status.Flaggable() {
		return p, errs.E(op, errs.Conflict, "the parcel is not flagged; nothing stops its delivery")
	}
	p.Status, p.Flag = Returned, NoFlag
	return p, nil
}

// Default service indicators of tracking numbers: items as registered
// letters (R), parcels as parcel post (C). A node's configuration may set
// others.
const (
	DefaultItemService   = "RR"
	DefaultParcelService = "CP"
)

// Numbering makes the S10 tracking numbers of parcels and items.
type Numbering = correspondence.Numbering

// FlagFromPerson derives the flag of parcel p from its addressee's current
// status and facility: a parcel that has not left is flagged when the
// person died, was released or repatriated, or now lives at another
// facility than the parcel is addressed to (EVT-3, EVT-4). Replies are
// never flagged: they go to the family.
func FlagFromPerson(p Parcel, status registry.Status, facility int64) Flag {
	if !p.Status.Flaggable() || p.Direction != correspondence.ToDetainee {
		return NoFlag
	}
	switch status {
	case registry.StatusDead:
		return FlagDied
	case registry.StatusReleased:
		return FlagReleased
	case registry.StatusRepatriated:
		return FlagRepatriated
	case registry.StatusEscaped:
		return FlagUndeliverable
	}
	if facility != 0 && p.FacilityID != 0 && facility != p.FacilityID {
		return FlagTransferred
	}
	return NoFlag
}

package correspondence

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Side is the side of the conflict that screens an item: the one that
// sends it and the one that receives it each examine it once (SCR-1).
type Side string

const (
	SendingSide   Side = "sending"
	ReceivingSide Side = "receiving"
)

// SideOf returns the side the party screens an item as, or an error when
// the party is neither the item's origin nor its destination.
func SideOf(it Item, party string) (Side, error) {
	switch party {
	case it.OriginParty:
		return SendingSide, nil
	case it.DestParty:
		return ReceivingSide, nil
	}
	return "", errs.E("correspondence.SideOf", errs.Forbidden, "only the sending and the receiving side screen an item")
}

// Outcome is the decision of a screening (SCR-3).
type Outcome string

const (
	Approve Outcome = "approved"
	Redact  Outcome = "redacted" // passed with a redacted scan; the original is kept
	Reject  Outcome = "rejected" // refused with a reason code; returned to the sender
)

// Outcomes lists the outcomes in display order.
var Outcomes = []Outcome{Approve, Redact, Reject}

// Reason is why an item was rejected: a closed list (SCR-3).
type Reason string

const (
	PoliticalMilitary Reason = "political_military" // political or military information
	Money             Reason = "money"              // money enclosed
	ProhibitedGoods   Reason = "prohibited_goods"   // goods that may not be sent
	IllegibleCode     Reason = "illegible_code"     // writing that cannot be read, or a code
	OtherSecurity     Reason = "other_security"     // another security reason, stated in the note
)

// Reasons lists the reason codes in display order.
var Reasons = []Reason{PoliticalMilitary, Money, ProhibitedGoods, IllegibleCode, OtherSecurity}

// Valid reports whether r is on the closed list.
func (r Reason) Valid() bool { return slices.Contains(Reasons, r) }

// Screening is one examination of an item by one side.
type Screening struct {
	ID         int64     `json:"id"`
	ItemID     int64     `json:"item_id"`
	Side       Side      `json:"side"`
	Party      string    `json:"party"`
	Outcome    Outcome   `json:"outcome"`
	Reason     Reason    `json:"reason,omitempty"`
	Note       string    `json:"note,omitempty"`             // free text for the record; never shown to the family
	RedactedID int64     `json:"redacted_scan_id,omitempty"` // the redacted scan that replaces the original for delivery
	Notice     string    `json:"notice,omitempty"`           // the notice to the sender of a rejected item
	ScreenedBy int64     `json:"screened_by"`
	ScreenedAt time.Time `json:"screened_at"`
	WaitedSecs int64     `json:"waited_seconds"` // time the item waited for this screening
}

// Decision is what a screener decides about an item.
type Decision struct {
	Outcome     Outcome `json:"outcome"`
	Reason      Reason  `json:"reason,omitempty"`
	Note        string  `json:"note,omitempty"`
	HasRedacted bool    `json:"-"` // a redacted scan comes with the decision
}

// Validate checks a decision on an item of kind k.
func (d Decision) Validate(k Kind) error {
	m := map[string]string{}
	switch d.Outcome {
	case Approve:
	case Redact:
		if !d.HasRedacted {
			m["redacted_scan"] = "a redacted scan is required"
		}
	case Reject:
		if !d.Reason.Valid() {
			m["reason"] = "must be political_military, money, prohibited_goods, illegible_code or other_security"
		}
		if !k.Holdable() {
			m["outcome"] = "a capture card may not be held or rejected (GC III 70)"
		}
	default:
		m["outcome"] = "must be approved, redacted or rejected"
	}
	if d.Outcome != Reject && d.Reason != "" {
		m["reason"] = "only a rejection has a reason"
	}
	if d.Outcome == Reject && d.Reason == OtherSecurity && strings.TrimSpace(d.Note) == "" {
		m["note"] = "say what the other reason is"
	}
	if !utf8.ValidString(d.Note) || utf8.RuneCountInString(d.Note) > 1000 {
		m["note"] = "at most 1000 characters of text"
	}
	if len(m) > 0 {
		return errs.Fields("correspondence.Decision.Validate", m)
	}
	return nil
}

// ErrScreenedTwice is the kind of error CanScreen returns when the side
// has already screened the item; callers audit the attempt.
const ErrScreenedTwice = errs.Conflict

// CanScreen reports whether side may screen the item now, given the
// screenings already recorded for it. A second pass by the same side is
// refused (SCR-1): the error says so and its kind is ErrScreenedTwice.
func CanScreen(it Item, side Side, done []Screening) error {
	const op = "correspondence.CanScreen"
	for _, s := range done {
		if s.Side == side {
			return errs.E(op, ErrScreenedTwice, "the %s side has already screened this item; a second examination is not allowed (GC III 76)", side)
		}
	}
	switch it.Status {
	case Received, Approved, Redacted:
		return nil
	case Packed:
		if side == ReceivingSide {
			return nil
		}
		return errs.E(op, errs.Conflict, "the item is already packed")
	case Rejected:
		return errs.E(op, errs.Conflict, "the item was rejected and goes back to the sender")
	}
	return errs.E(op, errs.Invalid, "unknown item status")
}

// After returns the status of an item in status s once decision d is
// applied. A redaction stays a redaction; a packed item stays packed
// unless rejected.
func After(s Status, d Outcome) Status {
	switch {
	case d == Reject:
		return Rejected
	case s == Packed:
		return Packed
	case d == Redact || s == Redacted:
		return Redacted
	}
	return Approved
}

// Screen checks decision d by side on the item and returns the screening
// to record and the item's new status.
func Screen(it Item, side Side, done []Screening, d Decision, now time.Time) (Screening, Status, error) {
	if err := CanScreen(it, side, done); err != nil {
		return Screening{}, "", err
	}
	if err := d.Validate(it.Kind); err != nil {
		return Screening{}, "", err
	}
	next := After(it.Status, d.Outcome)
	if next != it.Status {
		if err := it.Status.CanMoveTo(next); err != nil {
			return Screening{}, "", err
		}
	}
	since := it.ReceivedAt
	for _, s := range done {
		if s.ScreenedAt.After(since) {
			since = s.ScreenedAt
		}
	}
	sc := Screening{
		ItemID: it.ID, Side: side, Outcome: d.Outcome, Reason: d.Reason, Note: strings.TrimSpace(d.Note),
		ScreenedAt: now, WaitedSecs: int64(max(0, now.Sub(since)) / time.Second),
	}
	if d.Outcome == Reject {
		sc.Reason = d.Reason
		sc.Notice = Notice(it.Kind, d.Reason)
	}
	return sc, next, nil
}

// noticeReasons is how the notice to the sender states each reason.
var noticeReasons = map[Reason]string{
	PoliticalMilitary: "it contains political or military information, which the Geneva Conventions do not allow in this mail",
	Money:             "money was enclosed; money cannot be sent in family mail",
	ProhibitedGoods:   "it contains goods that may not be sent",
	IllegibleCode:     "part of it could not be read or appeared to be written in a code",
	OtherSecurity:     "of a security rule of the examining side",
}

// Notice is the notice to the sender of a rejected item (SCR-3). It names
// the reason but nothing about the recipient's whereabouts.
func Notice(k Kind, r Reason) string {
	what := strings.ReplaceAll(string(k), "_", " ")
	return "Your " + what + " could not be delivered because " + noticeReasons[r] +
		". It is returned to you. You may send a new one at any collection point."
}

// DefaultScreeningLimit is how long an item may wait for screening before
// it is flagged, when the party has set no limit of its own (SCR-2).
const DefaultScreeningLimit = 3 * 24 * time.Hour

// Waiting returns how long an item received at received has waited at now
// for screening; screened, when not zero, stops the clock.
func Waiting(received, screened, now time.Time) time.Duration {
	end := now
	if !screened.IsZero() {
		end = screened
	}
	return max(0, end.Sub(received))
}

// Overdue reports whether an item still waiting for screening has waited
// longer than limit (DefaultScreeningLimit when limit is zero).
func Overdue(it Item, limit time.Duration, now time.Time) bool {
	if it.Status != Received {
		return false
	}
	if limit <= 0 {
		limit = DefaultScreeningLimit
	}
	return Waiting(it.ReceivedAt, time.Time{}, now) > limit
}

// Package consignments holds the domain of consignments between hostile
// parties (DESIGN.md "Parcels and consignments"; DOMAIN.md PKG, EVT, RCV):
// a consignment of parcels from one party to the other through the
// intermediary, its signed manifest, the handover at the exchange point with
// reconciliation and a discrepancy note, the handover receipt, deliveries
// with acknowledgements or reasons, the return consignment, the delivery
// report, the order in which signed bundles may follow one another, and the
// UPU event export.
//
// The package does no I/O of its own: functions take values and return
// values, and the workflows that span several records take small interfaces
// that the store satisfies.
package consignments

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// State is the state of a consignment.
type State string

const (
	Draft      State = "draft"       // parcels are being added
	Sealed     State = "sealed"      // the manifest is fixed and signed by the sending party
	Dispatched State = "dispatched"  // on its way to the exchange point
	HandedOver State = "handed_over" // scanned and reconciled by the intermediary, receipt signed by it
	Receipted  State = "receipted"   // the receipt is countersigned by the receiving party
	Closed     State = "closed"      // every parcel is in a final state
)

// States lists the states in order.
var States = []State{Draft, Sealed, Dispatched, HandedOver, Receipted, Closed}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// index returns the position of s in States, or -1.
func (s State) index() int {
	for i, x := range States {
		if x == s {
			return i
		}
	}
	return -1
}

// AtLeast reports whether s is t or a later state.
func (s State) AtLeast(t State) bool { return s.index() >= t.index() && t.index() >= 0 }

// CanMoveTo reports whether a consignment in state s may move to t, as an
// error that says why not. The only moves are one step forward.
func (s State) CanMoveTo(t State) error {
	const op = "consignments.State.CanMoveTo"
	if !t.Valid() {
		return errs.E(op, errs.Invalid, "unknown consignment state %q", t)
	}
	if !s.Valid() {
		return errs.E(op, errs.Invalid, "unknown consignment state %q", s)
	}
	if s.index()+1 == t.index() {
		return nil
	}
	if s == t {
		return errs.E(op, errs.Conflict, "the consignment is already %s", label(s))
	}
	if s == Closed {
		return errs.E(op, errs.Conflict, "the consignment is closed; nothing can change it")
	}
	if t.index() < s.index() {
		return errs.E(op, errs.Conflict, "the consignment is %s and cannot go back to %s", label(s), label(t))
	}
	return errs.E(op, errs.Conflict, "the consignment is %s; it must be %s before it can be %s",
		label(s), label(States[t.index()-1]), label(t))
}

func label(s State) string { return strings.ReplaceAll(string(s), "_", " ") }

// Kind tells an outbound consignment from a return consignment.
type Kind string

const (
	Outbound Kind = "outbound"
	Return   Kind = "return" // undeliverable parcels going back to the sender
)

// Consignment is a set of parcels from one party to another through the
// intermediary, for a period.
type Consignment struct {
	ID       int64  `json:"id"`
	Ref      string `json:"ref"`
	Kind     Kind   `json:"kind"`
	From     string `json:"from"`   // party code of the sending party
	To       string `json:"to"`     // party code of the receiving party
	Via      string `json:"via"`    // party code of the intermediary
	Period   string `json:"period"` // YYYY-MM
	Target   int    `json:"target"` // the number of parcels planned; 0 when none was set
	ReturnOf string `json:"return_of,omitempty"`
	State    State  `json:"state"`
	// Place is the exchange point of the handover; it may be empty.
	Place string `json:"place,omitempty"`

	CreatedAt    time.Time  `json:"created_at"`
	SealedAt     *time.Time `json:"sealed_at,omitempty"`
	DispatchedAt *time.Time `json:"dispatched_at,omitempty"`
	HandedOverAt *time.Time `json:"handed_over_at,omitempty"`
	ReceiptedAt  *time.Time `json:"receipted_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Version      int        `json:"version"`
}

var (
	refPattern    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,63}$`)
	periodPattern = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
	partyPattern  = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,7}$`)
)

// MaxTarget bounds the target of a consignment.
const MaxTarget = 1_000_000

// MakeRef returns the reference of the n-th consignment from one party to
// another for a period, e.g. "UA-RU-2026-12-01"; a return consignment gets
// an "R" before its number: "RU-UA-2026-12-R01".
func MakeRef(from, to, period string, kind Kind, n int) string {
	r := ""
	if kind == Return {
		r = "R"
	}
	return fmt.Sprintf("%s-%s-%s-%s%02d", from, to, period, r, n)
}

// ValidRef reports whether s is a consignment reference: 3 to 64 capital
// letters, digits and hyphens.
func ValidRef(s string) bool { return refPattern.MatchString(s) }

// ValidPeriod reports whether s is a period YYYY-MM.
func ValidPeriod(s string) bool { return periodPattern.MatchString(s) }

// Normalize trims the fields of c and upper-cases its codes.
func (c *Consignment) Normalize() {
	c.Ref = strings.ToUpper(strings.TrimSpace(c.Ref))
	c.From = strings.ToUpper(strings.TrimSpace(c.From))
	c.To = strings.ToUpper(strings.TrimSpace(c.To))
	c.Via = strings.ToUpper(strings.TrimSpace(c.Via))
	c.Period = strings.TrimSpace(c.Period)
	c.ReturnOf = strings.ToUpper(strings.TrimSpace(c.ReturnOf))
	c.Place = strings.Join(strings.Fields(c.Place), " ")
	if c.Kind == "" {
		c.Kind = Outbound
	}
	if c.State == "" {
		c.State = Draft
	}
}

// Validate checks c.
func (c *Consignment) Validate() error {
	f := map[string]string{}
	if !ValidRef(c.Ref) {
		f["ref"] = "3 to 64 capital letters, digits and hyphens"
	}
	for name, code := range map[string]string{"from": c.From, "to": c.To, "via": c.Via} {
		if !partyPattern.MatchString(code) {
			f[name] = "a party code: 2 to 8 capital letters or digits"
		}
	}
	if c.From != "" && c.From == c.To {
		f["to"] = "the receiving party must differ from the sending party"
	}
	if c.Via != "" && (c.Via == c.From || c.Via == c.To) {
		f["via"] = "the intermediary must be neither the sending nor the receiving party"
	}
	if !ValidPeriod(c.Period) {
		f["period"] = "a month as YYYY-MM, e.g. 2026-12"
	}
	if c.Target < 0 || c.Target > MaxTarget {
		f["target"] = fmt.Sprintf("a number of parcels from 0 to %d", MaxTarget)
	}
	switch c.Kind {
	case Outbound:
		if c.ReturnOf != "" {
			f["return_of"] = "only a return consignment names the consignment it returns"
		}
	case Return:
		if !ValidRef(c.ReturnOf) {
			f["return_of"] = "a return consignment names the consignment it returns"
		}
	default:
		f["kind"] = "outbound or return"
	}
	if !c.State.Valid() {
		f["state"] = "unknown state"
	}
	if utf8.RuneCountInString(c.Place) > 200 {
		f["place"] = "at most 200 characters"
	}
	if len(f) > 0 {
		return errs.Fields("consignments.Consignment.Validate", f)
	}
	return nil
}

// Move moves c to state t at time at, stamping the time of the step.
func (c *Consignment) Move(t State, at time.Time) error {
	if err := c.State.CanMoveTo(t); err != nil {
		return errs.Wrap("consignments.Consignment.Move", err)
	}
	at = at.UTC()
	switch t {
	case Sealed:
		c.SealedAt = &at
	case Dispatched:
		c.DispatchedAt = &at
	case HandedOver:
		c.HandedOverAt = &at
	case Receipted:
		c.ReceiptedAt = &at
	case Closed:
		c.ClosedAt = &at
	}
	c.State = t
	return nil
}

// Party returns the role a party code plays in c: "from", "to", "via" or "".
func (c *Consignment) Party(code string) string {
	switch code {
	case c.From:
		return "from"
	case c.To:
		return "to"
	case c.Via:
		return "via"
	}
	return ""
}

// Sees reports whether a caller scoped to party scope may see c: the
// intermediary (empty scope) sees everything, a party sees what it sent and
// what was sent to it.
func (c *Consignment) Sees(scope string) bool {
	return scope == "" || scope == c.From || scope == c.To || scope == c.Via
}

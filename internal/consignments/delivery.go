package consignments

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// Outcome is the outcome of a delivery attempt.
type Outcome string

const (
	Delivered     Outcome = "delivered"
	Undeliverable Outcome = "undeliverable"
)

// AckKind is the kind of proof of delivery (RCV-5).
type AckKind string

const (
	AckSignedSlip     AckKind = "signed_slip"    // the slip signed by the addressee, scanned
	AckRepresentative AckKind = "representative" // the prisoners' representative's attestation
)

// Reason is why a parcel could not be delivered (EVT-2).
type Reason string

const (
	ReasonTransferred  Reason = "transferred"
	ReasonReleased     Reason = "released"
	ReasonRepatriated  Reason = "repatriated"
	ReasonHospitalised Reason = "hospitalised"
	ReasonDeceased     Reason = "deceased"
	ReasonRefused      Reason = "refused"
	ReasonUnknown      Reason = "unknown"
)

// Reasons lists the reasons in display order.
var Reasons = []Reason{ReasonTransferred, ReasonReleased, ReasonRepatriated, ReasonHospitalised, ReasonDeceased, ReasonRefused, ReasonUnknown}

// Action is what was done with an undeliverable parcel (EVT-2).
type Action string

const (
	ActionRedirected Action = "redirected" // sent on to the addressee's new facility (GC III 48)
	ActionReturned   Action = "returned"   // goes back to the sender in a return consignment
	ActionHeld       Action = "held"       // kept at the facility until the addressee is back (hospital)
)

// Actions lists the actions in display order.
var Actions = []Action{ActionRedirected, ActionReturned, ActionHeld}

// allowedActions lists the actions each reason allows. A transferred
// addressee's parcel follows them; a hospitalised one may be held or sent on
// to the hospital; the others go back to the sender.
var allowedActions = map[Reason][]Action{
	ReasonTransferred:  {ActionRedirected},
	ReasonHospitalised: {ActionHeld, ActionRedirected},
	ReasonReleased:     {ActionReturned},
	ReasonRepatriated:  {ActionReturned},
	ReasonDeceased:     {ActionReturned},
	ReasonRefused:      {ActionReturned},
	ReasonUnknown:      {ActionReturned},
}

// Delivery is what the detaining authority records for one parcel.
type Delivery struct {
	Tracking string    `json:"tracking"`
	Outcome  Outcome   `json:"outcome"`
	At       time.Time `json:"at"`
	// For a delivered parcel: the proof.
	AckKind AckKind `json:"ack_kind,omitempty"`
	// AckRef names the scanned slip (a blob key or its SHA-256) or the
	// representative's attestation (its reference number); never a name.
	AckRef string `json:"ack_ref,omitempty"`
	// For an undeliverable parcel: why, and what was done.
	Reason Reason `json:"reason,omitempty"`
	Action Action `json:"action,omitempty"`
	// NewFacility is the facility code a redirected parcel goes to.
	NewFacility string `json:"new_facility,omitempty"`
	Note        string `json:"note,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

var (
	ackRefPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$`)
	facilityPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$`)
)

// Normalize trims d and normalises its tracking number.
func (d *Delivery) Normalize() {
	d.Tracking = s10.Normalize(d.Tracking)
	d.AckRef = strings.TrimSpace(d.AckRef)
	d.NewFacility = strings.TrimSpace(d.NewFacility)
	d.Note = strings.TrimSpace(d.Note)
	d.At = d.At.UTC()
}

// Validate checks d: a delivered parcel has a proof, an undeliverable one a
// reason and an action that reason allows.
func (d *Delivery) Validate() error {
	f := map[string]string{}
	if err := s10.Validate(d.Tracking); err != nil {
		f["tracking"] = errs.MessageOf(err)
	}
	if d.At.IsZero() {
		f["at"] = "required"
	}
	switch d.Outcome {
	case Delivered:
		switch d.AckKind {
		case AckSignedSlip, AckRepresentative:
			if !ackRefPattern.MatchString(d.AckRef) {
				f["ack_ref"] = "the reference of the scanned slip or of the attestation: 1 to 128 letters, digits and . _ : / -"
			}
		default:
			f["ack_kind"] = "a delivery needs its proof: signed_slip (the slip signed by the addressee) or representative (the prisoners' representative's attestation)"
		}
		if d.Reason != "" || d.Action != "" || d.NewFacility != "" {
			f["reason"] = "a delivered parcel has no reason, action or new facility"
		}
	case Undeliverable:
		acts, ok := allowedActions[d.Reason]
		if !ok {
			f["reason"] = "one of transferred, released, repatriated, hospitalised, deceased, refused, unknown"
		} else if !slices.Contains(acts, d.Action) {
			f["action"] = fmt.Sprintf("for reason %s the action is %s", d.Reason, joinActions(acts))
		}
		if d.Action == ActionRedirected && !facilityPattern.MatchString(d.NewFacility) {
			f["new_facility"] = "the code of the facility the parcel is redirected to"
		}
		if d.Action != ActionRedirected && d.NewFacility != "" {
			f["new_facility"] = "only a redirected parcel has a new facility"
		}
		if d.AckKind != "" || d.AckRef != "" {
			f["ack_kind"] = "an undeliverable parcel has no proof of delivery"
		}
	default:
		f["outcome"] = "delivered or undeliverable"
	}
	if utf8.RuneCountInString(d.Note) > 500 {
		f["note"] = "at most 500 characters"
	}
	if len(f) > 0 {
		return errs.Fields("consignments.Delivery.Validate", f)
	}
	return nil
}

func joinActions(a []Action) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = string(x)
	}
	return strings.Join(s, " or ")
}

// Apply returns the states parcel d.Tracking moves through with delivery d,
// in order (none when it stays as it is), given its state now (cur), the
// state of its consignment and the time now. It refuses a delivery for a
// parcel that never arrived, a second outcome for a parcel that has one, and
// a delivery dated before the receipt or in the future.
//
// A delivered parcel is delivered and, its proof on record, acknowledged. A
// parcel to be returned is undeliverable until its return consignment takes
// it. A redirected parcel is on its way to the new facility, where it is
// received again; a held one stays received.
func (d *Delivery) Apply(c Consignment, cur ParcelState, now time.Time) ([]ParcelState, error) {
	const op = "consignments.Delivery.Apply"
	if err := d.Validate(); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if c.Kind == Return {
		return nil, errs.E(op, errs.Conflict, "consignment %s returns parcels to their sender: its parcels are returned on receipt, not delivered", c.Ref)
	}
	if c.State != Receipted {
		if c.State == Closed {
			return nil, errs.E(op, errs.Conflict, "consignment %s is closed", c.Ref)
		}
		return nil, errs.E(op, errs.Conflict, "consignment %s is %s: deliveries are recorded once the receiving party has countersigned its receipt", c.Ref, label(c.State))
	}
	if c.ReceiptedAt != nil && d.At.Before(c.ReceiptedAt.UTC().Truncate(24*time.Hour)) {
		return nil, errs.Fields(op, map[string]string{"at": "a delivery cannot precede the day its consignment was received"})
	}
	if !now.IsZero() && d.At.After(now.Add(24*time.Hour)) {
		return nil, errs.Fields(op, map[string]string{"at": "a delivery cannot be dated in the future"})
	}
	var path []ParcelState
	switch cur {
	case ParcelReceived:
	case ParcelRedirected:
		path = append(path, ParcelReceived) // arrived at the new facility
	case ParcelMissing:
		return nil, errs.E(op, errs.Conflict, "parcel %s never arrived: it was missing at the handover", d.Tracking)
	case ParcelOpen, ParcelSealed, ParcelDispatched, ParcelHandedOver:
		return nil, errs.E(op, errs.Conflict, "parcel %s has not arrived at the receiving party (it is %s)", d.Tracking, strings.ReplaceAll(string(cur), "_", " "))
	case "":
		return nil, errs.E(op, errs.NotFound, "parcel %s is not in consignment %s", d.Tracking, c.Ref)
	default:
		return nil, errs.E(op, errs.Conflict, "parcel %s already has an outcome (%s)", d.Tracking, cur)
	}
	switch {
	case d.Outcome == Delivered:
		path = append(path, ParcelDelivered, ParcelAcknowledged)
	case d.Action == ActionReturned:
		path = append(path, ParcelUndeliverable)
	case d.Action == ActionRedirected:
		path = append(path, ParcelRedirected)
	}
	from := cur
	for _, to := range path {
		if err := from.CanMoveTo(to); err != nil {
			return nil, errs.Wrap(op, err)
		}
		from = to
	}
	return path, nil
}

// After returns the state a parcel in state cur ends in after path.
func After(cur ParcelState, path []ParcelState) ParcelState {
	if len(path) == 0 {
		return cur
	}
	return path[len(path)-1]
}

// DeliveryCSVHeader is the header row of a bulk delivery CSV file.
var DeliveryCSVHeader = []string{"tracking", "outcome", "date", "ack_kind", "ack_ref", "reason", "action", "new_facility", "note"}

// MaxDeliveryRows bounds a bulk delivery file.
const MaxDeliveryRows = MaxParcels

// ParseDeliveryCSV reads a bulk delivery file: a header row naming the
// columns of DeliveryCSVHeader (tracking and outcome required, the others
// optional, in any order), then one row per parcel. Dates are YYYY-MM-DD or
// RFC 3339. Every error names its line and column; when any row is bad,
// nothing is returned.
func ParseDeliveryCSV(r io.Reader, user int64) ([]Delivery, error) {
	const op = "consignments.ParseDeliveryCSV"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errs.E(op, errs.Invalid, "the file is empty: it needs a header row %s", strings.Join(DeliveryCSVHeader, ","))
	}
	if err != nil {
		return nil, csvError(op, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(DeliveryCSVHeader, h) {
			return nil, errs.E(op, errs.Invalid, "line 1, column %d: unknown column %q; the columns are %s", i+1, h, strings.Join(DeliveryCSVHeader, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, errs.E(op, errs.Invalid, "line 1, column %d: column %q appears twice", i+1, h)
		}
		col[h] = i
	}
	for _, need := range []string{"tracking", "outcome", "date"} {
		if _, ok := col[need]; !ok {
			return nil, errs.E(op, errs.Invalid, "line 1: the header has no %q column", need)
		}
	}
	var out []Delivery
	bad := map[string]string{}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(op, err)
		}
		line, _ := cr.FieldPos(0)
		if len(out)+len(bad) >= MaxDeliveryRows {
			return nil, errs.E(op, errs.TooLarge, "a delivery file holds at most %d rows", MaxDeliveryRows)
		}
		if len(rec) != len(head) {
			bad[fmt.Sprintf("line %d", line)] = fmt.Sprintf("%d fields, the header has %d", len(rec), len(head))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		d := Delivery{
			Tracking: get("tracking"), Outcome: Outcome(strings.ToLower(get("outcome"))),
			AckKind: AckKind(strings.ToLower(get("ack_kind"))), AckRef: get("ack_ref"),
			Reason: Reason(strings.ToLower(get("reason"))), Action: Action(strings.ToLower(get("action"))),
			NewFacility: get("new_facility"), Note: get("note"), UserID: user,
		}
		at, ok := parseDate(get("date"))
		if !ok {
			bad[fmt.Sprintf("line %d, column %d (date)", line, col["date"]+1)] = "a date as YYYY-MM-DD or RFC 3339"
			continue
		}
		d.At = at
		d.Normalize()
		if err := d.Validate(); err != nil {
			for field, msg := range errs.FieldsOf(err) {
				key := fmt.Sprintf("line %d (%s)", line, field)
				if i, ok := col[field]; ok {
					key = fmt.Sprintf("line %d, column %d (%s)", line, i+1, field)
				}
				bad[key] = msg
			}
			continue
		}
		if first, dup := seen[d.Tracking]; dup {
			bad[fmt.Sprintf("line %d, column %d (tracking)", line, col["tracking"]+1)] = fmt.Sprintf("parcel %s is also on line %d", d.Tracking, first)
			continue
		}
		seen[d.Tracking] = line
		out = append(out, d)
	}
	if len(bad) > 0 {
		e := errs.Fields(op, bad)
		n := countLines(bad)
		e.Message = fmt.Sprintf("%d rows of the delivery file are not valid; nothing was recorded", n)
		if n == 1 {
			e.Message = "1 row of the delivery file is not valid; nothing was recorded"
		}
		return nil, e
	}
	if len(out) == 0 {
		return nil, errs.E(op, errs.Invalid, "the file has a header but no rows")
	}
	return out, nil
}

func countLines(bad map[string]string) int {
	lines := map[string]bool{}
	for k := range bad {
		l, _, _ := strings.Cut(k, ",")
		l, _, _ = strings.Cut(l, " (")
		lines[l] = true
	}
	return len(lines)
}

func csvError(op string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.E(op, errs.Invalid, "line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return errs.WrapKind(op, errs.Invalid, err)
}

func parseDate(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(12 * time.Hour), true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

package consignments

import (
	"slices"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// ReportLine is the outcome of one parcel in a delivery report. It names no
// person and no place.
type ReportLine struct {
	Tracking string  `json:"tracking"`
	State    string  `json:"state"` // the parcel state at the receiving party
	Outcome  Outcome `json:"outcome,omitempty"`
	Date     string  `json:"date,omitempty"` // YYYY-MM-DD of the outcome
	AckKind  AckKind `json:"ack_kind,omitempty"`
	AckRef   string  `json:"ack_ref,omitempty"`
	Reason   Reason  `json:"reason,omitempty"`
	Action   Action  `json:"action,omitempty"`
}

// ReportCounts sums a delivery report.
type ReportCounts struct {
	Parcels       int `json:"parcels"`
	Missing       int `json:"missing"`
	Received      int `json:"received"` // arrived, with no outcome yet (or held)
	Delivered     int `json:"delivered"`
	Undeliverable int `json:"undeliverable"`
	Redirected    int `json:"redirected"`
	Returned      int `json:"returned"`
}

// Report is the delivery report of a consignment: the receiving party tells
// the sender and the intermediary what became of every parcel (RCV-5,
// EVT-2). Each report is cumulative: a later one repeats what an earlier one
// said and adds what happened since.
type Report struct {
	Ref       string       `json:"ref"`
	From      string       `json:"from"` // the receiving party, author of the report
	To        string       `json:"to"`   // the sending party
	Via       string       `json:"via"`
	Date      time.Time    `json:"date"`
	ReturnRef string       `json:"return_ref,omitempty"`
	Lines     []ReportLine `json:"parcels"`
	Counts    ReportCounts `json:"counts"`
}

// BuildReport builds the delivery report of c at time at from the states of
// its parcels and the latest delivery record of each (redirections
// included); returnRef names the return consignment, if any.
func BuildReport(c Consignment, states map[string]ParcelState, latest map[string]Delivery, returnRef string, at time.Time) (Report, error) {
	const op = "consignments.BuildReport"
	if c.Kind != Outbound {
		return Report{}, errs.E(op, errs.Conflict, "%s is a return consignment: its parcels are not delivered", c.Ref)
	}
	if !c.State.AtLeast(Receipted) {
		return Report{}, errs.E(op, errs.Conflict, "consignment %s is %s: a delivery report follows the countersigned receipt", c.Ref, label(c.State))
	}
	r := Report{Ref: c.Ref, From: c.To, To: c.From, Via: c.Via, Date: at.UTC().Truncate(time.Second), ReturnRef: returnRef,
		Lines: make([]ReportLine, 0, len(states))}
	for t, s := range states {
		l := ReportLine{Tracking: t, State: string(s)}
		if d, ok := latest[t]; ok {
			l.Outcome, l.Date, l.AckKind, l.AckRef, l.Reason, l.Action = d.Outcome, d.At.UTC().Format("2006-01-02"), d.AckKind, d.AckRef, d.Reason, d.Action
		}
		r.Lines = append(r.Lines, l)
		r.Counts.add(l)
	}
	slices.SortFunc(r.Lines, func(a, b ReportLine) int {
		switch {
		case a.Tracking < b.Tracking:
			return -1
		case a.Tracking > b.Tracking:
			return 1
		}
		return 0
	})
	return r, nil
}

func (n *ReportCounts) add(l ReportLine) {
	n.Parcels++
	switch ParcelState(l.State) {
	case ParcelMissing:
		n.Missing++
	case ParcelReceived:
		n.Received++
	case ParcelRedirected:
		n.Redirected++
	case ParcelAcknowledged, ParcelDelivered:
		n.Delivered++
	case ParcelUndeliverable:
		n.Undeliverable++
	case ParcelReturned:
		n.Returned++
	}
}

// Check validates a delivery report received from another node against the
// consignment it is about: the parties, the parcels (all of them, each once)
// and the counts.
func (r Report) Check(c Consignment, expected []string) error {
	const op = "consignments.Report.Check"
	if r.Ref != c.Ref || r.From != c.To || r.To != c.From || r.Via != c.Via {
		return errs.E(op, errs.Invalid, "the report names %s from %s to %s via %s; the consignment here is %s from %s to %s via %s",
			r.Ref, r.From, r.To, r.Via, c.Ref, c.To, c.From, c.Via)
	}
	if r.Date.IsZero() {
		return errs.E(op, errs.Invalid, "the report has no date")
	}
	want := map[string]bool{}
	for _, t := range expected {
		want[t] = true
	}
	var n ReportCounts
	seen := map[string]bool{}
	for _, l := range r.Lines {
		if s10.Validate(l.Tracking) != nil || !want[l.Tracking] {
			return errs.E(op, errs.Invalid, "the report lists parcel %q, which is not on the manifest of %s", l.Tracking, c.Ref)
		}
		if seen[l.Tracking] {
			return errs.E(op, errs.Invalid, "the report lists parcel %s twice", l.Tracking)
		}
		seen[l.Tracking] = true
		if err := l.check(); err != nil {
			return errs.Wrap(op, err)
		}
		n.add(l)
	}
	if len(seen) != len(want) {
		return errs.E(op, errs.Invalid, "the report lists %d parcels; the manifest of %s has %d", len(seen), c.Ref, len(want))
	}
	if n != r.Counts {
		return errs.E(op, errs.Invalid, "the report's counts do not add up")
	}
	return nil
}

func (l ReportLine) check() error {
	const op = "consignments.ReportLine.check"
	s := ParcelState(l.State)
	switch s {
	case ParcelMissing, ParcelReceived, ParcelRedirected, ParcelAcknowledged, ParcelDelivered, ParcelUndeliverable, ParcelReturned:
	default:
		return errs.E(op, errs.Invalid, "parcel %s has state %q, which a delivery report cannot give", l.Tracking, l.State)
	}
	if l.Outcome == "" {
		if s != ParcelMissing && s != ParcelReceived {
			return errs.E(op, errs.Invalid, "parcel %s is %s with no outcome recorded", l.Tracking, l.State)
		}
		return nil
	}
	at, err := time.Parse("2006-01-02", l.Date)
	if err != nil {
		return errs.E(op, errs.Invalid, "parcel %s has no valid date", l.Tracking)
	}
	d := Delivery{Tracking: l.Tracking, Outcome: l.Outcome, At: at, AckKind: l.AckKind, AckRef: l.AckRef, Reason: l.Reason, Action: l.Action}
	if d.Action == ActionRedirected {
		d.NewFacility = "elsewhere" // the report does not say where; the rule only needs one
	}
	if err := d.Validate(); err != nil {
		return errs.E(op, errs.Invalid, "parcel %s: %v", l.Tracking, err)
	}
	want := map[Outcome][]ParcelState{
		Delivered:     {ParcelAcknowledged, ParcelDelivered},
		Undeliverable: {ParcelReceived, ParcelRedirected, ParcelUndeliverable, ParcelReturned},
	}[l.Outcome]
	if !slices.Contains(want, s) {
		return errs.E(op, errs.Invalid, "parcel %s is %s, which does not follow outcome %s", l.Tracking, l.State, l.Outcome)
	}
	if (s == ParcelReceived || s == ParcelRedirected) && l.Action == ActionReturned {
		return errs.E(op, errs.Invalid, "parcel %s is to be returned but still counted as received", l.Tracking)
	}
	if s == ParcelRedirected && l.Action != ActionRedirected {
		return errs.E(op, errs.Invalid, "parcel %s is redirected but its outcome says %s", l.Tracking, l.Action)
	}
	return nil
}

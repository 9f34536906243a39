// Package repatriation holds the domain of repatriation operations
// (DESIGN.md "Civilians and repatriation", DOMAIN.md REP-5): a date, a
// crossing point, the intermediary, the party the people leave and the party
// they return to, a roster built from accepted cases (and prisoners of war
// or internees, for an exchange), each person's outcome, and the roster and
// outcomes as documents signed by both parties and the intermediary.
//
// It does no I/O.
package repatriation

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// State is where an operation stands.
type State string

const (
	Planned      State = "planned"       // the roster is being built
	RosterSigned State = "roster_signed" // both parties and the intermediary signed the roster
	Completed    State = "completed"     // every person on the roster has an outcome
	Closed       State = "closed"        // both parties and the intermediary signed the outcomes
	Cancelled    State = "cancelled"
)

// States lists the states in display order.
var States = []State{Planned, RosterSigned, Completed, Closed, Cancelled}

var next = map[State][]State{
	Planned:      {RosterSigned, Cancelled},
	RosterSigned: {Completed, Cancelled},
	Completed:    {Closed},
}

// CanMoveTo reports whether an operation may move from s to t.
func (s State) CanMoveTo(t State) bool { return slices.Contains(next[s], t) }

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Outcome is what happened to one person on the day.
type Outcome string

const (
	Pending      Outcome = ""
	HandedOver   Outcome = "handed_over"
	DidNotTravel Outcome = "did_not_travel"
)

// Entry is one person on the roster.
type Entry struct {
	PersonID  int64             `json:"person_id"`
	CaseID    int64             `json:"case_id,omitempty"` // 0 for a prisoner of war or internee in an exchange
	Category  registry.Category `json:"category"`
	Name      string            `json:"name"`
	BirthDate string            `json:"birth_date,omitempty"`
	Sex       string            `json:"sex,omitempty"`
	Outcome   Outcome           `json:"outcome,omitempty"`
	Reason    string            `json:"reason,omitempty"` // why the person did not travel
	OutcomeAt *time.Time        `json:"outcome_at,omitempty"`
}

// Operation is one repatriation operation.
type Operation struct {
	ID            int64     `json:"id"`
	Ref           string    `json:"ref"`
	Date          time.Time `json:"date"` // the day of the crossing, midnight UTC
	CrossingPoint string    `json:"crossing_point"`
	Intermediary  string    `json:"intermediary"` // the intermediary's party code
	From          string    `json:"from"`         // the party the people leave
	To            string    `json:"to"`           // the party they return to
	Note          string    `json:"note,omitempty"`
	State         State     `json:"state"`
	StateAt       time.Time `json:"state_at"`
	Roster        []Entry   `json:"roster"`
	// RosterSigners and OutcomeSigners are the parties that signed each
	// document, in the order they signed.
	RosterSigners  []string  `json:"roster_signers"`
	OutcomeSigners []string  `json:"outcome_signers"`
	CreatedAt      time.Time `json:"created_at"`
	Version        int       `json:"version"`
}

var refPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$`)

// Validate checks the fields a user sets.
func (o *Operation) Validate() error {
	f := map[string]string{}
	if !refPattern.MatchString(o.Ref) {
		f["ref"] = "2 to 64 letters, digits and . _ / -"
	}
	if o.Date.IsZero() {
		f["date"] = "required"
	}
	if strings.TrimSpace(o.CrossingPoint) == "" {
		f["crossing_point"] = "required"
	} else if utf8.RuneCountInString(o.CrossingPoint) > 200 {
		f["crossing_point"] = "at most 200 characters"
	}
	if o.Intermediary == "" {
		f["intermediary"] = "required: the intermediary facilitates every operation"
	}
	if o.From == "" {
		f["from"] = "required"
	}
	if o.To == "" {
		f["to"] = "required"
	} else if o.To == o.From {
		f["to"] = "must differ from the party they leave"
	}
	if o.Intermediary != "" && (o.Intermediary == o.From || o.Intermediary == o.To) {
		f["intermediary"] = "the intermediary is neither party"
	}
	if utf8.RuneCountInString(o.Note) > 2000 {
		f["note"] = "at most 2000 characters"
	}
	if len(f) > 0 {
		return errs.Fields("repatriation.Operation.Validate", f)
	}
	return nil
}

// Signatories are the parties that sign the roster and the outcomes: both
// parties and the intermediary.
func (o *Operation) Signatories() []string { return []string{o.From, o.To, o.Intermediary} }

// Entry returns the roster entry of a person.
func (o *Operation) Entry(personID int64) (*Entry, bool) {
	for i := range o.Roster {
		if o.Roster[i].PersonID == personID {
			return &o.Roster[i], true
		}
	}
	return nil, false
}

// HasCase reports whether the case is on the roster.
func (o *Operation) HasCase(caseID int64) bool {
	return slices.ContainsFunc(o.Roster, func(e Entry) bool { return e.CaseID == caseID })
}

func (o *Operation) checkRosterOpen(op string) error {
	if o.State != Planned {
		return errs.E(op, errs.Conflict, "the roster of a %s operation cannot change", o.State)
	}
	if len(o.RosterSigners) > 0 {
		return errs.E(op, errs.Conflict, "the roster is already signed by %s; it cannot change", strings.Join(o.RosterSigners, ", "))
	}
	return nil
}

// checkPerson says why p cannot be on the roster, or nil.
func (o *Operation) checkPerson(op string, p *registry.Person) error {
	if p.PartyCode != o.To {
		return errs.E(op, errs.Invalid, "person %d belongs to party %s; this operation returns people to %s", p.ID, p.PartyCode, o.To)
	}
	if p.HoldingParty != "" && p.HoldingParty != o.From {
		return errs.E(op, errs.Invalid, "person %d is held by %s; this operation leaves from %s", p.ID, p.HoldingParty, o.From)
	}
	switch p.Status {
	case registry.StatusDead, registry.StatusRepatriated, registry.StatusEscaped, registry.StatusReleased:
		return errs.E(op, errs.Conflict, "person %d is recorded as %s", p.ID, p.Status)
	}
	if _, on := o.Entry(p.ID); on {
		return errs.E(op, errs.Conflict, "person %d is already on the roster", p.ID)
	}
	return nil
}

func entryFor(p *registry.Person, caseID int64) Entry {
	return Entry{PersonID: p.ID, CaseID: caseID, Category: p.Category, Name: p.DisplayName(), BirthDate: p.BirthDate, Sex: p.Sex}
}

// AddCase puts every member of an accepted case on the roster: a household
// travels together. members are the case's persons from the registry. The
// caller then schedules the case (cases.Transition{To: cases.Scheduled}).
// On error the roster is unchanged.
func (o *Operation) AddCase(c *cases.Case, members []*registry.Person) error {
	const op = "repatriation.Operation.AddCase"
	if err := o.checkRosterOpen(op); err != nil {
		return err
	}
	if o.HasCase(c.ID) {
		return errs.E(op, errs.Conflict, "case %d is already on the roster", c.ID)
	}
	if err := c.CanSchedule(); err != nil {
		return err
	}
	if c.Party != o.To {
		return errs.E(op, errs.Invalid, "case %d returns to party %s; this operation returns people to %s", c.ID, c.Party, o.To)
	}
	if c.HostParty != o.From {
		return errs.E(op, errs.Invalid, "case %d is on the side of %s; this operation leaves from %s", c.ID, c.HostParty, o.From)
	}
	if len(members) != len(c.Members) {
		return errs.E(op, errs.Invalid, "every member of case %d goes on the roster together", c.ID)
	}
	add := make([]Entry, 0, len(members))
	for _, p := range members {
		if !c.HasMember(p.ID) {
			return errs.E(op, errs.Invalid, "person %d is not a member of case %d", p.ID, c.ID)
		}
		if err := o.checkPerson(op, p); err != nil {
			return err
		}
		add = append(add, entryFor(p, c.ID))
	}
	o.Roster = append(o.Roster, add...)
	return nil
}

// AddPerson puts a prisoner of war or a civilian internee on the roster, as
// in an exchange. Displaced civilians go on a roster through their case.
func (o *Operation) AddPerson(p *registry.Person) error {
	const op = "repatriation.Operation.AddPerson"
	if err := o.checkRosterOpen(op); err != nil {
		return err
	}
	if p.Category != registry.POW && p.Category != registry.CivilianInternee {
		return errs.E(op, errs.Invalid, "a displaced civilian goes on an operation through an accepted case")
	}
	if err := o.checkPerson(op, p); err != nil {
		return err
	}
	if p.Status != registry.StatusHeld && p.Status != registry.StatusHospitalised && p.Status != registry.StatusCaptured {
		return errs.E(op, errs.Conflict, "person %d is not recorded as held (status %s)", p.ID, p.Status)
	}
	o.Roster = append(o.Roster, entryFor(p, 0))
	return nil
}

// RemoveCase takes every member of a case off the roster; the caller then
// unschedules the case with the reason.
func (o *Operation) RemoveCase(caseID int64) error {
	const op = "repatriation.Operation.RemoveCase"
	if err := o.checkRosterOpen(op); err != nil {
		return err
	}
	if !o.HasCase(caseID) {
		return errs.E(op, errs.NotFound, "case %d is not on the roster", caseID)
	}
	o.Roster = slices.DeleteFunc(o.Roster, func(e Entry) bool { return e.CaseID == caseID })
	return nil
}

// RemovePerson takes a person who travels without a case off the roster.
func (o *Operation) RemovePerson(personID int64) error {
	const op = "repatriation.Operation.RemovePerson"
	if err := o.checkRosterOpen(op); err != nil {
		return err
	}
	e, ok := o.Entry(personID)
	if !ok {
		return errs.E(op, errs.NotFound, "person %d is not on the roster", personID)
	}
	if e.CaseID != 0 {
		return errs.E(op, errs.Conflict, "person %d travels with case %d: take the case off the roster", personID, e.CaseID)
	}
	o.Roster = slices.DeleteFunc(o.Roster, func(e Entry) bool { return e.PersonID == personID })
	return nil
}

// RecordOutcome records what happened to a person on the roster. c is the
// person's case, or nil for a person without one: nobody flagged for a risk
// of persecution is handed over. An outcome can be corrected until the
// operation is completed. On error nothing changes.
func (o *Operation) RecordOutcome(personID int64, out Outcome, reason string, at time.Time, c *cases.Case) error {
	const op = "repatriation.Operation.RecordOutcome"
	e, ok := o.Entry(personID)
	if !ok {
		return errs.E(op, errs.Invalid, "person %d is not on the roster of operation %s", personID, o.Ref)
	}
	if o.State != RosterSigned {
		if o.State == Planned {
			return errs.E(op, errs.Conflict, "outcomes are recorded once the roster is signed by both parties and the intermediary")
		}
		return errs.E(op, errs.Conflict, "the operation is %s; its outcomes cannot change", o.State)
	}
	reason = strings.TrimSpace(reason)
	switch out {
	case HandedOver:
		if reason != "" {
			return errs.Fields(op, map[string]string{"reason": "a reason is given only for a person who did not travel"})
		}
		if e.CaseID != 0 {
			if c == nil || c.ID != e.CaseID {
				return errs.E(op, errs.Internal, "the case of person %d was not given", personID)
			}
			if err := c.CanReturn(); err != nil {
				return err
			}
		}
	case DidNotTravel:
		if reason == "" {
			return errs.Fields(op, map[string]string{"reason": "required: why the person did not travel"})
		}
		if utf8.RuneCountInString(reason) > 500 {
			return errs.Fields(op, map[string]string{"reason": "at most 500 characters"})
		}
	default:
		return errs.Fields(op, map[string]string{"outcome": "must be handed_over or did_not_travel"})
	}
	e.Outcome, e.Reason = out, reason
	t := at
	e.OutcomeAt = &t
	return nil
}

// Counts returns how many on the roster were handed over, did not travel,
// and have no outcome yet.
func (o *Operation) Counts() (handed, notTravelled, pending int) {
	for _, e := range o.Roster {
		switch e.Outcome {
		case HandedOver:
			handed++
		case DidNotTravel:
			notTravelled++
		default:
			pending++
		}
	}
	return
}

// Sign records that party signed the document of kind (KindRoster or
// KindOutcomes). The roster is signed while planned; the outcomes once the
// operation is completed. When both parties and the intermediary have
// signed, the operation moves on (roster_signed, or closed). On error
// nothing changes.
func (o *Operation) Sign(kind, party string, at time.Time) error {
	const op = "repatriation.Operation.Sign"
	if !slices.Contains(o.Signatories(), party) {
		return errs.E(op, errs.Forbidden, "party %s is not a signatory of operation %s", party, o.Ref)
	}
	var signers *[]string
	var need, then State
	switch kind {
	case KindRoster:
		signers, need, then = &o.RosterSigners, Planned, RosterSigned
		if len(o.Roster) == 0 {
			return errs.E(op, errs.Conflict, "the roster is empty")
		}
	case KindOutcomes:
		signers, need, then = &o.OutcomeSigners, Completed, Closed
	default:
		return errs.Fields(op, map[string]string{"kind": "must be " + KindRoster + " or " + KindOutcomes})
	}
	if o.State != need {
		return errs.E(op, errs.Conflict, "the %s is signed when the operation is %s; it is %s", docName(kind), need, o.State)
	}
	if slices.Contains(*signers, party) {
		return errs.E(op, errs.Conflict, "party %s has already signed the %s", party, docName(kind))
	}
	*signers = append(*signers, party)
	if len(*signers) == len(o.Signatories()) {
		o.State, o.StateAt = then, at
	}
	return nil
}

func docName(kind string) string {
	if kind == KindRoster {
		return "roster"
	}
	return "outcomes"
}

// Complete moves a roster-signed operation to completed once every person
// has an outcome.
func (o *Operation) Complete(at time.Time) error {
	const op = "repatriation.Operation.Complete"
	if o.State != RosterSigned {
		return errs.E(op, errs.Conflict, "only an operation with a signed roster can be completed; this one is %s", o.State)
	}
	if _, _, pending := o.Counts(); pending > 0 {
		return errs.E(op, errs.Conflict, "%d people on the roster have no outcome yet", pending)
	}
	o.State, o.StateAt = Completed, at
	return nil
}

// Cancel cancels an operation whose outcomes are not recorded; the caller
// unschedules its cases.
func (o *Operation) Cancel(at time.Time) error {
	if !o.State.CanMoveTo(Cancelled) {
		return errs.E("repatriation.Operation.Cancel", errs.Conflict, "a %s operation cannot be cancelled", o.State)
	}
	o.State, o.StateAt = Cancelled, at
	return nil
}

// CaseIDs returns the ids of the cases on the roster, in roster order.
func (o *Operation) CaseIDs() []int64 {
	var ids []int64
	for _, e := range o.Roster {
		if e.CaseID != 0 && !slices.Contains(ids, e.CaseID) {
			ids = append(ids, e.CaseID)
		}
	}
	return ids
}

// SettleCase applies a completed operation's outcomes to one of its cases:
// a case whose members were all handed over is repatriated; one whose
// members all stayed goes back to accepted; a household that parted is
// split, those who stayed into a new accepted case (returned; it has no id
// yet). On error the case is unchanged.
func (o *Operation) SettleCase(c *cases.Case, at time.Time) (*cases.Case, error) {
	const op = "repatriation.Operation.SettleCase"
	if o.State != Completed && o.State != Closed {
		return nil, errs.E(op, errs.Conflict, "the operation is %s, not completed", o.State)
	}
	var stayed []int64
	var reasons []string
	handed := 0
	for _, e := range o.Roster {
		if e.CaseID != c.ID {
			continue
		}
		if e.Outcome == HandedOver {
			handed++
		} else {
			stayed = append(stayed, e.PersonID)
			if !slices.Contains(reasons, e.Reason) {
				reasons = append(reasons, e.Reason)
			}
		}
	}
	if handed == 0 && len(stayed) == 0 {
		return nil, errs.E(op, errs.NotFound, "case %d is not on the roster of operation %s", c.ID, o.Ref)
	}
	reason := "did not travel on operation " + o.Ref + ": " + strings.Join(reasons, "; ")
	return c.Settle(o.ID, stayed, reason, at)
}

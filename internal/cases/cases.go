// Package cases holds the domain of displaced civilians who wait to go
// home (DESIGN.md "Civilians and repatriation", DOMAIN.md REP-1 to REP-4):
// a case is one person or a household that moves together, with where they
// come from and where they are now, what they want, a persecution-risk flag
// that blocks any return (GC IV 45) and priority classes (GC IV 132).
//
// It does no I/O: the store loads a case, asks this package whether a
// change is allowed, and writes the result with its event.
package cases

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// State is where a case stands.
type State string

const (
	Registered          State = "registered"
	AcceptanceRequested State = "acceptance_requested" // the home party has been asked to accept the return
	Accepted            State = "accepted"
	Refused             State = "refused"
	Scheduled           State = "scheduled" // on the roster of a repatriation operation
	Repatriated         State = "repatriated"
	Cancelled           State = "cancelled"
	Resettled           State = "resettled" // stays, or goes elsewhere of their own choice
)

// States lists the states in display order.
var States = []State{Registered, AcceptanceRequested, Accepted, Refused, Scheduled, Repatriated, Cancelled, Resettled}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Final reports whether nothing can follow s.
func (s State) Final() bool { return s == Repatriated || s == Cancelled || s == Resettled }

// Stranded reports whether a case in state s waits on the home party:
// acceptance asked and not given, or refused.
func (s State) Stranded() bool { return s == AcceptanceRequested || s == Refused }

// next lists the forward moves. Moving back is never allowed: a person
// who did not travel on an operation leaves the roster through
// [Case.Unschedule], which records why.
var next = map[State][]State{
	Registered:          {AcceptanceRequested, Cancelled, Resettled},
	AcceptanceRequested: {Accepted, Refused, Cancelled, Resettled},
	Refused:             {Accepted, Cancelled, Resettled}, // the home party reconsiders
	Accepted:            {Scheduled, Cancelled, Resettled},
	Scheduled:           {Repatriated, Cancelled},
}

// CanMoveTo reports whether a case may move from s to t.
func (s State) CanMoveTo(t State) bool { return slices.Contains(next[s], t) }

// rank orders the states along the main path, to tell a move backwards
// from a move sideways in error messages.
var rank = map[State]int{Registered: 0, AcceptanceRequested: 1, Accepted: 2, Refused: 2, Scheduled: 3, Repatriated: 4, Cancelled: 4, Resettled: 4}

// Wish is what the person wants (REP-3, REP-4).
type Wish string

const (
	WishUndecided Wish = "undecided"
	WishReturn    Wish = "return"
	WishStay      Wish = "stay"
)

// Wishes lists the wishes in display order.
var Wishes = []Wish{WishUndecided, WishReturn, WishStay}

// Valid reports whether w is a known wish.
func (w Wish) Valid() bool { return slices.Contains(Wishes, w) }

// Priority is a priority class of GC IV 132 (REP-2).
type Priority string

const (
	PriorityChild          Priority = "child"
	PriorityPregnant       Priority = "pregnant"
	PriorityMotherOfInfant Priority = "mother_of_infant"
	PrioritySick           Priority = "sick_wounded"
	PriorityElderly        Priority = "elderly"
	PriorityLongDetained   Priority = "long_detained"
)

// Priorities lists the priority classes in display order.
var Priorities = []Priority{PriorityChild, PriorityPregnant, PriorityMotherOfInfant, PrioritySick, PriorityElderly, PriorityLongDetained}

// Valid reports whether p is a known priority class.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Placement is the kind of place the case is in now.
type Placement string

const (
	Custody       Placement = "custody"
	Accommodation Placement = "accommodation" // temporary accommodation
	Private       Placement = "private"       // with relatives or on their own
)

// Placements lists the placements in display order.
var Placements = []Placement{Custody, Accommodation, Private}

// Member is one person of a case, by registry id.
type Member struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name,omitempty"`  // for display; not stored with the case
	Party    string `json:"party,omitempty"` // the party the person belongs to, for display
}

// Interview is the private interview in which the intermediary heard the
// person's wish (REP-3).
type Interview struct {
	At           time.Time `json:"at"`
	By           string    `json:"by"` // the interviewer's user name
	Intermediary bool      `json:"intermediary"`
	Private      bool      `json:"private"` // no one from either party present
}

// Decision is an acceptance or refusal by the home party.
type Decision struct {
	Party  string    `json:"party"`  // who decided
	At     time.Time `json:"at"`     // when
	Reason string    `json:"reason"` // the stated reason (a refusal needs one)
	Source string    `json:"source"` // where it was stated: a note verbale, a letter, a public statement
}

// Case is one displaced person or a household moving together.
type Case struct {
	ID        int64  `json:"id"`
	Party     string `json:"party"`      // the home party: where they would return, who accepts or refuses
	HostParty string `json:"host_party"` // the party on whose side they are now
	Origin    string `json:"origin"`     // where they come from: place or region of last residence
	Region    string `json:"region,omitempty"`

	Placement  Placement `json:"placement"`
	FacilityID int64     `json:"facility_id,omitempty"` // custody or temporary accommodation

	Wish      Wish       `json:"wish"`
	Interview *Interview `json:"interview,omitempty"`

	PersecutionRisk bool       `json:"persecution_risk"`
	Priorities      []Priority `json:"priorities,omitempty"`

	State        State      `json:"state"`
	StateAt      time.Time  `json:"state_at"`
	RegisteredAt time.Time  `json:"registered_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Acceptance   *Decision  `json:"acceptance,omitempty"`
	Refusal      *Decision  `json:"refusal,omitempty"`
	OperationID  int64      `json:"operation_id,omitempty"` // while scheduled and after repatriation

	Members []Member `json:"members"`
	SplitOf int64    `json:"split_of,omitempty"` // the case this one was split from
	Note    string   `json:"note,omitempty"`
	Version int      `json:"version"`
}

// Household reports whether the case holds more than one person.
func (c *Case) Household() bool { return len(c.Members) > 1 }

// PersonIDs returns the members' registry ids.
func (c *Case) PersonIDs() []int64 {
	ids := make([]int64, len(c.Members))
	for i, m := range c.Members {
		ids[i] = m.PersonID
	}
	return ids
}

// HasMember reports whether person id is a member of the case.
func (c *Case) HasMember(id int64) bool {
	return slices.ContainsFunc(c.Members, func(m Member) bool { return m.PersonID == id })
}

// DaysWaiting is the number of whole days since the case was registered,
// until now or until it ended.
func (c *Case) DaysWaiting(now time.Time) int {
	end := now
	if c.ClosedAt != nil {
		end = *c.ClosedAt
	}
	return DaysBetween(c.RegisteredAt, end)
}

// DaysBetween is the number of whole days from a to b, never negative.
func DaysBetween(a, b time.Time) int {
	if a.IsZero() || b.Before(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}

// MaxMembers is the largest household a case holds.
const MaxMembers = 30

// Validate checks the fields of a case that a user sets.
func (c *Case) Validate() error {
	f := map[string]string{}
	if c.Party == "" {
		f["party"] = "required: the party the people would return to"
	}
	if c.HostParty == "" {
		f["host_party"] = "required: the party on whose side they are now"
	} else if c.HostParty == c.Party {
		f["host_party"] = "must differ from the home party"
	}
	if strings.TrimSpace(c.Origin) == "" {
		f["origin"] = "required: where they come from"
	}
	text(f, "origin", c.Origin, 300)
	text(f, "region", c.Region, 200)
	text(f, "note", c.Note, 2000)
	if !slices.Contains(Placements, c.Placement) {
		f["placement"] = "must be custody, accommodation or private"
	} else if c.Placement != Private && c.FacilityID == 0 {
		f["facility_id"] = "required for custody or temporary accommodation"
	}
	if !c.Wish.Valid() {
		f["wish"] = "must be undecided, return or stay"
	} else if err := checkWish(c.Wish, c.Interview); err != nil {
		f["wish"] = errs.MessageOf(err)
	}
	for _, p := range c.Priorities {
		if !p.Valid() {
			f["priorities"] = "unknown priority class " + string(p)
		}
	}
	if len(c.Members) == 0 {
		f["members"] = "a case holds at least one person"
	} else if len(c.Members) > MaxMembers {
		f["members"] = "a case holds at most 30 people"
	}
	seen := map[int64]bool{}
	for _, m := range c.Members {
		if m.PersonID <= 0 {
			f["members"] = "each member is a registered person"
		} else if seen[m.PersonID] {
			f["members"] = "a person appears twice"
		}
		seen[m.PersonID] = true
	}
	if len(f) > 0 {
		return errs.Fields("cases.Case.Validate", f)
	}
	return nil
}

func text(f map[string]string, field, v string, n int) {
	if !utf8.ValidString(v) {
		f[field] = "not valid text"
	} else if utf8.RuneCountInString(v) > n {
		f[field] = "too long"
	}
}

// Normalize trims free text and sorts the priority classes.
func (c *Case) Normalize() {
	for _, s := range []*string{&c.Party, &c.HostParty, &c.Origin, &c.Region} {
		*s = strings.Join(strings.Fields(*s), " ")
	}
	c.Note = strings.TrimSpace(c.Note)
	if c.Wish == "" {
		c.Wish = WishUndecided
	}
	slices.Sort(c.Priorities)
	c.Priorities = slices.Compact(c.Priorities)
}

// checkWish applies the rule of voluntariness: a wish to return counts
// only when the intermediary heard it in a private interview (REP-3).
func checkWish(w Wish, iv *Interview) error {
	const op = "cases.checkWish"
	if w != WishReturn {
		return nil
	}
	if iv == nil || iv.At.IsZero() {
		return errs.E(op, errs.Invalid, "a wish to return is recorded only after a private interview by the intermediary")
	}
	if !iv.Intermediary {
		return errs.E(op, errs.Invalid, "a wish to return is recorded by the intermediary, not by a party")
	}
	if !iv.Private {
		return errs.E(op, errs.Invalid, "the interview must be private: a wish heard in front of a party is not a free choice")
	}
	return nil
}

// RecordWish records what the person wants, heard in iv. A case on an
// operation keeps its wish: the person's change of mind is recorded as
// "did not travel" on the operation.
func (c *Case) RecordWish(w Wish, iv *Interview) error {
	const op = "cases.Case.RecordWish"
	if !w.Valid() {
		return errs.Fields(op, map[string]string{"wish": "must be undecided, return or stay"})
	}
	if c.State.Final() {
		return errs.E(op, errs.Conflict, "the case is %s; its wish can no longer change", c.State)
	}
	if c.State == Scheduled {
		return errs.E(op, errs.Conflict, "the case is on an operation: record the person's decision as an outcome there, or take the case off the roster")
	}
	if err := checkWish(w, iv); err != nil {
		return errs.Fields(op, map[string]string{"wish": errs.MessageOf(err)})
	}
	c.Wish, c.Interview = w, iv
	return nil
}

// SetPersecutionRisk sets or clears the flag that blocks any return
// (GC IV 45). Setting it never needs the case's consent to move.
func (c *Case) SetPersecutionRisk(on bool) error {
	if c.State.Final() {
		return errs.E("cases.Case.SetPersecutionRisk", errs.Conflict, "the case is %s", c.State)
	}
	c.PersecutionRisk = on
	return nil
}

// CanReturn says why the people of the case cannot be sent home now, or
// nil: the persecution flag, and the person's own free wish.
func (c *Case) CanReturn() error {
	const op = "cases.Case.CanReturn"
	if c.PersecutionRisk {
		return errs.E(op, errs.Conflict, "the case is flagged for a risk of persecution: nobody is sent where they fear persecution (GC IV 45)")
	}
	if c.Wish != WishReturn {
		return errs.E(op, errs.Conflict, "the person has not asked to return (wish: %s); a return is voluntary", c.Wish)
	}
	if err := checkWish(c.Wish, c.Interview); err != nil {
		return errs.E(op, errs.Conflict, "%s", errs.MessageOf(err))
	}
	return nil
}

// CanSchedule says why the case cannot go on an operation's roster, or nil.
func (c *Case) CanSchedule() error {
	const op = "cases.Case.CanSchedule"
	if c.State != Accepted {
		return errs.E(op, errs.Conflict, "only an accepted case can be scheduled; this one is %s", c.State)
	}
	return c.CanReturn()
}

// Transition is a requested move of a case.
type Transition struct {
	To          State
	At          time.Time
	Decision    *Decision // for accepted and refused
	OperationID int64     // for scheduled and repatriated
	Reason      string    // for cancelled and resettled
}

// Check says why t cannot be applied to c, or nil. It changes nothing.
func (c *Case) Check(t Transition) error {
	const op = "cases.Case.Check"
	if !t.To.Valid() {
		return errs.Fields(op, map[string]string{"state": "unknown state"})
	}
	if t.To == c.State {
		return errs.E(op, errs.Conflict, "the case is already %s", c.State)
	}
	if !c.State.CanMoveTo(t.To) {
		if c.State.Final() {
			return errs.E(op, errs.Conflict, "the case is %s; nothing can follow", c.State)
		}
		if rank[t.To] < rank[c.State] || (t.To == Refused && c.State == Accepted) {
			return errs.E(op, errs.Conflict, "a case cannot move back from %s to %s", c.State, t.To)
		}
		return errs.E(op, errs.Conflict, "a case cannot move from %s to %s", c.State, t.To)
	}
	if t.At.IsZero() {
		return errs.Fields(op, map[string]string{"at": "required"})
	}
	if t.At.Before(c.StateAt) {
		return errs.Fields(op, map[string]string{"at": "cannot be before the case's last change"})
	}
	switch t.To {
	case Accepted, Refused:
		d := t.Decision
		f := map[string]string{}
		if d == nil {
			return errs.Fields(op, map[string]string{"party": "required: who decided"})
		}
		if d.Party != c.Party {
			f["party"] = "the home party (" + c.Party + ") accepts or refuses a return"
		}
		if d.At.IsZero() {
			f["decided_at"] = "required: when it was decided"
		} else if d.At.After(t.At) {
			f["decided_at"] = "cannot be after the time it is recorded"
		}
		text(f, "reason", d.Reason, 2000)
		text(f, "source", d.Source, 500)
		if t.To == Refused {
			if strings.TrimSpace(d.Reason) == "" {
				f["reason"] = "required: the reason the party stated"
			}
			if strings.TrimSpace(d.Source) == "" {
				f["source"] = "required: where the refusal was stated"
			}
		}
		if len(f) > 0 {
			return errs.Fields(op, f)
		}
	case Scheduled:
		if t.OperationID == 0 {
			return errs.Fields(op, map[string]string{"operation_id": "required"})
		}
		if err := c.CanSchedule(); err != nil {
			return err
		}
	case Repatriated:
		if t.OperationID == 0 || t.OperationID != c.OperationID {
			return errs.Fields(op, map[string]string{"operation_id": "a case is repatriated by the operation it is scheduled on"})
		}
		if err := c.CanReturn(); err != nil {
			return err
		}
	case Cancelled, Resettled:
		if strings.TrimSpace(t.Reason) == "" {
			return errs.Fields(op, map[string]string{"reason": "required"})
		}
		if utf8.RuneCountInString(t.Reason) > 2000 {
			return errs.Fields(op, map[string]string{"reason": "too long"})
		}
	}
	return nil
}

// Apply checks t and moves the case. On error the case is unchanged.
func (c *Case) Apply(t Transition) error {
	if err := c.Check(t); err != nil {
		return err
	}
	c.State, c.StateAt = t.To, t.At
	switch t.To {
	case Accepted:
		d := *t.Decision
		c.Acceptance = &d
	case Refused:
		d := *t.Decision
		c.Refusal = &d
	case Scheduled:
		c.OperationID = t.OperationID
	case Cancelled, Resettled:
		c.OperationID = 0
	}
	if t.To.Final() {
		at := t.At
		c.ClosedAt = &at
	}
	return nil
}

// Unschedule takes a scheduled case off its operation, back to accepted,
// with the reason (the person did not travel, or was taken off the roster).
func (c *Case) Unschedule(at time.Time, reason string) error {
	const op = "cases.Case.Unschedule"
	if c.State != Scheduled {
		return errs.E(op, errs.Conflict, "only a scheduled case can be taken off an operation; this one is %s", c.State)
	}
	if strings.TrimSpace(reason) == "" {
		return errs.Fields(op, map[string]string{"reason": "required: why the case leaves the operation"})
	}
	if at.Before(c.StateAt) {
		return errs.Fields(op, map[string]string{"at": "cannot be before the case's last change"})
	}
	c.State, c.StateAt, c.OperationID = Accepted, at, 0
	return nil
}

// Split takes the members with the given person ids out of c into a new
// case, on purpose and with a reason: a household otherwise moves together
// (REP-4). The new case keeps everything else of c, including the time
// waited; it has no id yet.
func (c *Case) Split(personIDs []int64, reason string, at time.Time) (*Case, error) {
	const op = "cases.Case.Split"
	if strings.TrimSpace(reason) == "" {
		return nil, errs.Fields(op, map[string]string{"reason": "required: a household moves together unless split on purpose"})
	}
	if c.State.Final() {
		return nil, errs.E(op, errs.Conflict, "a %s case cannot be split", c.State)
	}
	if c.State == Scheduled {
		return nil, errs.E(op, errs.Conflict, "a scheduled case cannot be split: take it off the operation first")
	}
	return c.split(op, personIDs, reason, at)
}

func (c *Case) split(op string, personIDs []int64, reason string, at time.Time) (*Case, error) {
	if len(personIDs) == 0 {
		return nil, errs.Fields(op, map[string]string{"members": "choose who leaves the case"})
	}
	leave := map[int64]bool{}
	for _, id := range personIDs {
		if !c.HasMember(id) {
			return nil, errs.Fields(op, map[string]string{"members": "a person to split off is not a member of the case"})
		}
		leave[id] = true
	}
	if len(leave) == len(c.Members) {
		return nil, errs.Fields(op, map[string]string{"members": "at least one person stays in the case"})
	}
	nc := *c
	nc.ID, nc.Version, nc.SplitOf = 0, 0, c.ID
	nc.Priorities = slices.Clone(c.Priorities)
	nc.Members = nil
	var stay []Member
	for _, m := range c.Members {
		if leave[m.PersonID] {
			nc.Members = append(nc.Members, m)
		} else {
			stay = append(stay, m)
		}
	}
	nc.StateAt = at
	c.Members = stay
	return &nc, nil
}

// Settle applies the outcomes of operation operationID to the scheduled
// case: stayed are the members who did not travel, reason why. With nobody
// staying the case is repatriated; with everybody staying it goes back to
// accepted; a household that parted is split, and the new case (returned,
// without an id) holds those who stayed, accepted again. On error the case
// is unchanged.
func (c *Case) Settle(operationID int64, stayed []int64, reason string, at time.Time) (*Case, error) {
	const op = "cases.Case.Settle"
	if c.State != Scheduled || c.OperationID != operationID {
		return nil, errs.E(op, errs.Conflict, "case %d is not scheduled on this operation", c.ID)
	}
	for _, id := range stayed {
		if !c.HasMember(id) {
			return nil, errs.Fields(op, map[string]string{"members": "a person who stayed is not a member of the case"})
		}
	}
	repatriate := Transition{To: Repatriated, At: at, OperationID: operationID}
	switch {
	case len(stayed) == 0:
		return nil, c.Apply(repatriate)
	case len(stayed) >= len(c.Members):
		return nil, c.Unschedule(at, reason)
	}
	work := *c
	work.Members = slices.Clone(c.Members)
	rest, err := work.split(op, stayed, reason, at)
	if err != nil {
		return nil, err
	}
	if err := rest.Unschedule(at, reason); err != nil {
		return nil, err
	}
	if err := work.Apply(repatriate); err != nil {
		return nil, err
	}
	*c = work
	return rest, nil
}

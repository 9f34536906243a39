package registry

import (
	"time"

	"lifeline/internal/errs"
)

// EventType is a kind of status event in a person's history (REG-3).
type EventType string

const (
	Captured        EventType = "captured"
	Arrived         EventType = "arrived"           // arrived at a facility
	CaptureCardSent EventType = "capture_card_sent" // GC III 70, GC IV 106
	Transferred     EventType = "transferred"       // to a new facility: a new postal address
	Hospitalised    EventType = "hospitalised"
	Discharged      EventType = "discharged"
	Released        EventType = "released"
	Repatriated     EventType = "repatriated"
	Escaped         EventType = "escaped"
	Died            EventType = "died"
)

// EventTypes lists the status event types in display order.
var EventTypes = []EventType{Captured, Arrived, CaptureCardSent, Transferred, Hospitalised, Discharged, Released, Repatriated, Escaped, Died}

// Status is a person's current status, derived from the history.
type Status string

const (
	StatusRegistered   Status = "registered" // nothing recorded yet
	StatusCaptured     Status = "captured"
	StatusHeld         Status = "held" // at a facility
	StatusHospitalised Status = "hospitalised"
	StatusReleased     Status = "released"
	StatusRepatriated  Status = "repatriated"
	StatusEscaped      Status = "escaped"
	StatusDead         Status = "dead"
)

// Statuses lists the statuses in display order.
var Statuses = []Status{StatusRegistered, StatusCaptured, StatusHeld, StatusHospitalised, StatusReleased, StatusRepatriated, StatusEscaped, StatusDead}

// Final reports whether no further status event can follow s.
func (s Status) Final() bool { return s == StatusDead }

// Event is one entry of a person's status history.
type Event struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	Type       EventType `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	FacilityID int64     `json:"facility_id,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// NeedsFacility reports whether an event of type t names a facility.
func (t EventType) NeedsFacility() bool {
	return t == Arrived || t == Transferred || t == Hospitalised
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool {
	for _, e := range EventTypes {
		if e == t {
			return true
		}
	}
	return false
}

// State is what the history says about a person now.
type State struct {
	Status     Status
	FacilityID int64
	ArrivedAt  *time.Time // arrival at the current place of detention
	CardSentAt *time.Time // the capture card sent for that arrival
	ReturnTo   int64      // where a hospitalised person returns on discharge
}

// CanApply reports whether e may follow the state s, as an error that
// says why not.
func (s State) CanApply(e Event) error {
	const op = "registry.State.CanApply"
	if !e.Type.Valid() {
		return errs.Fields(op, map[string]string{"type": "unknown event type"})
	}
	if e.Type.NeedsFacility() && e.FacilityID == 0 {
		return errs.Fields(op, map[string]string{"facility_id": "required for this event"})
	}
	if s.Status.Final() {
		return errs.E(op, errs.Conflict, "the person is recorded as dead; no further status can follow")
	}
	held := s.Status == StatusHeld || s.Status == StatusHospitalised
	switch e.Type {
	case CaptureCardSent:
		if s.ArrivedAt == nil {
			return errs.E(op, errs.Conflict, "a capture card follows an arrival at a facility")
		}
	case Transferred:
		if !held {
			return errs.E(op, errs.Conflict, "only a person held at a facility can be transferred")
		}
		if e.FacilityID == s.FacilityID {
			return errs.Fields(op, map[string]string{"facility_id": "the person is already at this facility"})
		}
	case Discharged:
		if s.Status != StatusHospitalised {
			return errs.E(op, errs.Conflict, "only a hospitalised person can be discharged")
		}
	case Released, Repatriated, Escaped:
		if s.Status == StatusRegistered {
			return errs.E(op, errs.Conflict, "nothing records that the person was held")
		}
	}
	return nil
}

// Apply returns the state after e. It assumes CanApply(e) is nil.
func (s State) Apply(e Event) State {
	at := e.OccurredAt
	switch e.Type {
	case Captured:
		s.Status = StatusCaptured
	case Arrived, Transferred:
		s.Status, s.FacilityID = StatusHeld, e.FacilityID
		s.ArrivedAt, s.CardSentAt = &at, nil
	case CaptureCardSent:
		s.CardSentAt = &at
	case Hospitalised:
		if s.Status != StatusHospitalised {
			s.ReturnTo = s.FacilityID
		}
		s.Status, s.FacilityID = StatusHospitalised, e.FacilityID
	case Discharged:
		s.Status = StatusHeld
		if s.ReturnTo != 0 {
			s.FacilityID, s.ReturnTo = s.ReturnTo, 0
		}
	case Released:
		s.Status, s.FacilityID, s.ArrivedAt, s.CardSentAt = StatusReleased, 0, nil, nil
	case Repatriated:
		s.Status, s.FacilityID, s.ArrivedAt, s.CardSentAt = StatusRepatriated, 0, nil, nil
	case Escaped:
		s.Status, s.FacilityID, s.ArrivedAt, s.CardSentAt = StatusEscaped, 0, nil, nil
	case Died:
		s.Status = StatusDead
	}
	return s
}

// Derive replays a history, oldest first, into the current state.
func Derive(history []Event) State {
	s := State{Status: StatusRegistered}
	for _, e := range history {
		s = s.Apply(e)
	}
	return s
}

// CardDeadline is how long after arrival the capture card must be sent
// (GC III 70, GC IV 106).
const CardDeadline = 7 * 24 * time.Hour

// CardOverdue reports whether the capture card for the current arrival is
// more than a week late at now.
func (s State) CardOverdue(now time.Time) bool {
	return CardOverdue(s.Status, s.ArrivedAt, s.CardSentAt, now)
}

// CardOverdue reports whether a capture card is overdue for a person with
// the given status, arrival and card times.
func CardOverdue(st Status, arrived, sent *time.Time, now time.Time) bool {
	if st != StatusHeld && st != StatusHospitalised {
		return false
	}
	return arrived != nil && sent == nil && now.Sub(*arrived) > CardDeadline
}

// BeforeBirth reports whether t lies before the earliest day a partial
// birth date (YYYY, YYYY-MM or YYYY-MM-DD) allows.
func BeforeBirth(birth string, t time.Time) bool {
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(birth)]
	if layout == "" {
		return false
	}
	b, err := time.Parse(layout, birth)
	return err == nil && t.Before(b)
}

package registry

import (
	"testing"
	"time"

	"lifeline/internal/errs"
)

func TestStateMachine(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ev := func(typ EventType, fac int64, d int) Event {
		return Event{Type: typ, FacilityID: fac, OccurredAt: t0.Add(time.Duration(d) * day)}
	}
	tests := []struct {
		name    string
		history []Event
		next    Event
		want    errs.Kind // "" when allowed
		status  Status
		fac     int64
	}{
		{"capture", nil, ev(Captured, 0, 0), "", StatusCaptured, 0},
		{"arrive", []Event{ev(Captured, 0, 0)}, ev(Arrived, 1, 1), "", StatusHeld, 1},
		{"arrive needs facility", nil, ev(Arrived, 0, 1), errs.Invalid, "", 0},
		{"card before arrival", nil, ev(CaptureCardSent, 0, 1), errs.Conflict, "", 0},
		{"card after arrival", []Event{ev(Arrived, 1, 0)}, ev(CaptureCardSent, 0, 2), "", StatusHeld, 1},
		{"transfer unheld", []Event{ev(Captured, 0, 0)}, ev(Transferred, 2, 1), errs.Conflict, "", 0},
		{"transfer to same", []Event{ev(Arrived, 1, 0)}, ev(Transferred, 1, 1), errs.Invalid, "", 0},
		{"transfer", []Event{ev(Arrived, 1, 0)}, ev(Transferred, 2, 1), "", StatusHeld, 2},
		{"hospital", []Event{ev(Arrived, 1, 0)}, ev(Hospitalised, 9, 1), "", StatusHospitalised, 9},
		{"discharge returns to camp", []Event{ev(Arrived, 1, 0), ev(Hospitalised, 9, 1)}, ev(Discharged, 0, 2), "", StatusHeld, 1},
		{"discharge unhospitalised", []Event{ev(Arrived, 1, 0)}, ev(Discharged, 0, 2), errs.Conflict, "", 0},
		{"release", []Event{ev(Arrived, 1, 0)}, ev(Released, 0, 2), "", StatusReleased, 0},
		{"release never held", nil, ev(Released, 0, 2), errs.Conflict, "", 0},
		{"repatriate", []Event{ev(Arrived, 1, 0)}, ev(Repatriated, 0, 2), "", StatusRepatriated, 0},
		{"escape", []Event{ev(Arrived, 1, 0)}, ev(Escaped, 0, 2), "", StatusEscaped, 0},
		{"death", []Event{ev(Arrived, 1, 0)}, ev(Died, 0, 2), "", StatusDead, 1},
		{"nothing after death", []Event{ev(Arrived, 1, 0), ev(Died, 0, 1)}, ev(Transferred, 2, 2), errs.Conflict, "", 0},
		{"unknown type", nil, Event{Type: "vanished"}, errs.Invalid, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Derive(tt.history)
			err := s.CanApply(tt.next)
			if tt.want != "" {
				if !errs.Is(err, tt.want) {
					t.Fatalf("got %v, want kind %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want allowed", err)
			}
			got := s.Apply(tt.next)
			if got.Status != tt.status || got.FacilityID != tt.fac {
				t.Fatalf("got %s at %d, want %s at %d", got.Status, got.FacilityID, tt.status, tt.fac)
			}
		})
	}
}

func TestCardOverdue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := Derive([]Event{{Type: Arrived, FacilityID: 1, OccurredAt: t0}})
	if s.CardOverdue(t0.Add(7 * 24 * time.Hour)) {
		t.Error("overdue at exactly 7 days, want not yet")
	}
	if !s.CardOverdue(t0.Add(7*24*time.Hour + time.Minute)) {
		t.Error("not overdue after 7 days, want overdue")
	}
	s = s.Apply(Event{Type: CaptureCardSent, OccurredAt: t0.Add(8 * 24 * time.Hour)})
	if s.CardOverdue(t0.Add(30 * 24 * time.Hour)) {
		t.Error("overdue after the card was sent")
	}
	s = s.Apply(Event{Type: Transferred, FacilityID: 2, OccurredAt: t0.Add(20 * 24 * time.Hour)})
	if !s.CardOverdue(t0.Add(30 * 24 * time.Hour)) {
		t.Error("a transfer needs a new card; want overdue")
	}
}

func TestCanRegisterAndRecord(t *testing.T) {
	if err := CanRegister("AA", false, "BB", ""); err == nil {
		t.Error("AA registered a BB national it does not hold")
	}
	if err := CanRegister("AA", false, "BB", "AA"); err != nil {
		t.Errorf("AA registering a BB national it holds: %v", err)
	}
	if err := CanRecordStatus("AA", false, "AA", "BB", ""); !errs.Is(err, errs.Forbidden) {
		t.Errorf("AA recording for its national held by BB: got %v, want forbidden", err)
	}
	if err := CanRecordStatus("BB", false, "AA", "BB", "AA"); err == nil {
		t.Error("BB moved a person to AA's facility")
	}
	if err := CanRecordStatus("ICRC", true, "AA", "BB", ""); err != nil {
		t.Errorf("intermediary: %v", err)
	}
}

package cases

import (
	"reflect"
	"testing"
	"time"

	"lifeline/internal/errs"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func interview() *Interview {
	return &Interview{At: t0, By: "delegate1", Intermediary: true, Private: true}
}

// newCase is a valid household of two, registered at t0, in state s.
func newCase(s State) *Case {
	c := &Case{
		ID: 7, Party: "UA", HostParty: "RU", Origin: "Vovchansk", Placement: Accommodation, FacilityID: 3,
		Wish: WishReturn, Interview: interview(), State: s, StateAt: t0, RegisteredAt: t0,
		Members: []Member{{PersonID: 1}, {PersonID: 2}},
	}
	if s == Scheduled {
		c.OperationID = 9
	}
	return c
}

func decision(party string) *Decision {
	return &Decision{Party: party, At: t0.Add(time.Hour), Reason: "not a resident", Source: "note verbale 12/2026"}
}

func TestCanMoveTo(t *testing.T) {
	allowed := map[[2]State]bool{
		{Registered, AcceptanceRequested}: true, {Registered, Cancelled}: true, {Registered, Resettled}: true,
		{AcceptanceRequested, Accepted}: true, {AcceptanceRequested, Refused}: true,
		{AcceptanceRequested, Cancelled}: true, {AcceptanceRequested, Resettled}: true,
		{Refused, Accepted}: true, {Refused, Cancelled}: true, {Refused, Resettled}: true,
		{Accepted, Scheduled}: true, {Accepted, Cancelled}: true, {Accepted, Resettled}: true,
		{Scheduled, Repatriated}: true, {Scheduled, Cancelled}: true,
	}
	for _, from := range States {
		for _, to := range States {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				if got, want := from.CanMoveTo(to), allowed[[2]State{from, to}]; got != want {
					t.Errorf("CanMoveTo = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestTransitions(t *testing.T) {
	later := t0.Add(2 * time.Hour)
	tests := []struct {
		name    string
		from    State
		mod     func(c *Case)
		tr      Transition
		kind    errs.Kind // "" when the move is allowed
		wantMsg string
	}{
		{name: "request acceptance", from: Registered, tr: Transition{To: AcceptanceRequested, At: later}},
		{name: "accept", from: AcceptanceRequested, tr: Transition{To: Accepted, At: later, Decision: decision("UA")}},
		{name: "refuse", from: AcceptanceRequested, tr: Transition{To: Refused, At: later, Decision: decision("UA")}},
		{name: "refusal without reason", from: AcceptanceRequested, kind: errs.Invalid,
			tr: Transition{To: Refused, At: later, Decision: &Decision{Party: "UA", At: t0, Source: "letter"}}},
		{name: "refusal without source", from: AcceptanceRequested, kind: errs.Invalid,
			tr: Transition{To: Refused, At: later, Decision: &Decision{Party: "UA", At: t0, Reason: "no"}}},
		{name: "refusal without a decision", from: AcceptanceRequested, kind: errs.Invalid,
			tr: Transition{To: Refused, At: later}},
		{name: "refusal by the host party", from: AcceptanceRequested, kind: errs.Invalid,
			tr: Transition{To: Refused, At: later, Decision: decision("RU")}},
		{name: "decision after it is recorded", from: AcceptanceRequested, kind: errs.Invalid,
			tr: Transition{To: Accepted, At: t0.Add(time.Minute), Decision: decision("UA")}},
		{name: "refused then accepted", from: Refused, tr: Transition{To: Accepted, At: later, Decision: decision("UA")}},
		{name: "schedule", from: Accepted, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule without operation", from: Accepted, kind: errs.Invalid, tr: Transition{To: Scheduled, At: later}},
		{name: "schedule not accepted", from: AcceptanceRequested, kind: errs.Conflict, wantMsg: "a case cannot move from acceptance_requested to scheduled",
			tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule refused", from: Refused, kind: errs.Conflict, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule with persecution flag", from: Accepted, kind: errs.Conflict,
			wantMsg: "the case is flagged for a risk of persecution: nobody is sent where they fear persecution (GC IV 45)",
			mod:     func(c *Case) { c.PersecutionRisk = true }, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule who wants to stay", from: Accepted, kind: errs.Conflict,
			mod: func(c *Case) { c.Wish = WishStay }, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule undecided", from: Accepted, kind: errs.Conflict,
			mod: func(c *Case) { c.Wish = WishUndecided }, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "schedule a return heard by a party", from: Accepted, kind: errs.Conflict,
			mod: func(c *Case) { c.Interview.Intermediary = false }, tr: Transition{To: Scheduled, At: later, OperationID: 9}},
		{name: "repatriate", from: Scheduled, tr: Transition{To: Repatriated, At: later, OperationID: 9}},
		{name: "repatriate by another operation", from: Scheduled, kind: errs.Invalid, tr: Transition{To: Repatriated, At: later, OperationID: 8}},
		{name: "repatriate flagged", from: Scheduled, kind: errs.Conflict,
			mod: func(c *Case) { c.PersecutionRisk = true }, tr: Transition{To: Repatriated, At: later, OperationID: 9}},
		{name: "cancel", from: Accepted, tr: Transition{To: Cancelled, At: later, Reason: "died"}},
		{name: "cancel without reason", from: Accepted, kind: errs.Invalid, tr: Transition{To: Cancelled, At: later}},
		{name: "resettle", from: Registered, tr: Transition{To: Resettled, At: later, Reason: "stays with relatives"}},
		{name: "back from accepted to requested", from: Accepted, kind: errs.Conflict, wantMsg: "a case cannot move back from accepted to acceptance_requested",
			tr: Transition{To: AcceptanceRequested, At: later}},
		{name: "back from accepted to refused", from: Accepted, kind: errs.Conflict, wantMsg: "a case cannot move back from accepted to refused",
			tr: Transition{To: Refused, At: later, Decision: decision("UA")}},
		{name: "back from scheduled to accepted", from: Scheduled, kind: errs.Conflict, wantMsg: "a case cannot move back from scheduled to accepted",
			tr: Transition{To: Accepted, At: later, Decision: decision("UA")}},
		{name: "back from refused to registered", from: Refused, kind: errs.Conflict, tr: Transition{To: Registered, At: later}},
		{name: "after repatriation", from: Repatriated, kind: errs.Conflict, wantMsg: "the case is repatriated; nothing can follow",
			tr: Transition{To: Cancelled, At: later, Reason: "x"}},
		{name: "to the same state", from: Accepted, kind: errs.Conflict, tr: Transition{To: Accepted, At: later, Decision: decision("UA")}},
		{name: "unknown state", from: Accepted, kind: errs.Invalid, tr: Transition{To: "lost", At: later}},
		{name: "before the last change", from: Registered, kind: errs.Invalid, tr: Transition{To: AcceptanceRequested, At: t0.Add(-time.Hour)}},
		{name: "no time", from: Registered, kind: errs.Invalid, tr: Transition{To: AcceptanceRequested}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(tt.from)
			if tt.mod != nil {
				tt.mod(c)
			}
			before := *c
			err := c.Apply(tt.tr)
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if c.State != tt.tr.To {
					t.Errorf("state = %s, want %s", c.State, tt.tr.To)
				}
				return
			}
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			if tt.wantMsg != "" && errs.MessageOf(err) != tt.wantMsg {
				t.Errorf("message = %q, want %q", errs.MessageOf(err), tt.wantMsg)
			}
			if !reflect.DeepEqual(*c, before) {
				t.Errorf("a refused move changed the case: got %+v, want %+v", *c, before)
			}
		})
	}
}

func TestApplyRecordsDecisionAndClose(t *testing.T) {
	c := newCase(AcceptanceRequested)
	d := decision("UA")
	at := t0.Add(3 * time.Hour)
	if err := c.Apply(Transition{To: Refused, At: at, Decision: d}); err != nil {
		t.Fatal(err)
	}
	if c.Refusal == nil || *c.Refusal != *d {
		t.Errorf("refusal = %+v, want %+v", c.Refusal, d)
	}
	if !c.State.Stranded() {
		t.Errorf("refused case is not stranded")
	}
	if err := c.Apply(Transition{To: Accepted, At: at, Decision: decision("UA")}); err != nil {
		t.Fatal(err)
	}
	if c.Refusal == nil {
		t.Errorf("the refusal was forgotten after the party reconsidered")
	}
	if err := c.Apply(Transition{To: Scheduled, At: at, OperationID: 4}); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(Transition{To: Repatriated, At: at.Add(24 * time.Hour), OperationID: 4}); err != nil {
		t.Fatal(err)
	}
	if c.ClosedAt == nil || !c.ClosedAt.Equal(at.Add(24*time.Hour)) {
		t.Errorf("closed at = %v, want %v", c.ClosedAt, at.Add(24*time.Hour))
	}
	if got, want := c.DaysWaiting(t0.Add(100*24*time.Hour)), 1; got != want {
		t.Errorf("days waiting after closing = %d, want %d", got, want)
	}
}

func TestDaysWaiting(t *testing.T) {
	tests := []struct {
		now  time.Time
		want int
	}{
		{t0, 0},
		{t0.Add(23 * time.Hour), 0},
		{t0.Add(24 * time.Hour), 1},
		{t0.Add(45*24*time.Hour + time.Minute), 45},
		{t0.Add(-time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.RFC3339), func(t *testing.T) {
			c := newCase(AcceptanceRequested)
			if got := c.DaysWaiting(tt.now); got != tt.want {
				t.Errorf("DaysWaiting = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRecordWish(t *testing.T) {
	tests := []struct {
		name  string
		state State
		wish  Wish
		iv    *Interview
		kind  errs.Kind
	}{
		{"return after private interview", Registered, WishReturn, interview(), ""},
		{"stay without interview", Registered, WishStay, nil, ""},
		{"undecided", Accepted, WishUndecided, nil, ""},
		{"return without interview", Registered, WishReturn, nil, errs.Invalid},
		{"return heard by a party", Registered, WishReturn, &Interview{At: t0, By: "x", Private: true}, errs.Invalid},
		{"return heard in front of a party", Registered, WishReturn, &Interview{At: t0, By: "x", Intermediary: true}, errs.Invalid},
		{"unknown wish", Registered, "maybe", nil, errs.Invalid},
		{"scheduled case", Scheduled, WishStay, nil, errs.Conflict},
		{"closed case", Repatriated, WishStay, nil, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(tt.state)
			c.Wish, c.Interview = WishUndecided, nil
			err := c.RecordWish(tt.wish, tt.iv)
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			want := tt.wish
			if tt.kind != "" {
				want = WishUndecided
			}
			if c.Wish != want {
				t.Errorf("wish = %s, want %s", c.Wish, want)
			}
		})
	}
}

func TestPersecutionFlagBlocksReturn(t *testing.T) {
	c := newCase(Accepted)
	if err := c.CanSchedule(); err != nil {
		t.Fatalf("CanSchedule before flag: %v", err)
	}
	if err := c.SetPersecutionRisk(true); err != nil {
		t.Fatal(err)
	}
	if err := c.CanSchedule(); !errs.Is(err, errs.Conflict) {
		t.Errorf("CanSchedule with flag = %v, want a conflict", err)
	}
	if err := c.CanReturn(); !errs.Is(err, errs.Conflict) {
		t.Errorf("CanReturn with flag = %v, want a conflict", err)
	}
	if err := c.SetPersecutionRisk(false); err != nil {
		t.Fatal(err)
	}
	if err := c.CanSchedule(); err != nil {
		t.Errorf("CanSchedule after clearing the flag: %v", err)
	}
}

func TestUnschedule(t *testing.T) {
	c := newCase(Scheduled)
	if err := c.Unschedule(t0.Add(time.Hour), ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("Unschedule without reason = %v, want invalid", err)
	}
	if err := c.Unschedule(t0.Add(time.Hour), "did not travel: ill"); err != nil {
		t.Fatal(err)
	}
	if c.State != Accepted || c.OperationID != 0 {
		t.Errorf("after Unschedule: state %s, operation %d; want accepted, 0", c.State, c.OperationID)
	}
	if err := c.Unschedule(t0.Add(2*time.Hour), "again"); !errs.Is(err, errs.Conflict) {
		t.Errorf("Unschedule of an accepted case = %v, want a conflict", err)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		state  State
		ids    []int64
		reason string
		kind   errs.Kind
	}{
		{"split one off", Accepted, []int64{2}, "adult son stays to work", ""},
		{"no reason", Accepted, []int64{2}, " ", errs.Invalid},
		{"nobody", Accepted, nil, "x", errs.Invalid},
		{"everybody", Accepted, []int64{1, 2}, "x", errs.Invalid},
		{"not a member", Accepted, []int64{5}, "x", errs.Invalid},
		{"scheduled", Scheduled, []int64{2}, "x", errs.Conflict},
		{"closed", Resettled, []int64{2}, "x", errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(tt.state)
			nc, err := c.Split(tt.ids, tt.reason, t0.Add(time.Hour))
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			if tt.kind != "" {
				if len(c.Members) != 2 {
					t.Errorf("a refused split changed the members: %v", c.Members)
				}
				return
			}
			if got, want := c.PersonIDs(), []int64{1}; !reflect.DeepEqual(got, want) {
				t.Errorf("staying = %v, want %v", got, want)
			}
			if got, want := nc.PersonIDs(), []int64{2}; !reflect.DeepEqual(got, want) {
				t.Errorf("leaving = %v, want %v", got, want)
			}
			if nc.SplitOf != 7 || nc.ID != 0 || nc.State != tt.state || !nc.RegisteredAt.Equal(t0) {
				t.Errorf("new case = %+v, want split of 7, no id, state %s, registered at t0", nc, tt.state)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(c *Case)
		field string
	}{
		{"valid", func(c *Case) {}, ""},
		{"no party", func(c *Case) { c.Party = "" }, "party"},
		{"same parties", func(c *Case) { c.HostParty = "UA" }, "host_party"},
		{"no origin", func(c *Case) { c.Origin = " " }, "origin"},
		{"accommodation without facility", func(c *Case) { c.FacilityID = 0 }, "facility_id"},
		{"private without facility", func(c *Case) { c.Placement, c.FacilityID = Private, 0 }, ""},
		{"bad placement", func(c *Case) { c.Placement = "tent" }, "placement"},
		{"return without interview", func(c *Case) { c.Interview = nil }, "wish"},
		{"bad priority", func(c *Case) { c.Priorities = []Priority{"vip"} }, "priorities"},
		{"no members", func(c *Case) { c.Members = nil }, "members"},
		{"same member twice", func(c *Case) { c.Members = []Member{{PersonID: 1}, {PersonID: 1}} }, "members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCase(Registered)
			tt.mod(c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if _, ok := errs.FieldsOf(err)[tt.field]; !ok {
				t.Errorf("Validate = %v, want a message for %s", err, tt.field)
			}
		})
	}
}

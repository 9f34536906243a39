package repatriation

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"slices"
	"testing"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/sign"
)

var t0 = time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)

func newOp() *Operation {
	return &Operation{ID: 4, Ref: "REP-2026-12", Date: time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC), CrossingPoint: "Border post 7",
		Intermediary: "ICRC", From: "RU", To: "UA", State: Planned, StateAt: t0}
}

func civilian(id int64, party string) *registry.Person {
	return &registry.Person{ID: id, Category: registry.DisplacedCivilian, PartyCode: party, NativeName: "Person", HoldingParty: "RU", Status: registry.StatusHeld}
}

func acceptedCase(id int64, members ...int64) *cases.Case {
	c := &cases.Case{ID: id, Party: "UA", HostParty: "RU", Origin: "Sudzha", Placement: cases.Private, Wish: cases.WishReturn,
		Interview: &cases.Interview{At: t0, By: "d", Intermediary: true, Private: true}, State: cases.Accepted, StateAt: t0, RegisteredAt: t0}
	for _, m := range members {
		c.Members = append(c.Members, cases.Member{PersonID: m})
	}
	return c
}

func TestStateMachine(t *testing.T) {
	allowed := map[[2]State]bool{
		{Planned, RosterSigned}: true, {Planned, Cancelled}: true,
		{RosterSigned, Completed}: true, {RosterSigned, Cancelled}: true,
		{Completed, Closed}: true,
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

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(o *Operation)
		field string
	}{
		{"valid", func(o *Operation) {}, ""},
		{"bad ref", func(o *Operation) { o.Ref = "x" }, "ref"},
		{"no date", func(o *Operation) { o.Date = time.Time{} }, "date"},
		{"no crossing", func(o *Operation) { o.CrossingPoint = "" }, "crossing_point"},
		{"no intermediary", func(o *Operation) { o.Intermediary = "" }, "intermediary"},
		{"intermediary is a party", func(o *Operation) { o.Intermediary = "RU" }, "intermediary"},
		{"same parties", func(o *Operation) { o.To = "RU" }, "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOp()
			tt.mod(o)
			err := o.Validate()
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

func TestAddCase(t *testing.T) {
	tests := []struct {
		name    string
		c       *cases.Case
		members []*registry.Person
		kind    errs.Kind
	}{
		{"household", acceptedCase(1, 10, 11), []*registry.Person{civilian(10, "UA"), civilian(11, "UA")}, ""},
		{"person of the wrong party", acceptedCase(1, 10, 11), []*registry.Person{civilian(10, "UA"), civilian(11, "RU")}, errs.Invalid},
		{"held by the wrong party", acceptedCase(1, 10), []*registry.Person{{ID: 10, PartyCode: "UA", HoldingParty: "UA", Status: registry.StatusHeld}}, errs.Invalid},
		{"case returning elsewhere", func() *cases.Case { c := acceptedCase(1, 10); c.Party, c.HostParty = "RU", "UA"; return c }(),
			[]*registry.Person{civilian(10, "UA")}, errs.Invalid},
		{"not accepted", func() *cases.Case { c := acceptedCase(1, 10); c.State = cases.AcceptanceRequested; return c }(),
			[]*registry.Person{civilian(10, "UA")}, errs.Conflict},
		{"persecution flag", func() *cases.Case { c := acceptedCase(1, 10); c.PersecutionRisk = true; return c }(),
			[]*registry.Person{civilian(10, "UA")}, errs.Conflict},
		{"household split on the roster", acceptedCase(1, 10, 11), []*registry.Person{civilian(10, "UA")}, errs.Invalid},
		{"a stranger in the household", acceptedCase(1, 10, 11), []*registry.Person{civilian(10, "UA"), civilian(12, "UA")}, errs.Invalid},
		{"dead", acceptedCase(1, 10), []*registry.Person{{ID: 10, PartyCode: "UA", Status: registry.StatusDead}}, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOp()
			err := o.AddCase(tt.c, tt.members)
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			want := len(tt.members)
			if tt.kind != "" {
				want = 0
			}
			if len(o.Roster) != want {
				t.Errorf("roster has %d people, want %d", len(o.Roster), want)
			}
		})
	}
}

func TestAddPersonExchange(t *testing.T) {
	pow := &registry.Person{ID: 20, Category: registry.POW, PartyCode: "UA", HoldingParty: "RU", Status: registry.StatusHeld, NativeName: "P"}
	tests := []struct {
		name string
		p    *registry.Person
		kind errs.Kind
	}{
		{"prisoner of war", pow, ""},
		{"prisoner of the other side", &registry.Person{ID: 21, Category: registry.POW, PartyCode: "RU", HoldingParty: "UA", Status: registry.StatusHeld}, errs.Invalid},
		{"displaced civilian without a case", civilian(22, "UA"), errs.Invalid},
		{"released", &registry.Person{ID: 23, Category: registry.POW, PartyCode: "UA", Status: registry.StatusReleased}, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOp()
			err := o.AddPerson(tt.p)
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
		})
	}
	o := newOp()
	if err := o.AddPerson(pow); err != nil {
		t.Fatal(err)
	}
	if err := o.AddPerson(pow); !errs.Is(err, errs.Conflict) {
		t.Errorf("adding twice = %v, want a conflict", err)
	}
}

// signedOp returns an operation with a signed roster of case 1 (persons 10,
// 11) and prisoner of war 20.
func signedOp(t *testing.T) (*Operation, *cases.Case) {
	t.Helper()
	o := newOp()
	c := acceptedCase(1, 10, 11)
	if err := o.AddCase(c, []*registry.Person{civilian(10, "UA"), civilian(11, "UA")}); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(cases.Transition{To: cases.Scheduled, At: t0, OperationID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if err := o.AddPerson(&registry.Person{ID: 20, Category: registry.POW, PartyCode: "UA", HoldingParty: "RU", Status: registry.StatusHeld}); err != nil {
		t.Fatal(err)
	}
	for _, p := range o.Signatories() {
		if err := o.Sign(KindRoster, p, t0); err != nil {
			t.Fatal(err)
		}
	}
	if o.State != RosterSigned {
		t.Fatalf("state = %s, want roster_signed", o.State)
	}
	return o, c
}

func TestSigningFlow(t *testing.T) {
	o := newOp()
	if err := o.Sign(KindRoster, "RU", t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("signing an empty roster = %v, want a conflict", err)
	}
	if err := o.AddPerson(&registry.Person{ID: 20, Category: registry.POW, PartyCode: "UA", HoldingParty: "RU", Status: registry.StatusHeld}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		kind, party string
		err         errs.Kind
		state       State
	}{
		{KindRoster, "XX", errs.Forbidden, Planned},
		{KindOutcomes, "RU", errs.Conflict, Planned},
		{KindRoster, "RU", "", Planned},
		{KindRoster, "RU", errs.Conflict, Planned},
		{KindRoster, "ICRC", "", Planned},
		{KindRoster, "UA", "", RosterSigned},
		{"manifest", "UA", errs.Invalid, RosterSigned},
	}
	for i, s := range steps {
		err := o.Sign(s.kind, s.party, t0)
		if got := errs.KindOf(err); got != s.err {
			t.Fatalf("step %d: error kind = %q (%v), want %q", i, got, err, s.err)
		}
		if o.State != s.state {
			t.Fatalf("step %d: state = %s, want %s", i, o.State, s.state)
		}
	}
	if err := o.AddPerson(&registry.Person{ID: 21, Category: registry.POW, PartyCode: "UA", HoldingParty: "RU", Status: registry.StatusHeld}); !errs.Is(err, errs.Conflict) {
		t.Errorf("adding after signing = %v, want a conflict", err)
	}
}

func TestRosterFrozenOnFirstSignature(t *testing.T) {
	o := newOp()
	c := acceptedCase(1, 10)
	if err := o.AddCase(c, []*registry.Person{civilian(10, "UA")}); err != nil {
		t.Fatal(err)
	}
	if err := o.Sign(KindRoster, "ICRC", t0); err != nil {
		t.Fatal(err)
	}
	if err := o.RemoveCase(1); !errs.Is(err, errs.Conflict) {
		t.Errorf("RemoveCase after a signature = %v, want a conflict", err)
	}
	if len(o.Roster) != 1 {
		t.Errorf("roster has %d people, want 1", len(o.Roster))
	}
}

func TestRecordOutcome(t *testing.T) {
	flagged := acceptedCase(1, 10, 11)
	flagged.PersecutionRisk = true
	tests := []struct {
		name   string
		person int64
		out    Outcome
		reason string
		c      func(c *cases.Case) *cases.Case
		kind   errs.Kind
	}{
		{"handed over", 10, HandedOver, "", nil, ""},
		{"prisoner handed over", 20, HandedOver, "", nil, ""},
		{"did not travel", 11, DidNotTravel, "in hospital", nil, ""},
		{"did not travel without reason", 11, DidNotTravel, " ", nil, errs.Invalid},
		{"not on the roster", 99, HandedOver, "", nil, errs.Invalid},
		{"unknown outcome", 10, "vanished", "", nil, errs.Invalid},
		{"handed over with persecution flag", 10, HandedOver, "", func(c *cases.Case) *cases.Case { c.PersecutionRisk = true; return c }, errs.Conflict},
		{"handed over after withdrawing the wish", 10, HandedOver, "", func(c *cases.Case) *cases.Case { c.Wish = cases.WishStay; return c }, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, c := signedOp(t)
			if tt.c != nil {
				c = tt.c(c)
			}
			var cc *cases.Case
			if e, ok := o.Entry(tt.person); ok && e.CaseID != 0 {
				cc = c
			}
			before := slices.Clone(o.Roster)
			err := o.RecordOutcome(tt.person, tt.out, tt.reason, t0, cc)
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			if tt.kind != "" && !reflect.DeepEqual(o.Roster, before) {
				t.Errorf("a refused outcome changed the roster")
			}
		})
	}
	o := newOp()
	if err := o.AddPerson(&registry.Person{ID: 20, Category: registry.POW, PartyCode: "UA", HoldingParty: "RU", Status: registry.StatusHeld}); err != nil {
		t.Fatal(err)
	}
	if err := o.RecordOutcome(20, HandedOver, "", t0, nil); !errs.Is(err, errs.Conflict) {
		t.Errorf("an outcome before the roster is signed = %v, want a conflict", err)
	}
}

func TestCompleteAndSettle(t *testing.T) {
	o, c := signedOp(t)
	if err := o.Complete(t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("Complete with pending outcomes = %v, want a conflict", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(o.RecordOutcome(10, HandedOver, "", t0, c))
	must(o.RecordOutcome(11, DidNotTravel, "in hospital", t0, c))
	must(o.RecordOutcome(20, HandedOver, "", t0, nil))
	if h, n, p := o.Counts(); h != 2 || n != 1 || p != 0 {
		t.Errorf("counts = %d, %d, %d; want 2, 1, 0", h, n, p)
	}
	if _, err := o.SettleCase(c, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("SettleCase before completion = %v, want a conflict", err)
	}
	must(o.Complete(t0.Add(time.Hour)))
	if err := o.RecordOutcome(10, DidNotTravel, "x", t0, c); !errs.Is(err, errs.Conflict) {
		t.Errorf("an outcome after completion = %v, want a conflict", err)
	}
	rest, err := o.SettleCase(c, t0.Add(time.Hour))
	must(err)
	if c.State != cases.Repatriated || !reflect.DeepEqual(c.PersonIDs(), []int64{10}) {
		t.Errorf("case = %s %v, want repatriated [10]", c.State, c.PersonIDs())
	}
	if rest == nil || rest.State != cases.Accepted || !reflect.DeepEqual(rest.PersonIDs(), []int64{11}) || rest.SplitOf != 1 {
		t.Fatalf("the case of those who stayed = %+v, want accepted [11] split of 1", rest)
	}
	for _, p := range o.Signatories() {
		must(o.Sign(KindOutcomes, p, t0.Add(2*time.Hour)))
	}
	if o.State != Closed {
		t.Errorf("state = %s, want closed", o.State)
	}
}

func TestSettleCaseWhole(t *testing.T) {
	tests := []struct {
		name string
		out  Outcome
		want cases.State
	}{
		{"all handed over", HandedOver, cases.Repatriated},
		{"nobody travelled", DidNotTravel, cases.Accepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, c := signedOp(t)
			reason := ""
			if tt.out == DidNotTravel {
				reason = "bus broke down"
			}
			for _, id := range []int64{10, 11} {
				if err := o.RecordOutcome(id, tt.out, reason, t0, c); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.RecordOutcome(20, HandedOver, "", t0, nil); err != nil {
				t.Fatal(err)
			}
			if err := o.Complete(t0); err != nil {
				t.Fatal(err)
			}
			rest, err := o.SettleCase(c, t0)
			if err != nil {
				t.Fatal(err)
			}
			if rest != nil || c.State != tt.want || len(c.Members) != 2 {
				t.Errorf("case = %s with %d members, split %v; want %s with 2, no split", c.State, len(c.Members), rest, tt.want)
			}
		})
	}
}

func key(t *testing.T, seed string) *sign.Key {
	t.Helper()
	s := sha256.Sum256([]byte(seed))
	k, err := sign.NewKeyFromSeed(s[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestBundles(t *testing.T) {
	o, c := signedOp(t)
	kRU, kUA, kICRC := key(t, "ru"), key(t, "ua"), key(t, "icrc")
	trust := sign.TrustSet{}
	trust.Add("RU", kRU.Public())
	trust.Add("UA", kUA.Public())
	trust.Add("ICRC", kICRC.Public())

	b, err := o.NewBundle(kRU, KindRoster, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyRoster(b, trust, "UA"); err == nil {
		t.Errorf("VerifyRoster with one signature: no error")
	}
	if err := o.SignBundle(b, kICRC, trust, "ICRC"); err != nil {
		t.Fatal(err)
	}
	if err := o.SignBundle(b, kICRC, trust, "ICRC"); !errs.Is(err, errs.Conflict) {
		t.Errorf("signing twice = %v, want a conflict", err)
	}
	if err := o.SignBundle(b, kUA, trust, "UA"); err != nil {
		t.Fatal(err)
	}
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := sign.ReadBundle(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := VerifyRoster(rb, trust, "ICRC")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Count != 3 || doc.Operation != o.Ref || doc.Date != "2026-12-12" || len(doc.Persons) != 3 {
		t.Errorf("roster = %+v, want 3 persons of %s on 2026-12-12", doc, o.Ref)
	}

	// A countersignature over a roster that is not the current one is refused.
	other := *o
	other.Roster = o.Roster[:1]
	b2, err := other.NewBundle(kRU, KindRoster, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SignBundle(b2, kUA, trust, "UA"); !errs.Is(err, errs.Conflict) {
		t.Errorf("countersigning a stale roster = %v, want a conflict", err)
	}

	for _, id := range []int64{10, 11, 20} {
		if err := o.RecordOutcome(id, HandedOver, "", t0, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Complete(t0); err != nil {
		t.Fatal(err)
	}
	ob, err := o.NewBundle(kUA, KindOutcomes, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		k     *sign.Key
		party string
	}{{kICRC, "ICRC"}, {kRU, "RU"}} {
		if err := o.SignBundle(ob, k.k, trust, k.party); err != nil {
			t.Fatal(err)
		}
	}
	od, v, err := VerifyOutcomes(ob, trust, "UA")
	if err != nil {
		t.Fatal(err)
	}
	if od.HandedOver != 3 || od.DidNotTravel != 0 || v.Seq != SeqOutcomes {
		t.Errorf("outcomes = %d handed over, %d not, seq %d; want 3, 0, 2", od.HandedOver, od.DidNotTravel, v.Seq)
	}
	if _, _, err := VerifyRoster(ob, trust, "UA"); err == nil {
		t.Errorf("VerifyRoster of an outcomes bundle: no error")
	}
}

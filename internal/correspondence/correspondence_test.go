package correspondence

import (
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

func TestStatusCanMoveTo(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Received, Approved}: true, {Received, Redacted}: true, {Received, Rejected}: true,
		{Approved, Redacted}: true, {Approved, Rejected}: true, {Approved, Packed}: true,
		{Redacted, Rejected}: true, {Redacted, Packed}: true,
		{Packed, Redacted}: true, {Packed, Rejected}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := from.CanMoveTo(to)
				if want := allowed[[2]Status{from, to}]; (err == nil) != want {
					t.Fatalf("got %v, want allowed=%v", err, want)
				}
				if err != nil && !errs.Is(err, errs.Conflict) {
					t.Errorf("got kind %s, want conflict", errs.KindOf(err))
				}
			})
		}
	}
	if err := Status("lost").CanMoveTo(Approved); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown status: got %v, want invalid", err)
	}
}

func TestKindQuotaAndHold(t *testing.T) {
	tests := []struct {
		kind     Kind
		counts   bool
		holdable bool
	}{
		{Letter, true, true}, {Card, true, true}, {Photograph, true, true}, {Drawing, true, true},
		{LegalDocument, false, true}, {CaptureCard, false, false}, {Complaint, false, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			if got := tc.kind.CountsForQuota(); got != tc.counts {
				t.Errorf("CountsForQuota: got %v, want %v", got, tc.counts)
			}
			if got := tc.kind.Holdable(); got != tc.holdable {
				t.Errorf("Holdable: got %v, want %v", got, tc.holdable)
			}
		})
	}
	if got := InitialStatus(CaptureCard); got != Approved {
		t.Errorf("capture card starts %s, want approved", got)
	}
	if got := InitialStatus(Letter); got != Received {
		t.Errorf("letter starts %s, want received", got)
	}
}

func TestItemValidate(t *testing.T) {
	good := Item{Kind: Letter, PersonID: 1, SenderID: 2, Pages: 2}
	good.Normalize("uk")
	if err := good.Validate(); err != nil {
		t.Fatalf("good item: %v", err)
	}
	if good.Language != "uk" || good.Direction != ToDetainee {
		t.Errorf("normalized to language %q direction %q, want uk to_detainee", good.Language, good.Direction)
	}
	unknown := Item{Kind: Card, PersonID: 1, SenderID: 2}
	unknown.Normalize("")
	if unknown.Language != Undetermined || unknown.Validate() != nil {
		t.Errorf("no language known: got %q, want und", unknown.Language)
	}
	tests := []struct {
		name  string
		edit  func(*Item)
		field string
	}{
		{"unknown kind", func(it *Item) { it.Kind = "parcel" }, "kind"},
		{"capture card to a detainee", func(it *Item) { it.Kind = CaptureCard }, "kind"},
		{"no person", func(it *Item) { it.PersonID = 0 }, "person_id"},
		{"no sender", func(it *Item) { it.SenderID = 0 }, "sender_id"},
		{"bad language", func(it *Item) { it.Language = "Ukrainian" }, "language"},
		{"too many pages", func(it *Item) { it.Pages = 101 }, "pages"},
		{"bad direction", func(it *Item) { it.Direction = "sideways" }, "direction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := good
			tc.edit(&it)
			err := it.Validate()
			if _, ok := errs.FieldsOf(err)[tc.field]; !ok {
				t.Fatalf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
}

func TestSenderValidate(t *testing.T) {
	s := Sender{Name: "  Олена   Щербак ", Relationship: "Mother", Contact: "+380 44 000 0000"}
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatalf("good sender: %v", err)
	}
	if s.Name != "Олена Щербак" || s.Relationship != "mother" {
		t.Errorf("got %q %q, want trimmed name and lower-case relationship", s.Name, s.Relationship)
	}
	err := Sender{}.Validate()
	for _, f := range []string{"sender.name", "sender.relationship", "sender.contact"} {
		if _, ok := errs.FieldsOf(err)[f]; !ok {
			t.Errorf("empty sender: no error on %s (got %v)", f, err)
		}
	}
}

func TestScreen(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	it := Item{ID: 7, Kind: Letter, Status: Received, OriginParty: "UA", DestParty: "RU", ReceivedAt: now.Add(-50 * time.Hour)}
	sending := Screening{Side: SendingSide, Outcome: Approve, ScreenedAt: now.Add(-time.Hour)}
	tests := []struct {
		name   string
		item   Item
		side   Side
		done   []Screening
		d      Decision
		status Status
		kind   errs.Kind // of the error, "" for none
	}{
		{"approve", it, SendingSide, nil, Decision{Outcome: Approve}, Approved, ""},
		{"redact", it, SendingSide, nil, Decision{Outcome: Redact, HasRedacted: true}, Redacted, ""},
		{"redact without scan", it, SendingSide, nil, Decision{Outcome: Redact}, "", errs.Invalid},
		{"reject", it, SendingSide, nil, Decision{Outcome: Reject, Reason: Money}, Rejected, ""},
		{"reject without reason", it, SendingSide, nil, Decision{Outcome: Reject}, "", errs.Invalid},
		{"reject with an unlisted reason", it, SendingSide, nil, Decision{Outcome: Reject, Reason: "rude"}, "", errs.Invalid},
		{"other reason needs a note", it, SendingSide, nil, Decision{Outcome: Reject, Reason: OtherSecurity}, "", errs.Invalid},
		{"approve with a reason", it, SendingSide, nil, Decision{Outcome: Approve, Reason: Money}, "", errs.Invalid},
		{"unknown outcome", it, SendingSide, nil, Decision{Outcome: "held"}, "", errs.Invalid},
		{"second pass by the same side", withStatus(it, Approved), SendingSide, []Screening{sending}, Decision{Outcome: Approve}, "", ErrScreenedTwice},
		{"receiving side after sending side", withStatus(it, Approved), ReceivingSide, []Screening{sending}, Decision{Outcome: Approve}, Approved, ""},
		{"receiving side redacts an approved item", withStatus(it, Approved), ReceivingSide, []Screening{sending}, Decision{Outcome: Redact, HasRedacted: true}, Redacted, ""},
		{"receiving side approves a redacted item", withStatus(it, Redacted), ReceivingSide, []Screening{sending}, Decision{Outcome: Approve}, Redacted, ""},
		{"receiving side screens a packed item", withStatus(it, Packed), ReceivingSide, []Screening{sending}, Decision{Outcome: Approve}, Packed, ""},
		{"receiving side rejects a packed item", withStatus(it, Packed), ReceivingSide, []Screening{sending}, Decision{Outcome: Reject, Reason: ProhibitedGoods}, Rejected, ""},
		{"sending side on a packed item", withStatus(it, Packed), SendingSide, nil, Decision{Outcome: Approve}, "", errs.Conflict},
		{"rejected item", withStatus(it, Rejected), ReceivingSide, nil, Decision{Outcome: Approve}, "", errs.Conflict},
		{"capture card cannot be rejected", Item{Kind: CaptureCard, Status: Approved}, SendingSide, nil, Decision{Outcome: Reject, Reason: Money}, "", errs.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, st, err := Screen(tc.item, tc.side, tc.done, tc.d, now)
			if tc.kind != "" {
				if !errs.Is(err, tc.kind) {
					t.Fatalf("got %v, want a %s error", err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if st != tc.status {
				t.Errorf("got status %s, want %s", st, tc.status)
			}
			if sc.Side != tc.side || sc.Outcome != tc.d.Outcome {
				t.Errorf("got screening %s/%s, want %s/%s", sc.Side, sc.Outcome, tc.side, tc.d.Outcome)
			}
			if (sc.Notice != "") != (tc.d.Outcome == Reject) {
				t.Errorf("got notice %q for outcome %s", sc.Notice, tc.d.Outcome)
			}
		})
	}
}

func withStatus(it Item, s Status) Item { it.Status = s; return it }

func TestScreenWaited(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	it := Item{Kind: Letter, Status: Received, ReceivedAt: now.Add(-50 * time.Hour)}
	sc, _, err := Screen(it, SendingSide, nil, Decision{Outcome: Approve}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(50 * 3600); sc.WaitedSecs != want {
		t.Errorf("got %d s waited, want %d", sc.WaitedSecs, want)
	}
	it.Status = Approved
	prev := Screening{Side: SendingSide, ScreenedAt: now.Add(-2 * time.Hour)}
	sc, _, err = Screen(it, ReceivingSide, []Screening{prev}, Decision{Outcome: Approve}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(2 * 3600); sc.WaitedSecs != want {
		t.Errorf("receiving side: got %d s waited, want %d (since the first screening)", sc.WaitedSecs, want)
	}
}

func TestSideOf(t *testing.T) {
	it := Item{OriginParty: "UA", DestParty: "RU"}
	for _, tc := range []struct {
		party string
		side  Side
	}{{"UA", SendingSide}, {"RU", ReceivingSide}, {"ICRC", ""}} {
		got, err := SideOf(it, tc.party)
		if got != tc.side || (err != nil) != (tc.side == "") {
			t.Errorf("SideOf(%s): got %q %v, want %q", tc.party, got, err, tc.side)
		}
	}
}

func TestNotice(t *testing.T) {
	for _, r := range Reasons {
		n := Notice(Drawing, r)
		if !strings.HasPrefix(n, "Your drawing could not be delivered because ") || strings.Contains(n, "  ") {
			t.Errorf("%s: got notice %q", r, n)
		}
	}
}

func TestOverdue(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status Status
		age    time.Duration
		limit  time.Duration
		want   bool
	}{
		{"fresh", Received, time.Hour, 0, false},
		{"over the default", Received, 73 * time.Hour, 0, true},
		{"at the default", Received, 72 * time.Hour, 0, false},
		{"over the party's limit", Received, 25 * time.Hour, 24 * time.Hour, true},
		{"screened long ago", Approved, 300 * time.Hour, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := Item{Status: tc.status, ReceivedAt: now.Add(-tc.age)}
			if got := Overdue(it, tc.limit, now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if got := Waiting(now.Add(-5*time.Hour), now.Add(-2*time.Hour), now); got != 3*time.Hour {
		t.Errorf("Waiting: got %v, want 3h", got)
	}
}

func TestQuota(t *testing.T) {
	validity := []struct {
		q  Quota
		ok bool
	}{
		{Quota{Party: "UA", Direction: Reply}, true},
		{Quota{Party: "UA", Direction: Reply, Letters: 2, Cards: 4}, true},
		{Quota{Party: "UA", Direction: Reply, Letters: 1, Cards: 4}, false},
		{Quota{Party: "UA", Direction: Reply, Letters: 2, Cards: 3}, false},
		{Quota{Party: "UA", Direction: Reply, Letters: -1}, false},
		{Quota{Party: "", Direction: Reply, Letters: 4}, false},
		{Quota{Party: "UA", Direction: "up", Letters: 4}, false},
	}
	for _, tc := range validity {
		if err := tc.q.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: got %v, want ok=%v", tc.q, err, tc.ok)
		}
	}
	q := Quota{Party: "UA", Direction: Reply, Letters: 2, Cards: 4}
	full := Usage{}.Add(Letter).Add(Letter).Add(Card).Add(Card).Add(Card).Add(Card)
	checks := []struct {
		kind Kind
		used Usage
		ok   bool
	}{
		{Letter, Usage{Letters: 1}, true},
		{Letter, full, false},
		{Card, Usage{Cards: 3}, true},
		{Card, full, false},
		{CaptureCard, full, true},
		{Complaint, full, true},
		{LegalDocument, full, true},
		{Photograph, full, true},
		{Drawing, full, true},
	}
	for _, tc := range checks {
		err := CheckQuota(q, tc.used, tc.kind)
		if (err == nil) != tc.ok {
			t.Errorf("%s with %+v used: got %v, want ok=%v", tc.kind, tc.used, err, tc.ok)
		}
	}
	if err := CheckQuota(Quota{}, Usage{Letters: 1000}, Letter); err != nil {
		t.Errorf("no limit: got %v", err)
	}
}

func TestNumbering(t *testing.T) {
	n := Numbering{Service: "RR", Country: "UA"}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	id, err := n.Make(12345678)
	if err != nil {
		t.Fatal(err)
	}
	if err := s10.Validate(id); err != nil || !strings.HasPrefix(id, "RR12345678") || !strings.HasSuffix(id, "UA") {
		t.Errorf("got %s (%v), want a valid RR12345678?UA", id, err)
	}
	for _, serial := range []int64{0, s10.MaxSerial + 1} {
		if _, err := n.Make(serial); err == nil {
			t.Errorf("serial %d: got no error", serial)
		}
	}
	if err := (Numbering{Service: "TT", Country: "UA"}).Validate(); err == nil {
		t.Error("reserved service indicator: got no error")
	}
	got, err := ParseTracking(" rr 123 456 785 ua")
	if err != nil || got != "RR123456785UA" {
		t.Errorf("ParseTracking: got %q %v, want RR123456785UA", got, err)
	}
	if _, err := ParseTracking("RR123456784UA"); !errs.Is(err, errs.Invalid) || !strings.Contains(errs.FieldsOf(err)["tracking"], "check digit") {
		t.Errorf("wrong check digit: got %v", err)
	}
}

func TestPIN(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pin, err := NewPIN()
		if err != nil {
			t.Fatal(err)
		}
		if !validPIN(pin) {
			t.Fatalf("got PIN %q, want six digits", pin)
		}
		seen[pin] = true
	}
	if len(seen) < 45 {
		t.Errorf("got %d distinct PINs of 50", len(seen))
	}
	h, err := HashPIN("012345")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "012345") {
		t.Errorf("hash %q holds the PIN", h)
	}
	h2, _ := HashPIN("012345")
	if h == h2 {
		t.Error("two hashes of one PIN are equal; want a random salt")
	}
	tests := []struct {
		hash, pin string
		want      bool
	}{
		{h, "012345", true},
		{h2, "012345", true},
		{h, "012346", false},
		{h, "12345", false},
		{h, "", false},
		{DummyPINHash, "000000", false},
		{"", "012345", false},
		{"s1$zz$00", "012345", false},
	}
	for _, tc := range tests {
		if got := CheckPIN(tc.hash, tc.pin); got != tc.want {
			t.Errorf("CheckPIN(%.12s…, %q): got %v, want %v", tc.hash, tc.pin, got, tc.want)
		}
	}
}

func TestQuotaParty(t *testing.T) {
	for _, tc := range []struct {
		d    Direction
		want string
	}{{ToDetainee, "UA"}, {Reply, "RU"}} {
		if got := QuotaParty(tc.d, "UA", "RU"); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.d, got, tc.want)
		}
	}
}

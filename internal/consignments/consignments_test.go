package consignments

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func tracking(t *testing.T, n uint32) string {
	t.Helper()
	id, err := s10.Make("RR", n, "UA")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func december() Consignment {
	return Consignment{Ref: "UA-RU-2026-12-01", Kind: Outbound, From: "UA", To: "RU", Via: "ICRC", Period: "2026-12",
		Target: 2000, State: Draft, CreatedAt: t0}
}

func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s error", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("got error kind %q (%v), want %q", got, err, k)
	}
}

func TestStateCanMoveTo(t *testing.T) {
	tests := []struct {
		from, to State
		ok       bool
		msg      string
	}{
		{Draft, Sealed, true, ""},
		{Sealed, Dispatched, true, ""},
		{Dispatched, HandedOver, true, ""},
		{HandedOver, Receipted, true, ""},
		{Receipted, Closed, true, ""},
		{Draft, Dispatched, false, "must be sealed before"},
		{Dispatched, Receipted, false, "must be handed over before"},
		{HandedOver, HandedOver, false, "already handed over"},
		{Receipted, Sealed, false, "cannot go back"},
		{Closed, Draft, false, "closed"},
		{Closed, Closed, false, "already closed"},
		{Draft, "lost", false, "unknown"},
		{"lost", Draft, false, "unknown"},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"→"+string(tt.to), func(t *testing.T) {
			err := tt.from.CanMoveTo(tt.to)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			if !strings.Contains(errs.MessageOf(err), tt.msg) {
				t.Errorf("got message %q, want it to contain %q", errs.MessageOf(err), tt.msg)
			}
		})
	}
}

func TestMoveStampsTimes(t *testing.T) {
	c := december()
	steps := []State{Sealed, Dispatched, HandedOver, Receipted, Closed}
	for i, s := range steps {
		if err := c.Move(s, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatalf("move to %s: %v", s, err)
		}
	}
	for name, got := range map[string]*time.Time{"sealed": c.SealedAt, "dispatched": c.DispatchedAt, "handed over": c.HandedOverAt, "receipted": c.ReceiptedAt, "closed": c.ClosedAt} {
		if got == nil {
			t.Errorf("%s time not set", name)
		}
	}
	if !c.ClosedAt.Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("got closed at %v, want %v", c.ClosedAt, t0.Add(4*time.Hour))
	}
	if err := c.Move(Draft, t0); err == nil {
		t.Error("moving a closed consignment back: got nil, want an error")
	}
}

func TestConsignmentValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Consignment)
		field string
	}{
		{"ok", func(*Consignment) {}, ""},
		{"bad ref", func(c *Consignment) { c.Ref = "x" }, "ref"},
		{"same parties", func(c *Consignment) { c.To = "UA" }, "to"},
		{"intermediary is a party", func(c *Consignment) { c.Via = "RU" }, "via"},
		{"bad party", func(c *Consignment) { c.From = "ukraine" }, "from"},
		{"bad period", func(c *Consignment) { c.Period = "2026-13" }, "period"},
		{"december text", func(c *Consignment) { c.Period = "December" }, "period"},
		{"negative target", func(c *Consignment) { c.Target = -1 }, "target"},
		{"outbound with return_of", func(c *Consignment) { c.ReturnOf = "RU-UA-2026-12-01" }, "return_of"},
		{"return without return_of", func(c *Consignment) { c.Kind = Return }, "return_of"},
		{"bad kind", func(c *Consignment) { c.Kind = "sideways" }, "kind"},
		{"bad state", func(c *Consignment) { c.State = "lost" }, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := december()
			tt.edit(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			wantKind(t, err, errs.Invalid)
			if _, ok := errs.FieldsOf(err)[tt.field]; !ok {
				t.Errorf("got fields %v, want one for %q", errs.FieldsOf(err), tt.field)
			}
		})
	}
}

func TestNormalizeAndRef(t *testing.T) {
	c := Consignment{Ref: " ua-ru-2026-12-01 ", From: "ua", To: "ru ", Via: "icrc", Period: "2026-12", Place: "  Sumy   crossing "}
	c.Normalize()
	if c.Ref != "UA-RU-2026-12-01" || c.From != "UA" || c.Kind != Outbound || c.State != Draft || c.Place != "Sumy crossing" {
		t.Errorf("got %+v after Normalize", c)
	}
	if got, want := MakeRef("UA", "RU", "2026-12", Outbound, 1), "UA-RU-2026-12-01"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := MakeRef("RU", "UA", "2026-12", Return, 2), "RU-UA-2026-12-R02"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !ValidRef(MakeRef("RU", "UA", "2026-12", Return, 2)) {
		t.Error("a return reference is not valid")
	}
}

func TestCanClose(t *testing.T) {
	tests := []struct {
		name   string
		state  State
		states []ParcelState
		ok     bool
	}{
		{"all final", Receipted, []ParcelState{ParcelAcknowledged, ParcelReturned, ParcelMissing}, true},
		{"one received", Receipted, []ParcelState{ParcelAcknowledged, ParcelReceived}, false},
		{"one undeliverable not yet returned", Receipted, []ParcelState{ParcelUndeliverable}, false},
		{"not receipted", HandedOver, []ParcelState{ParcelAcknowledged}, false},
		{"no parcels", Receipted, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CanClose(tt.state, tt.states)
			if (err == nil) != tt.ok {
				t.Errorf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestAllFinal(t *testing.T) {
	if AllFinal(nil) {
		t.Error("AllFinal(nil) got true, want false")
	}
	if !AllFinal([]ParcelState{ParcelMissing, ParcelReturned, ParcelAcknowledged}) {
		t.Error("AllFinal of final states got false, want true")
	}
	for _, s := range []ParcelState{ParcelOpen, ParcelSealed, ParcelDispatched, ParcelHandedOver, ParcelReceived, ParcelDelivered, ParcelUndeliverable} {
		if s.Final() {
			t.Errorf("%s.Final() got true, want false", s)
		}
	}
}

func TestSees(t *testing.T) {
	c := december()
	for scope, want := range map[string]bool{"": true, "UA": true, "RU": true, "ICRC": true, "XX": false} {
		if got := c.Sees(scope); got != want {
			t.Errorf("Sees(%q) got %v, want %v", scope, got, want)
		}
	}
}

func TestCanAdd(t *testing.T) {
	c := december()
	ok := ParcelInfo{Tracking: "RR000000010UA", Status: ParcelSealed, FromParty: "UA", ToParty: "RU"}
	sealed := c
	sealed.State = Sealed
	back := c
	back.Kind = Return
	tests := []struct {
		name string
		c    Consignment
		edit func(*ParcelInfo)
		msg  string
	}{
		{"ok", c, func(*ParcelInfo) {}, ""},
		{"not a draft", sealed, func(*ParcelInfo) {}, "while it is a draft"},
		{"return consignment", back, func(*ParcelInfo) {}, "return consignment"},
		{"already here", c, func(p *ParcelInfo) { p.InThis = true }, "already on"},
		{"another consignment", c, func(p *ParcelInfo) { p.OtherRef = "UA-RU-2026-11-01" }, "belongs to consignment UA-RU-2026-11-01"},
		{"other direction", c, func(p *ParcelInfo) { p.FromParty, p.ToParty = "RU", "UA" }, "goes from RU to UA"},
		{"open", c, func(p *ParcelInfo) { p.Status = ParcelOpen }, "only a sealed parcel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			err := CanAdd(tt.c, p)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			wantKind(t, err, errs.Conflict)
			if !strings.Contains(errs.MessageOf(err), tt.msg) {
				t.Errorf("got %q, want it to contain %q", errs.MessageOf(err), tt.msg)
			}
		})
	}
}

func TestPathTo(t *testing.T) {
	tests := []struct {
		from, to ParcelState
		want     string
		ok       bool
	}{
		{ParcelReceived, ParcelAcknowledged, "delivered,acknowledged", true},
		{ParcelReceived, ParcelReturned, "undeliverable,returned", true},
		{ParcelRedirected, ParcelAcknowledged, "received,delivered,acknowledged", true},
		{ParcelHandedOver, ParcelReceived, "received", true},
		{ParcelReceived, ParcelReceived, "", true},
		{ParcelAcknowledged, ParcelReceived, "", false},
		{ParcelMissing, ParcelReceived, "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"→"+string(tt.to), func(t *testing.T) {
			got, err := PathTo(tt.from, tt.to)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
			var s []string
			for _, x := range got {
				s = append(s, string(x))
			}
			if strings.Join(s, ",") != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
}

func TestCheckParty(t *testing.T) {
	c := december()
	tests := []struct {
		party string
		step  Step
		kind  errs.Kind
	}{
		{"UA", StepPrepare, ""},
		{"RU", StepPrepare, errs.Forbidden},
		{"ICRC", StepPrepare, errs.Forbidden},
		{"ICRC", StepHandover, ""},
		{"UA", StepHandover, errs.Forbidden},
		{"RU", StepConfirm, ""},
		{"RU", StepCountersign, ""},
		{"ICRC", StepCountersign, errs.Forbidden},
		{"RU", StepDeliver, ""},
		{"UA", StepDeliver, errs.Forbidden},
		{"XX", StepPrepare, errs.NotFound},
		{"", StepPrepare, errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.party+" "+string(tt.step), func(t *testing.T) {
			err := CheckParty(c, tt.party, tt.step)
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			wantKind(t, err, tt.kind)
		})
	}
}

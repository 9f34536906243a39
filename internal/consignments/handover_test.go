package consignments

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/pdf"
)

func lines(t *testing.T, n int) []Line {
	t.Helper()
	out := make([]Line, n)
	for i := range out {
		out[i] = Line{Tracking: tracking(t, uint32(1000+i)), RecipientRef: "UA-P-" + string(rune('A'+i%26)) + "0" + string(rune('0'+i%10)), WeightGrams: 400 + 10*i, Items: 1 + i%5}
	}
	return out
}

func sealedManifest(t *testing.T, n int) (Consignment, Manifest) {
	t.Helper()
	c := december()
	m, err := BuildManifest(c, lines(t, n), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Move(Sealed, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Move(Dispatched, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return c, m
}

func TestBuildManifest(t *testing.T) {
	c := december()
	ls := lines(t, 3)
	// Out of order and with a lower-case tracking number: the manifest sorts and normalises.
	in := []Line{ls[2], ls[0], {Tracking: strings.ToLower(ls[1].Tracking), RecipientRef: ls[1].RecipientRef, WeightGrams: ls[1].WeightGrams, Items: ls[1].Items}}
	m, err := BuildManifest(c, in, t0.Add(90*time.Minute+500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Trackings(), []string{ls[0].Tracking, ls[1].Tracking, ls[2].Tracking}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got trackings %v, want %v", got, want)
	}
	want := Totals{Parcels: 3, Items: ls[0].Items + ls[1].Items + ls[2].Items, WeightGrams: ls[0].WeightGrams + ls[1].WeightGrams + ls[2].WeightGrams}
	if m.Totals != want {
		t.Errorf("got totals %+v, want %+v", m.Totals, want)
	}
	if err := m.Check(); err != nil {
		t.Errorf("Check of a built manifest: %v", err)
	}
	var csv bytes.Buffer
	if err := m.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	golden(t, "manifest.csv", csv.Bytes())
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "manifest.json", append(js, '\n'))
	text, err := pdf.ManifestText(m.PDF(Names{"UA": {Name: "Ombudsman of Ukraine"}}, t0.Add(2*time.Hour), strings.Repeat("ab", 32)))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(text, "\n")
	for _, want := range []string{"Ombudsman of Ukraine", "UA-RU-2026-12-01", "December 2026", ls[2].RecipientRef} {
		if !strings.Contains(joined, want) {
			t.Errorf("printed manifest lacks %q", want)
		}
	}
}

func TestBuildManifestRefuses(t *testing.T) {
	ls := lines(t, 2)
	tests := []struct {
		name  string
		lines []Line
		kind  errs.Kind
		field string
	}{
		{"empty", nil, errs.Conflict, ""},
		{"duplicate", []Line{ls[0], ls[0]}, errs.Invalid, "parcels[1].tracking"},
		{"bad check digit", []Line{{Tracking: "RR000010000UA", RecipientRef: "P1", WeightGrams: 1, Items: 1}}, errs.Invalid, "parcels[0].tracking"},
		{"a name as recipient", []Line{{Tracking: ls[0].Tracking, RecipientRef: "Shcherbak Andrii", WeightGrams: 1, Items: 1}}, errs.Invalid, "parcels[0].recipient_ref"},
		{"no weight", []Line{{Tracking: ls[0].Tracking, RecipientRef: "P1", Items: 1}}, errs.Invalid, "parcels[0].weight_grams"},
		{"too heavy", []Line{{Tracking: ls[0].Tracking, RecipientRef: "P1", WeightGrams: MaxWeightGrams + 1, Items: 1}}, errs.Invalid, "parcels[0].weight_grams"},
		{"no items", []Line{{Tracking: ls[0].Tracking, RecipientRef: "P1", WeightGrams: 10}}, errs.Invalid, "parcels[0].items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildManifest(december(), tt.lines, t0)
			wantKind(t, err, tt.kind)
			if tt.field != "" {
				if _, ok := errs.FieldsOf(err)[tt.field]; !ok {
					t.Errorf("got fields %v, want one for %q", errs.FieldsOf(err), tt.field)
				}
			}
		})
	}
}

func TestManifestCheckRefusesChanges(t *testing.T) {
	_, m := sealedManifest(t, 3)
	tests := []struct {
		name string
		edit func(*Manifest)
	}{
		{"totals", func(m *Manifest) { m.Totals.Items++ }},
		{"order", func(m *Manifest) { m.Parcels[0], m.Parcels[1] = m.Parcels[1], m.Parcels[0] }},
		{"line", func(m *Manifest) { m.Parcels[0].WeightGrams = 0 }},
		{"party", func(m *Manifest) { m.To = "UA" }},
		{"no seal time", func(m *Manifest) { m.Sealed = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := m
			c.Parcels = append([]Line(nil), m.Parcels...)
			tt.edit(&c)
			if err := c.Check(); err == nil {
				t.Error("got nil, want an error")
			}
		})
	}
}

func TestClassifyScan(t *testing.T) {
	c, m := sealedManifest(t, 3)
	first := m.Parcels[0].Tracking
	prev := &Scan{Tracking: first, Expected: true, UserID: 7, At: t0}
	handed := c
	handed.State = HandedOver
	draft := december()
	tests := []struct {
		name    string
		c       Consignment
		in      ScanInput
		outcome ScanOutcome
		record  bool
		kind    errs.Kind
		msg     string
	}{
		{"expected", c, ScanInput{Tracking: first, OnManifest: true}, ScanExpected, true, "", ""},
		{"expected with spaces and lower case", c, ScanInput{Tracking: " " + strings.ToLower(first), OnManifest: true}, ScanExpected, true, "", ""},
		{"damaged", c, ScanInput{Tracking: first, OnManifest: true, Damaged: true}, ScanDamaged, true, "", ""},
		{"extra", c, ScanInput{Tracking: tracking(t, 9999)}, ScanExtra, true, "", ""},
		{"repeat", c, ScanInput{Tracking: first, OnManifest: true, Previous: prev}, ScanDuplicate, false, "", ""},
		{"repeat, now damaged", c, ScanInput{Tracking: first, OnManifest: true, Previous: prev, Damaged: true}, ScanDamaged, true, "", ""},
		{"another consignment", c, ScanInput{Tracking: first, OtherRef: "UA-RU-2026-11-01"}, "", false, errs.Conflict, "belongs to consignment UA-RU-2026-11-01"},
		{"not a tracking number", c, ScanInput{Tracking: "hello"}, "", false, errs.Invalid, ""},
		{"second handover", handed, ScanInput{Tracking: first, OnManifest: true}, "", false, errs.Conflict, "a second handover is refused"},
		{"not dispatched", draft, ScanInput{Tracking: first, OnManifest: true}, "", false, errs.Conflict, "only a dispatched consignment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, s, err := ClassifyScan(tt.c, tt.in, 8, t0.Add(3*time.Hour))
			if tt.kind != "" {
				wantKind(t, err, tt.kind)
				if !strings.Contains(errs.MessageOf(err), tt.msg) {
					t.Errorf("got message %q, want it to contain %q", errs.MessageOf(err), tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.outcome {
				t.Errorf("got outcome %q, want %q", got, tt.outcome)
			}
			if (s != nil) != tt.record {
				t.Fatalf("got scan %+v, want one recorded: %v", s, tt.record)
			}
			if s != nil && (s.Tracking != first && tt.outcome != ScanExtra || s.UserID != 8) {
				t.Errorf("got scan %+v", s)
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	exp := []string{tracking(t, 1), tracking(t, 2), tracking(t, 3), tracking(t, 4)}
	extra := tracking(t, 99)
	scans := []Scan{
		{Tracking: exp[0]},
		{Tracking: exp[1], Damaged: true},
		{Tracking: exp[0]}, // a repeat counts once
		{Tracking: extra},
	}
	r := Reconcile(exp, scans, false)
	want := Counts{Expected: 4, Scanned: 3, Received: 2, Missing: 2, Extra: 1, Damaged: 1, Cancelled: 0, Remaining: 2}
	if r.Counts != want {
		t.Errorf("got %+v, want %+v", r.Counts, want)
	}
	if strings.Join(r.Missing, ",") != exp[2]+","+exp[3] {
		t.Errorf("got missing %v", r.Missing)
	}
	if !r.Discrepant() {
		t.Error("got not discrepant, want discrepant")
	}
	w := Reconcile(exp, scans, true)
	if w.Cancelled != 2 || w.Remaining != 0 {
		t.Errorf("written off: got cancelled %d remaining %d, want 2 and 0", w.Cancelled, w.Remaining)
	}
	all := Reconcile(exp, []Scan{{Tracking: exp[3]}, {Tracking: exp[2]}, {Tracking: exp[1]}, {Tracking: exp[0]}}, false)
	if all.Discrepant() || all.Remaining != 0 || all.Received != 4 {
		t.Errorf("all scanned: got %+v", all.Counts)
	}
	none := Reconcile(exp, nil, false)
	if none.Missing == nil || none.Extra == nil || none.Damaged == nil {
		t.Error("lists must be empty, not nil, so that JSON says []")
	}
}

func TestNoteConfirm(t *testing.T) {
	c, m := sealedManifest(t, 3)
	r := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}}, false)
	if _, err := NewNote(c, r, "  ", 1, t0); err == nil {
		t.Error("a note without text: got nil, want an error")
	}
	clean := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}, {Tracking: m.Parcels[2].Tracking}}, false)
	if _, err := NewNote(c, clean, "all fine", 1, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("a note with no discrepancy: got %v, want a conflict", err)
	}
	n, err := NewNote(c, r, "two parcels not in the truck", 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CanCompleteHandover(c, r, &n); !errs.Is(err, errs.Conflict) {
		t.Errorf("an unconfirmed note: got %v, want a conflict", err)
	}
	if err := n.Confirm(1, t0); err != nil {
		t.Fatal(err)
	}
	err = n.Confirm(1, t0.Add(time.Minute))
	wantKind(t, err, errs.Conflict)
	if !strings.Contains(errs.MessageOf(err), "already confirmed") {
		t.Errorf("got %q, want it to say already confirmed", errs.MessageOf(err))
	}
	if n.Confirmed() || len(n.Confirmations) != 1 {
		t.Fatalf("after the same user twice: got confirmed=%v with %d confirmations, want false and 1", n.Confirmed(), len(n.Confirmations))
	}
	if err := n.Confirm(0, t0); !errs.Is(err, errs.Forbidden) {
		t.Errorf("confirm by no user: got %v, want forbidden", err)
	}
	if err := n.Confirm(2, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !n.Confirmed() {
		t.Fatal("two users confirmed: got not confirmed")
	}
	if err := n.Confirm(3, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("a third confirmation: got %v, want a conflict", err)
	}
	if err := CanCompleteHandover(c, r, &n); err != nil {
		t.Errorf("confirmed note: got %v, want nil", err)
	}
	changed := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}}, false)
	if err := CanCompleteHandover(c, changed, &n); !errs.Is(err, errs.Conflict) {
		t.Errorf("note about other scans: got %v, want a conflict", err)
	}
	if err := CanCompleteHandover(c, r, nil); !errs.Is(err, errs.Conflict) {
		t.Errorf("a discrepancy with no note: got %v, want a conflict", err)
	}
	if err := CanCompleteHandover(c, clean, nil); err != nil {
		t.Errorf("no discrepancy, no note: got %v, want nil", err)
	}
}

func TestReceipt(t *testing.T) {
	c, m := sealedManifest(t, 4)
	c.Place = "Exchange point 3"
	scans := []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking, Damaged: true}, {Tracking: m.Parcels[2].Tracking}, {Tracking: tracking(t, 77)}}
	r := Reconcile(m.Trackings(), scans, false)
	n, err := NewNote(c, r, "one parcel missing, one torn, one not ours", 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	n.Confirm(1, t0)
	n.Confirm(2, t0)
	digest := strings.Repeat("0f", 32)
	rc, err := BuildReceipt(c, digest, Reconcile(m.Trackings(), scans, true), &n, t0.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Shipped != 4 || rc.Received != 3 || rc.Cancelled != 1 || rc.Damaged != 1 || rc.Remaining != 0 || rc.Extra != 1 {
		t.Errorf("got %+v", rc)
	}
	if err := rc.Check(c); err != nil {
		t.Errorf("Check of a built receipt: %v", err)
	}
	js, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt.json", append(js, '\n'))
	text, err := pdf.HandoverReceiptText(rc.PDF(nil, []pdf.Signature{{Role: "intermediary", Name: "Delegate", Party: "ICRC", KeyID: "0011223344556677", Time: t0}}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(text, "\n"), "one parcel missing") {
		t.Error("printed receipt lacks the note")
	}
	bad := []struct {
		name string
		edit func(*Receipt)
	}{
		{"remaining", func(r *Receipt) { r.Remaining = 1 }},
		{"counts", func(r *Receipt) { r.Received = 4 }},
		{"other ref", func(r *Receipt) { r.Ref = "UA-RU-2026-11-01" }},
		{"before dispatch", func(r *Receipt) { r.Date = t0 }},
		{"damaged list", func(r *Receipt) { r.DamagedList = nil }},
		{"bad tracking", func(r *Receipt) { r.ExtraList = []string{"XX"} }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			x := rc
			tt.edit(&x)
			if err := x.Check(c); err == nil {
				t.Error("got nil, want an error")
			}
		})
	}
	if _, err := BuildReceipt(c, "nothex", Reconcile(m.Trackings(), scans, true), &n, t0); err == nil {
		t.Error("a bad digest: got nil, want an error")
	}
}

func TestHandoverAndReceiptStates(t *testing.T) {
	_, m := sealedManifest(t, 3)
	r := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}}, true)
	states := HandoverStates(r, m.Trackings())
	if states[m.Parcels[0].Tracking] != ParcelHandedOver || states[m.Parcels[2].Tracking] != ParcelMissing {
		t.Errorf("got %v", states)
	}
	c := december()
	after := ReceiptStates(c, states)
	if after[m.Parcels[0].Tracking] != ParcelReceived || after[m.Parcels[2].Tracking] != ParcelMissing {
		t.Errorf("outbound: got %v", after)
	}
	c.Kind = Return
	back := ReceiptStates(c, states)
	if back[m.Parcels[1].Tracking] != ParcelReturned {
		t.Errorf("return: got %v", back)
	}
}

package consignments

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
)

func receipted(t *testing.T, n int) (Consignment, Manifest) {
	t.Helper()
	c, m := sealedManifest(t, n)
	if err := c.Move(HandedOver, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.Move(Receipted, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return c, m
}

func TestDeliveryValidate(t *testing.T) {
	id := tracking(t, 5)
	at := t0.Add(48 * time.Hour)
	tests := []struct {
		name  string
		d     Delivery
		field string
	}{
		{"signed slip", Delivery{Tracking: id, Outcome: Delivered, At: at, AckKind: AckSignedSlip, AckRef: "sha256:ab12"}, ""},
		{"representative", Delivery{Tracking: id, Outcome: Delivered, At: at, AckKind: AckRepresentative, AckRef: "ATT-2026-12-004"}, ""},
		{"delivered without proof", Delivery{Tracking: id, Outcome: Delivered, At: at}, "ack_kind"},
		{"slip without reference", Delivery{Tracking: id, Outcome: Delivered, At: at, AckKind: AckSignedSlip}, "ack_ref"},
		{"a name as reference", Delivery{Tracking: id, Outcome: Delivered, At: at, AckKind: AckRepresentative, AckRef: "Ivan Petrov"}, "ack_ref"},
		{"delivered with a reason", Delivery{Tracking: id, Outcome: Delivered, At: at, AckKind: AckSignedSlip, AckRef: "x1", Reason: ReasonRefused}, "reason"},
		{"transferred, redirected", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonTransferred, Action: ActionRedirected, NewFacility: "CAMP-7"}, ""},
		{"transferred without facility", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonTransferred, Action: ActionRedirected}, "new_facility"},
		{"transferred, returned", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonTransferred, Action: ActionReturned}, "action"},
		{"deceased, returned", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonDeceased, Action: ActionReturned}, ""},
		{"released, returned", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonReleased, Action: ActionReturned}, ""},
		{"hospitalised, held", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonHospitalised, Action: ActionHeld}, ""},
		{"returned with facility", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonRefused, Action: ActionReturned, NewFacility: "CAMP-7"}, "new_facility"},
		{"no reason", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Action: ActionReturned}, "reason"},
		{"unknown reason", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: "escaped", Action: ActionReturned}, "reason"},
		{"no action", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonUnknown}, "action"},
		{"undeliverable with proof", Delivery{Tracking: id, Outcome: Undeliverable, At: at, Reason: ReasonUnknown, Action: ActionReturned, AckKind: AckSignedSlip}, "ack_kind"},
		{"no outcome", Delivery{Tracking: id, At: at}, "outcome"},
		{"bad tracking", Delivery{Tracking: "RR1", Outcome: Delivered, At: at, AckKind: AckSignedSlip, AckRef: "x"}, "tracking"},
		{"no date", Delivery{Tracking: id, Outcome: Delivered, AckKind: AckSignedSlip, AckRef: "x"}, "at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
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

func TestDeliveryApply(t *testing.T) {
	c, m := receipted(t, 2)
	id := m.Parcels[0].Tracking
	now := t0.Add(72 * time.Hour)
	del := Delivery{Tracking: id, Outcome: Delivered, At: t0.Add(48 * time.Hour), AckKind: AckSignedSlip, AckRef: "slip-1"}
	ret := Delivery{Tracking: id, Outcome: Undeliverable, At: t0.Add(48 * time.Hour), Reason: ReasonDeceased, Action: ActionReturned}
	red := Delivery{Tracking: id, Outcome: Undeliverable, At: t0.Add(48 * time.Hour), Reason: ReasonTransferred, Action: ActionRedirected, NewFacility: "CAMP-9"}
	held := Delivery{Tracking: id, Outcome: Undeliverable, At: t0.Add(48 * time.Hour), Reason: ReasonHospitalised, Action: ActionHeld}
	handed := c
	handed.State = HandedOver
	closed := c
	closed.State = Closed
	back := c
	back.Kind, back.ReturnOf = Return, "RU-UA-2026-11-01"
	early := del
	early.At = t0.Add(-48 * time.Hour)
	future := del
	future.At = now.Add(72 * time.Hour)
	tests := []struct {
		name string
		c    Consignment
		cur  ParcelState
		d    Delivery
		want []ParcelState
		kind errs.Kind
		msg  string
	}{
		{"delivered", c, ParcelReceived, del, []ParcelState{ParcelDelivered, ParcelAcknowledged}, "", ""},
		{"returned", c, ParcelReceived, ret, []ParcelState{ParcelUndeliverable}, "", ""},
		{"redirected", c, ParcelReceived, red, []ParcelState{ParcelRedirected}, "", ""},
		{"held stays", c, ParcelReceived, held, nil, "", ""},
		{"delivered at the new facility", c, ParcelRedirected, del, []ParcelState{ParcelReceived, ParcelDelivered, ParcelAcknowledged}, "", ""},
		{"redirected, then returned", c, ParcelRedirected, ret, []ParcelState{ParcelReceived, ParcelUndeliverable}, "", ""},
		{"never arrived: missing", c, ParcelMissing, del, nil, errs.Conflict, "never arrived"},
		{"never arrived: still handed over", c, ParcelHandedOver, del, nil, errs.Conflict, "has not arrived"},
		{"never arrived: dispatched", c, ParcelDispatched, del, nil, errs.Conflict, "has not arrived"},
		{"not on the consignment", c, "", del, nil, errs.NotFound, "not in consignment"},
		{"twice", c, ParcelAcknowledged, del, nil, errs.Conflict, "already has an outcome"},
		{"undeliverable twice", c, ParcelUndeliverable, ret, nil, errs.Conflict, "already has an outcome"},
		{"before countersigned receipt", handed, ParcelReceived, del, nil, errs.Conflict, "countersigned"},
		{"closed", closed, ParcelReceived, del, nil, errs.Conflict, "closed"},
		{"return consignment", back, ParcelReceived, del, nil, errs.Conflict, "returns parcels"},
		{"before receipt", c, ParcelReceived, early, nil, errs.Invalid, ""},
		{"in the future", c, ParcelReceived, future, nil, errs.Invalid, ""},
		{"invalid", c, ParcelReceived, Delivery{Tracking: id, Outcome: Delivered, At: now}, nil, errs.Invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.d.Apply(tt.c, tt.cur, now)
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
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if end := After(tt.cur, got); len(tt.want) > 0 && end != tt.want[len(tt.want)-1] || len(tt.want) == 0 && end != tt.cur {
				t.Errorf("After got %q", end)
			}
		})
	}
}

func TestParseDeliveryCSV(t *testing.T) {
	a, b, c := tracking(t, 11), tracking(t, 12), tracking(t, 13)
	good := "\ufefftracking,outcome,date,ack_kind,ack_ref,reason,action,new_facility,note\n" +
		a + ",delivered,2026-12-05,signed_slip,slip-11,,,,\n" +
		strings.ToLower(b) + ",UNDELIVERABLE,2026-12-06T10:00:00+03:00,,,transferred,redirected,CAMP-9,moved on the 3rd\n" +
		c + ",undeliverable,2026-12-06,,,deceased,returned,,\n"
	ds, err := ParseDeliveryCSV(strings.NewReader(good), 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("got %d deliveries, want 3", len(ds))
	}
	if ds[1].Tracking != b || ds[1].Outcome != Undeliverable || ds[1].NewFacility != "CAMP-9" || !ds[1].At.Equal(time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)) || ds[1].UserID != 42 {
		t.Errorf("got %+v", ds[1])
	}
	js, err := json.MarshalIndent(ds, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "deliveries.json", append(js, '\n'))

	// Columns in another order, optional ones left out.
	short := "date,outcome,tracking,ack_kind,ack_ref\n2026-12-05,delivered," + a + ",representative,ATT-1\n"
	if ds, err := ParseDeliveryCSV(strings.NewReader(short), 1); err != nil || len(ds) != 1 || ds[0].AckKind != AckRepresentative {
		t.Errorf("short file: got %+v, %v", ds, err)
	}

	bad := []struct {
		name string
		in   string
		key  string // a key of the fields, or a piece of the message
	}{
		{"empty", "", "empty"},
		{"only header", "tracking,outcome,date\n", "no rows"},
		{"unknown column", "tracking,outcome,date,colour\n", "line 1, column 4"},
		{"repeated column", "tracking,outcome,date,date\n", "appears twice"},
		{"missing column", "tracking,outcome\n", `no "date" column`},
		{"bad date", "tracking,outcome,date\n" + a + ",delivered,5 Dec\n", "line 2, column 3 (date)"},
		{"no proof", "tracking,outcome,date,ack_kind\n" + a + ",delivered,2026-12-05,\n", "line 2, column 4 (ack_kind)"},
		{"bad reason", "tracking,outcome,date,reason,action\n" + a + ",undeliverable,2026-12-05,escaped,returned\n", "line 2, column 4 (reason)"},
		{"bad tracking on line 3", "tracking,outcome,date,ack_kind,ack_ref\n" + a + ",delivered,2026-12-05,signed_slip,s1\nRR12,delivered,2026-12-05,signed_slip,s2\n", "line 3, column 1 (tracking)"},
		{"duplicate parcel", "tracking,outcome,date,ack_kind,ack_ref\n" + a + ",delivered,2026-12-05,signed_slip,s1\n" + a + ",delivered,2026-12-05,signed_slip,s2\n", "also on line 2"},
		{"short row", "tracking,outcome,date\n" + a + ",delivered\n", "line 2"},
		{"bad quoting", "tracking,outcome,date\n\"" + a + ",delivered,2026-12-05\n", "line 2"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ParseDeliveryCSV(strings.NewReader(tt.in), 1)
			if err == nil {
				t.Fatalf("got %d deliveries, want an error", len(ds))
			}
			if ds != nil {
				t.Errorf("got %d deliveries with the error, want none", len(ds))
			}
			all := errs.MessageOf(err)
			for k, v := range errs.FieldsOf(err) {
				all += "\n" + k + ": " + v
			}
			if !strings.Contains(all, tt.key) {
				t.Errorf("got %q, want it to contain %q", all, tt.key)
			}
		})
	}
}

func TestNewReturn(t *testing.T) {
	c, m := receipted(t, 4)
	states := map[string]ParcelState{}
	for _, l := range m.Parcels {
		states[l.Tracking] = ParcelAcknowledged
	}
	if _, _, err := NewReturn(c, m.Parcels, states, 1, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("nothing to return: got %v, want a conflict", err)
	}
	states[m.Parcels[3].Tracking] = ParcelUndeliverable
	states[m.Parcels[1].Tracking] = ParcelUndeliverable
	states[m.Parcels[2].Tracking] = ParcelReceived // redirected: stays
	r, back, err := NewReturn(c, m.Parcels, states, 1, t0.Add(96*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "RU-UA-2026-12-R01" || r.From != "RU" || r.To != "UA" || r.Via != "ICRC" || r.Kind != Return || r.ReturnOf != c.Ref || r.Target != 2 {
		t.Errorf("got %+v", r)
	}
	if len(back) != 2 || back[0].Tracking != m.Parcels[1].Tracking || back[1].Tracking != m.Parcels[3].Tracking {
		t.Errorf("got lines %+v", back)
	}
	if _, err := BuildManifest(r, back, t0.Add(97*time.Hour)); err != nil {
		t.Errorf("manifest of the return: %v", err)
	}
	if _, _, err := NewReturn(r, back, states, 1, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("return of a return: got %v, want a conflict", err)
	}
	d := c
	d.State = HandedOver
	if _, _, err := NewReturn(d, m.Parcels, states, 1, t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("return before receipt: got %v, want a conflict", err)
	}
	ds := []Delivery{{Outcome: Delivered}, {Outcome: Undeliverable, Action: ActionRedirected, Tracking: "X"}, {Outcome: Undeliverable, Action: ActionReturned}}
	if got := Redirects(ds); len(got) != 1 || got[0].Tracking != "X" {
		t.Errorf("Redirects got %+v", got)
	}
}

func TestReport(t *testing.T) {
	c, m := receipted(t, 5)
	ids := m.Trackings()
	at := t0.Add(48 * time.Hour)
	latest := map[string]Delivery{
		ids[0]: {Tracking: ids[0], Outcome: Delivered, At: at, AckKind: AckSignedSlip, AckRef: "slip-0"},
		ids[1]: {Tracking: ids[1], Outcome: Undeliverable, At: at, Reason: ReasonTransferred, Action: ActionRedirected, NewFacility: "CAMP-9"},
		ids[2]: {Tracking: ids[2], Outcome: Undeliverable, At: at, Reason: ReasonDeceased, Action: ActionReturned},
	}
	states := map[string]ParcelState{ids[0]: ParcelAcknowledged, ids[1]: ParcelRedirected, ids[2]: ParcelReturned, ids[3]: ParcelReceived, ids[4]: ParcelMissing}
	r, err := BuildReport(c, states, latest, "RU-UA-2026-12-R01", t0.Add(100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := ReportCounts{Parcels: 5, Missing: 1, Received: 1, Delivered: 1, Redirected: 1, Returned: 1}
	if r.Counts != want {
		t.Errorf("got counts %+v, want %+v", r.Counts, want)
	}
	if err := r.Check(c, ids); err != nil {
		t.Errorf("Check of a built report: %v", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("CAMP-9")) {
		t.Error("the report names the facility a parcel was redirected to")
	}
	golden(t, "report.json", buf.Bytes())

	bad := []struct {
		name string
		edit func(*Report)
	}{
		{"counts", func(r *Report) { r.Counts.Delivered++ }},
		{"unknown parcel", func(r *Report) { r.Lines[0].Tracking = tracking(t, 4242) }},
		{"a parcel twice", func(r *Report) { r.Lines[1] = r.Lines[0] }},
		{"a parcel left out", func(r *Report) { r.Lines = r.Lines[1:] }},
		{"wrong author", func(r *Report) { r.From = "UA" }},
		{"state without outcome", func(r *Report) {
			for i := range r.Lines {
				if r.Lines[i].State == string(ParcelAcknowledged) {
					r.Lines[i].Outcome = ""
				}
			}
		}},
		{"returned but received", func(r *Report) {
			for i := range r.Lines {
				if r.Lines[i].Action == ActionReturned {
					r.Lines[i].State = string(ParcelReceived)
				}
			}
		}},
		{"bad date", func(r *Report) {
			for i := range r.Lines {
				if r.Lines[i].Outcome != "" {
					r.Lines[i].Date = "soon"
				}
			}
		}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			x := r
			x.Lines = append([]ReportLine(nil), r.Lines...)
			tt.edit(&x)
			if err := x.Check(c, ids); err == nil {
				t.Error("got nil, want an error")
			}
		})
	}
	h := c
	h.State = HandedOver
	if _, err := BuildReport(h, states, latest, "", t0); !errs.Is(err, errs.Conflict) {
		t.Errorf("report before the receipt: got %v, want a conflict", err)
	}
}

func TestUPUExport(t *testing.T) {
	c, m := receipted(t, 3)
	ids := m.Trackings()
	ls := []LineState{{Line: m.Parcels[0], State: ParcelAcknowledged}, {Line: m.Parcels[1], State: ParcelUndeliverable}, {Line: m.Parcels[2], State: ParcelMissing}}
	ds := []Delivery{
		{Tracking: ids[0], Outcome: Delivered, At: t0.Add(48 * time.Hour), AckKind: AckSignedSlip, AckRef: "s"},
		{Tracking: ids[1], Outcome: Undeliverable, At: t0.Add(50 * time.Hour), Reason: ReasonReleased, Action: ActionReturned},
	}
	ev := UPUEvents(c, ls, ds)
	counts := map[string]int{}
	for _, e := range ev {
		counts[e.Code]++
	}
	want := map[string]int{UPUPosted: 3, UPUDispatched: 3, UPUArrived: 2, UPUDelivered: 1, UPUUnsuccessful: 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("got %d %s events, want %d", counts[k], k, v)
		}
	}
	for i := 1; i < len(ev); i++ {
		if ev[i].At.Before(ev[i-1].At) {
			t.Fatalf("events not in time order at %d", i)
		}
	}
	var buf bytes.Buffer
	if err := WriteUPUCSV(&buf, ev); err != nil {
		t.Fatal(err)
	}
	golden(t, "upu.csv", buf.Bytes())
}

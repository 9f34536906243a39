package ledger

import (
	"bytes"
	"encoding/json"
	"testing"

	"lifeline/internal/tlog"
)

// TestBack puts the log's counts next to the ledger's: the sample's
// December deliveries and refusal agree, its November acceptance is logged
// in another month, and a repatriation only the log holds gets a row.
func TestBack(t *testing.T) {
	l := Compute(sample())
	cp := Checkpoint{Origin: "lifeline/UA", Size: 9, Hash: "aGFzaA=="}
	l.Back(cp, []tlog.Stat{
		{Type: tlog.Delivered, Party: "RU", Peer: "UA", Unit: "parcel", Month: "2026-12", Entries: 2, Count: 3},
		{Type: tlog.Acknowledged, Party: "RU", Peer: "UA", Unit: "parcel", Month: "2026-12", Entries: 2, Count: 3},
		{Type: tlog.Delivered, Party: "UA", Peer: "RU", Unit: "parcel", Month: "2026-12", Entries: 1, Count: 2},
		{Type: tlog.AcceptanceRefused, Party: "RU", Peer: "UA", Unit: "civilian", Month: "2026-12", Entries: 1, Count: 2},
		{Type: tlog.Accepted, Party: "UA", Peer: "RU", Unit: "civilian", Month: "2026-12", Entries: 1, Count: 124},
		{Type: tlog.Repatriated, Party: "UA", Peer: "RU", Unit: "civilian", Month: "2026-12", Entries: 1, Count: 124},
		{Type: tlog.Repatriated, Party: "UA", Peer: "RU", Unit: "pow", Month: "2026-12", Entries: 1, Count: 5},
		{Type: tlog.Repatriated, Party: "UA", Peer: "RU", Unit: "civilian", Month: "2027-01", Entries: 1, Count: 3},
	})
	if l.Checkpoint == nil || l.Checkpoint.Size != 9 || l.Checkpoint.URL != CheckpointPath || l.Checkpoint.Verify == "" {
		t.Fatalf("checkpoint: got %+v, want size 9 with the checkpoint's URL and the verify command", l.Checkpoint)
	}
	if got, want := len(l.Months), 3; got != want {
		t.Fatalf("months: got %d, want %d", got, want)
	}
	find := func(month, from string) Row {
		t.Helper()
		for _, m := range l.Months {
			for _, r := range m.Directions {
				if r.Month == month && r.From == from {
					return r
				}
			}
		}
		t.Fatalf("no row %s from %s", month, from)
		return Row{}
	}
	tests := []struct {
		month, from string
		want        LogCounts
		agrees      bool
	}{
		{"2026-11", "RU", LogCounts{}, false}, // the ledger's 124 accepted in November: logged in December
		{"2026-12", "UA", LogCounts{ParcelsDelivered: 3, CiviliansRefused: 2}, true},
		{"2026-12", "RU", LogCounts{ParcelsDelivered: 2, CiviliansAccepted: 124, CiviliansRepatriated: 124}, false},
		{"2027-01", "RU", LogCounts{CiviliansRepatriated: 3}, false},
		{"2027-01", "UA", LogCounts{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.month+"/"+tt.from, func(t *testing.T) {
			r := find(tt.month, tt.from)
			if r.Log == nil || *r.Log != tt.want {
				t.Errorf("log counts: got %+v, want %+v", r.Log, tt.want)
			}
			if got := r.Agrees(); got != tt.agrees {
				t.Errorf("agrees: got %v, want %v (row %+v)", got, tt.agrees, r)
			}
		})
	}
	// The rows keep their own figures.
	if r := find("2026-12", "RU"); r.CiviliansRepatriated != 124 || r.CiviliansAccepted != 0 {
		t.Errorf("ledger figures changed: got %+v", r)
	}
	data, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"checkpoint":{"origin":"lifeline/UA","size":9,"hash":"aGFzaA=="`, `"log":{"parcels_delivered":3`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON lacks %s:\n%s", want, data)
		}
	}
}

// TestUnbacked: a ledger without a checkpoint says so in JSON (null) and
// its rows carry no log counts.
func TestUnbacked(t *testing.T) {
	data, err := json.Marshal(Compute(sample()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"checkpoint":null`)) || bytes.Contains(data, []byte(`"log":`)) {
		t.Errorf("got %s, want a null checkpoint and no log counts", data)
	}
}

package ledger

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

func at(t time.Time) *time.Time { return &t }

// sample is a small ledger: parcels both ways over November and December,
// a delivery that crosses the month, an undeliverable parcel, and civilians.
func sample() Inputs {
	return Inputs{
		Parties: []string{"UA", "RU"},
		Parcels: []ParcelFact{
			{From: "UA", To: "RU", SentAt: day(11, 28, 10), DeliveredAt: at(day(12, 3, 10))},   // 5 days, delivered in December
			{From: "UA", To: "RU", SentAt: day(12, 1, 10), DeliveredAt: at(day(12, 3, 10))},    // 2 days
			{From: "UA", To: "RU", SentAt: day(12, 1, 10), DeliveredAt: at(day(12, 10, 10))},   // 9 days
			{From: "UA", To: "RU", SentAt: day(12, 1, 10), UndeliverableAt: at(day(12, 5, 9))}, // transferred
			{From: "UA", To: "RU", SentAt: day(12, 2, 10)},
			{From: "RU", To: "UA", SentAt: day(12, 1, 10), DeliveredAt: at(day(12, 4, 22))}, // 3.5 days
			{From: "RU", To: "UA", SentAt: day(12, 1, 10), DeliveredAt: at(day(12, 7, 10))}, // 6 days
		},
		Civilians: []CivilianFact{
			{From: "RU", To: "UA", Event: CiviliansAccepted, At: day(11, 20, 9), Persons: 124},
			{From: "RU", To: "UA", Event: CiviliansRepatriated, At: day(12, 12, 9), Persons: 124},
			{From: "UA", To: "RU", Event: CiviliansRefused, At: day(12, 14, 9), Persons: 2},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestHXLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHXL(&buf, Compute(sample())); err != nil {
		t.Fatal(err)
	}
	golden(t, "ledger.csv", buf.Bytes())

	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 {
		t.Fatalf("got %d records, want a header and a hashtag row", len(recs))
	}
	for i, tag := range recs[1] {
		if !strings.HasPrefix(tag, "#") {
			t.Errorf("column %d of the second row is %q, want an HXL hashtag", i, tag)
		}
		if strings.HasPrefix(recs[0][i], "#") {
			t.Errorf("column %d of the header row is a hashtag %q", i, recs[0][i])
		}
	}
}

func TestJSONGolden(t *testing.T) {
	data, err := json.MarshalIndent(Compute(sample()), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ledger.json", append(data, '\n'))
}

func TestCompute(t *testing.T) {
	l := Compute(sample())
	if got, want := len(l.Months), 2; got != want {
		t.Fatalf("months = %d, want %d", got, want)
	}
	find := func(month, from string) Row {
		t.Helper()
		for _, m := range l.Months {
			for _, r := range m.Directions {
				if m.Month == month && r.From == from {
					return r
				}
			}
		}
		t.Fatalf("no row for %s from %s", month, from)
		return Row{}
	}
	tests := []struct {
		name                           string
		row                            Row
		sent, delivered, undeliverable int
		median                         float64 // -1 for none
		accepted, refused, repatriated int
	}{
		{"UA to RU in November", find("2026-11", "UA"), 1, 0, 0, -1, 0, 0, 0},
		{"RU to UA in November", find("2026-11", "RU"), 0, 0, 0, -1, 124, 0, 0},
		{"UA to RU in December", find("2026-12", "UA"), 4, 3, 1, 5, 0, 2, 0},
		{"RU to UA in December", find("2026-12", "RU"), 2, 2, 0, 4.8, 0, 0, 124},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.row
			if r.ParcelsSent != tt.sent || r.ParcelsDelivered != tt.delivered || r.ParcelsUndeliverable != tt.undeliverable {
				t.Errorf("parcels sent/delivered/undeliverable = %d/%d/%d, want %d/%d/%d",
					r.ParcelsSent, r.ParcelsDelivered, r.ParcelsUndeliverable, tt.sent, tt.delivered, tt.undeliverable)
			}
			switch {
			case tt.median < 0 && r.MedianDaysToDelivery != nil:
				t.Errorf("median = %v, want none", *r.MedianDaysToDelivery)
			case tt.median >= 0 && (r.MedianDaysToDelivery == nil || *r.MedianDaysToDelivery != tt.median):
				t.Errorf("median = %v, want %v", r.MedianDaysToDelivery, tt.median)
			}
			if r.CiviliansAccepted != tt.accepted || r.CiviliansRefused != tt.refused || r.CiviliansRepatriated != tt.repatriated {
				t.Errorf("civilians accepted/refused/repatriated = %d/%d/%d, want %d/%d/%d",
					r.CiviliansAccepted, r.CiviliansRefused, r.CiviliansRepatriated, tt.accepted, tt.refused, tt.repatriated)
			}
		})
	}
}

func TestEmptyLedger(t *testing.T) {
	l := Compute(Inputs{Parties: []string{"A", "B"}})
	if len(l.Months) != 0 || len(l.Directions) != 2 {
		t.Errorf("empty ledger = %d months, %d directions; want 0, 2", len(l.Months), len(l.Directions))
	}
	var buf bytes.Buffer
	if err := WriteHXL(&buf, l); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n"); got != 2 {
		t.Errorf("empty CSV has %d lines, want 2 (header and hashtags)", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{9, 1, 5}, 5},
		{[]float64{1, 2, 3, 10}, 2.5},
		{[]float64{1.04, 1.06}, 1.1},
	}
	for _, tt := range tests {
		if got := median(tt.xs); got == nil || *got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
	if got := median(nil); got != nil {
		t.Errorf("median(nil) = %v, want nil", *got)
	}
}

func BenchmarkCompute2000(b *testing.B) {
	in := Inputs{Parties: []string{"UA", "RU"}}
	for i := range 2000 {
		sent := day(12, 1+i%28, 10)
		in.Parcels = append(in.Parcels, ParcelFact{From: "UA", To: "RU", SentAt: sent, DeliveredAt: at(sent.Add(time.Duration(i%9+1) * 24 * time.Hour))})
	}
	for b.Loop() {
		Compute(in)
	}
}

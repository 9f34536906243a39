package sign

import (
	"bytes"
	"fmt"
	"testing"
)

// bigManifest is a December consignment: 2,000 parcels.
func bigManifest() manifest {
	m := manifest{Consignment: "UA-RU-2026-12", Period: "2026-12"}
	for i := range 2000 {
		m.Parcels = append(m.Parcels, manifestLine{Tracking: fmt.Sprintf("RR%08dUA", i), Weight: 500 + i%900, Items: 1 + i%4})
	}
	return m
}

func BenchmarkNewBundle2000Parcels(b *testing.B) {
	p := newParties(b)
	m := bigManifest()
	for b.Loop() {
		mustBundle(b, p.ua, manifestHeader(), m)
	}
}

func BenchmarkVerifyBundle2000Parcels(b *testing.B) {
	p := newParties(b)
	file := mustMarshal(b, mustBundle(b, p.ua, manifestHeader(), bigManifest()))
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		v, err := readAndVerify(bytes.NewReader(file), p.trust, "ICRC", []string{"UA"})
		if err != nil {
			b.Fatal(err)
		}
		var m manifest
		if err := v.Decode(&m); err != nil {
			b.Fatal(err)
		}
	}
}

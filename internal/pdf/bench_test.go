package pdf

import (
	"io"
	"testing"
)

// BenchmarkLabels2000 prints the labels (on sheets) and the packing lists
// of 2,000 parcels of 5 items each.
func BenchmarkLabels2000(b *testing.B) {
	labels := make([]Label, 2000)
	lists := make([]PackingList, 2000)
	for i := range labels {
		labels[i] = sampleLabel(i)
		lists[i] = samplePackingList(i)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := WriteLabelSheets(io.Discard, labels); err != nil {
			b.Fatal(err)
		}
		if err := WritePackingLists(io.Discard, lists); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkManifest2000 prints the manifest of a consignment of 2,000
// parcels.
func BenchmarkManifest2000(b *testing.B) {
	m := sampleManifest(2000)
	for b.Loop() {
		if err := WriteManifest(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLabel prints the label of one parcel on its own.
func BenchmarkLabel(b *testing.B) {
	l := sampleLabel(0)
	for b.Loop() {
		if err := WriteLabel(io.Discard, l); err != nil {
			b.Fatal(err)
		}
	}
}

package tlog

import (
	"context"
	mrand "math/rand"
	"testing"
)

// BenchmarkAppend appends batches of 1,000 events, each in one transaction,
// with a ref and one subject each; the target is 10,000 entries/s.
func BenchmarkAppend(b *testing.B) {
	const batch = 1000
	for _, d := range testDBs(b) {
		b.Run(d.name, func(b *testing.B) {
			f := newFixture(b, d.open(b))
			events := randEvents(mrand.New(mrand.NewSource(1)), batch)
			for i := range events {
				events[i].Subjects = []string{"P0000001"}
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				tx, err := f.db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.log.Append(ctx, tx, events); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// decemberLog is a published log of about a December's worth of entries.
func decemberLog(b *testing.B, f *fixture) {
	b.Helper()
	r := mrand.New(mrand.NewSource(2))
	for range 12 {
		f.append(b, randEvents(r, 1000))
	}
	f.publish(b)
}

// BenchmarkProve builds one inclusion proof in a log of 12,000 entries: from
// the node's database, and as a client from the served tiles over HTTP;
// then verifies one. The target is under 1 ms a proof.
func BenchmarkProve(b *testing.B) {
	ctx := context.Background()
	for _, d := range testDBs(b) {
		f := newFixture(b, d.open(b))
		decemberLog(b, f)
		src := f.serve(b)
		msg, err := src.ReadFile(ctx, "checkpoint")
		if err != nil {
			b.Fatal(err)
		}
		cp, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 3)
		if err != nil {
			b.Fatal(err)
		}
		r := mrand.New(mrand.NewSource(3))
		b.Run(d.name+"/db", func(b *testing.B) {
			for b.Loop() {
				if _, err := f.log.ProveInclusion(ctx, f.db, r.Int63n(cp.Size), cp.Size); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(d.name+"/tiles", func(b *testing.B) {
			for b.Loop() {
				if _, err := ProveInclusion(ctx, src, cp, r.Int63n(cp.Size)); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, err := f.log.ProveInclusion(ctx, f.db, 4321, cp.Size)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(d.name+"/verify", func(b *testing.B) {
			for b.Loop() {
				if _, err := VerifyInclusion(cp, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAudit audits a log of 12,000 entries over HTTP: all tiles, the
// root, the checkpoint and the statistics. The target is under 1 s.
func BenchmarkAudit(b *testing.B) {
	ctx := context.Background()
	for _, d := range testDBs(b) {
		b.Run(d.name, func(b *testing.B) {
			f := newFixture(b, d.open(b))
			decemberLog(b, f)
			src := f.serve(b)
			for b.Loop() {
				rep, err := Audit(ctx, src, testOrigin, f.trusted(), 2)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Entries != 12000 {
					b.Fatalf("entries = %d, want 12000", rep.Entries)
				}
			}
		})
	}
}

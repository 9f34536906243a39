package tlog

import (
	"context"
	"database/sql"
	"errors"
	mrand "math/rand"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// refTree is an independent in-memory tree of the same records, built with
// x/mod/sumdb/tlog alone.
type refTree struct {
	hashes  memReader
	records [][]byte
}

func (r *refTree) add(tb testing.TB, data []byte) {
	tb.Helper()
	hs, err := tlog.StoredHashes(int64(len(r.records)), data, &r.hashes)
	if err != nil {
		tb.Fatal(err)
	}
	r.hashes = append(r.hashes, hs...)
	r.records = append(r.records, data)
}

func (r *refTree) root(tb testing.TB) tlog.Hash {
	tb.Helper()
	h, err := tlog.TreeHash(int64(len(r.records)), &r.hashes)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// TestAppendServeProve appends, publishes, and checks every inclusion proof
// with a client that reads only the served tiles.
func TestAppendServeProve(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := mrand.New(mrand.NewSource(1))
		var ref refTree
		for _, n := range []int{1, 2, 255, 1, 300} {
			idx := f.append(t, randEvents(r, n))
			if got, want := idx[0], int64(len(ref.records)); got != want {
				t.Fatalf("first index = %d, want %d", got, want)
			}
			for _, i := range idx {
				var data []byte
				if err := db.QueryRow(`SELECT data FROM tlog_entries WHERE idx = $1`, i).Scan(&data); err != nil {
					t.Fatal(err)
				}
				ref.add(t, data)
			}
		}
		msg := f.publish(t)
		src := f.serve(t)

		served, err := src.ReadFile(ctx, "checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		if string(served) != string(msg) {
			t.Fatalf("served checkpoint:\n%s\nwant:\n%s", served, msg)
		}
		cp, err := VerifyCheckpoint(served, testOrigin, f.trusted(), 3)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cp.Size, int64(len(ref.records)); got != want {
			t.Fatalf("checkpoint size = %d, want %d", got, want)
		}
		if got, want := cp.Hash, ref.root(t); got != want {
			t.Fatalf("checkpoint root = %v, want %v (independent tree)", got, want)
		}
		if got, want := len(cp.Signers), 3; got != want {
			t.Errorf("signers = %v, want %d", cp.Signers, want)
		}
		for i := range cp.Size {
			if i%17 != 0 && i%256 > 2 && i%256 < 253 && i != cp.Size-1 {
				continue // every tile edge, and a sample of the rest
			}
			p, err := ProveInclusion(ctx, src, cp, i)
			if err != nil {
				t.Fatalf("prove %d: %v", i, err)
			}
			if string(p.Entry) != string(ref.records[i]) {
				t.Fatalf("entry %d = %s, want %s", i, p.Entry, ref.records[i])
			}
			if _, err := VerifyInclusion(cp, p); err != nil {
				t.Fatalf("verify %d: %v", i, err)
			}
			dp, err := f.log.ProveInclusion(ctx, db, i, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dp.Proof, p.Proof) {
				t.Fatalf("proof of %d from the database differs from the proof from the tiles", i)
			}
		}
	})
}

// TestRandomAppends is a property test: for random sequences of appends, every
// checkpoint matches an independent tree, every later checkpoint is
// consistent with every earlier one, and random entries are included.
func TestRandomAppends(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		for seed := int64(1); seed <= 3; seed++ {
			f := newFixture(t, db)
			// Each seed starts from an empty log.
			for _, table := range []string{"tlog_entries", "tlog_hashes", "tlog_openings", "tlog_cosignatures", "tlog_checkpoints", "tlog_witness_state"} {
				if _, err := db.Exec(`DELETE FROM ` + table); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(`UPDATE tlog_state SET size = 0`); err != nil {
				t.Fatal(err)
			}
			r := mrand.New(mrand.NewSource(seed))
			src := f.serve(t)
			var ref refTree
			var cps []*Checkpoint
			for step := 0; step < 8; step++ {
				n := 1 + r.Intn([]int{3, 40, 300}[r.Intn(3)])
				for _, i := range f.append(t, randEvents(r, n)) {
					var data []byte
					if err := db.QueryRow(`SELECT data FROM tlog_entries WHERE idx = $1`, i).Scan(&data); err != nil {
						t.Fatal(err)
					}
					ref.add(t, data)
				}
				f.publish(t)
				msg, err := src.ReadFile(ctx, "checkpoint")
				if err != nil {
					t.Fatal(err)
				}
				cp, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 3)
				if err != nil {
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				}
				if cp.Hash != ref.root(t) || cp.Size != int64(len(ref.records)) {
					t.Fatalf("seed %d step %d: checkpoint %d %v, want %d %v", seed, step, cp.Size, cp.Hash, len(ref.records), ref.root(t))
				}
				for range 5 {
					i := r.Int63n(cp.Size)
					p, err := ProveInclusion(ctx, src, cp, i)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := VerifyInclusion(cp, p); err != nil {
						t.Fatalf("seed %d: entry %d of %d: %v", seed, i, cp.Size, err)
					}
				}
				for _, old := range cps {
					p, err := ProveConsistency(ctx, src, old, cp)
					if err != nil {
						t.Fatal(err)
					}
					if err := VerifyConsistency(old, cp, p); err != nil {
						t.Fatalf("seed %d: %d -> %d: %v", seed, old.Size, cp.Size, err)
					}
					dp, err := f.log.ProveConsistency(ctx, db, old.Size, cp.Size)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(dp, p) {
						t.Fatalf("seed %d: consistency proof %d -> %d from the database differs from the one from the tiles", seed, old.Size, cp.Size)
					}
				}
				cps = append(cps, cp)
			}
		}
	})
}

// TestAppendRollsBack checks that entries are part of the caller's
// transaction.
func TestAppendRollsBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.append(t, randEvents(mrand.New(mrand.NewSource(2)), 3))
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.log.Append(ctx, tx, randEvents(mrand.New(mrand.NewSource(3)), 5)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		n, err := Size(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("size after rollback = %d, want 3", n)
		}
		var rows int
		if err := db.QueryRow(`SELECT COUNT(*) FROM tlog_entries`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 3 {
			t.Errorf("entries after rollback = %d, want 3", rows)
		}
		idx := f.append(t, randEvents(mrand.New(mrand.NewSource(4)), 1))
		if idx[0] != 3 {
			t.Errorf("next index = %d, want 3", idx[0])
		}
	})
}

func TestEventValidate(t *testing.T) {
	ok := Event{Type: Delivered, Party: "RU", Peer: "UA", Day: "2024-12-05", Unit: "parcel", Count: 1}
	tests := []struct {
		name  string
		edit  func(e *Event)
		field string
	}{
		{"valid", func(e *Event) {}, ""},
		{"unknown type", func(e *Event) { e.Type = "lost" }, "type"},
		{"no party", func(e *Event) { e.Party = "" }, "party"},
		{"party with space", func(e *Event) { e.Party = "Ivan Petrov" }, "party"},
		{"bad peer", func(e *Event) { e.Peer = "a b" }, "peer"},
		{"bad day", func(e *Event) { e.Day = "5.12.2024" }, "day"},
		{"day with time", func(e *Event) { e.Day = "2024-12-05T10:00:00Z" }, "day"},
		{"bad unit", func(e *Event) { e.Unit = "Parcels!" }, "unit"},
		{"negative count", func(e *Event) { e.Count = -1 }, "count"},
		{"empty subject", func(e *Event) { e.Subjects = []string{"P1", ""} }, "subjects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			err := e.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if _, found := errs.FieldsOf(err)[tt.field]; !found {
				t.Fatalf("got %v, want an error on field %q", err, tt.field)
			}
		})
	}
}

func TestEntryTooLarge(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	subjects := make([]string, 2000)
	for i := range subjects {
		subjects[i] = "P" + strings.Repeat("0", 6)
	}
	_, err := f.log.Append(context.Background(), db, []Event{{Type: Dispatched, Party: "UA", Day: "2024-12-01", Count: 2000, Subjects: subjects}})
	if !errs.Is(err, errs.TooLarge) {
		t.Fatalf("got %v, want a too_large error", err)
	}
	var e *errs.Error
	if !errors.As(err, &e) || !strings.Contains(errs.MessageOf(err), "fewer subjects") {
		t.Errorf("message = %q, want advice to log fewer subjects", errs.MessageOf(err))
	}
}

// TestConcurrentAppends appends from several transactions at once: the
// database serializes them, every index is used once, and the log audits.
func TestConcurrentAppends(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		const workers, batches, size = 4, 5, 20
		errc := make(chan error, workers)
		idxc := make(chan []int64, workers*batches)
		for w := range workers {
			go func() {
				r := mrand.New(mrand.NewSource(int64(100 + w)))
				for range batches {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						errc <- err
						return
					}
					idx, err := f.log.Append(ctx, tx, randEvents(r, size))
					if err != nil {
						tx.Rollback()
						errc <- err
						return
					}
					if err := tx.Commit(); err != nil {
						errc <- err
						return
					}
					idxc <- idx
				}
				errc <- nil
			}()
		}
		for range workers {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		close(idxc)
		seen := map[int64]bool{}
		for idx := range idxc {
			for _, i := range idx {
				if seen[i] {
					t.Fatalf("index %d given twice", i)
				}
				seen[i] = true
			}
		}
		if got, want := len(seen), workers*batches*size; got != want {
			t.Fatalf("indexes = %d, want %d", got, want)
		}
		f.publish(t)
		if _, err := Audit(ctx, f.serve(t), testOrigin, f.trusted(), 3); err != nil {
			t.Fatalf("audit after concurrent appends: %v", err)
		}
	})
}

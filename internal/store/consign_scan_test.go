package store_test

import (
	"context"
	"sync"
	"testing"

	"lifeline/internal/consignments"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// TestScanHandoverConcurrent scans the parcels of one consignment from
// many goroutines at once, every parcel by each of them, some as damaged:
// every parcel is recorded once (and marked damaged at most once more),
// and the running counts agree with the scans themselves.
func TestScanHandoverConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		ids := ctParcels(t, db, facB, 40, 500)
		c := ctNewConsignment(t, db, ids[:30]) // the other 10 are extra
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			_, err := tx.DispatchConsignment(ctx, aaClerk, c.Ref)
			return err
		})
		const workers = 8
		var mu sync.Mutex
		writes := map[string]int{} // scans that recorded something, by parcel
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				for k := range ids {
					i := (k + 5*g) % len(ids)
					damaged := i%7 == 0 && g%2 == 1
					var r *store.ScanResult
					err := db.Tx(ctx, func(tx *store.Tx) error {
						var err error
						r, err = tx.ScanHandover(ctx, icrcFirst, c.Ref, ids[i], damaged)
						return err
					})
					if err != nil {
						t.Errorf("scan %s: %v", ids[i], err)
						return
					}
					if r.Counts.Scanned > len(ids) || r.Counts.Expected != 30 {
						t.Errorf("scan %s: got counts %+v", ids[i], r.Counts)
					}
					if r.Outcome != consignments.ScanDuplicate {
						mu.Lock()
						writes[ids[i]]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		for i, id := range ids {
			if n := writes[id]; n < 1 || n > 2 || (n == 2 && i%7 != 0) {
				t.Errorf("parcel %d (%s): recorded by %d scans", i, id, n)
			}
		}
		c, err := db.Consignment(ctx, c.Ref)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.HandoverCounts(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.Reconciliation(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		want := consignments.Counts{Expected: 30, Scanned: 40, Received: 30, Extra: 10, Damaged: 6}
		if got != want || r.Counts != want {
			t.Errorf("counts: got %+v, recounted %+v, want %+v", got, r.Counts, want)
		}
	})
}

// TestScanCountsFollow scans parcels one after another — the first, an
// extra one, one on the manifest twice, then damaged, one unknown — and
// after each scan the counts it answers equal a recount of the scans.
func TestScanCountsFollow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		ids := ctParcels(t, db, facB, 6, 500)
		c := ctNewConsignment(t, db, ids[:4]) // the last 2 are extra
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			_, err := tx.DispatchConsignment(ctx, aaClerk, c.Ref)
			return err
		})
		scans := []struct {
			tracking string
			damaged  bool
		}{{ids[0], false}, {ids[4], false}, {ids[1], false}, {ids[1], false}, {ids[1], true}, {ids[2], true}, {"RR000000005UA", false}, {ids[5], true}}
		for _, sc := range scans {
			var r *store.ScanResult
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				r, err = tx.ScanHandover(ctx, icrcFirst, c.Ref, sc.tracking, sc.damaged)
				return err
			})
			if err != nil {
				t.Fatalf("scan %s: %v", sc.tracking, err)
			}
			cur, err := db.Consignment(ctx, c.Ref)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := db.Reconciliation(ctx, cur)
			if err != nil {
				t.Fatal(err)
			}
			if r.Counts != rec.Counts {
				t.Errorf("scan %s (damaged %v, %s): answered %+v, recounted %+v", sc.tracking, sc.damaged, r.Outcome, r.Counts, rec.Counts)
			}
		}
	})
}

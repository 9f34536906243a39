package store_test

import (
	"context"
	"sync"
	"testing"

	"lifeline/internal/correspondence"
	"lifeline/internal/s10"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// TestNextTrackingConcurrent takes tracking numbers from many goroutines at
// once: none is given twice, and each goroutine's numbers increase.
func TestNextTrackingConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		num := correspondence.Numbering{Service: "RR", Country: "UA"}
		const workers, each = 8, 40 // more than one block on PostgreSQL
		got := make([][]string, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for range each {
					var id string
					err := db.Tx(ctx, func(tx *store.Tx) error {
						var err error
						id, err = tx.NextTracking(ctx, num)
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					p, err := s10.Parse(id)
					if err != nil {
						t.Errorf("%s: %v", id, err)
						return
					}
					got[w] = append(got[w], p.Serial)
				}
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for w, ns := range got {
			for i, n := range ns {
				if seen[n] {
					t.Errorf("serial %s given twice", n)
				}
				seen[n] = true
				if i > 0 && n <= ns[i-1] {
					t.Errorf("worker %d: got %s after %s, want increasing", w, n, ns[i-1])
				}
			}
		}
		if len(seen) != workers*each {
			t.Errorf("got %d distinct serials, want %d", len(seen), workers*each)
		}
		// Another numbering has a sequence of its own, and one process's
		// numbers increase.
		prev := ""
		for range 3 {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				id, err := tx.NextTracking(ctx, correspondence.Numbering{Service: "CP", Country: "UA"})
				if err == nil && id <= prev {
					t.Errorf("parcel number: got %s after %s, want increasing", id, prev)
				}
				prev = id
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"testing"

	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// BenchmarkAppendLogInTx appends log entries through tx.AppendLog inside
// the transaction that writes their event rows, as the workflows do: one
// event row and one entry (a ref and one subject) per parcel, in batches of
// n per transaction, on a SQLite file database with WAL. The target is
// 10,000 entries/s in batches.
func BenchmarkAppendLogInTx(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("sqlite/batch=%d", n), func(b *testing.B) {
			db := storetest.Open(b, store.SQLite)
			ctx := context.Background()
			events := make([]tlog.Event, n)
			ids := make([]string, n)
			for i := range events {
				ids[i] = fmt.Sprintf("RR%09dUA", i)
				events[i] = tlog.Event{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: "2024-12-05", Unit: "parcel", Count: 1, Ref: "C-2024-12", Subjects: []string{ids[i]}}
			}
			b.ResetTimer()
			for b.Loop() {
				err := db.Tx(ctx, func(tx *store.Tx) error {
					for _, id := range ids {
						if err := tx.EventRef(ctx, store.System, "parcel", id, "delivered", map[string]string{"consignment": "C-2024-12"}); err != nil {
							return err
						}
					}
					_, err := tx.AppendLog(ctx, events)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

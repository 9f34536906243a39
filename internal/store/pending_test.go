package store_test

import (
	"context"
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

var (
	attemptCols     = []string{"client", "tracking", "result", "at"}
	parcelEventCols = []string{"parcel_id", "status", "upu_code", "party_code", "reason", "at"}
)

func countWhere(t *testing.T, q store.DBTX, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInsertLater: rows put aside are seen by the transaction's next
// statement, go in with its events at the commit (several tables in one
// statement on PostgreSQL) in order, and a row that cannot go in fails
// the whole transaction, leaving nothing.
func TestInsertLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, facB := seed(t, db)
		p, err := db.ParcelByTracking(ctx, ctParcels(t, db, facB, 1, 700)[0])
		if err != nil {
			t.Fatal(err)
		}
		before := countWhere(t, db.Read(), `SELECT count(*) FROM parcel_events WHERE parcel_id = $1`, p.ID)
		events := countWhere(t, db.Read(), `SELECT count(*) FROM events`)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			now := tx.Now()
			if err := store.InsertLater(tx, ctx, "tracking_attempts", attemptCols, []any{"test", "RR1", "wrong", now}); err != nil {
				return err
			}
			if err := store.InsertLater(tx, ctx, "tracking_attempts", attemptCols, []any{"test", "RR2", "ok", now}); err != nil {
				return err
			}
			// The next statement sees them.
			if n := countWhere(t, tx, `SELECT count(*) FROM tracking_attempts WHERE client = 'test'`); n != 2 {
				t.Errorf("got %d rows put aside, want 2 seen by the next statement", n)
			}
			// Two tables and events wait for the commit together.
			for _, r := range []string{"RR3", "RR4"} {
				if err := store.InsertLater(tx, ctx, "tracking_attempts", attemptCols, []any{"test", r, "ok", now}); err != nil {
					return err
				}
			}
			if err := store.InsertLater(tx, ctx, "parcel_events", parcelEventCols, []any{p.ID, "received", "EMD", "BB", "", now}); err != nil {
				return err
			}
			return tx.Event(ctx, store.System, "test", 1, "pending", nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Read().QueryContext(ctx, `SELECT tracking FROM tracking_attempts WHERE client = 'test' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		if len(got) != 4 || got[0] != "RR1" || got[3] != "RR4" {
			t.Errorf("got rows %v, want RR1..RR4 in order", got)
		}
		if n := countWhere(t, db.Read(), `SELECT count(*) FROM parcel_events WHERE parcel_id = $1`, p.ID); n != before+1 {
			t.Errorf("got %d parcel events, want %d", n, before+1)
		}
		if n := countWhere(t, db.Read(), `SELECT count(*) FROM events`); n != events+1 {
			t.Errorf("got %d events, want %d", n, events+1)
		}

		// A row that cannot go in (no such parcel) fails the transaction,
		// even when the function goes on and returns nil.
		attempts := countWhere(t, db.Read(), `SELECT count(*) FROM tracking_attempts`)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			now := tx.Now()
			if err := store.InsertLater(tx, ctx, "tracking_attempts", attemptCols, []any{"test", "RR5", "ok", now}); err != nil {
				return err
			}
			if err := store.InsertLater(tx, ctx, "parcel_events", parcelEventCols, []any{int64(999999), "received", "EMD", "BB", "", now}); err != nil {
				return err
			}
			var n int
			tx.QueryRowContext(ctx, `SELECT count(*) FROM parcels`).Scan(&n)
			return nil
		})
		if !errs.Is(err, errs.Invalid) {
			t.Errorf("got %v, want the foreign key refused", err)
		}
		if n := countWhere(t, db.Read(), `SELECT count(*) FROM tracking_attempts`); n != attempts {
			t.Errorf("a failed transaction left %d rows", n-attempts)
		}
	})
}

package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// TestRecordDeliveriesBulk records a delivery file whose rows are decided
// together: a file with bad rows names every one of them and records
// nothing; a good file moves every line and parcel, with a delivery
// record, parcel events and an event per row.
func TestRecordDeliveriesBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		ids := ctParcels(t, db, facB, 8, 900)
		c := ctNewConsignment(t, db, ids[:7])
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			if _, err := tx.DispatchConsignment(ctx, aaClerk, c.Ref); err != nil {
				return err
			}
			for _, id := range ids[:7] {
				if _, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, id, false); err != nil {
					return err
				}
			}
			if _, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref); err != nil {
				return err
			}
			_, err := tx.CountersignReceipt(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		at := time.Now().UTC()
		delivered := func(id string) consignments.Delivery {
			return consignments.Delivery{Tracking: id, Outcome: consignments.Delivered, At: at, AckKind: consignments.AckSignedSlip, AckRef: "slip-" + id}
		}
		events, err := db.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Rows 2 and 4 are bad: a parcel of no line here, a facility BB
		// does not have.
		err = ctTxErr(db, func(tx *store.Tx) error {
			_, err := tx.RecordDeliveries(ctx, bbFacility, c.Ref, []consignments.Delivery{
				delivered(ids[0]), delivered(ids[7]), delivered(ids[1]),
				{Tracking: ids[2], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonTransferred, Action: consignments.ActionRedirected, NewFacility: "Z-9"},
			})
			return err
		})
		fs := errs.FieldsOf(err)
		if errs.KindOf(err) != errs.NotFound || !strings.Contains(errs.MessageOf(err), "2 rows") || !strings.Contains(errs.MessageOf(err), "nothing was recorded") ||
			!strings.Contains(fs["row 2 ("+ids[7]+")"], "not in consignment") || !strings.Contains(fs["row 4 ("+ids[2]+")"], "no facility Z-9") {
			t.Fatalf("two bad rows: got %s %q %v", errs.KindOf(err), errs.MessageOf(err), fs)
		}
		if after, _ := db.CountEvents(ctx); after != events {
			t.Errorf("a refused file wrote %d events", after-events)
		}
		if got := ctLineState(t, db, c.Ref, ids[0]); got != consignments.ParcelReceived {
			t.Errorf("after a refused file: got %s, want received", got)
		}
		var got map[consignments.ParcelState]int
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			got, err = tx.RecordDeliveries(ctx, bbFacility, c.Ref, []consignments.Delivery{
				delivered(ids[0]), delivered(ids[1]), delivered(ids[2]),
				{Tracking: ids[3], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonDeceased, Action: consignments.ActionReturned},
				{Tracking: ids[4], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonTransferred},
			})
			return err
		})
		if got[consignments.ParcelAcknowledged] != 3 || got[consignments.ParcelUndeliverable] != 1 || got[consignments.ParcelRedirected] != 1 {
			t.Errorf("states: got %v", got)
		}
		for id, want := range map[string]string{ids[0]: "acknowledged", ids[3]: "undeliverable", ids[4]: "redirected", ids[5]: "received"} {
			if got := ctParcelStatus(t, db, id); got != want {
				t.Errorf("parcel %s: got %s, want %s", id, got, want)
			}
			if got := ctLineState(t, db, c.Ref, id); string(got) != want {
				t.Errorf("line %s: got %s, want %s", id, got, want)
			}
		}
		ds, err := db.Deliveries(ctx, c.ID)
		if err != nil || len(ds) != 5 || ds[0].Tracking != ids[0] || ds[4].NewFacility == "" {
			t.Errorf("deliveries: got %+v, %v", ds, err)
		}
		var pe int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM parcel_events pe JOIN parcels p ON p.id = pe.parcel_id
			WHERE p.tracking = $1 AND pe.status IN ('delivered', 'acknowledged')`, ids[0]).Scan(&pe); err != nil || pe != 2 {
			t.Errorf("parcel events of a delivered parcel: got %d, %v; want 2", pe, err)
		}
		if after, _ := db.CountEvents(ctx); after != events+5 {
			t.Errorf("events: got %d more, want 5", after-events)
		}
	})
}

package demo

import (
	"context"
	"testing"

	"lifeline/internal/consignments"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestSeedConsignments(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	if _, err := Seed(ctx, db, Options{}); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Consignments(ctx, store.ConsignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byState := map[consignments.State]int{}
	var dec *store.Consignment
	returns := 0
	for _, c := range cs {
		byState[c.State]++
		if c.Ref == "UA-RU-2026-12-01" {
			dec = c
		}
		if c.Kind == consignments.Return {
			returns++
		}
	}
	for _, s := range consignments.States {
		if byState[s] == 0 {
			t.Errorf("no demo consignment is %s", s)
		}
	}
	if returns != 1 {
		t.Errorf("got %d return consignments, want 1", returns)
	}
	if dec == nil || dec.Parcels < 500 || dec.State != consignments.Receipted {
		t.Fatalf("December: got %+v", dec)
	}
	ls, err := db.ConsignmentLines(ctx, dec.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[consignments.ParcelState]int{}
	for _, l := range ls {
		states[l.State]++
	}
	if states[consignments.ParcelMissing] != 3 || states[consignments.ParcelRedirected] != 1 || states[consignments.ParcelReturned] != 2 ||
		states[consignments.ParcelAcknowledged] == 0 || states[consignments.ParcelReceived] == 0 {
		t.Errorf("December's parcels: got %v", states)
	}
	rec, err := db.Reconciliation(ctx, dec)
	if err != nil || len(rec.Damaged) != 2 || len(rec.Extra) != 1 {
		t.Errorf("December's handover: got %+v, %v", rec.Counts, err)
	}
	ds, err := db.Deliveries(ctx, dec.ID)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[consignments.Reason]int{}
	for _, d := range ds {
		reasons[d.Reason]++
	}
	for _, r := range []consignments.Reason{consignments.ReasonTransferred, consignments.ReasonDeceased, consignments.ReasonReleased} {
		if reasons[r] != 1 {
			t.Errorf("got %d deliveries with reason %s, want 1", reasons[r], r)
		}
	}
	bs, err := db.BundleInfos(ctx, dec.Ref)
	if err != nil || len(bs) != 3 {
		t.Errorf("December's signed documents: got %v, %v", bs, err)
	}
}

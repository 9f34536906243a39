package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// ctManyParcels is ctParcels for more than a few dozen parcels: n
// prisoners of AA held by BB at facility fac, each with one sealed parcel.
func ctManyParcels(t *testing.T, db *store.DB, fac int64, n int, serial uint32) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	ctTx(t, db, func(tx *store.Tx) error {
		for i := range n {
			name := "Prisoner " + string(rune('A'+i%26)) + string(rune('a'+i/26%26)) + " " + string(rune('A'+i/676%26)) + "x"
			p := pow("AA", name)
			if err := tx.CreatePerson(ctx, actor, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, actor, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: fac}); err != nil {
				return err
			}
			id, err := s10.Make("CP", serial+uint32(i), "UA")
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO parcels (tracking, direction, person_id, from_party, to_party, facility_id, status, items, weight_grams,
				created_at, sealed_at, updated_at) VALUES ($1, 'to_detainee', $2, 'AA', 'BB', $3, 'sealed', $4, $5, $6, $6, $6)`,
				id, p.ID, fac, 1+i%4, 300+20*(i%50), tx.Now()); err != nil {
				return err
			}
			out = append(out, id)
		}
		return nil
	})
	return out
}

// TestAddParcelsBulk adds more parcels than one IN list holds: every line
// in the order given, with one event; refusals name the first bad parcel
// in the order given and add nothing.
func TestAddParcelsBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, facB := seed(t, db)
		ids := ctManyParcels(t, db, facB, 620, 5000)
		c := ctNewConsignment(t, db, nil)
		add := func(ref string, ts ...string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				_, err := tx.AddParcels(ctx, aaClerk, ref, ts)
				return err
			}
		}

		// The first refusal in the order given is the one reported.
		ctRefused(t, db, errs.NotFound, "there is no parcel CP999999995UA here", add(c.Ref, ids[0], "CP999999995UA", "nonsense", ids[0]))
		if err := ctTxErr(db, add(c.Ref, ids[0], "nonsense", "CP999999995UA")); errs.KindOf(err) != errs.Invalid || !strings.Contains(errs.FieldsOf(err)["tracking"], `"nonsense"`) {
			t.Errorf("a bad tracking number first: got %v %v, want it named", err, errs.FieldsOf(err))
		}
		ctRefused(t, db, errs.Invalid, "parcel "+ids[1]+" is listed twice", add(c.Ref, ids[0], strings.ToLower(ids[1]), ids[2], ids[1], "CP999999995UA"))
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE parcels SET status = 'open' WHERE tracking = $1`, ids[3])
			return err
		})
		ctRefused(t, db, errs.Conflict, "parcel "+ids[3]+" is open", add(c.Ref, ids[0], ids[3], "CP999999995UA"))
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE parcels SET status = 'sealed' WHERE tracking = $1`, ids[3])
			return err
		})
		if lines, err := db.ConsignmentLines(ctx, c.ID); err != nil || len(lines) != 0 {
			t.Fatalf("after refusals: got %d lines, %v; want none", len(lines), err)
		}

		// 600 parcels at once, then 19 more.
		var added []consignments.Line
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			added, err = tx.AddParcels(ctx, aaClerk, c.Ref, ids[:600])
			return err
		})
		if len(added) != 600 || added[0].Tracking != ids[0] || added[0].RecipientRef == "" || added[0].Items != 1 || added[0].WeightGrams != 300 {
			t.Fatalf("added: got %d lines, first %+v", len(added), added[0])
		}
		ctTx(t, db, add(c.Ref, ids[600:619]...))
		lines, err := db.ConsignmentLines(ctx, c.ID)
		if err != nil || len(lines) != 619 {
			t.Fatalf("lines: got %d, %v; want 619", len(lines), err)
		}
		for i, l := range lines {
			if l.Tracking != ids[i] || l.State != consignments.ParcelSealed || l.ParcelID == 0 || l.Items != 1+i%4 || l.WeightGrams != 300+20*(i%50) {
				t.Fatalf("line %d: got %+v, want %s", i, l, ids[i])
			}
		}
		evs, err := db.Events(ctx, "consignment", c.Ref, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var data []string
		for _, e := range evs {
			if e.Type == "parcels_added" {
				data = append(data, string(e.Data))
			}
		}
		if want := []string{`{"count":600,"total":600}`, `{"count":19,"total":619}`}; len(data) != 2 || !jsonEq(data[0], want[0]) || !jsonEq(data[1], want[1]) {
			t.Errorf("parcels_added events: got %v, want %v", data, want)
		}

		// On this consignment already; on another one, until that one is
		// done with it.
		ctRefused(t, db, errs.Conflict, "parcel "+ids[618]+" is already on consignment "+c.Ref, add(c.Ref, ids[619], ids[618]))
		other := ctNewConsignment(t, db, nil)
		ctRefused(t, db, errs.Conflict, "parcel "+ids[5]+" belongs to consignment "+c.Ref, add(other.Ref, ids[619], ids[5]))
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE consignment_parcels SET state = 'returned' WHERE consignment_id = $1 AND tracking = $2`, c.ID, ids[5])
			return err
		})
		ctTx(t, db, add(other.Ref, ids[619], ids[5]))
		third := ctNewConsignment(t, db, nil)
		ctRefused(t, db, errs.Conflict, "parcel "+ids[5]+" belongs to consignment "+other.Ref, add(third.Ref, ids[5]))
	})
}

func jsonEq(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

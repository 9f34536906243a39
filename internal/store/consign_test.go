package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// consignKeys are the signing keys of the three parties of seed.
type consignKeys struct{ aa, bb, icrc *sign.Key }

func newConsignKeys(t *testing.T) consignKeys {
	t.Helper()
	k := func(b byte) *sign.Key {
		key, err := sign.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	return consignKeys{aa: k(11), bb: k(12), icrc: k(13)}
}

// ring returns a keyring that signs for party only, as a federated node's.
func (k consignKeys) ring(party string) store.Keys {
	key := map[string]*sign.Key{"AA": k.aa, "BB": k.bb, "ICRC": k.icrc}[party]
	return consignments.StaticKeyring(party, map[string]*sign.Key{party: key})
}

func (k consignKeys) trust() sign.TrustSet {
	t := sign.TrustSet{}
	t.Add("AA", k.aa.Public())
	t.Add("BB", k.bb.Public())
	t.Add("ICRC", k.icrc.Public())
	return t
}

var (
	aaClerk    = store.Actor{UserID: 1, Name: "aa-logistics", Party: "AA"}
	icrcFirst  = store.Actor{UserID: 2, Name: "delegate-1", Party: "ICRC"}
	icrcSecond = store.Actor{UserID: 3, Name: "delegate-2", Party: "ICRC"}
	bbFacility = store.Actor{UserID: 4, Name: "bb-facility", Party: "BB"}
)

func ctTx(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func ctTxErr(db *store.DB, fn func(tx *store.Tx) error) error {
	return db.Tx(context.Background(), fn)
}

// mailParcels registers n prisoners of AA held by BB at facility fac and
// one sealed parcel for each, and returns their tracking numbers.
func ctParcels(t *testing.T, db *store.DB, fac int64, n int, serial uint32) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	ctTx(t, db, func(tx *store.Tx) error {
		for i := range n {
			p := pow("AA", "Prisoner "+string(rune('A'+i)))
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
				id, p.ID, fac, 1+i%4, 300+20*i, tx.Now()); err != nil {
				return err
			}
			out = append(out, id)
		}
		return nil
	})
	return out
}

func ctNewConsignment(t *testing.T, db *store.DB, trackings []string) *store.Consignment {
	t.Helper()
	var c *store.Consignment
	ctTx(t, db, func(tx *store.Tx) error {
		var err error
		c, err = tx.CreateConsignment(context.Background(), aaClerk, &consignments.Consignment{From: "AA", To: "BB", Via: "ICRC", Period: "2026-12", Target: 2000})
		if err != nil {
			return err
		}
		if len(trackings) > 0 {
			if _, err = tx.AddParcels(context.Background(), aaClerk, c.Ref, trackings); err != nil {
				return err
			}
		}
		c, err = tx.Consignment(context.Background(), c.Ref)
		return err
	})
	return c
}

func ctLineState(t *testing.T, db *store.DB, ref, tracking string) consignments.ParcelState {
	t.Helper()
	c, err := db.Consignment(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := db.ConsignmentLines(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Tracking == tracking {
			return l.State
		}
	}
	return ""
}

func ctParcelStatus(t *testing.T, db *store.DB, tracking string) string {
	t.Helper()
	var s string
	if err := db.Read().QueryRowContext(context.Background(), `SELECT status FROM parcels WHERE tracking = $1`, tracking).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// refused checks that fn fails with kind k and a message containing msg,
// and that it wrote no event.
func ctRefused(t *testing.T, db *store.DB, k errs.Kind, msg string, fn func(tx *store.Tx) error) {
	t.Helper()
	before, err := db.CountEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = ctTxErr(db, fn)
	if err == nil {
		t.Fatalf("got nil, want a %s error saying %q", k, msg)
	}
	if errs.KindOf(err) != k || !strings.Contains(errs.MessageOf(err), msg) {
		t.Fatalf("got %s %q, want %s saying %q", errs.KindOf(err), errs.MessageOf(err), k, msg)
	}
	after, _ := db.CountEvents(context.Background())
	if after != before {
		t.Errorf("a refused change wrote %d events", after-before)
	}
}

func TestConsignmentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		var facB2 int64
		ctTx(t, db, func(tx *store.Tx) error {
			f := &registry.Facility{Code: "B-2", Name: "Camp B2", PartyCode: "BB", Kind: registry.Camp}
			err := tx.CreateFacility(ctx, actor, f)
			facB2 = f.ID
			return err
		})
		ids := ctParcels(t, db, facB, 6, 100)
		c := ctNewConsignment(t, db, ids[:5])
		if c.Ref != "AA-BB-2026-12-01" || c.State != consignments.Draft || c.Parcels != 5 {
			t.Fatalf("got %+v", c)
		}
		ctRefused(t, db, errs.Conflict, "already on consignment", func(tx *store.Tx) error {
			_, err := tx.AddParcels(ctx, aaClerk, c.Ref, []string{ids[5], ids[0]})
			return err
		})
		other := ctNewConsignment(t, db, nil)
		if other.Ref != "AA-BB-2026-12-02" {
			t.Fatalf("second consignment: got %s", other.Ref)
		}
		ctRefused(t, db, errs.Conflict, "belongs to consignment AA-BB-2026-12-01", func(tx *store.Tx) error {
			_, err := tx.AddParcels(ctx, aaClerk, other.Ref, []string{ids[1]})
			return err
		})
		ctRefused(t, db, errs.NotFound, "no parcel", func(tx *store.Tx) error {
			_, err := tx.AddParcels(ctx, aaClerk, other.Ref, []string{"CP999999995UA"})
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.AddParcels(ctx, aaClerk, other.Ref, []string{ids[5]})
			return err
		})
		// Scanning before dispatch is refused.
		ctRefused(t, db, errs.Conflict, "only a dispatched consignment", func(tx *store.Tx) error {
			_, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, ids[0], false)
			return err
		})
		var manifest *sign.Bundle
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			if manifest, err = tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			_, err = tx.DispatchConsignment(ctx, aaClerk, c.Ref)
			return err
		})
		if manifest.Seq != 1 || manifest.From != "AA" || manifest.To != "BB" {
			t.Errorf("manifest bundle: got %+v", manifest)
		}
		if got := ctParcelStatus(t, db, ids[0]); got != "dispatched" {
			t.Errorf("parcel after dispatch: got %s, want dispatched", got)
		}
		m, _, err := db.Manifest(ctx, c.Ref)
		if err != nil || m.Totals.Parcels != 5 {
			t.Fatalf("manifest: got %+v, %v", m.Totals, err)
		}

		// The handover.
		scan := func(a store.Actor, tracking string, damaged bool) *store.ScanResult {
			t.Helper()
			var r *store.ScanResult
			ctTx(t, db, func(tx *store.Tx) error {
				var err error
				r, err = tx.ScanHandover(ctx, a, c.Ref, tracking, damaged)
				return err
			})
			return r
		}
		if r := scan(icrcFirst, strings.ToLower(ids[0]), false); r.Outcome != consignments.ScanExpected || !r.OK || r.Counts.Received != 1 || r.Counts.Missing != 4 {
			t.Errorf("first scan: got %+v", r)
		}
		scan(icrcFirst, ids[1], false)
		if r := scan(icrcFirst, ids[1], false); r.Outcome != consignments.ScanDuplicate || r.Counts.Scanned != 2 {
			t.Errorf("repeat scan: got %+v", r)
		}
		scan(icrcFirst, ids[2], false)
		if r := scan(icrcFirst, ids[3], true); r.Outcome != consignments.ScanDamaged || r.OK || r.Counts.Damaged != 1 {
			t.Errorf("damaged scan: got %+v", r)
		}
		extra, _ := s10.Make("CP", 777, "UA")
		if r := scan(icrcFirst, extra, false); r.Outcome != consignments.ScanExtra || r.Counts.Extra != 1 {
			t.Errorf("extra scan: got %+v", r)
		}
		ctRefused(t, db, errs.Conflict, "belongs to consignment AA-BB-2026-12-02", func(tx *store.Tx) error {
			_, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, ids[5], false)
			return err
		})
		ctRefused(t, db, errs.Invalid, "", func(tx *store.Tx) error {
			_, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, "not a parcel", false)
			return err
		})
		counts, err := db.HandoverCounts(ctx, c)
		want := consignments.Counts{Expected: 5, Scanned: 5, Received: 4, Missing: 1, Extra: 1, Damaged: 1, Remaining: 1}
		if err != nil || counts != want {
			t.Errorf("counts: got %+v (%v), want %+v", counts, err, want)
		}
		ctRefused(t, db, errs.Conflict, "write a discrepancy note", func(tx *store.Tx) error {
			_, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		var note *consignments.Note
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			note, err = tx.AddNote(ctx, icrcFirst, c.Ref, "one bag short, one box crushed, one parcel of another dispatch")
			if err != nil {
				return err
			}
			_, err = tx.ConfirmNote(ctx, icrcFirst, c.Ref, note.ID)
			return err
		})
		ctRefused(t, db, errs.Conflict, "already confirmed", func(tx *store.Tx) error {
			_, err := tx.ConfirmNote(ctx, icrcFirst, c.Ref, note.ID)
			return err
		})
		ctRefused(t, db, errs.Conflict, "two different people", func(tx *store.Tx) error {
			_, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ConfirmNote(ctx, icrcSecond, c.Ref, note.ID)
			return err
		})
		var receipt *sign.Bundle
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			receipt, err = tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		if receipt.Seq != 2 || receipt.From != "ICRC" {
			t.Errorf("receipt bundle: got %+v", receipt)
		}
		ctRefused(t, db, errs.Conflict, "a second handover is refused", func(tx *store.Tx) error {
			_, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, ids[4], false)
			return err
		})
		ctRefused(t, db, errs.Conflict, "a second handover is refused", func(tx *store.Tx) error {
			_, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		if got := ctLineState(t, db, c.Ref, ids[4]); got != consignments.ParcelMissing {
			t.Errorf("unscanned parcel: got %s, want missing", got)
		}
		rc, _, err := db.Receipt(ctx, c.Ref)
		if err != nil || rc.Shipped != 5 || rc.Received != 4 || rc.Cancelled != 1 || rc.Remaining != 0 || rc.Damaged != 1 {
			t.Errorf("receipt: got %+v, %v", rc, err)
		}
		// Deliveries wait for the countersignature.
		at := time.Now().UTC()
		delivered := func(id string) consignments.Delivery {
			return consignments.Delivery{Tracking: id, Outcome: consignments.Delivered, At: at, AckKind: consignments.AckSignedSlip, AckRef: "slip-" + id}
		}
		ctRefused(t, db, errs.Conflict, "countersigned", func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, delivered(ids[0]))
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			b, err := tx.CountersignReceipt(ctx, bbFacility, keys.ring("BB"), c.Ref)
			if err == nil && len(b.Envelope.Signatures) != 2 {
				t.Errorf("countersigned receipt: got %d signatures, want 2", len(b.Envelope.Signatures))
			}
			return err
		})
		ctRefused(t, db, errs.Conflict, "never arrived", func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, delivered(ids[4]))
			return err
		})
		ctRefused(t, db, errs.NotFound, "not in consignment", func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, delivered(ids[5]))
			return err
		})
		// A bulk file with one bad row records nothing.
		ctRefused(t, db, errs.Conflict, "row 2", func(tx *store.Tx) error {
			_, err := tx.RecordDeliveries(ctx, bbFacility, c.Ref, []consignments.Delivery{delivered(ids[0]), delivered(ids[4])})
			return err
		})
		if got := ctLineState(t, db, c.Ref, ids[0]); got != consignments.ParcelReceived {
			t.Fatalf("after a refused bulk file: got %s, want received", got)
		}
		ctTx(t, db, func(tx *store.Tx) error {
			got, err := tx.RecordDeliveries(ctx, bbFacility, c.Ref, []consignments.Delivery{
				delivered(ids[0]),
				{Tracking: ids[1], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonDeceased, Action: consignments.ActionReturned},
				{Tracking: ids[2], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonTransferred},
				{Tracking: ids[3], Outcome: consignments.Delivered, At: at, AckKind: consignments.AckRepresentative, AckRef: "ATT-7"},
			})
			if err == nil && (got[consignments.ParcelAcknowledged] != 2 || got[consignments.ParcelUndeliverable] != 1 || got[consignments.ParcelRedirected] != 1) {
				t.Errorf("bulk deliveries: got %v", got)
			}
			return err
		})
		var fac int64
		db.Read().QueryRowContext(ctx, `SELECT facility_id FROM parcels WHERE tracking = $1`, ids[2]).Scan(&fac)
		if fac != facB {
			t.Errorf("redirected without a facility named: got facility %d, want the addressee's current %d", fac, facB)
		}
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, consignments.Delivery{Tracking: ids[2], Outcome: consignments.Undeliverable, At: at,
				Reason: consignments.ReasonTransferred, Action: consignments.ActionRedirected, NewFacility: "B-2"})
			return err
		})
		db.Read().QueryRowContext(ctx, `SELECT facility_id FROM parcels WHERE tracking = $1`, ids[2]).Scan(&fac)
		if fac != facB2 {
			t.Errorf("redirected to B-2: got facility %d, want %d", fac, facB2)
		}
		ctRefused(t, db, errs.Conflict, "already has an outcome", func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, delivered(ids[0]))
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, delivered(ids[2]))
			return err
		})
		if got := ctParcelStatus(t, db, ids[2]); got != "acknowledged" {
			t.Errorf("redirected then delivered: got %s", got)
		}
		// The return consignment takes the deceased addressee's parcel.
		var ret *store.Consignment
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			ret, err = tx.CreateReturn(ctx, bbFacility, c.Ref)
			return err
		})
		if ret.Ref != "BB-AA-2026-12-R01" || ret.Parcels != 1 || ret.From != "BB" {
			t.Errorf("return: got %+v", ret)
		}
		if got := ctParcelStatus(t, db, ids[1]); got != "returned" {
			t.Errorf("returned parcel: got %s", got)
		}
		closed, err := db.Consignment(ctx, c.Ref)
		if err != nil || closed.State != consignments.Closed {
			t.Fatalf("every parcel final: got state %v (%v), want closed", closed.State, err)
		}
		var report *sign.Bundle
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			report, err = tx.MakeDeliveryReport(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		if report.Seq != 3 || report.From != "BB" {
			t.Errorf("report bundle: got seq %d from %s", report.Seq, report.From)
		}
		v, err := report.Verify(keys.trust(), "AA", consignments.RequiredSigners(closed.Consignment, sign.KindDeliveryReport))
		if err != nil {
			t.Fatal(err)
		}
		var rep consignments.Report
		if err := v.Decode(&rep); err != nil {
			t.Fatal(err)
		}
		if rep.Counts.Delivered != 3 || rep.Counts.Returned != 1 || rep.Counts.Missing != 1 || rep.ReturnRef != ret.Ref {
			t.Errorf("report: got %+v", rep.Counts)
		}
		// The return goes back: sealed by BB, handed over, countersigned by AA.
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, bbFacility, keys.ring("BB"), ret.Ref); err != nil {
				return err
			}
			if _, err := tx.DispatchConsignment(ctx, bbFacility, ret.Ref); err != nil {
				return err
			}
			if _, err := tx.ScanHandover(ctx, icrcFirst, ret.Ref, ids[1], false); err != nil {
				return err
			}
			if _, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), ret.Ref); err != nil {
				return err
			}
			_, err := tx.CountersignReceipt(ctx, aaClerk, keys.ring("AA"), ret.Ref)
			return err
		})
		back, _ := db.Consignment(ctx, ret.Ref)
		if back.State != consignments.Closed {
			t.Errorf("return consignment: got %s, want closed", back.State)
		}
		ev, err := db.ConsignmentUPU(ctx, closed)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]int{}
		for _, e := range ev {
			codes[e.Code]++
		}
		if codes["EMA"] != 5 || codes["EMC"] != 5 || codes["EMD"] != 4 || codes["EMI"] != 3 || codes["EMH"] != 3 {
			t.Errorf("UPU events: got %v", codes)
		}
		list, err := db.Consignments(ctx, store.ConsignmentFilter{Scope: "BB"})
		if err != nil || len(list) != 3 {
			t.Errorf("list for BB: got %d (%v), want 3", len(list), err)
		}
		exp, err := db.ExportBundle(ctx, c.Ref, "")
		if err != nil || exp.Seq != 3 {
			t.Errorf("export latest: got %v, %v", exp, err)
		}
		// The claims went to the transparency log: dispatched, handed over
		// and received for each consignment, a delivered and an
		// acknowledged entry per delivery, an undeliverable one per failure.
		if n, err := db.LogSize(ctx); err != nil || n != 3+3+2*3+3 {
			t.Errorf("log entries: got %d (%v), want %d", n, err, 3+3+2*3+3)
		}
	})
}

// ctNode is one node of a federated deployment in the import test.
type ctNode struct {
	db    *store.DB
	party string
	trust sign.TrustSet
	key   *sign.Key
	actor store.Actor
}

func (n ctNode) importBundle(t *testing.T, b *sign.Bundle) *consignments.ImportResult {
	t.Helper()
	var r *consignments.ImportResult
	ctTx(t, n.db, func(tx *store.Tx) error {
		var err error
		r, err = tx.ImportBundle(context.Background(), n.actor, n.party, n.trust, b)
		return err
	})
	return r
}

func (n ctNode) refuse(t *testing.T, b *sign.Bundle, sentinel error, msg string) {
	t.Helper()
	before, _ := n.db.CountEvents(context.Background())
	err := ctTxErr(n.db, func(tx *store.Tx) error {
		_, err := tx.ImportBundle(context.Background(), n.actor, n.party, n.trust, b)
		return err
	})
	if err == nil {
		t.Fatalf("import at %s: got nil, want an error saying %q", n.party, msg)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("import at %s: got %v, want %v", n.party, err, sentinel)
	}
	if !strings.Contains(errs.MessageOf(err), msg) {
		t.Errorf("import at %s: got %q, want it to say %q", n.party, errs.MessageOf(err), msg)
	}
	after, _ := n.db.CountEvents(context.Background())
	if after != before {
		t.Errorf("a refused import wrote %d events", after-before)
	}
}

func ctReread(t *testing.T, b *sign.Bundle) *sign.Bundle {
	t.Helper()
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sign.ReadBundle(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFederatedImport runs December's consignment through three nodes, each
// with its own database: party AA, the intermediary and party BB.
func TestFederatedImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, first *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		dbs := []*store.DB{first, storetest.Open(t, first.Dialect), storetest.Open(t, first.Dialect)}
		var facB int64
		for i, db := range dbs {
			_, fb := seed(t, db)
			if i == 0 {
				facB = fb
			}
		}
		mk := func(db *store.DB, party string, key *sign.Key, a store.Actor, trusted ...string) ctNode {
			n := ctNode{db: db, party: party, key: key, actor: a, trust: sign.TrustSet{}}
			all := keys.trust()
			for id, tk := range all {
				if tk.Party == party || strings.Contains(strings.Join(trusted, ","), tk.Party) {
					n.trust[id] = tk
				}
			}
			ctTx(t, db, func(tx *store.Tx) error {
				for _, tk := range n.trust {
					if err := tx.TrustKey(ctx, a, tk.Party, tk.Key); err != nil {
						return err
					}
				}
				return nil
			})
			fromDB, err := db.TrustSet(ctx)
			if err != nil || len(fromDB) != len(n.trust) {
				t.Fatalf("trust set from the database: got %v, %v", fromDB, err)
			}
			return n
		}
		a := mk(dbs[0], "AA", keys.aa, aaClerk, "BB", "ICRC")
		icrc := mk(dbs[1], "ICRC", keys.icrc, icrcFirst, "AA", "BB")
		b := mk(dbs[2], "BB", keys.bb, bbFacility, "AA", "ICRC")

		ids := ctParcels(t, a.db, facB, 4, 500)
		c := ctNewConsignment(t, a.db, ids)
		var manifest *sign.Bundle
		ctTx(t, a.db, func(tx *store.Tx) error {
			var err error
			if manifest, err = tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			_, err = tx.DispatchConsignment(ctx, aaClerk, c.Ref)
			return err
		})
		manifest = ctReread(t, manifest)

		// Out of order: a receipt before the manifest is refused later on;
		// first the bad bundles.
		tampered := ctReread(t, manifest)
		tampered.Envelope.Payload = strings.Replace(tampered.Envelope.Payload, tampered.Envelope.Payload[40:44], "AAAA", 1)
		icrc.refuse(t, tampered, nil, "")
		data, _ := manifest.Marshal()
		if _, err := sign.ReadBundle(bytes.NewReader(data[:len(data)/2])); err == nil || !strings.Contains(errs.MessageOf(err), "truncated") {
			t.Errorf("truncated bundle: got %v", err)
		}
		stranger := ctNode{db: icrc.db, party: "ICRC", trust: sign.TrustSet{}, actor: icrcFirst}
		stranger.trust.Add("ICRC", keys.icrc.Public())
		stranger.refuse(t, manifest, sign.ErrUnknownSigner, "does not trust")
		elsewhere := ctNode{db: icrc.db, party: "CC", trust: icrc.trust, actor: icrcFirst}
		elsewhere.refuse(t, manifest, sign.ErrWrongRecipient, "not for this node")

		if r := icrc.importBundle(t, manifest); r.Plan != consignments.PlanCreate || !r.Changed || r.State != consignments.Dispatched {
			t.Fatalf("manifest at ICRC: got %+v", r)
		}
		before, _ := icrc.db.CountEvents(ctx)
		if r := icrc.importBundle(t, manifest); r.Changed {
			t.Errorf("manifest twice: got %+v, want nothing changed", r)
		}
		if after, _ := icrc.db.CountEvents(ctx); after != before {
			t.Errorf("importing twice wrote %d events", after-before)
		}
		// The intermediary hands the consignment over: one parcel missing.
		var receipt *sign.Bundle
		ctTx(t, icrc.db, func(tx *store.Tx) error {
			for _, id := range ids[:3] {
				if _, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, id, false); err != nil {
					return err
				}
			}
			n, err := tx.AddNote(ctx, icrcFirst, c.Ref, "one parcel not in the truck")
			if err != nil {
				return err
			}
			if _, err := tx.ConfirmNote(ctx, icrcFirst, c.Ref, n.ID); err != nil {
				return err
			}
			if _, err := tx.ConfirmNote(ctx, icrcSecond, c.Ref, n.ID); err != nil {
				return err
			}
			receipt, err = tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		receipt = ctReread(t, receipt)
		// Party BB: the receipt before the manifest is out of order.
		b.refuse(t, receipt, sign.ErrOutOfOrder, "import its manifest")
		b.importBundle(t, manifest)
		if r := b.importBundle(t, receipt); r.Plan != consignments.PlanHandover || r.State != consignments.HandedOver {
			t.Fatalf("receipt at BB: got %+v", r)
		}
		if got := ctLineState(t, b.db, c.Ref, ids[3]); got != consignments.ParcelMissing {
			t.Errorf("missing parcel at BB: got %s", got)
		}
		var countersigned *sign.Bundle
		ctTx(t, b.db, func(tx *store.Tx) error {
			var err error
			countersigned, err = tx.CountersignReceipt(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		countersigned = ctReread(t, countersigned)
		if r := icrc.importBundle(t, countersigned); r.Plan != consignments.PlanReceipted || r.State != consignments.Receipted {
			t.Errorf("countersigned receipt at ICRC: got %+v", r)
		}
		if r := a.importBundle(t, countersigned); r.Plan != consignments.PlanHandRecv || r.State != consignments.Receipted {
			t.Errorf("countersigned receipt at AA: got %+v", r)
		}
		if r := a.importBundle(t, countersigned); r.Changed {
			t.Errorf("countersigned receipt twice at AA: got %+v", r)
		}
		if got := ctParcelStatus(t, a.db, ids[0]); got != "received" {
			t.Errorf("AA's parcel after the receipt: got %s, want received", got)
		}
		if got := ctParcelStatus(t, a.db, ids[3]); got != "missing" {
			t.Errorf("AA's missing parcel: got %s, want missing", got)
		}
		// BB delivers and reports.
		at := time.Now().UTC()
		var report *sign.Bundle
		ctTx(t, b.db, func(tx *store.Tx) error {
			if _, err := tx.RecordDeliveries(ctx, bbFacility, c.Ref, []consignments.Delivery{
				{Tracking: ids[0], Outcome: consignments.Delivered, At: at, AckKind: consignments.AckSignedSlip, AckRef: "slip-0"},
				{Tracking: ids[1], Outcome: consignments.Undeliverable, At: at, Reason: consignments.ReasonReleased, Action: consignments.ActionReturned},
			}); err != nil {
				return err
			}
			var err error
			report, err = tx.MakeDeliveryReport(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		report = ctReread(t, report)
		if r := a.importBundle(t, report); r.Plan != consignments.PlanDeliveries || r.Seq != 3 {
			t.Errorf("report at AA: got %+v", r)
		}
		if got := ctParcelStatus(t, a.db, ids[0]); got != "acknowledged" {
			t.Errorf("AA's delivered parcel: got %s, want acknowledged", got)
		}
		if got := ctParcelStatus(t, a.db, ids[1]); got != "undeliverable" {
			t.Errorf("AA's undeliverable parcel: got %s, want undeliverable", got)
		}
		icrc.importBundle(t, report)
		// A second report: the rest delivered, and the return.
		var report2 *sign.Bundle
		ctTx(t, b.db, func(tx *store.Tx) error {
			if _, err := tx.RecordDelivery(ctx, bbFacility, c.Ref, consignments.Delivery{Tracking: ids[2], Outcome: consignments.Delivered, At: at,
				AckKind: consignments.AckRepresentative, AckRef: "ATT-2"}); err != nil {
				return err
			}
			if _, err := tx.CreateReturn(ctx, bbFacility, c.Ref); err != nil {
				return err
			}
			var err error
			report2, err = tx.MakeDeliveryReport(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		report2 = ctReread(t, report2)
		if r := a.importBundle(t, report2); r.Seq != 4 || r.State != consignments.Closed {
			t.Errorf("second report at AA: got %+v", r)
		}
		// AA's log holds its own claim only: the dispatch; imports log nothing.
		if n, err := a.db.LogSize(ctx); err != nil || n != 1 {
			t.Errorf("AA's log: got %d entries (%v), want 1", n, err)
		}
		// The first report again changes nothing; a changed byte is refused.
		if r := a.importBundle(t, report); r.Changed {
			t.Errorf("old report again: got %+v", r)
		}
		bad := ctReread(t, report2)
		bad.Envelope.Signatures[0].Sig = strings.Repeat("A", len(bad.Envelope.Signatures[0].Sig)-2) + "=="
		a.refuse(t, bad, sign.ErrBadSignature, "does not verify")
		// A different step 3 after step 4: out of order.
		forged, err := sign.NewBundle(keys.bb, sign.Header{Kind: sign.KindDeliveryReport, From: "BB", To: "AA", Cc: []string{"ICRC"}, Ref: c.Ref, Seq: 3, Created: at},
			consignments.Report{Ref: c.Ref, From: "BB", To: "AA", Via: "ICRC", Date: at})
		if err != nil {
			t.Fatal(err)
		}
		a.refuse(t, forged, sign.ErrOutOfOrder, "comes too late")
	})
}

func TestConsignmentParties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		ids := ctParcels(t, db, facB, 2, 900)
		c := ctNewConsignment(t, db, ids)
		outsider := store.Actor{UserID: 9, Name: "x", Party: "CC"}
		ctRefused(t, db, errs.Forbidden, "only the sending party", func(tx *store.Tx) error {
			_, err := tx.SealConsignment(ctx, bbFacility, keys.ring("BB"), c.Ref)
			return err
		})
		ctRefused(t, db, errs.NotFound, "no consignment", func(tx *store.Tx) error {
			_, err := tx.SealConsignment(ctx, outsider, keys.ring("AA"), c.Ref)
			return err
		})
		// The right party with a node that signs for another: refused.
		ctRefused(t, db, errs.Forbidden, "signs for BB only", func(tx *store.Tx) error {
			_, err := tx.SealConsignment(ctx, aaClerk, keys.ring("BB"), c.Ref)
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			_, err := tx.DispatchConsignment(ctx, aaClerk, c.Ref)
			return err
		})
		ctRefused(t, db, errs.Forbidden, "only the intermediary", func(tx *store.Tx) error {
			_, err := tx.ScanHandover(ctx, aaClerk, c.Ref, ids[0], false)
			return err
		})
		ctRefused(t, db, errs.Forbidden, "only the receiving party", func(tx *store.Tx) error {
			_, err := tx.CountersignReceipt(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		ctRefused(t, db, errs.Conflict, "cannot go back to sealed", func(tx *store.Tx) error {
			_, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref)
			return err
		})
	})
}

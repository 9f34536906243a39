package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// civilians registers n displaced civilians of party, held at facility.
func civilians(t *testing.T, db *store.DB, party string, facility int64, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			p := &registry.Person{Category: registry.DisplacedCivilian, PartyCode: party, NativeName: "Civilian " + string(rune('A'+i))}
			if err := tx.CreatePerson(ctx, actor, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, actor, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: facility}); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("civilians: %v", err)
	}
	return ids
}

func tx(t *testing.T, db *store.DB, fn func(ctx context.Context, tx *store.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return db.Tx(ctx, func(tx *store.Tx) error { return fn(ctx, tx) })
}

func mustTx(t *testing.T, db *store.DB, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	if err := tx(t, db, fn); err != nil {
		t.Fatal(err)
	}
}

var delegateIV = &cases.Interview{By: "delegate", Intermediary: true, Private: true}

// acceptedCase makes a case of the given persons (of BB, on AA's side) and
// takes it to accepted with a wish to return.
func acceptedCase(t *testing.T, db *store.DB, fac int64, ids []int64) *cases.Case {
	t.Helper()
	c := &cases.Case{Party: "BB", HostParty: "AA", Origin: "Region X", Placement: cases.Custody, FacilityID: fac}
	for _, id := range ids {
		c.Members = append(c.Members, cases.Member{PersonID: id})
	}
	mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateCase(ctx, actor, c); err != nil {
			return err
		}
		iv := *delegateIV
		iv.At = tx.Now()
		var err error
		if c, err = tx.RecordCaseWish(ctx, actor, c.ID, 0, cases.WishReturn, &iv); err != nil {
			return err
		}
		if c, err = tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
			return err
		}
		c, err = tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.Accepted, Decision: &cases.Decision{Party: "BB", At: tx.Now(), Source: "note 1"}})
		return err
	})
	return c
}

func TestCaseStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, _ := seed(t, db)
		ids := civilians(t, db, "BB", facA, 3)
		ctx := context.Background()
		c := &cases.Case{Party: "BB", HostParty: "AA", Origin: "Region X", Placement: cases.Custody, FacilityID: facA,
			Priorities: []cases.Priority{cases.PriorityElderly}, Members: []cases.Member{{PersonID: ids[0]}, {PersonID: ids[1]}}}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCase(ctx, actor, c) })
		got, err := db.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != cases.Registered || len(got.Members) != 2 || got.Members[0].Name == "" || len(got.Priorities) != 1 {
			t.Fatalf("case = %+v, want registered with 2 named members and 1 priority", got)
		}
		// A person is in one case only.
		err = tx(t, db, func(ctx context.Context, tx *store.Tx) error {
			return tx.CreateCase(ctx, actor, &cases.Case{Party: "BB", HostParty: "AA", Origin: "x", Placement: cases.Private, Members: []cases.Member{{PersonID: ids[1]}}})
		})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("a second case for one person = %v, want a conflict", err)
		}
		// Refusal, then the party reconsiders.
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
				return err
			}
			_, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.Refused,
				Decision: &cases.Decision{Party: "BB", At: tx.Now(), Reason: "not residents", Source: "note verbale 7"}})
			return err
		})
		got, _ = db.Case(ctx, c.ID)
		if got.State != cases.Refused || got.Refusal == nil || got.Refusal.Reason != "not residents" || got.Refusal.Source != "note verbale 7" {
			t.Fatalf("after refusal: %+v, refusal %+v", got.State, got.Refusal)
		}
		stranded, err := db.Cases(ctx, store.CaseFilter{Stranded: true, Scope: "BB", Oldest: true})
		if err != nil || len(stranded) != 1 {
			t.Fatalf("stranded cases = %d (%v), want 1", len(stranded), err)
		}
		if out, _ := db.Cases(ctx, store.CaseFilter{Scope: "CC"}); len(out) != 0 {
			t.Errorf("cases in the scope of another party = %d, want 0", len(out))
		}
		// Split on purpose, with a reason.
		var nc *cases.Case
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			nc, err = tx.SplitCase(ctx, actor, c.ID, 0, []int64{ids[1]}, "adult son stays")
			return err
		})
		got, _ = db.Case(ctx, c.ID)
		if len(got.Members) != 1 || nc.ID == 0 || nc.SplitOf != c.ID {
			t.Errorf("after split: %d members, new case %d split of %d", len(got.Members), nc.ID, nc.SplitOf)
		}
		evs, err := db.CaseEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
		}
		if want := []string{"registered", "acceptance_requested", "refused", "split"}; len(types) != len(want) || types[2] != "refused" || evs[2].Party != "BB" {
			t.Errorf("case events = %v, want %v with the refusing party", types, want)
		}
	})
}

// TestCaseBadInputs checks that each bad input is a clear error that
// changes nothing.
func TestCaseBadInputs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, facB := seed(t, db)
		ctx := context.Background()
		ids := civilians(t, db, "BB", facA, 2)
		acc := acceptedCase(t, db, facA, ids[:1])
		reg := &cases.Case{Party: "BB", HostParty: "AA", Origin: "x", Placement: cases.Private, Members: []cases.Member{{PersonID: ids[1]}}}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCase(ctx, actor, reg) })
		wrong := civilians(t, db, "AA", facB, 1) // a national of AA on BB's side
		var opID int64
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			o := &repatriation.Operation{Ref: "OP-1", Date: tx.Now(), CrossingPoint: "Bridge", Intermediary: "ICRC", From: "AA", To: "BB"}
			err := tx.CreateOperation(ctx, actor, o)
			opID = o.ID
			return err
		})
		flagged := acceptedCase(t, db, facA, civilians(t, db, "BB", facA, 1))
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetCaseRisk(ctx, actor, flagged.ID, 0, true, "threats reported")
			return err
		})
		pow := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Soldier", Rank: "private", BirthDate: "1990", ServiceNumber: "7"}
		createPerson(t, db, pow)
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			return tx.RecordStatus(ctx, actor, &registry.Event{PersonID: pow.ID, Type: registry.Arrived, FacilityID: facB})
		})
		tests := []struct {
			name string
			kind errs.Kind
			fn   func(ctx context.Context, tx *store.Tx) error
		}{
			{"moving a case backwards", errs.Conflict, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.MoveCase(ctx, actor, acc.ID, 0, cases.Transition{To: cases.AcceptanceRequested})
				return err
			}},
			{"scheduling a case that is not accepted", errs.Conflict, func(ctx context.Context, tx *store.Tx) error {
				return tx.AddCaseToOperation(ctx, actor, opID, reg.ID)
			}},
			{"scheduling a case that is not accepted, directly", errs.Conflict, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.MoveCase(ctx, actor, reg.ID, 0, cases.Transition{To: cases.Scheduled, OperationID: opID})
				return err
			}},
			{"scheduling a case with the persecution flag", errs.Conflict, func(ctx context.Context, tx *store.Tx) error {
				return tx.AddCaseToOperation(ctx, actor, opID, flagged.ID)
			}},
			{"a roster with a person from the wrong party", errs.Invalid, func(ctx context.Context, tx *store.Tx) error {
				return tx.AddPersonToOperation(ctx, actor, opID, wrong[0])
			}},
			{"a prisoner of the wrong party in an exchange", errs.Invalid, func(ctx context.Context, tx *store.Tx) error {
				return tx.AddPersonToOperation(ctx, actor, opID, pow.ID)
			}},
			{"a claim linked to a record that does not exist", errs.Invalid, func(ctx context.Context, tx *store.Tx) error {
				return tx.CreateClaim(ctx, actor, &claims.Claim{Statement: "s", Party: "AA", MadeOn: tx.Now(), Source: "tv", Subject: claims.SubjectRefusal,
					Links: []claims.Link{{Kind: claims.LinkCase, ID: acc.ID}, {Kind: claims.LinkCase, ID: 999}}})
			}},
			{"a claim linked to a consignment that does not exist", errs.Invalid, func(ctx context.Context, tx *store.Tx) error {
				return tx.CreateClaim(ctx, actor, &claims.Claim{Statement: "s", Party: "AA", MadeOn: tx.Now(), Source: "tv", Subject: claims.SubjectDelivery,
					Links: []claims.Link{{Kind: claims.LinkConsignment, ID: 999}}})
			}},
			{"an outcome for a person not on the roster", errs.Invalid, func(ctx context.Context, tx *store.Tx) error {
				return tx.RecordOperationOutcome(ctx, actor, opID, ids[1], repatriation.HandedOver, "")
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, _ := db.CountEvents(ctx)
				err := tx(t, db, tt.fn)
				if got := errs.KindOf(err); got != tt.kind {
					t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
				}
				if errs.MessageOf(err) == "" {
					t.Errorf("no message")
				}
				after, _ := db.CountEvents(ctx)
				if after != before {
					t.Errorf("events went from %d to %d; a refused change wrote something", before, after)
				}
			})
		}
		o, _ := db.Operation(ctx, opID)
		if len(o.Roster) != 0 {
			t.Errorf("roster has %d people after refused additions, want 0", len(o.Roster))
		}
		if got, _ := db.Case(ctx, acc.ID); got.State != cases.Accepted {
			t.Errorf("case state = %s, want accepted", got.State)
		}
		if cs, _ := db.Claims(ctx, 0); len(cs) != 0 {
			t.Errorf("claims = %d, want 0", len(cs))
		}
	})
}

func TestOperationStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, _ := seed(t, db)
		ctx := context.Background()
		ids := civilians(t, db, "BB", facA, 3)
		household := acceptedCase(t, db, facA, ids[:2])
		single := acceptedCase(t, db, facA, ids[2:])
		pow := &registry.Person{Category: registry.POW, PartyCode: "BB", NativeName: "Soldier", Rank: "private", BirthDate: "1990", ServiceNumber: "7"}
		createPerson(t, db, pow)
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			return tx.RecordStatus(ctx, actor, &registry.Event{PersonID: pow.ID, Type: registry.Arrived, FacilityID: facA})
		})
		o := &repatriation.Operation{Ref: "OP-7", Date: time.Now(), CrossingPoint: "Bridge", Intermediary: "ICRC", From: "AA", To: "BB"}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateOperation(ctx, actor, o); err != nil {
				return err
			}
			if err := tx.AddCaseToOperation(ctx, actor, o.ID, household.ID); err != nil {
				return err
			}
			if err := tx.AddCaseToOperation(ctx, actor, o.ID, single.ID); err != nil {
				return err
			}
			return tx.AddPersonToOperation(ctx, actor, o.ID, pow.ID)
		})
		if c, _ := db.Case(ctx, household.ID); c.State != cases.Scheduled || c.OperationID != o.ID {
			t.Fatalf("household = %s on %d, want scheduled on %d", c.State, c.OperationID, o.ID)
		}
		sign3 := func(kind string) {
			t.Helper()
			for _, p := range []string{"AA", "ICRC", "BB"} {
				mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
					return tx.SignOperation(ctx, actor, o.ID, kind, p, tx.HeldKeys(ctx))
				})
			}
		}
		sign3(repatriation.KindRoster)
		got, _ := db.Operation(ctx, o.ID)
		if got.State != repatriation.RosterSigned || len(got.Roster) != 4 || len(got.RosterSigners) != 3 {
			t.Fatalf("operation = %s, %d on roster, signers %v; want roster_signed, 4, 3 signers", got.State, len(got.Roster), got.RosterSigners)
		}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			for _, id := range []int64{ids[0], ids[2], pow.ID} {
				if err := tx.RecordOperationOutcome(ctx, actor, o.ID, id, repatriation.HandedOver, ""); err != nil {
					return err
				}
			}
			if err := tx.RecordOperationOutcome(ctx, actor, o.ID, ids[1], repatriation.DidNotTravel, "in hospital"); err != nil {
				return err
			}
			return tx.CompleteOperation(ctx, actor, o.ID)
		})
		sign3(repatriation.KindOutcomes)
		got, _ = db.Operation(ctx, o.ID)
		if got.State != repatriation.Closed {
			t.Fatalf("operation state = %s, want closed", got.State)
		}
		if c, _ := db.Case(ctx, single.ID); c.State != cases.Repatriated {
			t.Errorf("single case = %s, want repatriated", c.State)
		}
		hh, _ := db.Case(ctx, household.ID)
		if hh.State != cases.Repatriated || len(hh.Members) != 1 {
			t.Errorf("household = %s with %d members, want repatriated with 1", hh.State, len(hh.Members))
		}
		stayed, _ := db.Cases(ctx, store.CaseFilter{States: []cases.State{cases.Accepted}})
		if len(stayed) != 1 || stayed[0].SplitOf != household.ID || stayed[0].Members[0].PersonID != ids[1] {
			t.Errorf("cases of those who stayed = %+v, want one split off the household", stayed)
		}
		for _, id := range []int64{pow.ID, ids[0]} {
			if p, _ := db.Person(ctx, id); p.Status != registry.StatusRepatriated {
				t.Errorf("person %d status = %s, want repatriated", id, p.Status)
			}
		}
		if p, _ := db.Person(ctx, ids[1]); p.Status == registry.StatusRepatriated {
			t.Errorf("the person who did not travel is recorded as repatriated")
		}

		// The signed outcomes bundle verifies with all three signatures.
		d, err := db.OperationDocument(ctx, o.ID, repatriation.KindOutcomes)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sign.ReadBundle(bytes.NewReader(d.Bundle))
		if err != nil {
			t.Fatal(err)
		}
		trust, err := db.HeldTrust(ctx)
		if err != nil {
			t.Fatal(err)
		}
		od, _, err := repatriation.VerifyOutcomes(b, trust, "BB")
		if err != nil {
			t.Fatal(err)
		}
		if od.HandedOver != 3 || od.DidNotTravel != 1 {
			t.Errorf("signed outcomes = %d handed over, %d not; want 3, 1", od.HandedOver, od.DidNotTravel)
		}

		// Claims: the right count verifies, a wrong one cannot.
		right := &claims.Claim{Statement: "3 came home", Party: "BB", MadeOn: time.Now().Add(-time.Hour), Source: "briefing", Subject: claims.SubjectRepatriation,
			Count: 3, Links: []claims.Link{{Kind: claims.LinkOperation, ID: o.ID}}}
		wrong := &claims.Claim{Statement: "5 came home", Party: "AA", MadeOn: time.Now().Add(-time.Hour), Source: "briefing", Subject: claims.SubjectRepatriation,
			Count: 5, Links: []claims.Link{{Kind: claims.LinkOperation, ID: o.ID}}}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateClaim(ctx, actor, right); err != nil {
				return err
			}
			return tx.CreateClaim(ctx, actor, wrong)
		})
		rightLog, wrongLog := logCount(t, db, right), logCount(t, db, wrong)
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetClaimStatus(ctx, actor, right.ID, 0, claims.Verified, claims.Decider{Party: "BB"}, "", rightLog)
			return err
		})
		err = tx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetClaimStatus(ctx, actor, wrong.ID, 0, claims.Verified, claims.Decider{Party: "AA"}, "", wrongLog)
			return err
		})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("verifying a claim with the wrong count = %v, want a conflict", err)
		}
		if c, _ := db.Claim(ctx, right.ID); c.Status != claims.Verified || c.Checkpoint == nil || c.Checkpoint.Size != logSize(t, db) {
			t.Errorf("verified claim = %s with checkpoint %+v, want verified with the checkpoint of size %d", c.Status, c.Checkpoint, logSize(t, db))
		}
		ev, err := db.ClaimEvidence(ctx, wrong)
		if err != nil || len(ev) != 2 || !ev[0].Signed || !ev[1].Signed {
			t.Errorf("evidence = %+v (%v), want a signed roster and signed outcomes", ev, err)
		}

		// The ledger counts the civilians handed over, not the prisoner.
		l, err := db.Ledger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var repatriated, accepted int
		for _, r := range l.Rows() {
			if r.From == "AA" && r.To == "BB" {
				repatriated += r.CiviliansRepatriated
				accepted += r.CiviliansAccepted
			}
		}
		if repatriated != 2 || accepted != 3 {
			t.Errorf("ledger AA→BB: %d repatriated, %d accepted; want 2, 3", repatriated, accepted)
		}
	})
}

// TestLedgerParcels reads parcels sent, delivered and undeliverable from
// the consignment tables.
func TestLedgerParcels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		sent := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var cid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO consignments (ref, kind, from_party, to_party, via_party, period, state, origin, created_at, dispatched_at, updated_at)
				VALUES ('C-1', 'outbound', 'AA', 'BB', 'ICRC', '2026-11', 'receipted', 'local', $1, $1, $1) RETURNING id`, sent).Scan(&cid)
			if err != nil {
				return err
			}
			for i, tr := range []string{"RR000000001AA", "RR000000002AA", "RR000000003AA"} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO consignment_parcels (consignment_id, tracking, recipient_ref, weight_grams, items, state, position, updated_at)
					VALUES ($1, $2, 'r', 100, 1, 'dispatched', $3, $4)`, cid, tr, i, sent); err != nil {
					return err
				}
			}
			for _, d := range []struct {
				tr, outcome string
				days        int
			}{{"RR000000001AA", "delivered", 3}, {"RR000000002AA", "delivered", 15}, {"RR000000003AA", "undeliverable", 4}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (consignment_id, tracking, outcome, at, origin, recorded_at) VALUES ($1, $2, $3, $4, 'local', $4)`,
					cid, d.tr, d.outcome, sent.Add(time.Duration(d.days)*24*time.Hour)); err != nil {
					return err
				}
			}
			return nil
		})
		l, err := db.Ledger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][4]int{}
		for _, r := range l.Rows() {
			if r.From == "AA" {
				got[r.Month] = [4]int{r.ParcelsSent, r.ParcelsDelivered, r.ParcelsUndeliverable, 0}
				if r.Month == "2026-11" && (r.MedianDaysToDelivery == nil || *r.MedianDaysToDelivery != 3) {
					t.Errorf("November median = %v, want 3", r.MedianDaysToDelivery)
				}
			}
		}
		if got["2026-11"] != [4]int{3, 1, 1, 0} || got["2026-12"] != [4]int{0, 1, 0, 0} {
			t.Errorf("AA→BB parcels by month = %v, want November 3 sent, 1 delivered, 1 undeliverable; December 1 delivered", got)
		}
	})
}

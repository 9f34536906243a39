package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/errs"
	"lifeline/internal/repatriation"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// logEntry opens entry idx of db's log.
func logEntry(t *testing.T, db *store.DB, idx int64) (*tlog.Entry, *tlog.Opening) {
	t.Helper()
	e, o, err := db.LogOpen(context.Background(), idx)
	if err != nil {
		t.Fatalf("open entry %d: %v", idx, err)
	}
	return e, o
}

func logSize(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaseDecisionsAreLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, _ := seed(t, db)
		ids := civilians(t, db, "BB", facA, 2)
		c := &cases.Case{Party: "BB", HostParty: "AA", Origin: "Region X", Placement: cases.Custody, FacilityID: facA,
			Members: []cases.Member{{PersonID: ids[0]}, {PersonID: ids[1]}}}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateCase(ctx, actor, c); err != nil {
				return err
			}
			_, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.AcceptanceRequested})
			return err
		})
		if n := logSize(t, db); n != 0 {
			t.Fatalf("log size after a request: got %d, want 0", n)
		}
		refuse := func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.Refused,
				Decision: &cases.Decision{Party: "BB", At: tx.Now(), Reason: "not residents", Source: "note verbale 7"}})
			return err
		}
		// A refusal rolled back with its transaction leaves no entry.
		err := tx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := refuse(ctx, tx); err != nil {
				return err
			}
			return errors.New("the workflow failed")
		})
		if err == nil {
			t.Fatal("the failing transaction committed")
		}
		if n := logSize(t, db); n != 0 {
			t.Fatalf("log size after a rolled-back refusal: got %d, want 0", n)
		}
		// A refusal appends one entry: the refusing party, the host as peer,
		// the household counted, identifiers only.
		mustTx(t, db, refuse)
		if n := logSize(t, db); n != 1 {
			t.Fatalf("log size after a refusal: got %d, want 1", n)
		}
		e, o := logEntry(t, db, 0)
		if e.Type != tlog.AcceptanceRefused || e.Party != "BB" || e.Peer != "AA" || e.Unit != "civilian" || e.Count != 2 || len(e.Subjects) != 2 {
			t.Errorf("refusal entry: got %+v, want acceptance_refused by BB, peer AA, 2 civilians", e)
		}
		if o.Ref.Value != store.CaseLogRef(c.ID) || o.Subjects[0].Value != store.PersonLogRef(ids[0]) {
			t.Errorf("refusal opening: got ref %q, subject %q", o.Ref.Value, o.Subjects[0].Value)
		}
		if e.Ref == o.Ref.Value || e.Subjects[0] == o.Subjects[0].Value {
			t.Errorf("the entry shows its identifiers in clear: %+v", e)
		}
		// The party reconsiders: an acceptance entry.
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.Accepted, Decision: &cases.Decision{Party: "BB", At: tx.Now(), Source: "note 8"}})
			return err
		})
		if e, _ := logEntry(t, db, 1); e.Type != tlog.Accepted || e.Party != "BB" || e.Count != 2 {
			t.Errorf("acceptance entry: got %+v, want accepted by BB, 2 civilians", e)
		}
	})
}

func TestOperationOutcomesAreLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, _ := seed(t, db)
		ids := civilians(t, db, "BB", facA, 3)
		household := acceptedCase(t, db, facA, ids[:2])
		single := acceptedCase(t, db, facA, ids[2:])
		before := logSize(t, db)
		o := &repatriation.Operation{Ref: "OP-9", Date: time.Now(), CrossingPoint: "Bridge", Intermediary: "ICRC", From: "AA", To: "BB"}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateOperation(ctx, actor, o); err != nil {
				return err
			}
			if err := tx.AddCaseToOperation(ctx, actor, o.ID, household.ID); err != nil {
				return err
			}
			return tx.AddCaseToOperation(ctx, actor, o.ID, single.ID)
		})
		for _, p := range []string{"AA", "ICRC", "BB"} {
			mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
				return tx.SignOperation(ctx, actor, o.ID, repatriation.KindRoster, p, tx.HeldKeys(ctx))
			})
		}
		if n := logSize(t, db); n != before {
			t.Fatalf("log size before completion: got %d, want %d", n, before)
		}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			for _, id := range ids[:2] {
				if err := tx.RecordOperationOutcome(ctx, actor, o.ID, id, repatriation.HandedOver, ""); err != nil {
					return err
				}
			}
			if err := tx.RecordOperationOutcome(ctx, actor, o.ID, ids[2], repatriation.DidNotTravel, "in hospital"); err != nil {
				return err
			}
			return tx.CompleteOperation(ctx, actor, o.ID)
		})
		if n := logSize(t, db); n != before+2 {
			t.Fatalf("log size after completion: got %d, want %d", n, before+2)
		}
		tests := []struct {
			typ, party, peer string
			count            int
		}{{tlog.Repatriated, "BB", "AA", 2}, {tlog.DidNotTravel, "AA", "BB", 1}}
		for i, tc := range tests {
			t.Run(tc.typ, func(t *testing.T) {
				e, op := logEntry(t, db, before+int64(i))
				if e.Type != tc.typ || e.Party != tc.party || e.Peer != tc.peer || e.Count != tc.count || len(e.Subjects) != tc.count {
					t.Errorf("got %+v, want %s by %s, peer %s, count %d", e, tc.typ, tc.party, tc.peer, tc.count)
				}
				if op.Ref.Value != "OP-9" {
					t.Errorf("ref: got %q, want OP-9", op.Ref.Value)
				}
			})
		}
	})
}

// logCount is what the whole log counts for c, as if a checkpoint of its
// current size were published.
func logCount(t *testing.T, db *store.DB, c *claims.Claim) *claims.LogCount {
	t.Helper()
	ctx := context.Background()
	l, err := db.NodeLog(ctx, "lifeline/test")
	if err != nil {
		t.Fatal(err)
	}
	refs, err := db.ClaimLogRefs(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	size := logSize(t, db)
	lc := &claims.LogCount{Type: claims.LogType(c.Subject), Checkpoint: claims.Checkpoint{Origin: l.Origin, Size: size, Hash: "aGFzaA=="}}
	if lc.Entries, lc.Count, err = db.LogCount(ctx, l, size, lc.Type, refs); err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestRefusalClaimNeedsASignedRefusal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		facA, _ := seed(t, db)
		ids := civilians(t, db, "BB", facA, 3)
		c := &cases.Case{Party: "BB", HostParty: "AA", Origin: "Region X", Placement: cases.Custody, FacilityID: facA,
			Members: []cases.Member{{PersonID: ids[0]}, {PersonID: ids[1]}, {PersonID: ids[2]}}}
		claim := &claims.Claim{Statement: "BB refuses three", Party: "AA", MadeOn: time.Now().Add(-time.Hour), Source: "briefing",
			Subject: claims.SubjectRefusal, Count: 3}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateCase(ctx, actor, c); err != nil {
				return err
			}
			if _, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
				return err
			}
			if _, err := tx.MoveCase(ctx, actor, c.ID, 0, cases.Transition{To: cases.Refused,
				Decision: &cases.Decision{Party: "BB", At: tx.Now(), Reason: "not residents", Source: "note verbale 7"}}); err != nil {
				return err
			}
			claim.Links = []claims.Link{{Kind: claims.LinkCase, ID: c.ID}}
			return tx.CreateClaim(ctx, actor, claim)
		})
		verify := func() error {
			lc := logCount(t, db, claim)
			return tx(t, db, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.SetClaimStatus(ctx, actor, claim.ID, 0, claims.Verified, claims.Decider{Party: "AA"}, "", lc)
				return err
			})
		}
		// The log counts the refusal, but nobody signed it.
		if lc := logCount(t, db, claim); lc.Count != 3 || lc.Entries != 1 {
			t.Fatalf("log count = %+v, want 3 in 1 entry", lc)
		}
		if err := verify(); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.MessageOf(err), "no signed refusal") {
			t.Fatalf("verifying an unsigned refusal: got %v, want a conflict naming the missing signed refusal", err)
		}
		// Another party cannot sign it; the intermediary can.
		err := tx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SignCaseRefusal(ctx, actor, c.ID, "CC", tx.HeldKeys(ctx))
			return err
		})
		if err == nil {
			t.Error("a party with no part in the case signed its refusal")
		}
		mustTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.SignCaseRefusal(ctx, actor, c.ID, "ICRC", tx.HeldKeys(ctx)); err != nil {
				return err
			}
			d, err := tx.SignCaseRefusal(ctx, actor, c.ID, "BB", tx.HeldKeys(ctx))
			if err == nil && len(d.Signers) != 2 {
				t.Errorf("signers = %v, want ICRC and BB", d.Signers)
			}
			return err
		})
		ev, err := db.ClaimEvidence(ctx, claim)
		if err != nil || len(ev) != 1 || !ev[0].Signed || ev[0].Count != 3 {
			t.Fatalf("evidence = %+v (%v), want one signed refusal of 3", ev, err)
		}
		if err := verify(); err != nil {
			t.Fatalf("verifying a signed refusal backed by the log: %v", err)
		}
		if got, _ := db.Claim(ctx, claim.ID); got.Status != claims.Verified || got.Checkpoint == nil {
			t.Errorf("claim = %s, checkpoint %+v; want verified with its checkpoint", got.Status, got.Checkpoint)
		}
	})
}

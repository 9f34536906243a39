package demo

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// TestSeedCases checks the repatriation story of the demo: 124 residents
// repatriated in one closed operation, six civilians stranded for weeks
// with an unverified refusal claim, and a case in every state.
func TestSeedCases(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	// The base and this step only: the other steps have their own tests.
	opt := Options{POWs: 20, Civilians: 300, Seed: 2026, Log: func(string, ...any) {}}
	s := &Scenario{Now: db.Now(), Facilities: map[string][]registry.Facility{}, POWs: map[string][]int64{}, Rand: rand.New(rand.NewPCG(opt.Seed, 1)), Log: opt.Log}
	if err := seedBase(ctx, db, s, opt); err != nil {
		t.Fatal(err)
	}
	if err := seedCases(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	ops, err := db.Operations(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var closed *repatriation.Operation
	for _, o := range ops {
		if o.State == repatriation.Closed {
			closed = o
		}
	}
	if closed == nil {
		t.Fatalf("no closed operation among %d", len(ops))
	}
	if h, _, _ := closed.Counts(); h != RepatriatedResidents || closed.Intermediary != "ICRC" {
		t.Errorf("closed operation: %d handed over by %s, want %d by ICRC", h, closed.Intermediary, RepatriatedResidents)
	}
	stranded, err := db.Cases(ctx, store.CaseFilter{States: []cases.State{cases.AcceptanceRequested}})
	if err != nil {
		t.Fatal(err)
	}
	people := 0
	for _, c := range stranded {
		people += len(c.Members)
		if d := c.DaysWaiting(db.Now()); d < 14 {
			t.Errorf("stranded case %d waits %d days, want weeks", c.ID, d)
		}
	}
	if people != 6 {
		t.Errorf("people awaiting acceptance = %d, want 6", people)
	}
	counts, err := db.CountCases(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range cases.States {
		if counts[st] == 0 {
			t.Errorf("no case in state %s", st)
		}
	}
	// The node opens its log, publishes it with its own signature, and
	// the delegate verifies what the log and signed records back.
	key, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Key: key}
	if err := a.OpenLog(ctx, app.NodeLogOrigin("", key), 1); err != nil {
		t.Fatal(err)
	}
	if n, err := VerifyClaims(ctx, a); err != nil || n != 1 {
		t.Fatalf("VerifyClaims = %d, %v; want 1 claim verified", n, err)
	}
	st, err := a.LogStats(ctx, app.StatQuery{Type: tlog.Repatriated, Unit: "civilian"})
	if err != nil || st.Total != RepatriatedResidents {
		t.Errorf("log: %+v, %v; want %d civilians repatriated", st, err, RepatriatedResidents)
	}
	if st, err := a.LogStats(ctx, app.StatQuery{Type: tlog.AcceptanceRefused}); err != nil || st.Total == 0 {
		t.Errorf("log: %+v, %v; want the refused case's entry", st, err)
	}
	cs, err := db.Claims(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var refusal, verified bool
	for _, c := range cs {
		refusal = refusal || (c.Subject == claims.SubjectRefusal && c.Status == claims.Unverified && c.Count == 6)
		verified = verified || (c.Subject == claims.SubjectRepatriation && c.Status == claims.Verified && c.Checkpoint != nil && c.Checkpoint.Size == st.Checkpoint.Size)
	}
	if !refusal || !verified {
		t.Errorf("claims: unverified refusal of six %v, verified repatriation %v; want both", refusal, verified)
	}
}

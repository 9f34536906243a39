package app_test

import (
	"context"
	"log/slog"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/registry"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// TestLedgerBacked: the ledger names no checkpoint before one is
// published, and after it names the checkpoint and carries the log's
// counts on the row of their month and direction.
func TestLedgerBacked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, p := range []string{"UA", "RU"} {
				if err := tx.CreateParty(ctx, store.System, registry.Party{Code: p, Name: p, Kind: registry.StateParty}); err != nil {
					return err
				}
			}
			_, err := tx.AppendLog(ctx, []tlog.Event{
				{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: "2026-12-03", Unit: "parcel", Count: 40, Ref: "C-1"},
				{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: "2026-12-09", Unit: "parcel", Count: 2, Ref: "C-1"},
				{Type: tlog.AcceptanceRefused, Party: "UA", Peer: "RU", Day: "2026-12-10", Unit: "civilian", Count: 6, Ref: "case-1"},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		key, err := sign.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Key: key}
		if err := a.OpenLog(ctx, "lifeline/UA", 1); err != nil {
			t.Fatal(err)
		}
		l, err := a.Ledger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if l.Checkpoint != nil {
			t.Errorf("before a checkpoint: got %+v, want none", l.Checkpoint)
		}
		if _, err := a.PublishLog(ctx); err != nil {
			t.Fatal(err)
		}
		if l, err = a.Ledger(ctx); err != nil {
			t.Fatal(err)
		}
		if cp := l.Checkpoint; cp == nil || cp.Origin != "lifeline/UA" || cp.Size != 3 || cp.Hash == "" {
			t.Fatalf("checkpoint: got %+v, want lifeline/UA at 3 entries with its hash", cp)
		}
		var got map[string]int
		for _, m := range l.Months {
			for _, r := range m.Directions {
				if r.Log == nil {
					t.Fatalf("row %s %s→%s has no log counts", r.Month, r.From, r.To)
				}
				if r.Month == "2026-12" && r.From == "UA" {
					got = map[string]int{"delivered": r.Log.ParcelsDelivered, "refused": r.Log.CiviliansRefused}
				}
				if r.Month == "2026-12" && r.From == "RU" && r.Log.CiviliansRefused != 6 {
					t.Errorf("RU→UA refused: got %d, want 6", r.Log.CiviliansRefused)
				}
			}
		}
		if got["delivered"] != 42 || got["refused"] != 0 {
			t.Errorf("UA→RU in December: got %v, want 42 delivered, 0 refused", got)
		}
	})
}

package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/app"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// TestStartLogPublishes starts the publisher, which signs a checkpoint of
// what is logged at once, and stops it.
func TestStartLogPublishes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key, err := sign.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Key: key}
		if err := a.OpenLog(ctx, app.NodeLogOrigin("UA", key), 1); err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.Repatriated, Party: "UA", Peer: "RU", Day: "2024-12-20", Unit: "civilian", Count: 124, Ref: "OP-7"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The publisher signs at once, then sleeps for the interval; wait
		// for its checkpoint (a bound against a hang, not a measurement).
		stop := a.StartLog(ctx, time.Hour)
		var msg []byte
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if msg, err = a.TLog.Published(ctx, db.Read()); err == nil || time.Now().After(deadline) {
				break
			}
		}
		stop()
		if err != nil {
			t.Fatal(err)
		}
		vkey, _ := a.LogKey()
		cp, err := tlog.VerifyCheckpoint(msg, "lifeline/UA", mustVerifiers(t, vkey), 1)
		if err != nil || cp.Size != 1 {
			t.Fatalf("published: got %v, %v; want a checkpoint of 1 entry", cp, err)
		}
		st, err := a.LogStats(ctx, app.StatQuery{Type: tlog.Repatriated, Party: "UA"})
		if err != nil || st.Total != 124 {
			t.Errorf("stats: got %+v, %v; want 124 civilians repatriated", st, err)
		}
	})
}

func mustVerifiers(t *testing.T, vkey string) note.Verifiers {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return note.VerifierList(v)
}

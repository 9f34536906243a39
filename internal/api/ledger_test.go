package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/ledger"
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// TestLedgerCheckpoint: GET /api/v1/ledger names no checkpoint (null)
// before one is published, and after it names the checkpoint and carries
// the log's own counts on the rows.
func TestLedgerCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, p := range []string{"UA", "RU"} {
				if err := tx.CreateParty(ctx, store.System, registry.Party{Code: p, Name: p, Kind: registry.StateParty}); err != nil {
					return err
				}
			}
			if err := tx.CreateUser(ctx, store.System, &store.User{Name: "analyst", Role: auth.Analyst, PartyCode: "UA"}, "password for tests"); err != nil {
				return err
			}
			_, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.Repatriated, Party: "UA", Peer: "RU", Day: "2026-12-20", Unit: "civilian", Count: 124, Ref: "OP-7"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := db.CreateToken(ctx, store.System, "analyst")
		if err != nil {
			t.Fatal(err)
		}
		key, err := sign.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		a := &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test", Key: key}
		if err := a.OpenLog(ctx, "lifeline/UA", 1); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(server.New(a).Handler())
		t.Cleanup(srv.Close)
		get := func() (map[string]json.RawMessage, *ledger.Ledger) {
			t.Helper()
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/ledger", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var raw map[string]json.RawMessage
			var l ledger.Ledger
			if res.StatusCode != 200 || json.Unmarshal(b, &raw) != nil || json.Unmarshal(b, &l) != nil {
				t.Fatalf("got %d %s, want 200 and the ledger", res.StatusCode, b)
			}
			return raw, &l
		}
		if raw, _ := get(); string(raw["checkpoint"]) != "null" {
			t.Errorf("before a checkpoint: got checkpoint %s, want null", raw["checkpoint"])
		}
		if _, err := a.PublishLog(ctx); err != nil {
			t.Fatal(err)
		}
		_, l := get()
		cp := l.Checkpoint
		if cp == nil || cp.Origin != "lifeline/UA" || cp.Size != 1 || cp.Hash == "" || cp.URL != "/log/checkpoint" {
			t.Fatalf("checkpoint: got %+v, want lifeline/UA at 1 entry with its hash and URL", cp)
		}
		found := false
		for _, m := range l.Months {
			for _, r := range m.Directions {
				if r.Log == nil {
					t.Errorf("row %s %s→%s: no log counts", r.Month, r.From, r.To)
					continue
				}
				if r.Month == "2026-12" && r.From == "RU" && r.To == "UA" {
					found = r.Log.CiviliansRepatriated == 124
				}
			}
		}
		if !found {
			t.Errorf("got %+v, want the log's 124 repatriated RU → UA in December 2026", l.Months)
		}
	})
}

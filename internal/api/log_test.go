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
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// TestLogStats reads a statistic recounted from the log, with the
// checkpoint that backs it, through the API.
func TestLogStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateParty(ctx, store.System, registry.Party{Code: "UA", Name: "U", Kind: registry.StateParty}); err != nil {
				return err
			}
			if err := tx.CreateUser(ctx, store.System, &store.User{Name: "analyst", Role: auth.Analyst, PartyCode: "UA"}, "password for tests"); err != nil {
				return err
			}
			for i, day := range []string{"2024-12-03", "2024-12-17", "2024-11-30"} {
				if err := tx.EventRef(ctx, store.System, "consignment", "C-1", "delivered", nil); err != nil {
					return err
				}
				if _, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: day, Unit: "parcel", Count: 10 + i, Ref: "C-1"}}); err != nil {
					return err
				}
			}
			return nil
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
		get := func(path, token string) (int, []byte) {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		if st, _ := get("/api/v1/log/stats", tok); st != 404 {
			t.Errorf("before any checkpoint: got %d, want 404", st)
		}
		if _, err := a.PublishLog(ctx); err != nil {
			t.Fatal(err)
		}
		st, body := get("/api/v1/log/stats?type=delivered&peer=UA&month=2024-12", tok)
		var got app.LogStats
		if err := json.Unmarshal(body, &got); st != 200 || err != nil {
			t.Fatalf("got %d %s, want 200 and stats", st, body)
		}
		if got.Total != 21 || got.Entries != 2 || got.Checkpoint.Size != 3 || got.Checkpoint.Origin != "lifeline/UA" || got.Checkpoint.Note == "" {
			t.Errorf("got %+v, want 21 parcels in 2 entries at the checkpoint of 3 entries", got)
		}
		for _, tt := range []struct {
			path, token string
			want        int
		}{
			{"/api/v1/log/stats?month=2024-13", tok, 422},
			{"/api/v1/log/stats?type=lost", tok, 422},
			{"/api/v1/log/stats", "", 401},
		} {
			if st, body := get(tt.path, tt.token); st != tt.want {
				t.Errorf("%s: got %d %s, want %d", tt.path, st, body, tt.want)
			}
		}
	})
}

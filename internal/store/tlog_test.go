package store_test

import (
	"context"
	"errors"
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

func delivered(day string, parcels ...string) tlog.Event {
	return tlog.Event{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: day, Unit: "parcel", Count: len(parcels), Ref: "C-1", Subjects: parcels}
}

func TestAppendLogInTheEventTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Committed with its event.
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.EventRef(ctx, store.System, "parcel", "RR000000001UA", "delivered", nil); err != nil {
				return err
			}
			idx, err := tx.AppendLog(ctx, []tlog.Event{delivered(store.LogDay(tx.Now()), "RR000000001UA")})
			if err == nil && (len(idx) != 1 || idx[0] != 0) {
				t.Errorf("indexes: got %v, want [0]", idx)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Rolled back with its event.
		events, _ := db.CountEvents(ctx)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.EventRef(ctx, store.System, "parcel", "RR000000002UA", "delivered", nil); err != nil {
				return err
			}
			if _, err := tx.AppendLog(ctx, []tlog.Event{delivered("2024-12-02", "RR000000002UA")}); err != nil {
				return err
			}
			return errors.New("the workflow failed")
		})
		if err == nil {
			t.Fatal("the failing transaction committed")
		}
		if n, err := db.LogSize(ctx); err != nil || n != 1 {
			t.Errorf("log size: got %d, %v; want 1", n, err)
		}
		if n, _ := db.CountEvents(ctx); n != events {
			t.Errorf("events: got %d, want %d", n, events)
		}
		// A bad event fails the transaction with the field named.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendLog(ctx, []tlog.Event{{Type: "lost", Party: "RU", Day: "2024-12-02"}})
			return err
		})
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["type"] == "" {
			t.Errorf("bad event: got %v, want an Invalid error on type", err)
		}
		// The entry opens to its values.
		e, o, err := db.LogOpen(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if e.Type != tlog.Delivered || o.Ref.Value != "C-1" || o.Subjects[0].Value != "RR000000001UA" {
			t.Errorf("opening: got %+v %+v", e, o)
		}
		if _, _, err := db.LogOpen(ctx, 1); !errs.Is(err, errs.NotFound) {
			t.Errorf("open entry 1: got %v, want NotFound", err)
		}
	})
}

func TestNodeLogKeepsItsOrigin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.NodeLog(ctx, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unnamed log: got %v, want Invalid", err)
		}
		// Entries appended before the log is named keep their pseudonyms.
		err := db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendLog(ctx, []tlog.Event{delivered("2024-12-01", "P1")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		l, err := db.NodeLog(ctx, "lifeline/UA")
		if err != nil || l.Origin != "lifeline/UA" {
			t.Fatalf("NodeLog: got %v, %v", l, err)
		}
		if _, err := db.NodeLog(ctx, "lifeline/RU"); !errs.Is(err, errs.Conflict) {
			t.Errorf("renaming: got %v, want Conflict", err)
		}
		if _, err := db.NodeLog(ctx, "bad origin"); !errs.Is(err, errs.Invalid) {
			t.Errorf("an origin with a space: got %v, want Invalid", err)
		}
		again, err := db.NodeLog(ctx, "")
		if err != nil || again.Origin != "lifeline/UA" || again.Pseudonym("C-1") != l.Pseudonym("C-1") {
			t.Errorf("reopening: got %v, %v; want the same log and secret", again, err)
		}
	})
}

func TestLogWitnesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k, err := sign.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		vkey, _ := k.Public().NoteVerifierKey("lifeline/ICRC")
		tests := []struct {
			name string
			w    store.LogWitness
			want errs.Kind
		}{
			{"ok", store.LogWitness{Name: "lifeline/ICRC", URL: "https://icrc.example", Key: vkey}, ""},
			{"name not the key's", store.LogWitness{Name: "lifeline/RU", URL: "https://icrc.example", Key: vkey}, errs.Invalid},
			{"not a URL", store.LogWitness{Name: "lifeline/ICRC", URL: "icrc.example", Key: vkey}, errs.Invalid},
			{"not a key", store.LogWitness{Name: "lifeline/ICRC", URL: "https://icrc.example", Key: "lifeline-ed25519 AAAA"}, errs.Invalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Tx(ctx, func(tx *store.Tx) error { return tx.SetLogWitness(ctx, store.System, tt.w) })
				if got := errs.KindOf(err); err != nil && got != tt.want || err == nil && tt.want != "" {
					t.Errorf("got %v, want kind %q", err, tt.want)
				}
			})
		}
		ws, err := db.LogWitnesses(ctx)
		if err != nil || len(ws) != 1 || ws[0].Key != vkey {
			t.Errorf("witnesses: got %v, %v; want the one added", ws, err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.SetWitnessedLog(ctx, store.System, "lifeline/UA", vkey) }); err != nil {
			t.Fatal(err)
		}
		logs, err := db.WitnessedLogs(ctx)
		if err != nil || logs["lifeline/UA"] == nil {
			t.Errorf("witnessed logs: got %v, %v", logs, err)
		}
	})
}

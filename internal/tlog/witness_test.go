package tlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	mrand "math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/errs"
)

// TestWitness runs a witness (state in the database under test) over HTTP
// against two logs with the same origin and key: the honest one, and one
// whose history was rewritten.
func TestWitness(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		honest := newFixture(t, openSQLite(t))
		wsigner, wkey := newKey(t, "icrc.lifeline.test")
		w := &Witness{DB: db, Signer: wsigner, Logs: map[string]note.Verifier{testOrigin: honest.verifier}}
		srv := httptest.NewServer(w.Handler())
		t.Cleanup(srv.Close)
		client := WitnessClient{URL: srv.URL, Client: srv.Client()}

		r := mrand.New(mrand.NewSource(11))
		honest.append(t, randEvents(r, 20))
		if _, err := honest.log.Checkpoint(ctx, honest.db, honest.signer); err != nil {
			t.Fatal(err)
		}
		if err := honest.log.Cosign(ctx, honest.db, 20, client, wkey); err != nil {
			t.Fatalf("first cosignature: %v", err)
		}
		honest.append(t, randEvents(r, 7))
		cp27, err := honest.log.Checkpoint(ctx, honest.db, honest.signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := honest.log.Cosign(ctx, honest.db, 27, client, wkey); err != nil {
			t.Fatalf("second cosignature: %v", err)
		}

		t.Run("stale old size", func(t *testing.T) {
			_, err := client.AddCheckpoint(ctx, 20, nil, cp27)
			var c *ConflictError
			if !errors.As(err, &c) || c.Size != 27 {
				t.Fatalf("got %v, want a conflict at size 27", err)
			}
		})
		t.Run("the log forgot what the witness signed", func(t *testing.T) {
			if _, err := honest.db.Exec(`DELETE FROM tlog_cosignatures`); err != nil {
				t.Fatal(err)
			}
			if err := honest.log.Cosign(ctx, honest.db, 27, client, wkey); err != nil {
				t.Fatalf("got %v, want the log to retry from the witness's size", err)
			}
		})
		t.Run("rewritten history", func(t *testing.T) {
			// Same origin and key, other entries: a fork of the log.
			fork := newFixture(t, openSQLite(t))
			fork.signer = honest.signer
			fork.append(t, randEvents(mrand.New(mrand.NewSource(12)), 30))
			if _, err := fork.log.Checkpoint(ctx, fork.db, fork.signer); err != nil {
				t.Fatal(err)
			}
			err := fork.log.Cosign(ctx, fork.db, 30, client, wkey)
			if want := "refusing to sign: the log of 30 entries is not an extension of the log of 27 entries"; err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want %q", err, want)
			}
		})
		t.Run("rewritten history of the same size", func(t *testing.T) {
			fork := newFixture(t, openSQLite(t))
			fork.signer = honest.signer
			fork.append(t, randEvents(mrand.New(mrand.NewSource(13)), 27))
			cp, err := fork.log.Checkpoint(ctx, fork.db, fork.signer)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.AddCheckpoint(ctx, 27, nil, cp)
			if want := "two checkpoints of 27 entries with different root hashes"; err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want %q", err, want)
			}
		})
		t.Run("unknown log", func(t *testing.T) {
			other := newFixture(t, openSQLite(t))
			other.log.Origin = "other.example/log"
			other.append(t, randEvents(r, 1))
			cp, err := other.log.Checkpoint(ctx, other.db, other.signer)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.AddCheckpoint(ctx, 0, nil, cp)
			if !errs.Is(err, errs.Forbidden) || !strings.Contains(err.Error(), `does not witness log "other.example/log"`) {
				t.Fatalf("got %v, want forbidden for an unknown log", err)
			}
		})
		t.Run("checkpoint signed by another key", func(t *testing.T) {
			other := newFixture(t, openSQLite(t))
			other.append(t, randEvents(r, 1))
			cp, err := other.log.Checkpoint(ctx, other.db, other.signer)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.AddCheckpoint(ctx, 27, nil, cp)
			if !errs.Is(err, errs.Forbidden) || !strings.Contains(err.Error(), "not signed by the key of log") {
				t.Fatalf("got %v, want forbidden for a checkpoint by another key", err)
			}
		})
		t.Run("malformed request", func(t *testing.T) {
			resp, err := srv.Client().Post(srv.URL+"/add-checkpoint", "text/plain", strings.NewReader("hello"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
		})
		t.Run("cosignature by the wrong witness key", func(t *testing.T) {
			_, otherKey := newKey(t, "icrc.lifeline.test")
			err := honest.log.AddCosignature(ctx, honest.db, 27, []byte("— icrc.lifeline.test AAAAAAAA\n"), otherKey)
			if err == nil || !strings.Contains(err.Error(), "no signature by witness icrc.lifeline.test") {
				t.Fatalf("got %v, want the cosignature refused", err)
			}
		})
	})
}

// TestPublished checks that a checkpoint is served only once the quorum has
// signed, with every cosignature.
func TestPublished(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.append(t, randEvents(mrand.New(mrand.NewSource(14)), 5))
		if _, err := f.log.Checkpoint(ctx, db, f.signer); err != nil {
			t.Fatal(err)
		}
		src := f.serve(t)
		if _, err := src.ReadFile(ctx, "checkpoint"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("before any cosignature: got %v, want not found", err)
		}
		if err := f.log.Cosign(ctx, db, 5, f.witnesses[1], f.wkeys[1]); err != nil {
			t.Fatal(err)
		}
		msg, err := src.ReadFile(ctx, "checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 2); err != nil {
			t.Fatalf("with 2 of 3: %v", err)
		}
		if _, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 3); err == nil {
			t.Fatal("with 2 signatures, a quorum of 3 passed")
		}
		if err := f.log.Cosign(ctx, db, 5, f.witnesses[0], f.wkeys[0]); err != nil {
			t.Fatal(err)
		}
		msg, err = src.ReadFile(ctx, "checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		cp, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 3)
		if err != nil {
			t.Fatalf("with 3 of 3: %v", err)
		}
		if got := strings.Join(cp.Signers, ","); got != "ua.lifeline.test,icrc.lifeline.test,ru.lifeline.test" {
			t.Errorf("signers = %s, want the node then both witnesses", got)
		}
	})
}

func TestServeErrors(t *testing.T) {
	f := newFixture(t, openSQLite(t))
	f.append(t, randEvents(mrand.New(mrand.NewSource(15)), 10))
	f.publish(t)
	srv := httptest.NewServer(f.log.Handler(f.db))
	t.Cleanup(srv.Close)
	tests := []struct {
		path string
		want int
	}{
		{"/log/checkpoint", 200},
		{"/log/tile/0/000.p/10", 200},
		{"/log/tile/entries/000.p/10", 200},
		{"/log/tile/0/000.p/11", 404},
		{"/log/tile/0/000", 404},
		{"/log/tile/1/000.p/1", 404},
		{"/log/tile/entries/000.p/9", 200},
		{"/log/tile/0/0", 404},
		{"/log/tile/x/000", 404},
		{"/log/tile/8/0/000", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ev := Event{Type: Repatriated, Party: "ICRC", Peer: "UA", Day: "2024-12-21", Unit: "civilian", Count: 2,
			Ref: "OP-2024-0042", Subjects: []string{"PERSON-1234567", "PERSON-7654321"}}
		idx := f.append(t, []Event{ev, ev})
		var entries [2]*Entry
		for i, n := range idx {
			var data []byte
			if err := db.QueryRow(`SELECT data FROM tlog_entries WHERE idx = $1`, n).Scan(&data); err != nil {
				t.Fatal(err)
			}
			for _, clear := range []string{"OP-2024-0042", "PERSON-1234567", "PERSON-7654321"} {
				if strings.Contains(string(data), clear) {
					t.Fatalf("entry %d contains %q in the clear: %s", n, clear, data)
				}
			}
			e, err := ParseEntry(data)
			if err != nil {
				t.Fatal(err)
			}
			entries[i] = e
		}
		if entries[0].Ref != entries[1].Ref || entries[0].Ref != f.log.Pseudonym("OP-2024-0042") {
			t.Errorf("refs %s and %s, want the same pseudonym", entries[0].Ref, entries[1].Ref)
		}
		if entries[0].Subjects[0] == entries[1].Subjects[0] {
			t.Errorf("the same person has the same commitment in two entries: commitments must be salted")
		}
		o, err := Open(ctx, db, idx[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyOpening(entries[1], o); err != nil {
			t.Fatalf("verify opening: %v", err)
		}
		if o.Subjects[1].Value != "PERSON-7654321" || o.Ref.Value != "OP-2024-0042" {
			t.Errorf("opening = %+v, want the values logged", o)
		}
		// An opening travels as JSON.
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back Opening
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			entry *Entry
			edit  func(o *Opening)
			want  string
		}{
			{"opening of another entry", entries[0], func(o *Opening) {}, "revealed subject 0 of entry 1 does not match"},
			{"changed value", entries[1], func(o *Opening) { o.Subjects[0].Value = "PERSON-1" }, "revealed subject 0 of entry 1"},
			{"changed ref", entries[1], func(o *Opening) { o.Ref.Value = "OP-2024-0043" }, "revealed ref of entry 1"},
			{"missing subject", entries[1], func(o *Opening) { o.Subjects = o.Subjects[:1] }, "reveals 1 subjects, the entry has 2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var c Opening
				if err := json.Unmarshal(data, &c); err != nil {
					t.Fatal(err)
				}
				tt.edit(&c)
				err := VerifyOpening(tt.entry, &c)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want %q", err, tt.want)
				}
			})
		}
		if _, err := Open(ctx, db, 99); !errs.Is(err, errs.NotFound) {
			t.Errorf("open 99: got %v, want not found", err)
		}
	})
}

func TestParseEntry(t *testing.T) {
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"canonical", `{"type":"delivered","party":"RU","day":"2024-12-01","count":1}`, true},
		{"reordered", `{"party":"RU","type":"delivered","day":"2024-12-01","count":1}`, false},
		{"unknown field", `{"type":"delivered","party":"RU","day":"2024-12-01","count":1,"name":"x"}`, false},
		{"spaces", `{"type": "delivered","party":"RU","day":"2024-12-01","count":1}`, false},
		{"not json", `delivered`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEntry([]byte(tt.data))
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

package tlog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	mrand "math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// statEvents are known events for recounting, plus random ones around them.
func statEvents() []Event {
	return []Event{
		{Type: Delivered, Party: "RU", Peer: "UA", Day: "2024-12-03", Unit: "parcel", Count: 10, Ref: "C1"},
		{Type: Delivered, Party: "RU", Peer: "UA", Day: "2024-12-17", Unit: "parcel", Count: 20, Ref: "C1"},
		{Type: Delivered, Party: "RU", Peer: "UA", Day: "2024-12-31", Unit: "parcel", Count: 5, Ref: "C2"},
		{Type: Delivered, Party: "RU", Peer: "UA", Day: "2024-11-30", Unit: "parcel", Count: 7, Ref: "C0"},
		{Type: Delivered, Party: "UA", Peer: "RU", Day: "2024-12-10", Unit: "parcel", Count: 3, Ref: "C9"},
		{Type: AcceptanceRefused, Party: "UA", Peer: "ICRC", Day: "2024-12-20", Unit: "civilian", Count: 6, Ref: "OP1",
			Subjects: []string{"R1", "R2", "R3", "R4", "R5", "R6"}},
		{Type: Repatriated, Party: "ICRC", Peer: "UA", Day: "2024-12-21", Unit: "civilian", Count: 124, Ref: "OP2"},
	}
}

func TestAuditRecounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.append(t, statEvents())
		f.publish(t)
		src := f.serve(t)
		rep, err := Audit(ctx, src, testOrigin, f.trusted(), 2)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name                    string
			typ, party, peer, month string
			want                    int
		}{
			{"parcels delivered by RU in December", Delivered, "RU", "", "2024-12", 35},
			{"parcels delivered to UA in December", Delivered, "", "UA", "2024-12", 35},
			{"parcels delivered in December", Delivered, "", "", "2024-12", 38},
			{"parcels delivered by RU", Delivered, "RU", "", "", 42},
			{"civilians refused by UA", AcceptanceRefused, "UA", "", "", 6},
			{"civilians refused by RU", AcceptanceRefused, "RU", "", "", 0},
			{"civilians repatriated in December", Repatriated, "", "", "2024-12", 124},
		}
		for _, tt := range tests {
			if got := rep.Total(tt.typ, tt.party, tt.peer, tt.month); got != tt.want {
				t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
			}
		}
		if got, want := rep.Entries, int64(len(statEvents())); got != want {
			t.Errorf("entries = %d, want %d", got, want)
		}

		// The same audit offline, from a copy of the files.
		dir := t.TempDir()
		if _, err := Mirror(ctx, src, dir); err != nil {
			t.Fatal(err)
		}
		off, err := Audit(ctx, Dir(dir), testOrigin, f.trusted(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(off.Stats, rep.Stats) {
			t.Errorf("offline stats = %+v, want %+v", off.Stats, rep.Stats)
		}
	})
}

// mirrored returns a published log of n random entries copied to a
// directory, and its fixture.
func mirrored(t *testing.T, n int) (*fixture, string) {
	t.Helper()
	f := newFixture(t, openSQLite(t))
	f.append(t, randEvents(mrand.New(mrand.NewSource(7)), n))
	f.publish(t)
	dir := t.TempDir()
	if _, err := Mirror(context.Background(), f.log.Source(f.db), dir); err != nil {
		t.Fatal(err)
	}
	return f, dir
}

func editFile(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// swapFirstEntries swaps the first two entries of a bundle.
func swapFirstEntries(b []byte) []byte {
	n0 := int(binary.BigEndian.Uint16(b))
	e0 := bytes.Clone(b[:2+n0])
	n1 := int(binary.BigEndian.Uint16(b[2+n0:]))
	e1 := bytes.Clone(b[2+n0 : 4+n0+n1])
	return append(append(e1, e0...), b[4+n0+n1:]...)
}

// TestAuditDetectsTampering changes one stored or served thing at a time.
func TestAuditDetectsTampering(t *testing.T) {
	const n = 300 // tiles tile/0/000, tile/0/001.p/44, tile/1/000.p/1
	tests := []struct {
		name   string
		file   string
		edit   func([]byte) []byte
		verify func(t *testing.T, f *fixture, src Source) error
		want   string
	}{
		{"changed byte in a hash tile", "tile/0/000", func(b []byte) []byte { b[100] ^= 1; return b }, nil,
			"tile tile/0/000 differs"},
		{"changed byte in a partial tile", "tile/0/001.p/44", func(b []byte) []byte { b[0] ^= 0x80; return b }, nil,
			"tile tile/0/001.p/44 differs"},
		{"changed byte in an entry", "tile/entries/000", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"day":"2024-`), []byte(`"day":"2023-`), 1)
		}, nil, "entry 0 does not match the log"},
		{"entries out of order", "tile/entries/001.p/44", swapFirstEntries, nil,
			"entries served out of order: the entry at position 256 belongs at position 257"},
		{"truncated bundle", "tile/entries/001.p/44", func(b []byte) []byte { return b[:len(b)-10] }, nil,
			"entry bundle tile/entries/001.p/44 is truncated"},
		{"forged checkpoint", "checkpoint", func(b []byte) []byte {
			return bytes.Replace(b, []byte("\n300\n"), []byte("\n299\n"), 1)
		}, nil, "forged checkpoint: the signature by ua.lifeline.test"},
		{"changed tile seen by a proof", "tile/0/000", func(b []byte) []byte { b[31] ^= 1; return b },
			func(t *testing.T, f *fixture, src Source) error {
				msg, err := src.ReadFile(context.Background(), "checkpoint")
				if err != nil {
					t.Fatal(err)
				}
				cp, err := VerifyCheckpoint(msg, testOrigin, f.trusted(), 3)
				if err != nil {
					t.Fatal(err)
				}
				_, err = ProveInclusion(context.Background(), src, cp, 0)
				return err
			}, "the tiles do not match the checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, dir := mirrored(t, n)
			editFile(t, filepath.Join(dir, filepath.FromSlash(tt.file)), tt.edit)
			var err error
			if tt.verify != nil {
				err = tt.verify(t, f, Dir(dir))
			} else {
				_, err = Audit(context.Background(), Dir(dir), testOrigin, f.trusted(), 3)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestAuditDetectsDatabaseTampering changes the node's own tables behind
// the log's back and audits what it serves.
func TestAuditDetectsDatabaseTampering(t *testing.T) {
	tests := []struct {
		name  string
		query string
		args  func() []any
		want  string
	}{
		{"entry rewritten", `UPDATE tlog_entries SET data = $1 WHERE idx = $2`, func() []any {
			e, _ := encodeEntry(&Entry{Type: Delivered, Party: "RU", Day: "2024-12-01", Count: 1})
			return []any{e, 5}
		}, "entry 5 does not match the log"},
		{"stored hash changed", `UPDATE tlog_hashes SET hash = $1 WHERE id = $2`, func() []any {
			return []any{make([]byte, 32), tlog.StoredHashIndex(0, 7)}
		}, "tile tile/0/000 differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachDB(t, func(t *testing.T, db *sql.DB) {
				f := newFixture(t, db)
				f.append(t, randEvents(mrand.New(mrand.NewSource(8)), 260))
				f.publish(t)
				src := f.serve(t)
				if _, err := Audit(context.Background(), src, testOrigin, f.trusted(), 3); err != nil {
					t.Fatalf("audit before tampering: %v", err)
				}
				if _, err := db.Exec(tt.query, tt.args()...); err != nil {
					t.Fatal(err)
				}
				_, err := Audit(context.Background(), src, testOrigin, f.trusted(), 3)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error containing %q", err, tt.want)
				}
			})
		})
	}
}

func TestVerifyCheckpoint(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	f.append(t, randEvents(mrand.New(mrand.NewSource(9)), 10))
	msg := f.publish(t)
	evil, _ := newKey(t, "evil.example")
	impostor, _ := newKey(t, "icrc.lifeline.test") // a trusted name, another key
	body := msg[:bytes.Index(msg, []byte("\n\n"))+1]
	signed := func(signers ...note.Signer) []byte {
		m, err := note.Sign(&note.Note{Text: string(body)}, signers...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name   string
		msg    []byte
		origin string
		quorum int
		want   string // "" for success
	}{
		{"published, quorum 3", msg, testOrigin, 3, ""},
		{"published, quorum 2, any origin", msg, "", 2, ""},
		{"wrong origin", msg, "other.example/log", 2, `the checkpoint is for log "lifeline.test/ua/log"`},
		{"forged size", bytes.Replace(msg, []byte("\n10\n"), []byte("\n11\n"), 1), testOrigin, 2, "forged checkpoint"},
		{"witness with an untrusted key", signed(f.signer, evil), testOrigin, 2,
			"signatures by untrusted keys are not counted: evil.example"},
		{"impostor of a trusted witness", signed(f.signer, impostor), testOrigin, 2,
			"signatures by untrusted keys are not counted: icrc.lifeline.test"},
		{"only untrusted keys", signed(evil), testOrigin, 1, "no signature by a trusted key (signed by evil.example"},
		{"not a note", []byte("hello\n"), testOrigin, 1, "not a valid signed note"},
		{"below quorum", signed(f.signer), testOrigin, 2, "1 trusted signatures (ua.lifeline.test), the quorum is 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp, err := VerifyCheckpoint(tt.msg, tt.origin, f.trusted(), tt.quorum)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if cp.Size != 10 {
					t.Errorf("size = %d, want 10", cp.Size)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestBadProofs(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	f := newFixture(t, db)
	r := mrand.New(mrand.NewSource(10))
	f.append(t, randEvents(r, 100))
	old, err := VerifyCheckpoint(f.publish(t), testOrigin, f.trusted(), 3)
	if err != nil {
		t.Fatal(err)
	}
	f.append(t, randEvents(r, 50))
	cp, err := VerifyCheckpoint(f.publish(t), testOrigin, f.trusted(), 3)
	if err != nil {
		t.Fatal(err)
	}
	src := f.log.Source(db)
	p, err := ProveInclusion(ctx, src, cp, 42)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := ProveConsistency(ctx, src, old, cp)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("truncated inclusion proof", func(t *testing.T) {
		q := *p
		q.Proof = q.Proof[:len(q.Proof)-1]
		_, err := VerifyInclusion(cp, &q)
		if want := "has 7 hashes, want 8: it is truncated"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("inclusion proof of another entry", func(t *testing.T) {
		q := *p
		q.Index = 43
		_, err := VerifyInclusion(cp, &q)
		if want := "entry 43 is not in the log at this checkpoint"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("inclusion proof for another tree", func(t *testing.T) {
		_, err := VerifyInclusion(old, p)
		if want := "the proof is for a tree of 150 entries, the checkpoint has 100"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("truncated consistency proof", func(t *testing.T) {
		err := VerifyConsistency(old, cp, tp[:len(tp)-1])
		if want := "it is truncated or padded"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("consistency proof with a changed hash", func(t *testing.T) {
		bad := append(tlog.TreeProof(nil), tp...)
		bad[0][0] ^= 1
		err := VerifyConsistency(old, cp, bad)
		if want := "the history was rewritten"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("old and new swapped", func(t *testing.T) {
		err := VerifyConsistency(cp, old, tp)
		if want := "more than the new one"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
}

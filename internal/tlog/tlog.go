// Package tlog is Lifeline's transparency log: an RFC 6962 Merkle tree of
// the events that carry a claim (dispatched, handed over, delivered,
// refused, repatriated, ...), kept in the node's own database in the same
// transaction as the event, served as C2SP tlog-tiles under /log/, with
// checkpoints as C2SP signed notes co-signed by witnesses.
//
// Hashing, tiles and proofs come from golang.org/x/mod/sumdb/tlog; signed
// notes from golang.org/x/mod/sumdb/note. This package only stores, serves
// and checks.
//
// An entry holds no personal data: the event type, the acting party (and
// the other party), the day, a unit and a count, a keyed pseudonym of the
// consignment or operation (Ref) and salted commitments of the parcels or
// people involved (Subjects). Every pseudonym and commitment has the form
// hex(SHA-256(salt || value)); for a commitment the salt is random, for a
// pseudonym it is HMAC-SHA256(secret, value), so that the same consignment
// gets the same pseudonym in every entry. The salts and values stay on the
// node (tlog_openings) and can be revealed for one entry at a time (Open,
// VerifyOpening) without revealing anything about any other entry.
//
// Witnessing follows C2SP tlog-witness: a Witness keeps, per log origin, the
// size and hash of the last checkpoint it signed and signs a newer one only
// with a consistency proof from it (Witness.AddCheckpoint, or POST
// /add-checkpoint through Witness.Handler and WitnessClient). Its cosignature
// is an ordinary Ed25519 signed-note line by the witness's key over the
// checkpoint text (not the timestamped cosignature/v1 form), so any
// note.Verifier checks it. A checkpoint is published, and served at
// /log/checkpoint with all cosignature lines, once Log.Quorum keys (the
// node's own included; 2 by default) have signed it.
//
// The wiring, in brief:
//
//	l, _ := tlog.New(origin, secret)              // once, at start-up
//	l.Append(ctx, tx, []tlog.Event{...})          // in the event's transaction
//	l.Checkpoint(ctx, db, nodeSigner)             // sign the tree head
//	l.Cosign(ctx, db, size, witness, witnessKey)  // per witness
//	mux.Handle("/log/", l.Handler(db))            // tiles and checkpoint
//	tlog.Audit(ctx, tlog.URL{Base: u}, origin, trusted, 2) // or tlog.Dir(dir)
package tlog

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// DBTX is what the log needs from a database: *sql.DB and *sql.Tx both
// satisfy it. Queries use $1..$n placeholders, which SQLite (modernc) and
// PostgreSQL (pgx) both accept.
type DBTX interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// TileHeight is the height of the tiles, fixed at 8 by C2SP tlog-tiles.
const TileHeight = 8

// MaxEntrySize is the largest encoded entry: entry bundles prefix each entry
// with a 16-bit length.
const MaxEntrySize = 1<<16 - 1

// The event types that are logged.
const (
	Dispatched        = "dispatched"
	HandedOver        = "handed_over"
	Received          = "received"
	Delivered         = "delivered"
	Acknowledged      = "acknowledged"
	Undeliverable     = "undeliverable"
	AcceptanceRefused = "acceptance_refused"
	Accepted          = "accepted"
	Repatriated       = "repatriated"
	DidNotTravel      = "did_not_travel"
)

// Types lists the event types that are logged.
var Types = []string{Dispatched, HandedOver, Received, Delivered, Acknowledged,
	Undeliverable, AcceptanceRefused, Accepted, Repatriated, DidNotTravel}

func knownType(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Entry is one log entry as published. It holds no personal data.
type Entry struct {
	Type     string   `json:"type"`               // one of Types
	Party    string   `json:"party"`              // the acting party, e.g. "UA" or "ICRC"
	Peer     string   `json:"peer,omitempty"`     // the other party involved, if any
	Day      string   `json:"day"`                // YYYY-MM-DD
	Unit     string   `json:"unit,omitempty"`     // what Count counts: "parcel", "civilian", ...
	Count    int      `json:"count"`              // how many
	Ref      string   `json:"ref,omitempty"`      // pseudonym of the consignment or operation
	Subjects []string `json:"subjects,omitempty"` // commitments of the parcels or people
}

// Month returns the YYYY-MM of the entry's day.
func (e *Entry) Month() string {
	if len(e.Day) < 7 {
		return ""
	}
	return e.Day[:7]
}

// Event is what a caller logs: an Entry with the cleartext identifiers behind
// Ref and Subjects. Pass internal identifiers (tracking numbers, record ids),
// never names: they stay on the node, but Open reveals them to an arbiter.
type Event struct {
	Type     string
	Party    string
	Peer     string
	Day      string
	Unit     string
	Count    int
	Ref      string   // consignment or operation id; logged as a keyed pseudonym
	Subjects []string // parcel or person ids; logged as salted commitments
}

var (
	codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	unitRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
)

// Validate checks e's fields.
func (e *Event) Validate() error {
	const op = "tlog.Event.Validate"
	f := map[string]string{}
	if !knownType(e.Type) {
		f["type"] = fmt.Sprintf("unknown event type %q", e.Type)
	}
	if !codeRE.MatchString(e.Party) {
		f["party"] = "must be a party code of letters, digits, '.', '_' or '-'"
	}
	if e.Peer != "" && !codeRE.MatchString(e.Peer) {
		f["peer"] = "must be a party code of letters, digits, '.', '_' or '-'"
	}
	if _, err := time.Parse(time.DateOnly, e.Day); err != nil {
		f["day"] = "must be a date YYYY-MM-DD"
	}
	if e.Unit != "" && !unitRE.MatchString(e.Unit) {
		f["unit"] = "must be lowercase letters and '_'"
	}
	if e.Count < 0 {
		f["count"] = "must not be negative"
	}
	for _, s := range e.Subjects {
		if s == "" {
			f["subjects"] = "must not contain an empty identifier"
		}
	}
	if len(f) > 0 {
		return errs.Fields(op, f)
	}
	return nil
}

// Reveal is the salt and value behind one pseudonym or commitment.
type Reveal struct {
	Value string `json:"value"`
	Salt  []byte `json:"salt"`
}

// Commitment returns hex(SHA-256(salt || value)).
func (r Reveal) Commitment() string { return commit(r.Salt, r.Value) }

func commit(salt []byte, value string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(value))
	return hex.EncodeToString(h.Sum(nil))
}

// Opening reveals the salts and values behind one entry.
type Opening struct {
	Index    int64    `json:"index"`
	Ref      *Reveal  `json:"ref,omitempty"`
	Subjects []Reveal `json:"subjects,omitempty"`
}

// Log is this node's transparency log.
type Log struct {
	Origin string           // the checkpoint origin line, e.g. "lifeline.example/ua/log"
	Quorum int              // signatures (node's own included) for a checkpoint to count as published
	Now    func() time.Time // the clock
	Rand   func([]byte)     // fills salts; crypto/rand by default
	secret []byte
}

// New returns the log with the given origin, keyed by secret (at least 32
// bytes, kept on the node). The quorum is 2 by default.
func New(origin string, secret []byte) (*Log, error) {
	const op = "tlog.New"
	if !validOrigin(origin) {
		return nil, errs.E(op, errs.Invalid, "the log origin must be a non-empty line without spaces")
	}
	if len(secret) < 32 {
		return nil, errs.E(op, errs.Invalid, "the log secret must have at least 32 bytes")
	}
	return &Log{
		Origin: origin,
		Quorum: 2,
		Now:    time.Now,
		Rand:   func(b []byte) { rand.Read(b) },
		secret: bytes.Clone(secret),
	}, nil
}

func validOrigin(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// pseudonymSalt derives the deterministic salt of a pseudonym.
func (l *Log) pseudonymSalt(value string) []byte {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte("lifeline tlog ref\x00"))
	m.Write([]byte(value))
	return m.Sum(nil)
}

// Pseudonym returns the keyed pseudonym of value, as it appears in Entry.Ref.
func (l *Log) Pseudonym(value string) string { return commit(l.pseudonymSalt(value), value) }

// encodeEntry returns the canonical encoding of e.
func encodeEntry(e *Entry) ([]byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxEntrySize {
		return nil, errs.E("tlog.encodeEntry", errs.TooLarge, "the entry is %d bytes, more than %d: log fewer subjects per entry", len(data), MaxEntrySize)
	}
	return data, nil
}

// ParseEntry decodes an entry and checks that it is in canonical form.
func ParseEntry(data []byte) (*Entry, error) {
	const op = "tlog.ParseEntry"
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, errs.E(op, errs.Invalid, "the entry is not valid JSON: %v", err)
	}
	again, err := json.Marshal(&e)
	if err != nil || !bytes.Equal(again, data) {
		return nil, errs.E(op, errs.Invalid, "the entry is not in canonical form")
	}
	return &e, nil
}

// prepare turns events into encoded entries and their openings.
func (l *Log) prepare(events []Event) (entries, openings [][]byte, err error) {
	const op = "tlog.Append"
	entries = make([][]byte, len(events))
	openings = make([][]byte, len(events))
	for i := range events {
		ev := &events[i]
		if err := ev.Validate(); err != nil {
			return nil, nil, errs.Wrap(op, fmt.Errorf("event %d: %w", i, err))
		}
		e := Entry{Type: ev.Type, Party: ev.Party, Peer: ev.Peer, Day: ev.Day, Unit: ev.Unit, Count: ev.Count}
		var o Opening
		if ev.Ref != "" {
			o.Ref = &Reveal{Value: ev.Ref, Salt: l.pseudonymSalt(ev.Ref)}
			e.Ref = o.Ref.Commitment()
		}
		if len(ev.Subjects) > 0 {
			o.Subjects = make([]Reveal, len(ev.Subjects))
			e.Subjects = make([]string, len(ev.Subjects))
			salts := make([]byte, 32*len(ev.Subjects))
			l.Rand(salts)
			for j, v := range ev.Subjects {
				o.Subjects[j] = Reveal{Value: v, Salt: salts[32*j : 32*j+32 : 32*j+32]}
				e.Subjects[j] = o.Subjects[j].Commitment()
			}
		}
		if entries[i], err = encodeEntry(&e); err != nil {
			return nil, nil, errs.Wrap(op, fmt.Errorf("event %d: %w", i, err))
		}
		if openings[i], err = json.Marshal(&o); err != nil {
			return nil, nil, errs.WrapKind(op, errs.Internal, err)
		}
	}
	return entries, openings, nil
}

// Append logs events in tx, the transaction that records them, and returns
// their indexes in the log. Appenders are serialized by the database: the
// first statement locks the log's size.
func (l *Log) Append(ctx context.Context, tx DBTX, events []Event) ([]int64, error) {
	const op = "tlog.Append"
	if len(events) == 0 {
		return nil, nil
	}
	entries, openings, err := l.prepare(events)
	if err != nil {
		return nil, err
	}
	var size int64
	err = tx.QueryRowContext(ctx, `UPDATE tlog_state SET size = size + $1 WHERE id = 1 RETURNING size`, len(entries)).Scan(&size)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	old := size - int64(len(entries))

	r := &cacheReader{ctx: ctx, db: tx, m: make(map[int64]tlog.Hash, 3*len(entries))}
	if err := r.preload(frontier(old)); err != nil {
		return nil, errs.Wrap(op, err)
	}
	idx := make([]int64, len(entries))
	hashIDs := make([]int64, 0, 2*len(entries))
	hashes := make([]tlog.Hash, 0, 2*len(entries))
	for i, data := range entries {
		n := old + int64(i)
		idx[i] = n
		hs, err := tlog.StoredHashes(n, data, r)
		if err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
		first := tlog.StoredHashCount(n)
		for j, h := range hs {
			r.m[first+int64(j)] = h
			hashIDs = append(hashIDs, first+int64(j))
			hashes = append(hashes, h)
		}
	}
	if err := insertPairs(ctx, tx, "tlog_entries", "idx", "data", len(entries), func(i int) (int64, []byte) { return idx[i], entries[i] }); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if err := insertPairs(ctx, tx, "tlog_openings", "idx", "data", len(openings), func(i int) (int64, []byte) { return idx[i], openings[i] }); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if err := insertPairs(ctx, tx, "tlog_hashes", "id", "hash", len(hashes), func(i int) (int64, []byte) { return hashIDs[i], hashes[i][:] }); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return idx, nil
}

// Size returns the number of entries in the log.
func Size(ctx context.Context, db DBTX) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT size FROM tlog_state WHERE id = 1`).Scan(&n); err != nil {
		return 0, errs.WrapKind("tlog.Size", errs.Internal, err)
	}
	return n, nil
}

// Open returns the salts and values behind entry index, to be handed to an
// arbiter. It reveals nothing about any other entry.
func Open(ctx context.Context, db DBTX, index int64) (*Opening, error) {
	const op = "tlog.Open"
	var data []byte
	err := db.QueryRowContext(ctx, `SELECT data FROM tlog_openings WHERE idx = $1`, index).Scan(&data)
	if err == sql.ErrNoRows {
		return nil, errs.E(op, errs.NotFound, "the log has no entry %d", index)
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	var o Opening
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	o.Index = index
	return &o, nil
}

// VerifyOpening checks that opening reveals the values behind entry: every
// revealed salt and value hashes to the pseudonym or commitment in the entry.
func VerifyOpening(entry *Entry, opening *Opening) error {
	const op = "tlog.VerifyOpening"
	if (entry.Ref == "") != (opening.Ref == nil) {
		return errs.E(op, errs.Invalid, "the opening of entry %d does not match its ref", opening.Index)
	}
	if opening.Ref != nil && opening.Ref.Commitment() != entry.Ref {
		return errs.E(op, errs.Invalid, "the revealed ref of entry %d does not match its pseudonym", opening.Index)
	}
	if len(opening.Subjects) != len(entry.Subjects) {
		return errs.E(op, errs.Invalid, "the opening of entry %d reveals %d subjects, the entry has %d", opening.Index, len(opening.Subjects), len(entry.Subjects))
	}
	for i, r := range opening.Subjects {
		if r.Commitment() != entry.Subjects[i] {
			return errs.E(op, errs.Invalid, "revealed subject %d of entry %d does not match its commitment", i, opening.Index)
		}
	}
	return nil
}

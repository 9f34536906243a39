package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/errs"
	"lifeline/internal/tlog"
)

// The transparency log of the node lives in this database (migrations 0007
// and 0008). Domain workflows append to it in the transaction that records
// their event:
//
//	err := db.Tx(ctx, func(tx *store.Tx) error {
//		// ... the change and its tx.Event(...)
//		_, err := tx.AppendLog(ctx, []tlog.Event{{
//			Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: store.LogDay(tx.Now()),
//			Unit: "parcel", Count: 1, Ref: consignmentID, Subjects: []string{trackingNumber},
//		}})
//		return err
//	})
//
// The entry holds no personal data: Ref and Subjects are logged as keyed
// pseudonyms and salted commitments; pass internal identifiers, never names.
// Day is the day of the event (store.LogDay(tx.Now())); Count is what the
// entry counts, in Unit. One entry per event as the workflows record it:
//
//	type                 Party (acting)         Peer                Unit      Ref               Subjects
//	dispatched           sending party          receiving party     parcel    consignment id    tracking numbers
//	handed_over          intermediary           receiving party     parcel    consignment id    tracking numbers scanned
//	received             receiving party        sending party       parcel    consignment id    tracking numbers
//	delivered            detaining party        sending party       parcel    consignment id    tracking number(s)
//	acknowledged         detaining party        sending party       parcel    consignment id    tracking number(s)
//	undeliverable        detaining party        sending party       parcel    consignment id    tracking number(s)
//	acceptance_refused   refusing (home) party  requesting party    civilian  case id           person ids of the household
//	accepted             accepting (home) party requesting party    civilian  case id           person ids of the household
//	repatriated          receiving (home) party handing-over party  civilian  operation id      person ids who crossed
//	did_not_travel       handing-over party     receiving party     civilian  operation id      person ids who did not
//
// so that "parcels delivered to party B in December" is the sum of Count
// over type delivered, peer B, month YYYY-12, and "civilians refused by
// party A" over type acceptance_refused, party A. Keep Subjects to a few
// hundred per entry (an entry is at most 64 KiB): split a large handover
// into several entries of the same Ref.

// tlogHolder keeps the node's log once loaded, and wakes the publisher
// after appends.
type tlogHolder struct {
	mu       sync.Mutex
	log      *tlog.Log
	appended chan struct{}
}

// woken returns the channel that receives a value after appends.
func (h *tlogHolder) woken() chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.appended == nil {
		h.appended = make(chan struct{}, 1)
	}
	return h.appended
}

// unnamedOrigin is the origin of a log whose node has not named it yet
// (tests that append without serving). The origin only names checkpoints;
// entries do not depend on it.
const unnamedOrigin = "lifeline/unnamed"

// LogDay is the day of t as logged: YYYY-MM-DD in UTC.
func LogDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// loadLog reads the node's log row through q.
func loadLog(ctx context.Context, q DBTX) (origin string, secret []byte, err error) {
	err = q.QueryRowContext(ctx, `SELECT origin, secret FROM tlog_node WHERE id = 1`).Scan(&origin, &secret)
	return origin, secret, mapErr("store.loadLog", err)
}

// log returns the node's log, loading its secret through q (the caller's
// transaction, so that no second connection is needed) the first time.
func (db *DB) log(ctx context.Context, q DBTX) (*tlog.Log, error) {
	db.tlog.mu.Lock()
	defer db.tlog.mu.Unlock()
	if db.tlog.log != nil {
		return db.tlog.log, nil
	}
	origin, secret, err := loadLog(ctx, q)
	if err != nil {
		return nil, err
	}
	if origin == "" {
		origin = unnamedOrigin
	}
	l, err := tlog.New(origin, secret)
	if err != nil {
		return nil, errs.Wrap("store.log", err)
	}
	l.Now = db.Now
	db.tlog.log = l
	return l, nil
}

// NodeLog names the node's log origin (the first time; later calls must
// pass the same origin, or "" to keep it) and returns the log. A log keeps
// its origin for life: its checkpoints are signed under it.
func (db *DB) NodeLog(ctx context.Context, origin string) (*tlog.Log, error) {
	const op = "store.NodeLog"
	if origin != "" {
		if _, err := tlog.New(origin, make([]byte, 32)); err != nil {
			return nil, errs.Wrap(op, err)
		}
		if strings.Contains(origin, "+") {
			return nil, errs.E(op, errs.Invalid, "the log origin %q must not contain '+': it is also the name of the node's checkpoint key", origin)
		}
		_, err := db.write.ExecContext(ctx, `UPDATE tlog_node SET origin = $1 WHERE id = 1 AND origin = ''`, origin)
		if err != nil {
			return nil, mapErr(op, err)
		}
	}
	stored, secret, err := loadLog(ctx, db.write)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if stored == "" {
		return nil, errs.E(op, errs.Invalid, "the node's log has no origin yet: give one")
	}
	if origin != "" && origin != stored {
		return nil, errs.E(op, errs.Conflict, "this node's log is %q and cannot be renamed %q: its checkpoints are signed under its first name", stored, origin)
	}
	l, err := tlog.New(stored, secret)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	l.Now = db.Now
	db.tlog.mu.Lock()
	if db.tlog.log != nil {
		l.Quorum = db.tlog.log.Quorum
	}
	db.tlog.log = l
	db.tlog.mu.Unlock()
	return l, nil
}

// AppendLog appends events to the node's transparency log in tx, the
// transaction that records them, and returns their indexes in the log.
// Consignments and cases call it next to tx.Event for every event that
// carries a claim (see the tlog package for the types).
func (tx *Tx) AppendLog(ctx context.Context, events []tlog.Event) ([]int64, error) {
	const op = "store.AppendLog"
	if len(events) == 0 {
		return nil, nil
	}
	l, err := tx.db.log(ctx, tx)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	idx, err := l.Append(ctx, tx, events)
	if err != nil {
		if errs.KindOf(err) == errs.Internal {
			return nil, mapErr(op, err)
		}
		return nil, errs.Wrap(op, err)
	}
	select {
	case tx.db.tlog.woken() <- struct{}{}:
	default:
	}
	return idx, nil
}

// LogAppended receives a value after transactions that appended to the log
// (perhaps before they commit: read the log's size to see what is there).
func (db *DB) LogAppended() <-chan struct{} { return db.tlog.woken() }

// LogSize returns the number of entries in the node's log.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	n, err := tlog.Size(ctx, db.read)
	return n, errs.Wrap("store.LogSize", err)
}

// LogCheckpoint signs a checkpoint of the log's current tree with signer
// (the node key) and returns it. Never call it inside a Tx.
func (db *DB) LogCheckpoint(ctx context.Context, l *tlog.Log, signer note.Signer) (size int64, msg []byte, err error) {
	const op = "store.LogCheckpoint"
	if msg, err = l.Checkpoint(ctx, db.write, signer); err != nil {
		return 0, nil, errs.Wrap(op, err)
	}
	// The body is "origin\nsize\nhash\n": the size is the second line.
	lines := strings.SplitN(string(msg), "\n", 3)
	if len(lines) < 3 {
		return 0, nil, errs.E(op, errs.Internal, "the stored checkpoint does not parse")
	}
	if size, err = strconv.ParseInt(lines[1], 10, 64); err != nil {
		return 0, nil, errs.E(op, errs.Internal, "the stored checkpoint does not parse")
	}
	return size, msg, nil
}

// LogCosign asks witness c to co-sign the stored checkpoint of size and
// keeps its signature once it verifies against key. Never call it inside a
// Tx.
func (db *DB) LogCosign(ctx context.Context, l *tlog.Log, size int64, c tlog.Cosigner, key note.Verifier) error {
	return errs.Wrap("store.LogCosign", l.Cosign(ctx, db.write, size, c, key))
}

// LogCosigners lists the witnesses that co-signed the checkpoint of size.
func (db *DB) LogCosigners(ctx context.Context, size int64) ([]string, error) {
	const op = "store.LogCosigners"
	rows, err := db.read.QueryContext(ctx, `SELECT witness FROM tlog_cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, w)
	}
	return out, mapErr(op, rows.Err())
}

// LogOpen returns entry index of the log and the salts and values behind
// it, for an arbiter.
func (db *DB) LogOpen(ctx context.Context, index int64) (*tlog.Entry, *tlog.Opening, error) {
	const op = "store.LogOpen"
	o, err := tlog.Open(ctx, db.read, index)
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var data []byte
	if err := db.read.QueryRowContext(ctx, `SELECT data FROM tlog_entries WHERE idx = $1`, index).Scan(&data); err != nil {
		return nil, nil, mapErr(op, err)
	}
	e, err := tlog.ParseEntry(data)
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	if err := tlog.VerifyOpening(e, o); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	return e, o, nil
}

// LogWitness is a witness asked to co-sign this node's checkpoints.
type LogWitness struct {
	Name string `json:"name"` // its signed-note key name
	URL  string `json:"url"`  // the prefix of its add-checkpoint endpoint
	Key  string `json:"key"`  // its verifier key, name+hash+base64
}

// Verifier returns w's note verifier.
func (w LogWitness) Verifier() (note.Verifier, error) {
	v, err := note.NewVerifier(w.Key)
	if err != nil {
		return nil, errs.E("store.LogWitness", errs.Invalid, "the key of witness %s is not a signed-note verifier key: %v", w.Name, err)
	}
	return v, nil
}

// SetLogWitness adds the witness w, or changes its URL and key.
func (tx *Tx) SetLogWitness(ctx context.Context, a Actor, w LogWitness) error {
	const op = "store.SetLogWitness"
	v, err := w.Verifier()
	if err != nil {
		return err
	}
	if v.Name() != w.Name {
		return errs.Fields(op, map[string]string{"name": "must be the name in the witness's key, " + v.Name()})
	}
	if !strings.HasPrefix(w.URL, "http://") && !strings.HasPrefix(w.URL, "https://") {
		return errs.Fields(op, map[string]string{"url": "must be an http:// or https:// URL"})
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tlog_witnesses (name, url, vkey, created) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET url = excluded.url, vkey = excluded.vkey`, w.Name, w.URL, w.Key, tx.now)
	if err != nil {
		return mapErr(op, err)
	}
	return tx.EventRef(ctx, a, "log_witness", w.Name, "log_witness_set", map[string]string{"url": w.URL, "key": w.Key})
}

// LogWitnesses lists the witnesses of this node's log.
func (db *DB) LogWitnesses(ctx context.Context) ([]LogWitness, error) {
	const op = "store.LogWitnesses"
	rows, err := db.read.QueryContext(ctx, `SELECT name, url, vkey FROM tlog_witnesses ORDER BY name`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []LogWitness
	for rows.Next() {
		var w LogWitness
		if err := rows.Scan(&w.Name, &w.URL, &w.Key); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, w)
	}
	return out, mapErr(op, rows.Err())
}

// SetWitnessedLog makes this node a witness of the log origin, whose
// checkpoints are signed by the verifier key vkey.
func (tx *Tx) SetWitnessedLog(ctx context.Context, a Actor, origin, vkey string) error {
	const op = "store.SetWitnessedLog"
	if _, err := note.NewVerifier(vkey); err != nil {
		return errs.Fields(op, map[string]string{"key": "not a signed-note verifier key: " + err.Error()})
	}
	if _, err := tlog.New(origin, make([]byte, 32)); err != nil {
		return errs.Fields(op, map[string]string{"origin": "must be a non-empty line without spaces"})
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tlog_witnessed (origin, vkey, created) VALUES ($1, $2, $3)
		ON CONFLICT (origin) DO UPDATE SET vkey = excluded.vkey`, origin, vkey, tx.now)
	if err != nil {
		return mapErr(op, err)
	}
	return tx.EventRef(ctx, a, "witnessed_log", origin, "witnessed_log_set", map[string]string{"key": vkey})
}

// WitnessedLogs returns the logs this node witnesses: origin -> key.
func (db *DB) WitnessedLogs(ctx context.Context) (map[string]note.Verifier, error) {
	const op = "store.WitnessedLogs"
	rows, err := db.read.QueryContext(ctx, `SELECT origin, vkey FROM tlog_witnessed`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	out := map[string]note.Verifier{}
	for rows.Next() {
		var origin, vkey string
		if err := rows.Scan(&origin, &vkey); err != nil {
			return nil, mapErr(op, err)
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, errs.E(op, errs.Internal, "the stored key of log %q does not parse", origin)
		}
		out[origin] = v
	}
	return out, mapErr(op, rows.Err())
}

// LogWitnessFor returns this node as a witness of the logs it witnesses,
// signing with signer. Its state is kept in this database; never call its
// AddCheckpoint inside a Tx.
func (db *DB) LogWitnessFor(ctx context.Context, signer note.Signer) (*tlog.Witness, error) {
	logs, err := db.WitnessedLogs(ctx)
	if err != nil {
		return nil, err
	}
	return &tlog.Witness{DB: db.write, Signer: signer, Logs: logs, Now: db.Now}, nil
}

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

// The node's transparency log: domain workflows append to it with
// tx.AppendLog in their transactions (see internal/store/tlog.go); the node
// signs a checkpoint of the tree after appends and asks its witnesses (the
// other party's node and the intermediary, configured with `lifeline
// witness add`) to co-sign it; the checkpoint counts as published once
// TLog.Quorum keys have signed it, and is served at /log/checkpoint.

// WitnessPath is where a node serves its witness, under its base URL: a
// witness's add-checkpoint endpoint is <base>/log/witness/add-checkpoint.
const WitnessPath = "/log/witness"

// noLog is the error of a node that keeps no log.
func noLog(op string) error {
	return errs.E(op, errs.NotFound, "this node keeps no transparency log")
}

// LogSigner returns the signer of the node's checkpoints and cosignatures:
// the node key under the log's origin as key name.
func (a *App) LogSigner() (note.Signer, error) {
	if a.TLog == nil || a.Key == nil {
		return nil, noLog("app.LogSigner")
	}
	return a.Key.NoteSigner(a.TLog.Origin)
}

// LogKey returns the node's signed-note verifier key: what auditors and
// witnesses trust (`lifeline verify --key FILE`, `lifeline witness add`).
func (a *App) LogKey() (string, error) {
	if a.TLog == nil || a.Key == nil {
		return "", noLog("app.LogKey")
	}
	return a.Key.Public().NoteVerifierKey(a.TLog.Origin)
}

// LogVerifiers returns the keys that count towards the quorum: the node's
// own and its witnesses'.
func (a *App) LogVerifiers(ctx context.Context) (note.Verifiers, error) {
	const op = "app.LogVerifiers"
	vkey, err := a.LogKey()
	if err != nil {
		return nil, err
	}
	own, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	vs := []note.Verifier{own}
	ws, err := a.DB.LogWitnesses(ctx)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	for _, w := range ws {
		v, err := w.Verifier()
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}

// witnessClient is the HTTP client of calls to witnesses.
var witnessClient = &http.Client{Timeout: 30 * time.Second}

// PublishLog signs a checkpoint of the log's current tree and asks every
// witness that has not yet co-signed it to do so. It returns the size of the
// checkpoint; the witnesses' failures are joined in the error, and the
// checkpoint is kept either way (a later call asks again).
func (a *App) PublishLog(ctx context.Context) (int64, error) {
	const op = "app.PublishLog"
	signer, err := a.LogSigner()
	if err != nil {
		return 0, err
	}
	n, err := a.DB.LogSize(ctx)
	if err != nil || n == 0 {
		return 0, err
	}
	size, _, err := a.DB.LogCheckpoint(ctx, a.TLog, signer)
	if err != nil {
		return 0, err
	}
	ws, err := a.DB.LogWitnesses(ctx)
	if err != nil {
		return size, err
	}
	have, err := a.DB.LogCosigners(ctx, size)
	if err != nil {
		return size, err
	}
	var fails []error
	for _, w := range ws {
		if slices.Contains(have, w.Name) {
			continue
		}
		v, err := w.Verifier()
		if err == nil {
			c := tlog.WitnessClient{URL: strings.TrimSuffix(w.URL, "/") + WitnessPath, Client: witnessClient}
			err = a.DB.LogCosign(ctx, a.TLog, size, c, v)
		}
		if err != nil {
			fails = append(fails, errs.E(op, errs.KindOf(err), "witness %s: %s", w.Name, errs.MessageOf(err)))
		}
	}
	return size, errors.Join(fails...)
}

// StartLog publishes the log in the background: soon after appends (at
// most once every interval) and every interval while a witness still owes
// its cosignature. stop ends it and waits.
func (a *App) StartLog(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		var last string
		for {
			_, err := a.PublishLog(ctx)
			if ctx.Err() != nil {
				return
			}
			// Report a failure once, not at every retry.
			if msg := fmt.Sprint(err); err != nil && msg != last {
				a.Log.Warn("log checkpoint not fully co-signed", "err", msg)
				last = msg
			} else if err == nil {
				last = ""
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-a.DB.LogAppended():
				select {
				case <-ctx.Done():
					return
				case <-time.After(interval):
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Witness returns this node as a witness of the logs it witnesses
// (`lifeline witness log`), signing with the node key.
func (a *App) Witness(ctx context.Context) (*tlog.Witness, error) {
	signer, err := a.LogSigner()
	if err != nil {
		return nil, err
	}
	return a.DB.LogWitnessFor(ctx, signer)
}

// StatQuery selects log statistics; an empty field matches anything.
type StatQuery struct {
	Type  string // an event type, e.g. tlog.Delivered
	Party string // the acting party
	Peer  string // the other party
	Month string // YYYY-MM
	Unit  string // parcel, civilian, ...
}

// Match reports whether s is selected.
func (q StatQuery) Match(s tlog.Stat) bool {
	return (q.Type == "" || s.Type == q.Type) && (q.Party == "" || s.Party == q.Party) &&
		(q.Peer == "" || s.Peer == q.Peer) && (q.Month == "" || s.Month == q.Month) &&
		(q.Unit == "" || s.Unit == q.Unit)
}

// LogCheckpoint names the checkpoint that backs a statistic.
type LogCheckpoint struct {
	Origin  string   `json:"origin"`
	Size    int64    `json:"size"`
	Hash    string   `json:"hash"` // base64, as in the checkpoint
	Signers []string `json:"signers"`
	Note    string   `json:"note"` // the signed checkpoint with its cosignatures
}

// LogStats is a statistic recounted from the log's entries, with the
// checkpoint that backs it: anyone can recount it with `lifeline verify
// audit` against that checkpoint.
type LogStats struct {
	Checkpoint LogCheckpoint `json:"checkpoint"`
	Stats      []tlog.Stat   `json:"stats"`   // the matching lines
	Entries    int           `json:"entries"` // entries counted
	Total      int           `json:"total"`   // the sum of their counts
}

// logStatsCache keeps the audit of the latest published checkpoint: it is
// the same for as long as the checkpoint is.
type logStatsCache struct {
	mu   sync.Mutex
	note []byte
	rep  *tlog.AuditReport
}

// LogStats recounts the statistic q from every entry of the latest published
// checkpoint, after checking the entries and tiles against it, as an
// auditor would.
func (a *App) LogStats(ctx context.Context, q StatQuery) (*LogStats, error) {
	const op = "app.LogStats"
	if a.TLog == nil {
		return nil, noLog(op)
	}
	msg, err := a.TLog.Published(ctx, a.DB.Read())
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	c := &a.logStats
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rep == nil || !bytes.Equal(c.note, msg) {
		vs, err := a.LogVerifiers(ctx)
		if err != nil {
			return nil, err
		}
		rep, err := tlog.Audit(ctx, a.TLog.Source(a.DB.Read()), a.TLog.Origin, vs, a.TLog.Quorum)
		if err != nil {
			return nil, errs.Wrap(op, err)
		}
		c.note, c.rep = rep.Checkpoint.Note, rep
	}
	cp := c.rep.Checkpoint
	out := &LogStats{
		Checkpoint: LogCheckpoint{Origin: cp.Origin, Size: cp.Size, Hash: cp.Hash.String(), Signers: cp.Signers, Note: string(cp.Note)},
		Stats:      []tlog.Stat{},
	}
	for _, s := range c.rep.Stats {
		if q.Match(s) {
			out.Stats = append(out.Stats, s)
			out.Entries += s.Entries
			out.Total += s.Count
		}
	}
	return out, nil
}

// NodeLogOrigin is the default origin of a node's log: "lifeline/<party>",
// or "lifeline/node-<key id>" on a node that serves every party.
func NodeLogOrigin(party string, key *sign.Key) string {
	if party != "" {
		return "lifeline/" + party
	}
	return "lifeline/node-" + key.ID()
}

// OpenLog names and loads the node's log (see store.DB.NodeLog) and sets
// a.TLog.
func (a *App) OpenLog(ctx context.Context, origin string, quorum int) error {
	l, err := a.DB.NodeLog(ctx, origin)
	if err != nil {
		return err
	}
	if quorum > 0 {
		l.Quorum = quorum
	}
	a.TLog = l
	return nil
}

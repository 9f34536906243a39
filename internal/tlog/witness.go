package tlog

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// A Cosigner co-signs checkpoints: a Witness in this process, or a
// WitnessClient talking to one over HTTP. old is the size of the last
// checkpoint of this log the witness signed (0 at first) and proof the
// consistency proof from it to checkpoint. The answer is the witness's
// signature lines over the checkpoint.
type Cosigner interface {
	AddCheckpoint(ctx context.Context, old int64, proof tlog.TreeProof, checkpoint []byte) ([]byte, error)
}

// ConflictError says that the witness last signed a checkpoint of Size
// entries, not the old size given; the log retries from Size.
type ConflictError struct{ Size int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the witness last signed a checkpoint of %d entries", e.Size)
}

// Witness co-signs the checkpoints of other nodes' logs, in the manner of
// C2SP tlog-witness: it keeps, per log origin, the size and root hash of the
// last checkpoint it signed (tlog_witness_state) and signs a new one only
// with a valid consistency proof from it. Its cosignature is an ordinary
// signed-note signature line by its own key over the checkpoint text.
type Witness struct {
	DB     DBTX                     // where the witness keeps its state
	Signer note.Signer              // the witness's key
	Logs   map[string]note.Verifier // the logs it witnesses: origin -> the log's key
	Now    func() time.Time         // the clock; time.Now if nil
}

// AddCheckpoint checks checkpoint and co-signs it. It fails with a
// Forbidden error for a log or key it does not know, a Conflict error
// wrapping *ConflictError when old is not the size it last signed, and an
// Invalid error when the proof does not show the new checkpoint extends the
// old one: a rewritten history.
func (w *Witness) AddCheckpoint(ctx context.Context, old int64, proof tlog.TreeProof, checkpoint []byte) ([]byte, error) {
	const op = "tlog.Witness.AddCheckpoint"
	i := bytes.Index(checkpoint, []byte("\n\n"))
	if i < 0 {
		return nil, errs.E(op, errs.Invalid, "the checkpoint is not a signed note")
	}
	origin, _, _ := strings.Cut(string(checkpoint[:i]), "\n")
	v, ok := w.Logs[origin]
	if !ok {
		return nil, errs.E(op, errs.Forbidden, "this witness does not witness log %q", origin)
	}
	n, err := note.Open(checkpoint, note.VerifierList(v))
	if err != nil {
		return nil, errs.E(op, errs.Forbidden, "the checkpoint is not signed by the key of log %q", origin)
	}
	_, size, hash, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "%v", err)
	}

	var lastSize int64
	var lastHash []byte
	err = w.DB.QueryRowContext(ctx, `SELECT size, hash FROM tlog_witness_state WHERE origin = $1`, origin).Scan(&lastSize, &lastHash)
	known := err == nil
	if err != nil && err != sql.ErrNoRows {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if old != lastSize {
		return nil, errs.WrapKind(op, errs.Conflict, &ConflictError{Size: lastSize})
	}
	if size < old {
		return nil, errs.E(op, errs.Invalid, "the checkpoint has %d entries, fewer than the %d already signed", size, old)
	}
	if known {
		prev := &Checkpoint{Origin: origin, Size: lastSize, Hash: tlog.Hash(lastHash)}
		next := &Checkpoint{Origin: origin, Size: size, Hash: hash}
		if err := VerifyConsistency(prev, next, proof); err != nil {
			return nil, errs.E(op, errs.Invalid, "refusing to sign: %s", errs.MessageOf(err))
		}
	} else if len(proof) != 0 {
		return nil, errs.E(op, errs.Invalid, "a consistency proof from an empty log must be empty")
	}

	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	var res sql.Result
	if known {
		res, err = w.DB.ExecContext(ctx, `UPDATE tlog_witness_state SET size = $1, hash = $2, updated = $3 WHERE origin = $4 AND size = $5 AND hash = $6`,
			size, hash[:], now().UTC().Format(time.RFC3339), origin, lastSize, lastHash)
	} else {
		res, err = w.DB.ExecContext(ctx, `INSERT INTO tlog_witness_state (origin, size, hash, updated) VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING`,
			origin, size, hash[:], now().UTC().Format(time.RFC3339))
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return nil, errs.E(op, errs.Conflict, "another checkpoint of log %q was signed meanwhile; retry", origin)
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, w.Signer)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	lines, err := sigLines(signed)
	if err != nil || len(lines) != 1 {
		return nil, errs.E(op, errs.Internal, "signing produced no signature line")
	}
	return []byte(lines[0]), nil
}

// Handler serves the witness over HTTP as POST /add-checkpoint, with the
// C2SP tlog-witness request body ("old N", the proof hashes one a line in
// base64, a blank line, the checkpoint) and statuses: 200 with the
// signature lines; 409 with the last signed size (text/x.tlog.size); 403 for
// an unknown log or key; 422 for a failed consistency proof; 400 for a
// malformed request.
func (w *Witness) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(rw, "cannot read the request", http.StatusBadRequest)
			return
		}
		old, proof, cp, err := parseAddCheckpoint(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		lines, err := w.AddCheckpoint(r.Context(), old, proof, cp)
		var conflict *ConflictError
		switch {
		case err == nil:
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rw.Write(lines)
		case errors.As(err, &conflict):
			rw.Header().Set("Content-Type", "text/x.tlog.size")
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", conflict.Size)
		case errs.Is(err, errs.Forbidden):
			http.Error(rw, errs.MessageOf(err), http.StatusForbidden)
		case errs.Is(err, errs.Conflict):
			http.Error(rw, errs.MessageOf(err), http.StatusConflict)
		case errs.Is(err, errs.Invalid):
			http.Error(rw, errs.MessageOf(err), http.StatusUnprocessableEntity)
		default:
			http.Error(rw, "internal error", http.StatusInternalServerError)
		}
	})
	return mux
}

func formatAddCheckpoint(old int64, proof tlog.TreeProof, checkpoint []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(h.String() + "\n")
	}
	b.WriteString("\n")
	b.Write(checkpoint)
	return b.Bytes()
}

func parseAddCheckpoint(body []byte) (int64, tlog.TreeProof, []byte, error) {
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, errors.New("the request has no blank line before the checkpoint")
	}
	sc := bufio.NewScanner(bytes.NewReader(head))
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "old ") {
		return 0, nil, nil, errors.New(`the request does not start with "old <size>"`)
	}
	old, err := strconv.ParseInt(strings.TrimPrefix(sc.Text(), "old "), 10, 64)
	if err != nil || old < 0 {
		return 0, nil, nil, errors.New("the old size is not a number")
	}
	var proof tlog.TreeProof
	for sc.Scan() {
		h, err := tlog.ParseHash(sc.Text())
		if err != nil {
			return 0, nil, nil, errors.New("a proof line is not a base64 hash")
		}
		proof = append(proof, h)
	}
	if len(proof) > 63 {
		return 0, nil, nil, errors.New("the proof is too long")
	}
	return old, proof, cp, nil
}

// WitnessClient is a Cosigner that talks to a witness over HTTP; URL is the
// witness's prefix, e.g. "https://icrc.example/witness".
type WitnessClient struct {
	URL    string
	Client *http.Client // http.DefaultClient if nil
}

// AddCheckpoint posts the checkpoint to the witness.
func (c WitnessClient) AddCheckpoint(ctx context.Context, old int64, proof tlog.TreeProof, checkpoint []byte) ([]byte, error) {
	const op = "tlog.WitnessClient.AddCheckpoint"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/add-checkpoint",
		bytes.NewReader(formatAddCheckpoint(old, proof, checkpoint)))
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the witness URL is not valid: %v", err)
	}
	hc := c.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	msg := strings.TrimSpace(string(body))
	switch resp.StatusCode {
	case http.StatusOK:
		return body, nil
	case http.StatusConflict:
		if resp.Header.Get("Content-Type") == "text/x.tlog.size" {
			n, err := strconv.ParseInt(msg, 10, 64)
			if err == nil && n >= 0 {
				return nil, errs.WrapKind(op, errs.Conflict, &ConflictError{Size: n})
			}
		}
		return nil, errs.E(op, errs.Conflict, "the witness refused: %s", msg)
	case http.StatusForbidden:
		return nil, errs.E(op, errs.Forbidden, "the witness refused: %s", msg)
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return nil, errs.E(op, errs.Invalid, "the witness refused: %s", msg)
	}
	return nil, errs.E(op, errs.Internal, "the witness answered %s", resp.Status)
}

// Cosign asks a witness to co-sign this node's stored checkpoint of the
// given size, with a consistency proof from the last checkpoint the witness
// signed, and keeps the cosignature once it verifies against witness.
func (l *Log) Cosign(ctx context.Context, db DBTX, size int64, c Cosigner, witness note.Verifier) error {
	const op = "tlog.Cosign"
	var cp []byte
	err := db.QueryRowContext(ctx, `SELECT note FROM tlog_checkpoints WHERE size = $1`, size).Scan(&cp)
	if err == sql.ErrNoRows {
		return errs.E(op, errs.NotFound, "there is no checkpoint of size %d", size)
	}
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	var last sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT MAX(size) FROM tlog_cosignatures WHERE witness = $1 AND size <= $2`, witness.Name(), size).Scan(&last)
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	old := last.Int64
	for try := 0; ; try++ {
		proof, err := l.ProveConsistency(ctx, db, old, size)
		if err != nil {
			return errs.Wrap(op, err)
		}
		lines, err := c.AddCheckpoint(ctx, old, proof, cp)
		var conflict *ConflictError
		if errors.As(err, &conflict) && try == 0 && conflict.Size <= size {
			old = conflict.Size
			continue
		}
		if err != nil {
			return errs.Wrap(op, err)
		}
		return l.AddCosignature(ctx, db, size, lines, witness)
	}
}

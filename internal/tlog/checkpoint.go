package tlog

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// Checkpoint is a verified tree head: its origin, size and root hash, and the
// names of the keys whose signatures verified.
type Checkpoint struct {
	Origin    string
	Size      int64
	Hash      tlog.Hash
	Signers   []string // trusted keys whose signatures verified
	Untrusted []string // signatures by keys not trusted, not counted
	Note      []byte   // the signed note as read
}

// Tree returns the checkpoint's tree.
func (c *Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: c.Size, Hash: c.Hash} }

// formatCheckpoint returns the C2SP checkpoint body.
func formatCheckpoint(origin string, size int64, h tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + h.String() + "\n"
}

// parseCheckpoint parses a C2SP checkpoint body (extension lines ignored).
func parseCheckpoint(text string) (origin string, size int64, h tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", 0, h, errors.New("the checkpoint body has fewer than three lines")
	}
	origin = lines[0]
	if !validOrigin(origin) {
		return "", 0, h, errors.New("the checkpoint origin line is not valid")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return "", 0, h, errors.New("the checkpoint tree size is not a decimal number")
	}
	h, err = tlog.ParseHash(lines[2])
	if err != nil {
		return "", 0, h, errors.New("the checkpoint root hash is not base64 of 32 bytes")
	}
	return origin, size, h, nil
}

// Checkpoint signs the current tree head with signer (the node key), stores
// it, and returns the signed note. Signing the same size again returns the
// stored checkpoint.
func (l *Log) Checkpoint(ctx context.Context, db DBTX, signer note.Signer) ([]byte, error) {
	const op = "tlog.Checkpoint"
	size, err := Size(ctx, db)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var stored []byte
	err = db.QueryRowContext(ctx, `SELECT note FROM tlog_checkpoints WHERE size = $1`, size).Scan(&stored)
	if err == nil {
		return stored, nil
	}
	if err != sql.ErrNoRows {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	h, err := tlog.TreeHash(size, dbReader{ctx, db})
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	msg, err := note.Sign(&note.Note{Text: formatCheckpoint(l.Origin, size, h)}, signer)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO tlog_checkpoints (size, hash, note, created) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING`,
		size, h[:], msg, l.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	err = db.QueryRowContext(ctx, `SELECT note FROM tlog_checkpoints WHERE size = $1`, size).Scan(&stored)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return stored, nil
}

// sigLines returns the signature lines of a signed note.
func sigLines(msg []byte) ([]string, error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return nil, errors.New("the note has no signatures")
	}
	var out []string
	for _, line := range strings.SplitAfter(string(msg[i+2:]), "\n") {
		if line != "" {
			out = append(out, line)
		}
	}
	return out, nil
}

// AddCosignature checks a witness's signature lines over the stored
// checkpoint of the given size against the witness's key and keeps them.
func (l *Log) AddCosignature(ctx context.Context, db DBTX, size int64, lines []byte, witness note.Verifier) error {
	const op = "tlog.AddCosignature"
	var stored []byte
	err := db.QueryRowContext(ctx, `SELECT note FROM tlog_checkpoints WHERE size = $1`, size).Scan(&stored)
	if err == sql.ErrNoRows {
		return errs.E(op, errs.NotFound, "there is no checkpoint of size %d", size)
	}
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	body := stored[:bytes.LastIndex(stored, []byte("\n\n"))+1]
	var found string
	for _, line := range strings.SplitAfter(string(lines), "\n") {
		if line == "" || line == "\n" {
			continue
		}
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		n, err := note.Open(append(append(bytes.Clone(body), '\n'), line...), note.VerifierList(witness))
		if err != nil {
			var unknown *note.UnverifiedNoteError
			if errors.As(err, &unknown) {
				continue
			}
			return errs.E(op, errs.Invalid, "the cosignature of witness %s does not verify: %v", witness.Name(), err)
		}
		if len(n.Sigs) == 1 {
			found = line
		}
	}
	if found == "" {
		return errs.E(op, errs.Invalid, "no signature by witness %s (key %08x) over checkpoint %d", witness.Name(), witness.KeyHash(), size)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO tlog_cosignatures (size, witness, line, created) VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO NOTHING`,
		size, witness.Name(), found, l.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	return nil
}

// Published returns the latest checkpoint signed by at least l.Quorum keys
// (the node's own and its witnesses'), with every cosignature line.
func (l *Log) Published(ctx context.Context, db DBTX) ([]byte, error) {
	const op = "tlog.Published"
	q := max(l.Quorum, 1)
	var size int64
	var msg []byte
	err := db.QueryRowContext(ctx, `SELECT c.size, c.note FROM tlog_checkpoints c
		WHERE 1 + (SELECT COUNT(*) FROM tlog_cosignatures s WHERE s.size = c.size) >= $1
		ORDER BY c.size DESC LIMIT 1`, q).Scan(&size, &msg)
	if err == sql.ErrNoRows {
		return nil, errs.E(op, errs.NotFound, "no checkpoint has reached the quorum of %d signatures yet", q)
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT line FROM tlog_cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	defer rows.Close()
	out := bytes.Clone(msg)
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
		out = append(out, line...)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return out, nil
}

// VerifyCheckpoint opens a signed checkpoint. Signatures by keys in
// verifiers must verify; at least quorum of them must be present. Signatures
// by other keys are not counted and are listed in Untrusted. If origin is not
// empty, the checkpoint must be for that log.
func VerifyCheckpoint(msg []byte, origin string, verifiers note.Verifiers, quorum int) (*Checkpoint, error) {
	const op = "tlog.VerifyCheckpoint"
	n, err := note.Open(msg, verifiers)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		return nil, errs.E(op, errs.Invalid, "forged checkpoint: the signature by %s (key %08x) does not verify", invalid.Name, invalid.Hash)
	case errors.As(err, &unverified):
		return nil, errs.E(op, errs.Invalid, "the checkpoint has no signature by a trusted key (signed by %s)", signerNames(unverified.Note.UnverifiedSigs))
	case err != nil:
		return nil, errs.E(op, errs.Invalid, "the checkpoint is not a valid signed note: %v", err)
	}
	o, size, h, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "%v", err)
	}
	if origin != "" && o != origin {
		return nil, errs.E(op, errs.Invalid, "the checkpoint is for log %q, want %q", o, origin)
	}
	c := &Checkpoint{Origin: o, Size: size, Hash: h, Note: msg}
	for _, s := range n.Sigs {
		c.Signers = append(c.Signers, s.Name)
	}
	for _, s := range n.UnverifiedSigs {
		c.Untrusted = append(c.Untrusted, fmt.Sprintf("%s (key %08x)", s.Name, s.Hash))
	}
	if len(c.Signers) < quorum {
		msg := fmt.Sprintf("the checkpoint has %d trusted signatures (%s), the quorum is %d", len(c.Signers), strings.Join(c.Signers, ", "), quorum)
		if len(c.Untrusted) > 0 {
			msg += "; signatures by untrusted keys are not counted: " + strings.Join(c.Untrusted, ", ")
		}
		return nil, errs.E(op, errs.Invalid, "%s", msg)
	}
	return c, nil
}

func signerNames(sigs []note.Signature) string {
	var names []string
	for _, s := range sigs {
		names = append(names, fmt.Sprintf("%s (key %08x)", s.Name, s.Hash))
	}
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}

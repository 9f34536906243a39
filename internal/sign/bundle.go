package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"lifeline/internal/errs"
)

// BundleFormat is the format tag of a bundle file.
const BundleFormat = "lifeline-bundle/1"

// MaxBundleSize is the largest bundle file ReadBundle accepts: a manifest of
// several thousand parcels fits with a wide margin.
const MaxBundleSize = 16 << 20

// maxSeq keeps step numbers exact in JSON numbers (RFC 8785 writes them as
// IEEE doubles).
const maxSeq = 1<<53 - 1

// Header names a bundle: what it is, who made it, who it is for, what it is
// about and which step it is.
type Header struct {
	Kind string   // one of the Kind constants
	From string   // party code of the author
	To   string   // party code of the node it is meant for
	Cc   []string // party codes of other nodes it is also meant for, may be empty
	Ref  string   // the consignment or operation reference
	Seq  int64    // step number for Ref, from 1, increasing with every state change
	// Created is when the bundle was made; it is kept to the second, in UTC.
	Created time.Time
}

// Bundle is one file that carries a signed document between nodes. Its
// header fields are copies of the signed ones, for people and tools that read
// the file; [Bundle.Verify] checks that they agree.
type Bundle struct {
	Format   string         `json:"format"`
	Kind     string         `json:"kind"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	Cc       []string       `json:"cc,omitempty"`
	Ref      string         `json:"ref"`
	Seq      int64          `json:"seq"`
	Created  time.Time      `json:"created"`
	Envelope *dsse.Envelope `json:"envelope"`
}

// statement is the signed payload of a bundle.
type statement struct {
	Kind     string          `json:"kind"`
	From     string          `json:"from"`
	To       string          `json:"to"`
	Cc       []string        `json:"cc,omitempty"`
	Ref      string          `json:"ref"`
	Seq      int64           `json:"seq"`
	Created  time.Time       `json:"created"`
	Document json.RawMessage `json:"document"`
}

// Verified is a bundle that passed [Bundle.Verify]: its signed header, who
// signed it, and the document.
type Verified struct {
	Header
	Signers []Signer
	// Payload is the signed canonical JSON, as it was signed.
	Payload  []byte
	document json.RawMessage
}

// NewBundle signs doc with k and wraps it in a bundle with header h.
func NewBundle(k *Key, h Header, doc any) (*Bundle, error) {
	const op = "sign.NewBundle"
	h.Created = h.Created.UTC().Truncate(time.Second)
	h.Cc = normaliseCc(h.Cc)
	if err := h.validate(op); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	st := statement{Kind: h.Kind, From: h.From, To: h.To, Cc: h.Cc, Ref: h.Ref, Seq: h.Seq, Created: h.Created, Document: raw}
	env, err := Sign(k, h.Kind, st)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return &Bundle{
		Format: BundleFormat, Kind: h.Kind, From: h.From, To: h.To, Cc: h.Cc,
		Ref: h.Ref, Seq: h.Seq, Created: h.Created, Envelope: env,
	}, nil
}

func normaliseCc(cc []string) []string {
	if len(cc) == 0 {
		return nil
	}
	cc = slices.Clone(cc)
	slices.Sort(cc)
	return slices.Compact(cc)
}

func (h *Header) validate(op string) error {
	f := map[string]string{}
	if !ValidKind(h.Kind) {
		f["kind"] = "unknown document kind"
	}
	if !validParty(h.From) {
		f["from"] = "not a party code"
	}
	if !validParty(h.To) {
		f["to"] = "not a party code"
	}
	for _, c := range h.Cc {
		if !validParty(c) {
			f["cc"] = "not a list of party codes"
		}
	}
	if !validRef(h.Ref) {
		f["ref"] = "a reference has 1 to 128 printable characters"
	}
	if h.Seq < 1 || h.Seq > maxSeq {
		f["seq"] = "a step number is a whole number from 1"
	}
	if h.Created.IsZero() {
		f["created"] = "missing"
	}
	if len(f) > 0 {
		return errs.Fields(op, f)
	}
	return nil
}

// validParty reports whether s looks like a party code: 2 to 32 ASCII
// letters, digits, '-' or '_'.
func validParty(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validRef(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// Countersign adds k's signature to the bundle's document, as the
// intermediary and then the receiving party do on a handover receipt. Verify
// the bundle before countersigning it.
func (b *Bundle) Countersign(k *Key) error {
	return errs.Wrap("sign.Bundle.Countersign", AddSignature(b.Envelope, k))
}

// Marshal returns the bundle file: indented JSON ending in a newline.
func (b *Bundle) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, errs.WrapKind("sign.Bundle.Marshal", errs.Internal, err)
	}
	return append(data, '\n'), nil
}

// WriteTo writes the bundle file to w.
func (b *Bundle) WriteTo(w io.Writer) (int64, error) {
	data, err := b.Marshal()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(data)
	return int64(n), errs.WrapKind("sign.Bundle.WriteTo", errs.Internal, err)
}

// ReadBundle reads one bundle file of at most MaxBundleSize bytes. It checks
// the form of the file, not its signatures: call [Bundle.Verify].
func ReadBundle(r io.Reader) (*Bundle, error) {
	const op = "sign.ReadBundle"
	data, err := io.ReadAll(io.LimitReader(r, MaxBundleSize+1))
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if len(data) > MaxBundleSize {
		return nil, refuse(op, errs.TooLarge, ErrTooLarge, "the bundle is larger than %d MiB", MaxBundleSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the bundle file is empty")
	}
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, refuse(op, errs.Invalid, ErrMalformed, "the bundle file is truncated: it ends in the middle of the JSON")
		}
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the file is not a bundle: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the bundle file has data after its end")
	}
	if err := exactKeys(data); err != nil {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the file is not a bundle: %v", err)
	}
	if b.Format != BundleFormat {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the file is not a bundle of format %q (format %q)", BundleFormat, printable(b.Format))
	}
	if b.Envelope == nil {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the bundle has no signed envelope")
	}
	if !ValidKind(b.Kind) {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the bundle holds an unknown kind of document %q", printable(b.Kind))
	}
	return &b, nil
}

// bundleKeys are the object keys of a bundle file, at any level.
var bundleKeys = map[string]bool{
	"format": true, "kind": true, "from": true, "to": true, "cc": true, "ref": true, "seq": true, "created": true,
	"envelope": true, "payloadType": true, "payload": true, "signatures": true, "keyid": true, "sig": true,
}

// exactKeys refuses object keys that encoding/json would accept but a
// bundle never has: keys spelt with other letter case, and repeated keys.
// With it, no changed byte in a bundle file goes unnoticed.
func exactKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		seen   map[string]bool
		key    bool // the next token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			k, _ := tok.(string)
			if !bundleKeys[k] {
				return fmt.Errorf("unexpected field %q", printable(k))
			}
			if top.seen[k] {
				return fmt.Errorf("field %q appears twice", k)
			}
			top.seen[k] = true
			top.key = false
			continue
		}
		if top != nil && top.object {
			top.key = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, seen: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// Verify checks the bundle for the node of party self: every signature is by
// a trusted key and verifies, the signed payload is canonical, the clear
// header agrees with the signed one, the bundle is meant for self (self is its
// recipient, one of its copies, or its author receiving it back
// countersigned), and every party in requiredSigners signed it. Each refusal
// wraps one of the Err sentinels.
func (b *Bundle) Verify(trust TrustSet, self string, requiredSigners []string) (*Verified, error) {
	const op = "sign.Bundle.Verify"
	if b.Format != BundleFormat {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "not a bundle of format %q", BundleFormat)
	}
	signers, kind, payload, err := verify(op, b.Envelope, trust)
	if err != nil {
		return nil, err
	}
	var st statement
	if err := decodeStrict(op, payload, &st); err != nil {
		return nil, err
	}
	if st.Document == nil || bytes.Equal(st.Document, []byte("null")) {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the signed bundle holds no document")
	}
	if st.Kind != kind {
		return nil, refuse(op, errs.Invalid, ErrHeaderMismatch, "the signed document says it is a %s, its payload type says %s", printable(st.Kind), kind)
	}
	for _, m := range []struct{ field, clear, signed string }{
		{"kind", b.Kind, st.Kind},
		{"from", b.From, st.From},
		{"to", b.To, st.To},
		{"ref", b.Ref, st.Ref},
	} {
		if m.clear != m.signed {
			return nil, refuse(op, errs.Invalid, ErrHeaderMismatch, "the bundle's %s %q differs from the signed %s %q", m.field, printable(m.clear), m.field, printable(m.signed))
		}
	}
	if b.Seq != st.Seq {
		return nil, refuse(op, errs.Invalid, ErrHeaderMismatch, "the bundle's step %d differs from the signed step %d", b.Seq, st.Seq)
	}
	if !b.Created.Equal(st.Created) {
		return nil, refuse(op, errs.Invalid, ErrHeaderMismatch, "the bundle's creation time differs from the signed one")
	}
	if !slices.Equal(b.Cc, st.Cc) {
		return nil, refuse(op, errs.Invalid, ErrHeaderMismatch, "the bundle's copy list differs from the signed one")
	}
	h := Header{Kind: st.Kind, From: st.From, To: st.To, Cc: st.Cc, Ref: st.Ref, Seq: st.Seq, Created: st.Created}
	if err := h.validate(op); err != nil {
		return nil, refuse(op, errs.Invalid, ErrMalformed, "the signed header is not valid: %v", err)
	}
	if self != h.To && self != h.From && !slices.Contains(h.Cc, self) {
		return nil, refuse(op, errs.Invalid, ErrWrongRecipient, "this %s from %s is meant for %s, not for this node (%s)", kind, h.From, h.To, self)
	}
	for _, p := range requiredSigners {
		if !slices.ContainsFunc(signers, func(s Signer) bool { return s.Party == p }) {
			return nil, refuse(op, errs.Invalid, ErrMissingSignature, "this %s is not signed by %s, whose signature it needs", kind, p)
		}
	}
	return &Verified{Header: h, Signers: signers, Payload: payload, document: st.Document}, nil
}

// Decode decodes the verified document into v, refusing unknown fields.
func (v *Verified) Decode(dst any) error {
	return decodeStrict("sign.Verified.Decode", v.document, dst)
}

// Document returns the verified document's canonical JSON.
func (v *Verified) Document() json.RawMessage { return slices.Clone(v.document) }

// Digest returns the hex SHA-256 of the signed payload. Two bundles with the
// same digest carry the same signed document, so an import can be made
// idempotent on it.
func (v *Verified) Digest() string {
	sum := sha256.Sum256(v.Payload)
	return hex.EncodeToString(sum[:])
}

// SignedBy reports whether party signed the document.
func (v *Verified) SignedBy(party string) bool {
	return slices.ContainsFunc(v.Signers, func(s Signer) bool { return s.Party == party })
}

// CheckOrder refuses the bundle unless its step comes after last, the last
// step this node has accepted for the same reference.
func (v *Verified) CheckOrder(last int64) error {
	if v.Seq <= last {
		return refuse("sign.Verified.CheckOrder", errs.Conflict, ErrOutOfOrder,
			"step %d of %s is not after step %d, already accepted", v.Seq, v.Ref, last)
	}
	return nil
}

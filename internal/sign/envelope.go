package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gowebpki/jcs"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"lifeline/internal/errs"
)

// Kinds of signed document.
const (
	KindManifest             = "manifest"
	KindHandoverReceipt      = "handover_receipt"
	KindDeliveryReport       = "delivery_report"
	KindRepatriationRoster   = "repatriation_roster"
	KindRepatriationOutcomes = "repatriation_outcomes"
	// KindCaseRefusal is a party's refusal to accept the return of a case
	// of displaced civilians, as the party recording it signs it.
	KindCaseRefusal = "case_refusal"
)

var kinds = []string{KindManifest, KindHandoverReceipt, KindDeliveryReport, KindRepatriationRoster, KindRepatriationOutcomes, KindCaseRefusal}

// Kinds returns every kind of signed document.
func Kinds() []string { return append([]string(nil), kinds...) }

// ValidKind reports whether kind is a kind of signed document.
func ValidKind(kind string) bool {
	for _, k := range kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// PayloadType returns the DSSE payload type of a document kind.
func PayloadType(kind string) string { return "application/vnd.lifeline." + kind + "+json" }

// kindOf returns the kind named by a payload type.
func kindOf(payloadType string) (string, bool) {
	k, ok := strings.CutPrefix(payloadType, "application/vnd.lifeline.")
	if !ok {
		return "", false
	}
	k, ok = strings.CutSuffix(k, "+json")
	if !ok || !ValidKind(k) {
		return "", false
	}
	return k, true
}

// Sentinel errors: every refusal wraps exactly one of them, so callers and
// tests can tell refusals apart with errors.Is. The errors themselves are
// *errs.Error values with a user-facing message.
var (
	ErrMalformed        = errors.New("malformed")                           // not a bundle or envelope, truncated, bad base64, bad JSON
	ErrTooLarge         = errors.New("too large")                           // over MaxBundleSize
	ErrUnknownSigner    = errors.New("signed by an untrusted key")          // a signature by a key not in the trust set
	ErrBadSignature     = errors.New("signature does not verify")           // a signature that does not match the payload
	ErrNotCanonical     = errors.New("payload is not canonical JSON")       // a validly signed payload that is not RFC 8785 JSON
	ErrHeaderMismatch   = errors.New("bundle header disagrees with signed") // clear fields differ from the signed ones
	ErrWrongRecipient   = errors.New("bundle meant for another node")       // replayed to a node it was not meant for
	ErrMissingSignature = errors.New("required signature missing")          // a party that must have signed did not
	ErrOutOfOrder       = errors.New("step out of order")                   // a step number not after the last one seen
	ErrAlreadySigned    = errors.New("already signed by this key")          // countersigning twice with one key
)

func refuse(op string, k errs.Kind, sentinel error, format string, args ...any) error {
	e := errs.E(op, k, format, args...)
	e.Err = sentinel
	return e
}

// TrustedKey is a public key trusted to speak for a party.
type TrustedKey struct {
	Party string
	Key   PublicKey
}

// TrustSet maps key ids to the keys this node trusts and the parties they
// speak for. A node trusts its own key and the keys of the parties it deals
// with, each added explicitly.
type TrustSet map[string]TrustedKey

// Add trusts key to speak for party.
func (t TrustSet) Add(party string, key PublicKey) { t[key.ID()] = TrustedKey{Party: party, Key: key} }

// Signer is a verified signature: the party and the key that made it.
type Signer struct {
	Party string
	KeyID string
}

// Sign signs doc as a document of the given kind: the payload is the RFC 8785
// canonical JSON of doc, signed in a DSSE envelope.
func Sign(k *Key, kind string, doc any) (*dsse.Envelope, error) {
	const op = "sign.Sign"
	if !ValidKind(kind) {
		return nil, errs.E(op, errs.Invalid, "unknown document kind %q", kind)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	payload, err := jcs.Transform(raw)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	env := &dsse.Envelope{
		PayloadType: PayloadType(kind),
		Payload:     base64.StdEncoding.EncodeToString(payload),
	}
	env.Signatures = []dsse.Signature{k.signature(env.PayloadType, payload)}
	return env, nil
}

func (k *Key) signature(payloadType string, payload []byte) dsse.Signature {
	sig := ed25519.Sign(k.priv, dsse.PAE(payloadType, payload))
	return dsse.Signature{KeyID: k.ID(), Sig: base64.StdEncoding.EncodeToString(sig)}
}

// AddSignature countersigns env's payload with k. It does not check the
// signatures already there: verify the envelope first.
func AddSignature(env *dsse.Envelope, k *Key) error {
	const op = "sign.AddSignature"
	if env == nil {
		return errs.E(op, errs.Invalid, "no envelope to sign")
	}
	payload, err := decodeB64(env.Payload)
	if err != nil {
		return refuse(op, errs.Invalid, ErrMalformed, "the envelope payload is not valid base64")
	}
	for _, s := range env.Signatures {
		if s.KeyID == k.ID() {
			return refuse(op, errs.Conflict, ErrAlreadySigned, "the document is already signed by key %s", k.ID())
		}
	}
	env.Signatures = append(env.Signatures, k.signature(env.PayloadType, payload))
	return nil
}

// Verify checks every signature on env against trust and returns who signed,
// in the envelope's order. It refuses an envelope with no signature, a
// signature by a key not in trust, a signature that does not verify, a
// payload type that is not a Lifeline document, and a payload that is not
// canonical JSON.
func Verify(env *dsse.Envelope, trust TrustSet) ([]Signer, error) {
	signers, _, _, err := verify("sign.Verify", env, trust)
	return signers, err
}

// DecodePayload decodes env's payload into v, refusing unknown fields. It does
// not verify: call [Verify] first.
func DecodePayload(env *dsse.Envelope, v any) error {
	const op = "sign.DecodePayload"
	payload, err := decodeB64(env.Payload)
	if err != nil {
		return refuse(op, errs.Invalid, ErrMalformed, "the envelope payload is not valid base64")
	}
	return decodeStrict(op, payload, v)
}

func decodeStrict(op string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return refuse(op, errs.Invalid, ErrMalformed, "the document does not match what was expected: %v", err)
	}
	if dec.More() {
		return refuse(op, errs.Invalid, ErrMalformed, "the document has data after its end")
	}
	return nil
}

// verify checks env and returns its signers, kind and payload.
func verify(op string, env *dsse.Envelope, trust TrustSet) ([]Signer, string, []byte, error) {
	if env == nil || len(env.Signatures) == 0 {
		return nil, "", nil, refuse(op, errs.Invalid, ErrMissingSignature, "the document carries no signature")
	}
	payload, err := decodeB64(env.Payload)
	if err != nil {
		return nil, "", nil, refuse(op, errs.Invalid, ErrMalformed, "the envelope payload is not valid base64")
	}
	pae := dsse.PAE(env.PayloadType, payload)
	signers := make([]Signer, 0, len(env.Signatures))
	seen := make(map[string]bool, len(env.Signatures))
	for i, s := range env.Signatures {
		tk, ok := trust[s.KeyID]
		if !ok {
			return nil, "", nil, refuse(op, errs.Invalid, ErrUnknownSigner,
				"signature %d is by key %s, which this node does not trust", i+1, printable(s.KeyID))
		}
		if seen[s.KeyID] {
			return nil, "", nil, refuse(op, errs.Invalid, ErrMalformed, "key %s signed the document twice", s.KeyID)
		}
		seen[s.KeyID] = true
		sig, err := decodeB64(s.Sig)
		if err != nil || !ed25519.Verify(tk.Key.key, pae, sig) {
			return nil, "", nil, refuse(op, errs.Invalid, ErrBadSignature,
				"the signature by key %s (%s) does not verify: the document was changed or the signature is corrupt", s.KeyID, tk.Party)
		}
		signers = append(signers, Signer{Party: tk.Party, KeyID: s.KeyID})
	}
	kind, ok := kindOf(env.PayloadType)
	if !ok {
		return nil, "", nil, refuse(op, errs.Invalid, ErrMalformed, "payload type %q is not a Lifeline document", printable(env.PayloadType))
	}
	canon, err := jcs.Transform(payload)
	if err != nil || !bytes.Equal(canon, payload) {
		return nil, "", nil, refuse(op, errs.Invalid, ErrNotCanonical,
			"the signed %s is not canonical JSON (RFC 8785); it was not made by Lifeline", kind)
	}
	return signers, kind, payload, nil
}

// printable shortens s and quotes it when it is not a plain token, for
// messages about input that may be hostile.
func printable(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

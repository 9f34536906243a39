// Package sign holds a node's signing key, signed documents and the bundles
// that carry them between independent nodes.
//
// # Keys
//
// A node signs with one Ed25519 key, kept in a text file readable only by its
// owner (mode 0600). The file holds comment lines starting with '#' and one
// line
//
//	lifeline-ed25519-private <standard base64 of the 32-byte Ed25519 seed>
//
// The public key travels as one line
//
//	lifeline-ed25519 <standard base64 of the 32-byte public key>
//
// and is identified by its key id: the first 8 bytes of the SHA-256 of the
// public key, in lowercase hex. The party a key speaks for is not part of the
// key: each node records it when it trusts the key (see [TrustSet]).
//
// # Documents and bundles
//
// Documents that cross between parties are signed in a DSSE envelope whose
// payload is RFC 8785 canonical JSON, with payload type
// "application/vnd.lifeline.<kind>+json". A [Bundle] carries one envelope
// between nodes, with its kind, sender, recipient, reference and step number
// both in the clear and inside the signed payload.
package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/errs"
)

const (
	privatePrefix  = "lifeline-ed25519-private"
	publicPrefix   = "lifeline-ed25519"
	noteAlgEd25519 = 1 // algorithm byte of an Ed25519 key in a signed note
)

// Key is a node's private signing key.
type Key struct {
	priv ed25519.PrivateKey
	pub  PublicKey
}

// PublicKey is the public half of a node key.
type PublicKey struct {
	key ed25519.PublicKey
}

// GenerateKey makes a new key from the random source r (crypto/rand when r is nil).
func GenerateKey(r io.Reader) (*Key, error) {
	const op = "sign.GenerateKey"
	if r == nil {
		r = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return keyFrom(priv), nil
}

// NewKeyFromSeed builds a key from a 32-byte Ed25519 seed. Tests use it for
// reproducible keys.
func NewKeyFromSeed(seed []byte) (*Key, error) {
	const op = "sign.NewKeyFromSeed"
	if len(seed) != ed25519.SeedSize {
		return nil, errs.E(op, errs.Invalid, "a key seed has %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	return keyFrom(ed25519.NewKeyFromSeed(seed)), nil
}

func keyFrom(priv ed25519.PrivateKey) *Key {
	return &Key{priv: priv, pub: PublicKey{key: priv.Public().(ed25519.PublicKey)}}
}

// LoadOrCreateKey reads the key file at path, or creates it with a new key
// (mode 0600, and its directory with mode 0700) when there is none. It refuses
// a key file that the group or others may read or write.
func LoadOrCreateKey(path string) (*Key, error) {
	const op = "sign.LoadOrCreateKey"
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(op, path)
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errs.E(op, errs.Invalid, "key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, errs.E(op, errs.Forbidden,
			"key file %s has mode %04o: the group or others may read or change it; a private key must be open to its owner only (chmod 600 %s)",
			path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	k, err := parseKey(data)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "key file %s: %v", path, err)
	}
	return k, nil
}

func createKey(op, path string) (*Key, error) {
	k, err := GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
	}
	// O_EXCL: two processes starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	_, werr := f.Write(k.marshal())
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return k, nil
}

func (k *Key) marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Lifeline node signing key (Ed25519). Keep this file secret: mode 0600.\n")
	fmt.Fprintf(&b, "# Public key: %s\n", k.pub)
	fmt.Fprintf(&b, "# Key id: %s\n", k.ID())
	fmt.Fprintf(&b, "%s %s\n", privatePrefix, base64.StdEncoding.EncodeToString(k.priv.Seed()))
	return b.Bytes()
}

func parseKey(data []byte) (*Key, error) {
	line, err := oneLine(string(data), privatePrefix)
	if err != nil {
		return nil, err
	}
	seed, err := decodeB64(line)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("the private key is not the base64 of a 32-byte Ed25519 seed")
	}
	return keyFrom(ed25519.NewKeyFromSeed(seed)), nil
}

// oneLine returns the value of the single "prefix value" line in text,
// skipping blank lines and comments.
func oneLine(text, prefix string) (string, error) {
	var found []string
	for l := range strings.Lines(text) {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		found = append(found, l)
	}
	if len(found) != 1 {
		return "", fmt.Errorf("want one line %q, found %d lines", prefix+" <base64>", len(found))
	}
	p, v, ok := strings.Cut(found[0], " ")
	if !ok || p != prefix {
		return "", fmt.Errorf("want a line starting with %q", prefix+" ")
	}
	return strings.TrimSpace(v), nil
}

// decodeB64 decodes standard padded base64 and refuses any other spelling of
// the same bytes, so that no changed character goes unnoticed.
func decodeB64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if base64.StdEncoding.EncodeToString(b) != s {
		return nil, errors.New("base64 is not in its standard form")
	}
	return b, nil
}

// ID returns the key id of k's public key.
func (k *Key) ID() string { return k.pub.ID() }

// Public returns the public half of k.
func (k *Key) Public() PublicKey { return k.pub }

// NoteSigner returns a signer of C2SP signed notes (checkpoints) under the
// given key name, using the same Ed25519 key.
func (k *Key) NoteSigner(name string) (note.Signer, error) {
	const op = "sign.NoteSigner"
	pub := append([]byte{noteAlgEd25519}, k.pub.key...)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, noteKeyHash(name, pub),
		base64.StdEncoding.EncodeToString(append([]byte{noteAlgEd25519}, k.priv.Seed()...)))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "cannot make a note signer named %q: %v", name, err)
	}
	return s, nil
}

// ID returns the key id: the first 8 bytes of the SHA-256 of the public key, in hex.
func (p PublicKey) ID() string {
	sum := sha256.Sum256(p.key)
	return hex.EncodeToString(sum[:8])
}

// IsZero reports whether p holds no key.
func (p PublicKey) IsZero() bool { return len(p.key) == 0 }

// Equal reports whether p and q are the same key.
func (p PublicKey) Equal(q PublicKey) bool { return bytes.Equal(p.key, q.key) }

// String returns the one-line text form "lifeline-ed25519 <base64>".
func (p PublicKey) String() string {
	return publicPrefix + " " + base64.StdEncoding.EncodeToString(p.key)
}

// MarshalText implements encoding.TextMarshaler with the one-line form.
func (p PublicKey) MarshalText() ([]byte, error) {
	if p.IsZero() {
		return nil, errs.E("sign.PublicKey.MarshalText", errs.Invalid, "empty public key")
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *PublicKey) UnmarshalText(b []byte) error {
	q, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePublicKey parses the one-line text form of a public key. Blank lines
// and lines starting with '#' around it are ignored, so a published key file
// may carry comments.
func ParsePublicKey(s string) (PublicKey, error) {
	const op = "sign.ParsePublicKey"
	v, err := oneLine(s, publicPrefix)
	if err != nil {
		return PublicKey{}, errs.E(op, errs.Invalid, "not a Lifeline public key: %v", err)
	}
	b, err := decodeB64(v)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return PublicKey{}, errs.E(op, errs.Invalid, "not a Lifeline public key: want the base64 of a 32-byte Ed25519 public key")
	}
	return PublicKey{key: ed25519.PublicKey(b)}, nil
}

// NoteVerifierKey returns the verifier key text of p under the given name, as
// note.NewVerifier reads it ("<name>+<hash>+<base64>"); auditors and witnesses
// use it to check checkpoints.
func (p PublicKey) NoteVerifierKey(name string) (string, error) {
	const op = "sign.NoteVerifierKey"
	if p.IsZero() {
		return "", errs.E(op, errs.Invalid, "empty public key")
	}
	pub := append([]byte{noteAlgEd25519}, p.key...)
	vkey := fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, pub), base64.StdEncoding.EncodeToString(pub))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", errs.E(op, errs.Invalid, "cannot make a note verifier named %q: %v", name, err)
	}
	return vkey, nil
}

// NoteVerifier returns a verifier of signed notes made by [Key.NoteSigner]
// with the same name.
func (p PublicKey) NoteVerifier(name string) (note.Verifier, error) {
	vkey, err := p.NoteVerifierKey(name)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, errs.E("sign.NoteVerifier", errs.Invalid, "cannot make a note verifier named %q: %v", name, err)
	}
	return v, nil
}

// noteKeyHash is the key hash of a signed-note key: the first four bytes of
// SHA-256(name || "\n" || algorithm byte || public key).
func noteKeyHash(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

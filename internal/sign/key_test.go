package sign

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/errs"
)

// testKey returns a reproducible key made from one seed byte.
func testKey(t testing.TB, b byte) *Key {
	t.Helper()
	k, err := NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoadOrCreateKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not enforced on Windows")
	}
	path := filepath.Join(t.TempDir(), "keys", "node.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode: got %04o, want 0600", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nlifeline-ed25519-private ") {
		t.Errorf("key file: got %q, want a line lifeline-ed25519-private", data)
	}
	if !strings.Contains(string(data), k1.Public().String()) {
		t.Errorf("key file: got %q, want a comment with the public key", data)
	}

	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !k2.Public().Equal(k1.Public()) || k2.ID() != k1.ID() {
		t.Errorf("reloaded key: got %s, want %s", k2.ID(), k1.ID())
	}

	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateKey(path)
		if !errs.Is(err, errs.Forbidden) {
			t.Errorf("mode %04o: got %v, want a Forbidden error", mode, err)
		}
		if err != nil && !strings.Contains(errs.MessageOf(err), "chmod 600") {
			t.Errorf("mode %04o: message %q, want it to say chmod 600", mode, errs.MessageOf(err))
		}
	}
}

func TestLoadKeyMalformed(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"comments only", "# nothing\n"},
		{"wrong prefix", "lifeline-ed25519 AAAA\n"},
		{"bad base64", "lifeline-ed25519-private !!!!\n"},
		{"short seed", "lifeline-ed25519-private AAAA\n"},
		{"two keys", "lifeline-ed25519-private " + strings.Repeat("A", 43) + "=\nlifeline-ed25519-private " + strings.Repeat("A", 43) + "=\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "node.key")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKey(path)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestKeyFileRoundTrip(t *testing.T) {
	k := testKey(t, 7)
	got, err := parseKey(k.marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != k.ID() || !bytes.Equal(got.priv, k.priv) {
		t.Errorf("parsed key: got %s, want %s", got.ID(), k.ID())
	}
}

func TestKeyID(t *testing.T) {
	a, b := testKey(t, 1), testKey(t, 2)
	if len(a.ID()) != 16 {
		t.Errorf("key id %q: got %d characters, want 16", a.ID(), len(a.ID()))
	}
	if a.ID() == b.ID() {
		t.Errorf("two keys share the id %s", a.ID())
	}
	if a.ID() != a.Public().ID() {
		t.Errorf("key id: got %s, public key id %s", a.ID(), a.Public().ID())
	}
}

func TestPublicKeyText(t *testing.T) {
	k := testKey(t, 3)
	s := k.Public().String()
	if !strings.HasPrefix(s, "lifeline-ed25519 ") || strings.Contains(s, "\n") {
		t.Errorf("public key text: got %q, want one line starting lifeline-ed25519", s)
	}
	for _, in := range []string{s, s + "\n", "# ICRC node key\n\n" + s + "\n"} {
		p, err := ParsePublicKey(in)
		if err != nil {
			t.Fatalf("parse %q: %v", in, err)
		}
		if !p.Equal(k.Public()) {
			t.Errorf("parse %q: got %s, want %s", in, p, k.Public())
		}
	}
	text, err := k.Public().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var p PublicKey
	if err := p.UnmarshalText(text); err != nil || !p.Equal(k.Public()) {
		t.Errorf("text round trip: got %s, %v, want %s", p, err, k.Public())
	}

	bad := []string{
		"",
		"lifeline-ed25519",
		"ssh-ed25519 " + strings.TrimPrefix(s, "lifeline-ed25519 "),
		"lifeline-ed25519 AAAA",
		"lifeline-ed25519 " + strings.TrimPrefix(s, "lifeline-ed25519 ") + "AA",
		"lifeline-ed25519 " + strings.TrimSuffix(strings.TrimPrefix(s, "lifeline-ed25519 "), "="),
		s + "\n" + s,
		"lifeline-ed25519-private " + strings.TrimPrefix(s, "lifeline-ed25519 "),
	}
	for _, in := range bad {
		if _, err := ParsePublicKey(in); !errs.Is(err, errs.Invalid) {
			t.Errorf("parse %q: got %v, want an Invalid error", in, err)
		}
	}
}

func TestNoteSignerVerifier(t *testing.T) {
	k := testKey(t, 4)
	const name = "lifeline.example/icrc"
	s, err := k.NoteSigner(name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Public().NoteVerifier(name)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != name || v.Name() != name || s.KeyHash() != v.KeyHash() {
		t.Errorf("signer %s %08x, verifier %s %08x: want the same name and hash", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	text := "lifeline.example/icrc\n42\nq83ieYy1bEqeoG6eZvV3rDvMf9NrzRe8pqsfy1v0Hw8=\n"
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if n.Text != text || len(n.Sigs) != 1 {
		t.Errorf("open: got %q with %d signatures, want the text with 1", n.Text, len(n.Sigs))
	}

	vkey, err := k.Public().NoteVerifierKey(name)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("note.NewVerifier(%q): %v", vkey, err)
	}
	if _, err := note.Open(msg, note.VerifierList(v2)); err != nil {
		t.Errorf("open with the published verifier key: %v", err)
	}

	other, err := testKey(t, 5).Public().NoteVerifier(name)
	if err != nil {
		t.Fatal(err)
	}
	_, err = note.Open(msg, note.VerifierList(other))
	var unknown *note.UnknownVerifierError
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unknown) && !errors.As(err, &unverified) {
		t.Errorf("open with another key: got %v, want no accepted signature", err)
	}

	tampered := bytes.Replace(msg, []byte("42"), []byte("43"), 1)
	if _, err := note.Open(tampered, note.VerifierList(v)); err == nil {
		t.Errorf("open a changed note: got no error, want one")
	}

	for _, bad := range []string{"", "with space", "with+plus"} {
		if _, err := k.NoteSigner(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("NoteSigner(%q): got %v, want an Invalid error", bad, err)
		}
		if _, err := k.Public().NoteVerifier(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("NoteVerifier(%q): got %v, want an Invalid error", bad, err)
		}
	}
}

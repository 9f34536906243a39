package consignments

import (
	"os"
	"path/filepath"
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

func TestNodeKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := NodeKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "node.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("got mode %o, want 600", fi.Mode().Perm())
	}
	k2, err := NodeKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Public().Equal(k2.Public()) {
		t.Error("a second start made another key")
	}
	other := filepath.Join(dir, "elsewhere", "my.key")
	k3, err := NodeKey(dir, other)
	if err != nil {
		t.Fatal(err)
	}
	if k3.Public().Equal(k1.Public()) {
		t.Error("the key file setting was ignored")
	}
}

func TestKeyring(t *testing.T) {
	dir := t.TempDir()
	fed := NewKeyring(dir, "", "UA")
	k, err := fed.Key("UA")
	if err != nil {
		t.Fatal(err)
	}
	nk, _ := NodeKey(dir, "")
	if !k.Public().Equal(nk.Public()) {
		t.Error("a federated node does not sign with its node key")
	}
	if _, err := fed.Key("RU"); !errs.Is(err, errs.Forbidden) {
		t.Errorf("signing for another party: got %v, want forbidden", err)
	}
	one := NewKeyring(t.TempDir(), "", "")
	ua, err := one.Key("UA")
	if err != nil {
		t.Fatal(err)
	}
	ru, err := one.Key("RU")
	if err != nil {
		t.Fatal(err)
	}
	if ua.Public().Equal(ru.Public()) {
		t.Error("one node: two parties share a key")
	}
	if _, err := one.Key("../x"); !errs.Is(err, errs.Invalid) {
		t.Errorf("a bad party code: got %v, want invalid", err)
	}
	trust := sign.TrustSet{}
	if err := one.AddOwn(trust, "UA", "RU", "UA"); err != nil {
		t.Fatal(err)
	}
	if len(trust) != 2 || trust[ua.ID()].Party != "UA" || trust[ru.ID()].Party != "RU" {
		t.Errorf("got trust %v", trust)
	}
	var none *Keyring
	if _, err := none.Key("UA"); err == nil {
		t.Error("a nil keyring signed")
	}
	st := StaticKeyring("", map[string]*sign.Key{"UA": ua})
	if got, err := st.Key("UA"); err != nil || got != ua {
		t.Errorf("static keyring: got %v, %v", got, err)
	}
	if _, err := st.Key("RU"); !errs.Is(err, errs.Forbidden) {
		t.Errorf("static keyring without the key: got %v, want forbidden", err)
	}
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBundleCommands exports a signed manifest from the demo node, checks
// it, refuses tampered, truncated and untrusted copies, and imports it
// again without changing anything.
func TestBundleCommands(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + filepath.Join(dir, "demo")
	if code, out, stderr := run(t, "", "demo", data, "--no-serve", "--pows", "300"); code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ := run(t, "", "consignments", "list", data, "--json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) == 0 {
		t.Fatalf("consignments list: %d %q", code, out)
	}
	ref := ""
	for _, c := range list {
		if c["state"] == "receipted" {
			ref = c["ref"].(string)
		}
	}
	if ref == "" {
		t.Fatalf("no receipted consignment in %v", list)
	}
	file := filepath.Join(dir, "manifest.json")
	if code, _, stderr := run(t, "", "bundle", "export", data, "--consignment", ref, "--kind", "manifest", "--out", file); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if code, out, stderr := run(t, "", "bundle", "verify", data, file); code != 0 || !strings.Contains(out, "verified") || !strings.Contains(out, ref) {
		t.Fatalf("verify: %d %q %q", code, out, stderr)
	}
	raw, _ := os.ReadFile(file)
	tampered := []byte(string(raw))
	i := strings.Index(string(raw), `"payload": "`) + len(`"payload": "`) + 100
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	bad := map[string][]byte{"tampered": tampered, "truncated": raw[:len(raw)/2]}
	for name, b := range bad {
		f := filepath.Join(dir, name+".json")
		os.WriteFile(f, b, 0o600)
		if code, _, stderr := run(t, "", "bundle", "verify", data, f); code != 1 || stderr == "" {
			t.Errorf("%s: got %d %q, want a refusal", name, code, stderr)
		}
		if code, _, _ := run(t, "", "bundle", "import", data, f); code != 1 {
			t.Errorf("%s import: got %d, want 1", name, code)
		}
	}
	// A node that trusts nobody refuses the signer.
	if code, _, stderr := run(t, "", "bundle", "verify", "--data="+filepath.Join(dir, "other"), file); code != 1 || !strings.Contains(stderr, "does not trust") {
		t.Errorf("untrusted: got %d %q", code, stderr)
	}
	// Importing twice changes nothing.
	if code, out, _ := run(t, "", "bundle", "import", data, file); code != 0 || !strings.Contains(out, "already imported") {
		t.Errorf("import again: got %d %q", code, out)
	}
	// Trusting a key: a bad file is refused, a real key is taken.
	os.WriteFile(filepath.Join(dir, "junk.pub"), []byte("not a key"), 0o600)
	if code, _, _ := run(t, "", "party", "trust", data, "RU", filepath.Join(dir, "junk.pub")); code != 1 {
		t.Errorf("trust junk: got %d, want 1", code)
	}
	_, pub, _ := run(t, "", "key", "show", "--data="+filepath.Join(dir, "other"))
	os.WriteFile(filepath.Join(dir, "other.pub"), []byte(pub), 0o600)
	if code, out, stderr := run(t, "", "party", "trust", data, "RU", filepath.Join(dir, "other.pub")); code != 0 || !strings.Contains(out, "trusted key") {
		t.Errorf("trust: got %d %q %q", code, out, stderr)
	}
}

package cli_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/cli"
	"lifeline/internal/server"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
	"lifeline/internal/tlog"
)

// logNode is one node of the test: its database, key, app and server.
type logNode struct {
	dsn     string
	keyFile string
	vkey    string // its signed-note verifier key
	vkeyF   string // a file holding vkey
	db      *store.DB
	app     *app.App
	srv     *httptest.Server
}

// newLogNode starts a node whose log is origin, over a fresh database of
// dialect d, served by a real server.
func newLogNode(t *testing.T, d store.Dialect, origin string) *logNode {
	t.Helper()
	ctx := context.Background()
	n := &logNode{dsn: storetest.DSN(t, d), keyFile: filepath.Join(t.TempDir(), "node.key")}
	db, err := store.Open(ctx, n.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := sign.LoadOrCreateKey(n.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	n.db = db
	n.app = &app.App{DB: db, Log: slog.New(slog.DiscardHandler), Version: "test", Key: key}
	if err := n.app.OpenLog(ctx, origin, 0); err != nil {
		t.Fatal(err)
	}
	if n.vkey, err = n.app.LogKey(); err != nil {
		t.Fatal(err)
	}
	n.vkeyF = filepath.Join(t.TempDir(), "key.vkey")
	if err := os.WriteFile(n.vkeyF, []byte("# "+origin+"\n"+n.vkey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n.srv = httptest.NewServer(server.New(n.app).Handler())
	t.Cleanup(n.srv.Close)
	return n
}

// dbFlags are the flags that point a command at the node's database.
func (n *logNode) dbFlags() []string {
	if store.IsPostgres(n.dsn) {
		return []string{"--db", n.dsn, "--key-file", n.keyFile}
	}
	return []string{"--data", filepath.Dir(n.dsn), "--key-file", n.keyFile}
}

// runCLI runs the lifeline command line and returns its exit code, stdout
// and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &cli.Env{Ctx: context.Background(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	code := e.Main(args)
	return code, out.String(), errOut.String()
}

// mustCLI runs a command that must succeed.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("lifeline %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// appendDelivered records n deliveries from RU to UA on day in one
// transaction, with their event rows, as the consignments workflow does.
func appendDelivered(t *testing.T, db *store.DB, consignment string, day string, parcels []string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range parcels {
			if err := tx.EventRef(ctx, store.System, "parcel", p, "delivered", map[string]string{"consignment": consignment}); err != nil {
				return err
			}
		}
		_, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: day, Unit: "parcel", Count: len(parcels), Ref: consignment, Subjects: parcels}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func appendRefused(t *testing.T, db *store.DB, day string, people []string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.EventRef(ctx, store.System, "case", people[0], "acceptance_refused", nil); err != nil {
			return err
		}
		_, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.AcceptanceRefused, Party: "UA", Peer: "RU", Day: day, Unit: "civilian", Count: len(people), Ref: "OP-1", Subjects: people}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func auditJSON(t *testing.T, args ...string) (count int, size int64) {
	t.Helper()
	out := mustCLI(t, append([]string{"verify", "audit", "--json"}, args...)...)
	var rep struct {
		Checkpoint struct{ Size int64 }
		Recount    struct{ Count int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	return rep.Recount.Count, rep.Checkpoint.Size
}

// TestLogEndToEnd runs a node with two witness nodes, each with its own
// database and key, appends through the store inside event transactions,
// publishes a co-signed checkpoint and audits it from the URL and offline
// from a mirror, through the command line; then feeds it bad inputs.
func TestLogEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { logEndToEnd(t, d) })
	}
}

func logEndToEnd(t *testing.T, d store.Dialect) {
	{
		ctx := context.Background()
		ua := newLogNode(t, d, "lifeline/UA")
		ru := newLogNode(t, d, "lifeline/RU")
		icrc := newLogNode(t, d, "lifeline/ICRC")
		ruKey := filepath.Join(t.TempDir(), "ru.pub")
		if err := os.WriteFile(ruKey, []byte(ru.app.Key.Public().String()+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The witnesses witness UA's log; UA asks them to co-sign.
		for _, w := range []*logNode{ru, icrc} {
			mustCLI(t, append(append([]string{"witness", "log"}, w.dbFlags()...), "lifeline/UA", ua.vkeyF)...)
		}
		mustCLI(t, append(append([]string{"witness", "add"}, ua.dbFlags()...), "lifeline/RU", ru.srv.URL, ruKey)...)
		mustCLI(t, append(append([]string{"witness", "add"}, ua.dbFlags()...), "lifeline/ICRC", icrc.srv.URL+"/", icrc.vkeyF)...)

		appendDelivered(t, ua.db, "C-2024-12", "2024-12-05", []string{"RR000000001UA", "RR000000002UA"})
		appendDelivered(t, ua.db, "C-2024-12", "2024-12-19", []string{"RR000000003UA"})
		appendDelivered(t, ua.db, "C-2024-11", "2024-11-28", []string{"RR000000004UA"})
		appendRefused(t, ua.db, "2024-12-10", []string{"case-1", "case-2", "case-3", "case-4", "case-5", "case-6"})
		// A transaction that fails leaves neither its event nor its entry.
		err := ua.db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.AppendLog(ctx, []tlog.Event{{Type: tlog.Delivered, Party: "RU", Peer: "UA", Day: "2024-12-20", Unit: "parcel", Count: 100}}); err != nil {
				return err
			}
			return errors.New("the workflow failed")
		})
		if err == nil {
			t.Fatal("the failing transaction committed")
		}
		if n, err := ua.db.LogSize(ctx); err != nil || n != 4 {
			t.Fatalf("log size: got %d, %v; want 4", n, err)
		}

		size, err := ua.app.PublishLog(ctx)
		if err != nil || size != 4 {
			t.Fatalf("publish: got %d, %v; want 4 entries co-signed", size, err)
		}
		old := filepath.Join(t.TempDir(), "old.checkpoint")
		mustCLI(t, "log", "mirror", "--url", ua.srv.URL, "--out", filepath.Dir(old)+"/oldlog")
		if err := os.Rename(filepath.Dir(old)+"/oldlog/checkpoint", old); err != nil {
			t.Fatal(err)
		}

		appendDelivered(t, ua.db, "C-2024-12", "2024-12-30", []string{"RR000000005UA", "RR000000006UA"})
		if size, err = ua.app.PublishLog(ctx); err != nil || size != 5 {
			t.Fatalf("second publish: got %d, %v; want 5 entries co-signed", size, err)
		}
		keys := []string{"--key", ua.vkeyF, "--key", ru.vkeyF, "--key", icrc.vkeyF}

		// The checkpoint is served with both cosignatures.
		out := mustCLI(t, append([]string{"verify", "checkpoint", "--url", ua.srv.URL, "--quorum", "3"}, keys...)...)
		if !strings.Contains(out, "5 entries") || !strings.Contains(out, "lifeline/ICRC") || !strings.Contains(out, "lifeline/RU") {
			t.Errorf("verify checkpoint: got %q, want 5 entries signed by both witnesses", out)
		}

		// Audit from the URL and from a mirror: the same recount.
		filter := []string{"--type", "delivered", "--peer", "UA", "--month", "2024-12"}
		got, sz := auditJSON(t, append(append([]string{"--url", ua.srv.URL, "--quorum", "3"}, keys...), filter...)...)
		if got != 5 || sz != 5 {
			t.Errorf("audit from the URL: got %d parcels at size %d, want 5 at 5", got, sz)
		}
		mirror := filepath.Join(t.TempDir(), "mirror")
		mustCLI(t, "log", "mirror", "--url", ua.srv.URL, "--out", mirror)
		got, _ = auditJSON(t, append(append([]string{"--dir", mirror}, keys...), filter...)...)
		if got != 5 {
			t.Errorf("audit offline: got %d parcels delivered to UA in December, want 5", got)
		}
		text := mustCLI(t, append([]string{"verify", "audit", "--dir", mirror, "--type", "acceptance_refused", "--party", "UA"}, keys...)...)
		if !strings.Contains(text, "recount: 6 civilians refused by UA") {
			t.Errorf("audit text: got\n%s\nwant the recount of 6 civilians refused by UA", text)
		}

		// The statistic the node publishes links to the checkpoint that backs it.
		st, err := ua.app.LogStats(ctx, app.StatQuery{Type: tlog.Delivered, Peer: "UA", Month: "2024-12"})
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 5 || st.Checkpoint.Size != 5 || st.Checkpoint.Origin != "lifeline/UA" {
			t.Errorf("LogStats: got total %d at checkpoint %d of %s, want 5 at 5 of lifeline/UA", st.Total, st.Checkpoint.Size, st.Checkpoint.Origin)
		}

		// Consistency with the old checkpoint, inclusion of one entry.
		mustCLI(t, append(append([]string{"verify", "consistency", "--url", ua.srv.URL}, keys...), old)...)
		incl := mustCLI(t, append([]string{"verify", "inclusion", "--dir", mirror, "--index", "3", "--json"}, keys...)...)
		if !strings.Contains(incl, `"acceptance_refused"`) {
			t.Errorf("inclusion of entry 3: got %s, want the refusal", incl)
		}

		// An arbiter gets the values behind one entry, and no other.
		open := mustCLI(t, append(append([]string{"log", "open"}, ua.dbFlags()...), "0")...)
		if !strings.Contains(open, `"C-2024-12"`) || !strings.Contains(open, `"RR000000001UA"`) || strings.Contains(open, "RR000000003UA") {
			t.Errorf("log open 0: got %s, want consignment C-2024-12 with parcels 1 and 2 only", open)
		}

		badInputs(t, ua, mirror, keys)
	}
}

// copyDir copies a mirror to a fresh directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// only returns the one file matching pattern.
func only(t *testing.T, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) != 1 {
		t.Fatalf("glob %s: got %v, %v; want one file", pattern, m, err)
	}
	return m[0]
}

// splitEntries splits an entry bundle.
func splitEntries(data []byte) [][]byte {
	var out [][]byte
	for len(data) >= 2 {
		n := int(binary.BigEndian.Uint16(data))
		out = append(out, data[2:2+n])
		data = data[2+n:]
	}
	return out
}

func joinEntries(es [][]byte) []byte {
	var out []byte
	for _, e := range es {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out
}

func badInputs(t *testing.T, ua *logNode, mirror string, keys []string) {
	// A stranger's key under the name of a witness.
	impostor, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := impostor.Public().NoteVerifierKey("lifeline/RU")
	if err != nil {
		t.Fatal(err)
	}
	impostorF := filepath.Join(t.TempDir(), "impostor.vkey")
	if err := os.WriteFile(impostorF, []byte(vkey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		prep func(t *testing.T, dir string) []string // returns the command
		want string
	}{
		{"forged checkpoint", func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "checkpoint")
			data, _ := os.ReadFile(p)
			forged := bytes.Replace(data, []byte("\n5\n"), []byte("\n6\n"), 1)
			os.WriteFile(p, forged, 0o644)
			return append(append([]string{"verify", "checkpoint"}, keys...), p)
		}, "forged checkpoint"},
		{"witness signature from an untrusted key", func(t *testing.T, dir string) []string {
			return []string{"verify", "audit", "--dir", dir, "--key", ua.vkeyF, "--key", impostorF, "--quorum", "2"}
		}, "signatures by untrusted keys are not counted"},
		{"tile with a changed byte", func(t *testing.T, dir string) []string {
			p := only(t, filepath.Join(dir, "tile", "0", "000*"))
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				p = only(t, filepath.Join(p, "*"))
			}
			data, _ := os.ReadFile(p)
			data[40] ^= 1
			os.WriteFile(p, data, 0o644)
			return append([]string{"verify", "audit", "--dir", dir}, keys...)
		}, "differs from the tile recomputed from the entries"},
		{"entry with a changed byte", func(t *testing.T, dir string) []string {
			p := entriesFile(t, dir)
			data, _ := os.ReadFile(p)
			es := splitEntries(data)
			es[2] = bytes.Replace(es[2], []byte(`"count":1`), []byte(`"count":7`), 1)
			os.WriteFile(p, joinEntries(es), 0o644)
			return append([]string{"verify", "audit", "--dir", dir}, keys...)
		}, "entry 2 does not match the log"},
		{"entries served out of order", func(t *testing.T, dir string) []string {
			p := entriesFile(t, dir)
			data, _ := os.ReadFile(p)
			es := splitEntries(data)
			es[0], es[1] = es[1], es[0]
			os.WriteFile(p, joinEntries(es), 0o644)
			return append([]string{"verify", "audit", "--dir", dir}, keys...)
		}, "entries served out of order"},
		{"truncated proof", func(t *testing.T, dir string) []string {
			out := mustCLI(t, append([]string{"verify", "inclusion", "--dir", dir, "--index", "1", "--json"}, keys...)...)
			var got struct{ Proof tlog.InclusionProof }
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			got.Proof.Proof = got.Proof.Proof[:len(got.Proof.Proof)-1]
			pf := filepath.Join(dir, "proof.json")
			data, _ := json.Marshal(got.Proof)
			os.WriteFile(pf, data, 0o644)
			return append(append([]string{"verify", "inclusion"}, keys...), filepath.Join(dir, "checkpoint"), pf)
		}, "truncated or padded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.prep(t, copyDir(t, mirror))
			code, out, errOut := runCLI(t, args...)
			if code == 0 {
				t.Fatalf("lifeline %s: exit 0, want a failure; stdout:\n%s", strings.Join(args, " "), out)
			}
			t.Logf("exit %d: %s", code, strings.TrimSpace(errOut))
			if !strings.Contains(errOut, tt.want) || !strings.HasPrefix(errOut, "lifeline verify: ") {
				t.Errorf("stderr: got %q, want a message with %q", errOut, tt.want)
			}
		})
	}
}

// entriesFile returns the mirror's one entry bundle.
func entriesFile(t *testing.T, dir string) string {
	t.Helper()
	p := only(t, filepath.Join(dir, "tile", "entries", "000*"))
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		p = only(t, filepath.Join(p, "*"))
	}
	return p
}

// TestLogServed checks the log's public routes on the node and on a node
// that keeps none.
func TestLogServed(t *testing.T) {
	ua := newLogNode(t, store.SQLite, "lifeline/UA")
	appendDelivered(t, ua.db, "C-1", "2024-12-01", []string{"RR000000001UA"})
	get := func(path string) (int, string) {
		resp, err := http.Get(ua.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := get("/log/checkpoint"); st != 404 {
		t.Errorf("checkpoint before the quorum: got %d, want 404", st)
	}
	if st, body := get("/log/key"); st != 200 || strings.TrimSpace(body) != ua.vkey {
		t.Errorf("key: got %d %q, want 200 %q", st, body, ua.vkey)
	}
	ua.app.TLog.Quorum = 1
	if _, err := ua.app.PublishLog(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, body := get("/log/checkpoint"); st != 200 || !strings.HasPrefix(body, "lifeline/UA\n1\n") {
		t.Errorf("checkpoint: got %d %q, want 200 and a checkpoint of 1 entry", st, body)
	}
	if st, body := get("/log/tile/entries/000.p/1"); st != 200 || !strings.Contains(body, `"delivered"`) {
		t.Errorf("entry bundle: got %d %q", st, body)
	}
	// A witness asked about a log it does not witness refuses.
	resp, err := http.Post(ua.srv.URL+"/log/witness/add-checkpoint", "text/plain", strings.NewReader("old 0\n\nlifeline/XX\n1\nAAAA\n\n— x AAAA\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("witness of an unknown log: got %d, want 403", resp.StatusCode)
	}
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lifeline/internal/store"
)

// run runs the command line in-process and returns the exit code and output.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Ctx: context.Background(), Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := e.Main(args)
	return code, out.String(), errb.String()
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func TestUsage(t *testing.T) {
	if code, _, stderr := run(t, ""); code != 2 || !strings.Contains(stderr, "Commands:") {
		t.Fatalf("no args: got %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "", "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: got %d %q", code, stderr)
	}
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "lifeline ") {
		t.Fatalf("version: got %d %q", code, out)
	}
	if code, _, _ := run(t, "", "serve", "--no-such-flag"); code != 2 {
		t.Fatalf("bad flag: got %d, want 2", code)
	}
}

func TestS10Check(t *testing.T) {
	code, out, _ := run(t, "", "s10", "check", "RR123456785CH", "RR123456784CH")
	want := "RR123456785CH\tvalid\nRR123456784CH\tinvalid\tcheck digit is 4, want 5\n"
	if code != 1 || out != want {
		t.Fatalf("got %d %q, want 1 %q", code, out, want)
	}
	if code, _, _ := run(t, "", "s10", "check", "RR123456785CH"); code != 0 {
		t.Fatalf("all valid: got %d, want 0", code)
	}
}

// TestTranslitCommand runs every row of the shared KMU 2010 table through
// the command, from stdin, one output line per input line.
func TestTranslitCommand(t *testing.T) {
	for scheme, file := range map[string]string{"kmu2010": "kmu2010.tsv", "icao9303": "ru-icao.tsv", "gost779b": "ru-gost779b.tsv", "bgnpcgn": "ru-bgnpcgn.tsv"} {
		t.Run(scheme, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(moduleRoot(t), "..", "shared", "testdata", "translit", file))
			if err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("shared test data not found: %v", err)
				}
				t.Skip("shared test data not found")
			}
			var in, want []string
			for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
				f := strings.Split(line, "\t")
				in, want = append(in, f[0]), append(want, f[1])
			}
			code, out, stderr := run(t, strings.Join(in, "\n")+"\n", "translit", "--scheme", scheme)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(got) != len(want) {
				t.Fatalf("got %d lines, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s: got %q, want %q", in[i], got[i], want[i])
				}
			}
		})
	}
	if code, _, stderr := run(t, "", "translit", "--scheme", "klingon", "x"); code != 1 || !strings.Contains(stderr, "kmu2010") {
		t.Fatalf("bad scheme: got %d %q", code, stderr)
	}
}

// TestEndToEnd builds a node from the command line, imports and exports,
// searches, then serves it and talks to it over HTTP.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + filepath.Join(dir, "node")
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, out, stderr := run(t, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, stderr)
		}
		return out
	}
	mustRun("", "migrate", data)
	mustRun("", "party", "add", data, "--code", "UA", "--name", "Ukraine")
	mustRun("", "party", "add", data, "--code", "RU", "--name", "Russia")
	mustRun("", "party", "add", data, "--code", "ICRC", "--name", "ICRC", "--kind", "intermediary")
	if code, _, stderr := run(t, "", "party", "add", data, "--code", "XX", "--name", "Third"); code != 1 || !strings.Contains(stderr, "two state parties") {
		t.Fatalf("third state party: got %d %q", code, stderr)
	}
	mustRun("a long enough password\n", "user", "add", data, "--name", "olena", "--role", "registrar", "--party", "UA", "--password-stdin")
	if code, _, stderr := run(t, "short\n", "user", "add", data, "--name", "ivan", "--role", "registrar", "--party", "UA", "--password-stdin"); code != 1 || !strings.Contains(stderr, "password") {
		t.Fatalf("short password: got %d %q", code, stderr)
	}
	tok := strings.TrimSpace(mustRun("", "token", "create", data, "--user", "olena"))
	if strings.Contains(tok, "\n") || !strings.HasPrefix(tok, "ll_") {
		t.Fatalf("token: got %q", tok)
	}

	// An import with a bad row stores nothing; --skip-invalid stores the good rows.
	csv := filepath.Join(dir, "p.csv")
	os.WriteFile(csv, []byte("external_id,category,party,full_name,latin_names,birth_date,rank,service_number,sex\n"+
		"UA-1,pow,UA,Щербак Андрій Іванович,Shcherbak Andrii;Shcherbak Andriy,1990-05-01,солдат,UA-77,m\n"+
		"UA-2,pow,UA,Коваль Петро,,1989,,UA-78,m\n"+
		"UA-3,displaced_civilian,UA,Коваленко Олена,Kovalenko Olena,1975-02-30,,,f\n"), 0o600)
	code, out, stderr := run(t, "", "import", "persons", data, csv)
	if code != 1 || !strings.Contains(stderr, "line 3, column rank") || !strings.Contains(stderr, "line 4, column birth_date") || !strings.Contains(out, "imported nothing") {
		t.Fatalf("bad import: got %d\n%s\n%s", code, out, stderr)
	}
	if out := mustRun("", "export", "persons", data, "--format", "json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("after a failed import: got %s, want []", out)
	}
	out = mustRun("", "import", "persons", data, "--skip-invalid", "--json", csv)
	var rep ImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Imported != 1 || rep.Rejected != 2 {
		t.Fatalf("skip-invalid: got %+v (%v)", rep, err)
	}
	if code, out, stderr := run(t, "", "import", "persons", data, "--skip-invalid", csv); code != 0 || !strings.Contains(out, "imported 0 persons; 3 rows rejected") || !strings.Contains(stderr, `"UA-1" is already registered`) {
		t.Fatalf("importing the same external id again: got %d %q %q", code, out, stderr)
	}
	out = mustRun("", "export", "persons", data, "--format", "csv")
	if !strings.Contains(out, "UA-1,pow,UA") || strings.Count(out, "\n") != 2 {
		t.Fatalf("export csv: got %q", out)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "node", "lifeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := db.AccessLog(context.Background(), "person", 1)
	db.Close()
	if err != nil || len(acc) == 0 || acc[0].Action != "export.csv" {
		t.Fatalf("the export was not recorded in the access log: %+v (%v)", acc, err)
	}
	var hits []map[string]any
	out = mustRun("", "search", data, "--json", "--limit", "5", "Scherbak Andrey")
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) != 1 || hits[0]["external_id"] != "UA-1" || hits[0]["why"] == nil {
		t.Fatalf("search: got %s (%v)", out, err)
	}

	// PFIF: validate strictly, import tolerantly, export.
	pf := filepath.Join(moduleRoot(t), "..", "shared", "testdata", "pfif", "tests__test.pfif-1.4.xml")
	if _, err := os.Stat(pf); err == nil {
		if code, out, _ := run(t, "", "pfif", "validate", pf); code != 1 || !strings.Contains(out, "invalid") {
			t.Fatalf("pfif validate: got %d %q", code, out)
		}
		mustRun("", "import", "persons", data, "--format", "pfif", "--party", "UA", pf)
		if out := mustRun("", "export", "persons", data, "--format", "pfif"); !strings.Contains(out, "http://zesty.ca/pfif/1.4") || !strings.Contains(out, "note_record_id") {
			t.Fatalf("pfif export: got %.300s", out)
		}
	}

	// Serve on a free port and use the token.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serr bytes.Buffer
	go func() {
		e := &Env{Ctx: ctx, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &lockedWriter{w: &serr}, Getenv: func(string) string { return "" }}
		done <- e.Main([]string{"serve", data, "--addr", addr})
	}()
	var res *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/search/persons?q=Щербак", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not answer: %v", err)
	}
	var page struct{ Items []map[string]any }
	json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	if res.StatusCode != 200 || len(page.Items) != 1 {
		t.Fatalf("search over HTTP: got %d %v", res.StatusCode, page.Items)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	// The access log holds no personal data: no names, no query strings.
	sc := bufio.NewScanner(strings.NewReader(serr.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Щербак") || strings.Contains(sc.Text(), "q=") {
			t.Errorf("log line with personal data: %s", sc.Text())
		}
	}
}

func TestDemoNoServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, stderr := run(t, "", "demo", "--data", dir, "--no-serve", "--pows", "300")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "admin") || !strings.Contains(out, "lifeline-demo") {
		t.Fatalf("demo output lacks the logins: %s", out)
	}
	// A second run keeps the scenario.
	if code, out, _ := run(t, "", "demo", "--data", dir, "--no-serve"); code != 0 || !strings.Contains(out, "exists") {
		t.Fatalf("second demo: got %d %q", code, out)
	}
	if code, out, _ := run(t, "", "key", "show", "--data", dir); code != 0 || !strings.HasPrefix(out, "lifeline-ed25519 ") {
		t.Fatalf("key show: got %d %q", code, out)
	}
}

// TestGenImports generates persons and imports them all: gen writes what
// import asks of each category.
func TestGenImports(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + filepath.Join(dir, "node")
	csv := filepath.Join(dir, "gen.csv")
	if code, _, stderr := run(t, "", "gen", "persons", "-n", "500", "--out", csv); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	run(t, "", "party", "add", data, "--code", "UA", "--name", "Ukraine")
	run(t, "", "party", "add", data, "--code", "RU", "--name", "Russia")
	code, out, stderr := run(t, "", "import", "persons", data, "--json", csv)
	var rep ImportReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Imported != 500 || rep.Rejected != 0 {
		t.Fatalf("import of generated persons: %d %q %q", code, out, stderr)
	}
}

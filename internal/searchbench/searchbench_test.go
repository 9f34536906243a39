package searchbench

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestRunSmall(t *testing.T) {
	res, err := Run(context.Background(), Options{N: 3000, Queries: 200, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.RecallAt10 < 0.9 {
		t.Errorf("recall@10 = %.3f, want at least 0.9", res.RecallAt10)
	}
	if res.IndexBytes <= 0 || res.P50ms <= 0 || res.P95ms < res.P50ms || res.P99ms < res.P95ms {
		t.Errorf("implausible result %+v", res)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"n":3000`, `"queries":200`, `"p50_ms"`, `"p95_ms"`, `"p99_ms"`, `"recall_at_10"`, `"index_bytes"`, `"build_seconds"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}
	if strings.Contains(string(b), "pg_") {
		t.Errorf("JSON %s has PostgreSQL numbers without PostgreSQL", b)
	}
}

func TestRunInvalid(t *testing.T) {
	if _, err := Run(context.Background(), Options{N: 0}); err == nil {
		t.Errorf("Run with N=0 gave no error")
	}
}

// TestRunPostgres runs against the PostgreSQL in LIFELINE_TEST_POSTGRES.
func TestRunPostgres(t *testing.T) {
	pg := os.Getenv("LIFELINE_TEST_POSTGRES")
	if pg == "" {
		t.Skip("LIFELINE_TEST_POSTGRES is not set")
	}
	res, err := Run(context.Background(), Options{N: 2000, Queries: 100, PGURL: pg, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.PGP95ms <= 0 || res.SpeedupP95 <= 0 || res.PGRecallAt10 <= 0 {
		t.Errorf("PostgreSQL numbers missing: %+v", res)
	}
}

// TestRunFromEnv is the full benchmark run, by hand:
//
//	LIFELINE_SEARCHBENCH_N=1000000 LIFELINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
//	  go test -run TestRunFromEnv -v -timeout 30m ./internal/searchbench
//
// It prints the result as JSON.
func TestRunFromEnv(t *testing.T) {
	nText := os.Getenv("LIFELINE_SEARCHBENCH_N")
	if nText == "" {
		t.Skip("LIFELINE_SEARCHBENCH_N is not set")
	}
	n, err := strconv.Atoi(nText)
	if err != nil {
		t.Fatalf("LIFELINE_SEARCHBENCH_N: %v", err)
	}
	q := 1000
	if s := os.Getenv("LIFELINE_SEARCHBENCH_QUERIES"); s != "" {
		if q, err = strconv.Atoi(s); err != nil {
			t.Fatalf("LIFELINE_SEARCHBENCH_QUERIES: %v", err)
		}
	}
	res, err := Run(context.Background(), Options{N: n, Queries: q, PGURL: os.Getenv("LIFELINE_TEST_POSTGRES"), Seed: 1, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	t.Logf("%s", b)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

package searchbench

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"lifeline/internal/store/storetest"
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
	pg := storetest.PostgresURL(t) // under CI, unset fails the test
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

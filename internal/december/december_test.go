package december

import (
	"context"
	"os"
	"testing"
)

// TestSmallRun runs the whole lifecycle for a few parcels.
func TestSmallRun(t *testing.T) {
	res, err := Run(context.Background(), Options{Parcels: 12, Items: 3, Clients: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != "closed" || res.Items != 36 || res.Events < 36 || res.Ratio <= 0 || res.Requests < 36 {
		t.Errorf("got %+v", res)
	}
	for _, s := range []string{"intake", "screening", "packing", "consignment", "handover", "delivery"} {
		if _, ok := res.Stages[s]; !ok {
			t.Errorf("stage %s not timed", s)
		}
	}
}

// BenchmarkDecember runs the full December: 2,000 parcels, 10,000 items.
// Set LIFELINE_TEST_POSTGRES to run it on PostgreSQL.
func BenchmarkDecember(b *testing.B) {
	for range b.N {
		res, err := Run(context.Background(), Options{DB: os.Getenv("LIFELINE_BENCH_DB")})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.WallSeconds, "wall_s")
		b.ReportMetric(res.EventsPerSecond, "events/s")
		b.ReportMetric(res.RawEventsPerSecond, "raw_events/s")
		b.ReportMetric(res.Ratio, "ratio")
	}
}

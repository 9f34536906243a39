package demo

import (
	"context"
	"math/rand/v2"
	"testing"

	"lifeline/internal/api"
	"lifeline/internal/app"
	"lifeline/internal/correspondence"
	"lifeline/internal/registry"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// smallScenario is the registry part of the demo at a tenth of its size.
func smallScenario(t testing.TB, db *store.DB) *Scenario {
	t.Helper()
	ctx := context.Background()
	s := &Scenario{Now: db.Now(), Facilities: map[string][]registry.Facility{}, POWs: map[string][]int64{}, Rand: rand.New(rand.NewPCG(7, 1)), Log: func(string, ...any) {}}
	if err := seedBase(ctx, db, s, Options{POWs: 240, Civilians: 10, Seed: 7, Log: s.Log}); err != nil {
		t.Fatal(err)
	}
	if err := seedRegistry(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSeedMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := smallScenario(t, db)
		if err := seedMailSized(ctx, db, s, 200, 1000); err != nil {
			t.Fatal(err)
		}
		byStatus := map[string]int{}
		rows, err := db.Read().QueryContext(ctx, `SELECT status, count(*) FROM items GROUP BY status`)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				t.Fatal(err)
			}
			byStatus[st] = n
			total += n
		}
		rows.Close()
		for _, st := range correspondence.Statuses {
			if byStatus[string(st)] == 0 {
				t.Errorf("no demo item is %s", st)
			}
		}
		if total < 1000 || total > 1100 {
			t.Errorf("got %d items, want about 1,000", total)
		}
		var parcels, open, sealed int
		err = db.Read().QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'sealed' THEN 1 ELSE 0 END) FROM parcels`).Scan(&parcels, &open, &sealed)
		if err != nil || parcels != 200 || open == 0 || sealed == 0 {
			t.Errorf("got %d parcels (%d open, %d sealed) %v, want 200 of both states", parcels, open, sealed, err)
		}
		b, err := db.MailBacklog(ctx, "UA", db.Now())
		if err != nil || b.Waiting == 0 || b.Overdue == 0 {
			t.Errorf("UA backlog: got %+v %v, want items waiting and some overdue", b, err)
		}
		it, _, err := db.Items(ctx, store.ItemFilter{Limit: 1})
		if err != nil || len(it) != 1 {
			t.Fatalf("items: %v", err)
		}
		steps, err := db.Track(ctx, "demo-test", it[0].Tracking, MailPIN, store.DefaultTrackLimits())
		if err != nil || len(steps) == 0 {
			t.Errorf("tracking a demo item with the demo PIN: got %v %v", steps, err)
		}
		var late int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM screenings s JOIN parcel_items pi ON pi.item_id = s.item_id
			WHERE s.screened_at > pi.added_at`).Scan(&late); err != nil || late != 0 {
			t.Errorf("items screened after they were packed: %d %v", late, err)
		}
		if n, _ := db.CountEvents(ctx); n < int64(total) {
			t.Errorf("got %d events for %d items, want one at least for each", n, total)
		}
	})
}

// BenchmarkSeedMail measures the demo's month of mail: 2,000 parcels and
// about 10,000 items, on SQLite.
func BenchmarkSeedMail(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite)
		s := smallScenario(b, db)
		b.StartTimer()
		if err := seedMail(context.Background(), db, s); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPrints seeds the demo month and returns the ids of its 2,000
// parcels.
func benchPrints(b *testing.B) (*api.API, []int64) {
	b.Helper()
	db := storetest.Open(b, store.SQLite)
	s := smallScenario(b, db)
	if err := seedMail(context.Background(), db, s); err != nil {
		b.Fatal(err)
	}
	ps, _, err := db.Parcels(context.Background(), store.ParcelFilter{Limit: 5000})
	if err != nil || len(ps) != mailParcels {
		b.Fatalf("got %d parcels %v", len(ps), err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return api.New(&app.App{DB: db}), ids
}

// BenchmarkLabels2000 reads 2,000 parcels from the store and prints their
// labels on A4 sheets (target: under 3 s with the packing lists).
func BenchmarkLabels2000(b *testing.B) {
	a, ids := benchPrints(b)
	for b.Loop() {
		if _, err := a.ParcelPDF(context.Background(), ids, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPackingLists2000 reads 2,000 parcels with their items from the
// store and prints their packing lists.
func BenchmarkPackingLists2000(b *testing.B) {
	a, ids := benchPrints(b)
	for b.Loop() {
		if _, err := a.ParcelPDF(context.Background(), ids, true); err != nil {
			b.Fatal(err)
		}
	}
}

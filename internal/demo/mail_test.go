package demo

import (
	"context"
	"testing"

	"lifeline/internal/correspondence"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestSeedMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := Seed(ctx, db, Options{Log: t.Logf}); err != nil {
			t.Fatal(err)
		}
		byStatus := map[string]int{}
		rows, err := db.Read().QueryContext(ctx, `SELECT status, count(*) FROM items GROUP BY status`)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for rows.Next() {
			var s string
			var n int
			rows.Scan(&s, &n)
			byStatus[s] = n
			total += n
		}
		rows.Close()
		for _, s := range correspondence.Statuses {
			if byStatus[string(s)] == 0 {
				t.Errorf("no demo item is %s", s)
			}
		}
		if total < 9000 || total > 11000 {
			t.Errorf("got %d items, want about 10,000", total)
		}
		var parcels, open, sealed int
		db.Read().QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'sealed' THEN 1 ELSE 0 END) FROM parcels`).Scan(&parcels, &open, &sealed)
		if parcels != 2000 || open == 0 || sealed == 0 {
			t.Errorf("got %d parcels (%d open, %d sealed), want 2,000 of both states", parcels, open, sealed)
		}
		b, err := db.MailBacklog(ctx, "UA", db.Now())
		if err != nil || b.Waiting == 0 || b.Overdue == 0 {
			t.Errorf("UA backlog: got %+v %v, want items waiting and some overdue", b, err)
		}
		it, _, err := db.Items(ctx, store.ItemFilter{Limit: 1})
		if err != nil || len(it) != 1 {
			t.Fatal(err)
		}
		steps, err := db.Track(ctx, "demo-test", it[0].Tracking, MailPIN, store.DefaultTrackLimits())
		if err != nil || len(steps) == 0 {
			t.Errorf("tracking a demo item with the demo PIN: got %v %v", steps, err)
		}
	})
}

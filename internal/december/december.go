// Package december runs the December benchmark: the whole life of a
// month's family mail through the HTTP API of a node, with authentication
// — 2,000 parcels of 10,000 items from intake to acknowledgement: items
// taken in, screened, packed and sealed into parcels, the parcels put on
// a consignment, sealed and signed, dispatched, scanned at the handover,
// receipted, delivered with proof, and reported.
//
// It counts the events the run wrote and compares their rate with raw
// inserts of the same number of event rows straight into the same
// database, with the same durability: each row committed by its own
// INSERT (every event of the run is durable when the request that wrote
// it returns), from as many concurrent writers as the run had clients —
// no HTTP, no domain work, no transactions of the store and so no group
// commit. The ratio of the two is the cost of everything else. The
// result also says how many database transactions the run committed:
// on SQLite, concurrent requests share them (store.DB.Tx, group commit).
//
// Where the real work handles many records at once, the run does too:
// the clerk at the counter takes in what a family member brings as one
// packet, screeners decide a page of the queue at a time, and the
// facility records the deliveries from a CSV file. Packing (one
// recipient's parcel at a time, packed, weighed and sealed in one
// request) and the handover (a handheld scanner, one parcel after
// another) go one request each.
package december

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/server"
	"lifeline/internal/store"
)

// Options tune a run.
type Options struct {
	// DB is a postgres:// URL whose server gets a fresh database for the
	// run (dropped after); empty for a SQLite file in a temporary folder.
	DB       string
	Parcels  int // default 2,000
	Items    int // items per parcel, default 5
	Clients  int // concurrent HTTP clients, default 8
	Progress io.Writer
}

// Result is what a run measured.
type Result struct {
	Dialect            string             `json:"dialect"`
	Parcels            int                `json:"parcels"`
	Items              int                `json:"items"`
	Requests           int64              `json:"requests"`
	Commits            int64              `json:"commits"`
	WallSeconds        float64            `json:"wall_seconds"`
	Events             int64              `json:"events"`
	EventsPerSecond    float64            `json:"events_per_second"`
	RawEventsPerSecond float64            `json:"raw_events_per_second"`
	Ratio              float64            `json:"ratio"`
	Raw                string             `json:"raw"`
	Stages             map[string]float64 `json:"stage_seconds"`
	Consignment        string             `json:"consignment"`
	State              string             `json:"state"`
}

// Run runs the benchmark once.
func Run(ctx context.Context, opt Options) (*Result, error) {
	const op = "december.Run"
	if opt.Parcels <= 0 {
		opt.Parcels = 2000
	}
	if opt.Items <= 0 {
		opt.Items = 5
	}
	if opt.Clients <= 0 {
		opt.Clients = 8
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	dsn, cleanup, err := freshDSN(ctx, opt.DB)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	r := &run{db: db, opt: opt, tokens: map[string]string{}, res: &Result{Dialect: string(db.Dialect), Parcels: opt.Parcels,
		Items: opt.Parcels * opt.Items, Stages: map[string]float64{}}}
	if err := r.setup(ctx); err != nil {
		return nil, errs.Wrap(op, err)
	}
	// The server logs as in production (JSON access lines), to a sink.
	a := &app.App{DB: db, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Version: "bench"}
	srv := httptest.NewServer(server.New(a).Handler())
	defer srv.Close()
	r.base = srv.URL
	r.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opt.Clients * 2}}

	if r.lastCount, err = db.CountEvents(ctx); err != nil {
		return nil, err
	}
	commits := db.Commits()
	if err := r.lifecycle(ctx); err != nil {
		return nil, errs.Wrap(op, err)
	}
	r.res.Commits = db.Commits() - commits
	for _, st := range r.stages {
		r.res.WallSeconds += st.seconds
		r.res.Events += st.events
		r.res.Requests += st.writes
	}
	r.res.EventsPerSecond = float64(r.res.Events) / r.res.WallSeconds
	raw, err := rawInserts(ctx, db, r.res.Events, opt.Clients)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	r.res.RawEventsPerSecond = raw
	r.res.Raw = fmt.Sprintf("%d event rows inserted straight into the events table, each committed by its own INSERT, from %d concurrent writers on the write pool", r.res.Events, opt.Clients)
	if r.res.EventsPerSecond > 0 {
		r.res.Ratio = raw / r.res.EventsPerSecond
	}
	return r.res, nil
}

type run struct {
	db        *store.DB
	opt       Options
	base      string
	client    *http.Client
	tokens    map[string]string
	persons   []int64
	res       *Result
	writes    atomic.Int64 // write requests of the current stage
	stages    []stageCount
	lastCount int64 // events in the database after the last stage
	progress  sync.Mutex
}

// stageCount is what one stage did: its time, its write requests (each
// one transaction) and the events they wrote.
type stageCount struct {
	name    string
	seconds float64
	writes  int64
	events  int64
}

func (r *run) logf(format string, args ...any) {
	r.progress.Lock()
	defer r.progress.Unlock()
	fmt.Fprintf(r.opt.Progress, format+"\n", args...)
}

// setup makes the parties, a camp, the prisoners and a user of each role
// the run needs, with API tokens. It is not timed.
func (r *run) setup(ctx context.Context) error {
	users := []store.User{
		{Name: "ua-clerk", Role: auth.Clerk, PartyCode: "UA"}, {Name: "ua-screener", Role: auth.Screener, PartyCode: "UA"},
		{Name: "ua-packer", Role: auth.Packer, PartyCode: "UA"}, {Name: "ua-logistics", Role: auth.Logistics, PartyCode: "UA"},
		{Name: "delegate", Role: auth.Delegate, PartyCode: "ICRC"}, {Name: "ru-logistics", Role: auth.Logistics, PartyCode: "RU"},
		{Name: "ru-facility", Role: auth.Facility, PartyCode: "RU"},
	}
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "UA", Name: "Ombudsman of Ukraine", Kind: registry.StateParty},
			{Code: "RU", Name: "Ombudsman of the Russian Federation", Kind: registry.StateParty},
			{Code: "ICRC", Name: "International Committee of the Red Cross", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, store.System, p); err != nil {
				return err
			}
		}
		camp := &registry.Facility{Code: "RU-CAMP-1", Name: "Camp No. 1", PartyCode: "RU", Kind: registry.Camp}
		if err := tx.CreateFacility(ctx, store.System, camp); err != nil {
			return err
		}
		for i := range r.opt.Parcels {
			p := &registry.Person{Category: registry.POW, PartyCode: "UA", NativeName: fmt.Sprintf("Бенчмарк Особа %d", i+1),
				Rank: "солдат", BirthDate: "1990", ServiceNumber: fmt.Sprintf("B-%05d", i+1)}
			if err := tx.CreatePerson(ctx, store.System, p); err != nil {
				return err
			}
			if err := tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: camp.ID}); err != nil {
				return err
			}
			r.persons = append(r.persons, p.ID)
		}
		for _, u := range users {
			if err := tx.CreateUser(ctx, store.System, &u, "december benchmark password"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, u := range users {
		tok, err := r.db.CreateToken(ctx, store.System, u.Name)
		if err != nil {
			return err
		}
		r.tokens[u.Name] = tok
	}
	return nil
}

// call sends one request as user and decodes the JSON answer into out
// (when not nil). A status other than want is an error.
func (r *run) call(ctx context.Context, user, method, path string, body any, want int, out any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+r.tokens[user])
	res, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if method != "GET" {
		r.writes.Add(1)
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s as %s: got %d, want %d: %s", method, path, user, res.StatusCode, want, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// parallel runs fn(i) for i in [0, n) on the configured number of clients
// and returns the first error.
func (r *run) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range r.opt.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// stage times fn, then (untimed) counts the events it wrote.
func (r *run) stage(ctx context.Context, name string, fn func() error) error {
	r.writes.Store(0)
	start := time.Now()
	if err := fn(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	sc := stageCount{name: name, seconds: time.Since(start).Seconds(), writes: r.writes.Load()}
	n, err := r.db.CountEvents(ctx)
	if err != nil {
		return err
	}
	sc.events, r.lastCount = n-r.lastCount, n
	r.stages = append(r.stages, sc)
	r.res.Stages[name] = sc.seconds
	r.logf("december: %-12s %6.2fs %6d requests %6d events", name, sc.seconds, sc.writes, sc.events)
	return nil
}

// lifecycle is the timed part: everything through the HTTP API.
func (r *run) lifecycle(ctx context.Context) error {
	n, per := r.opt.Parcels, r.opt.Items
	items := make([][]int64, n) // item ids per person
	trackings := make([]string, n)
	parcelIDs := make([]int64, n)
	err := r.stage(ctx, "intake", func() error {
		// A mother brings her packet to the counter: a letter,
		// photographs, a drawing. The clerk takes it in as one packet of
		// items, each with its own tracking number and PIN.
		return r.parallel(ctx, n, func(ctx context.Context, i int) error {
			its := make([]map[string]any, per)
			for k := range its {
				its[k] = map[string]any{"kind": packetKinds[k%len(packetKinds)], "pages": 1}
			}
			in := map[string]any{"person_id": r.persons[i], "items": its,
				"sender": map[string]any{"name": fmt.Sprintf("Родина %d", i+1), "relationship": "mother", "contact": "+380 44 000 00 00"}}
			var out struct {
				Items []struct {
					Item struct {
						ID int64 `json:"id"`
					} `json:"item"`
				} `json:"items"`
			}
			if err := r.call(ctx, "ua-clerk", "POST", "/api/v1/items/packet", in, 201, &out); err != nil {
				return err
			}
			if len(out.Items) != per {
				return fmt.Errorf("packet %d: got %d items, want %d", i, len(out.Items), per)
			}
			for _, it := range out.Items {
				items[i] = append(items[i], it.Item.ID)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := r.stage(ctx, "screening", func() error {
		// Screeners decide a page of the queue at a time.
		var all []int64
		for _, ids := range items {
			all = append(all, ids...)
		}
		pages := (len(all) + ScreeningPage - 1) / ScreeningPage
		return r.parallel(ctx, pages, func(ctx context.Context, j int) error {
			var ds []map[string]any
			for _, id := range all[j*ScreeningPage : min(len(all), (j+1)*ScreeningPage)] {
				ds = append(ds, map[string]any{"item_id": id, "outcome": "approved"})
			}
			var out struct {
				Items []json.RawMessage `json:"items"`
			}
			if err := r.call(ctx, "ua-screener", "POST", "/api/v1/screening/decisions", map[string]any{"decisions": ds}, 201, &out); err != nil {
				return err
			}
			if len(out.Items) != len(ds) {
				return fmt.Errorf("screening page %d: got %d screenings, want %d", j, len(out.Items), len(ds))
			}
			return nil
		})
	}); err != nil {
		return err
	}
	if err := r.stage(ctx, "packing", func() error {
		return r.parallel(ctx, n, func(ctx context.Context, i int) error {
			var p struct {
				ID       int64  `json:"id"`
				Tracking string `json:"tracking"`
				Status   string `json:"status"`
			}
			// The packer packs the recipient's letters, weighs and seals.
			in := map[string]any{"person_id": r.persons[i], "item_ids": items[i], "weight_grams": 200 + 40*per}
			if err := r.call(ctx, "ua-packer", "POST", "/api/v1/parcels", in, 201, &p); err != nil {
				return err
			}
			if p.Status != "sealed" {
				return fmt.Errorf("parcel %d: got %s, want sealed", p.ID, p.Status)
			}
			parcelIDs[i], trackings[i] = p.ID, p.Tracking
			return nil
		})
	}); err != nil {
		return err
	}
	var c struct {
		Ref   string `json:"ref"`
		State string `json:"state"`
	}
	if err := r.stage(ctx, "consignment", func() error {
		if err := r.call(ctx, "ua-logistics", "POST", "/api/v1/consignments", map[string]any{"to": "RU", "period": "2026-12", "target": n}, 201, &c); err != nil {
			return err
		}
		base := "/api/v1/consignments/" + c.Ref
		if err := r.call(ctx, "ua-logistics", "POST", base+"/parcels", map[string]any{"all": true}, 200, nil); err != nil {
			return err
		}
		if err := r.call(ctx, "ua-logistics", "POST", base+"/seal", map[string]any{}, 200, nil); err != nil {
			return err
		}
		return r.call(ctx, "ua-logistics", "POST", base+"/dispatch", map[string]any{}, 200, nil)
	}); err != nil {
		return err
	}
	base := "/api/v1/consignments/" + c.Ref
	if err := r.stage(ctx, "handover", func() error {
		if err := r.parallel(ctx, n, func(ctx context.Context, i int) error {
			return r.call(ctx, "delegate", "POST", base+"/scans", map[string]any{"tracking": trackings[i]}, 200, nil)
		}); err != nil {
			return err
		}
		if err := r.call(ctx, "delegate", "POST", base+"/handover", map[string]any{}, 200, nil); err != nil {
			return err
		}
		return r.call(ctx, "ru-logistics", "POST", base+"/countersign", map[string]any{}, 200, nil)
	}); err != nil {
		return err
	}
	if err := r.stage(ctx, "delivery", func() error {
		// The facility records the month's deliveries from its CSV file.
		var csv bytes.Buffer
		csv.WriteString("tracking,outcome,date,ack_kind,ack_ref\n")
		day := time.Now().UTC().Format("2006-01-02")
		for i, t := range trackings {
			fmt.Fprintf(&csv, "%s,delivered,%s,signed_slip,SLIP-%05d\n", t, day, i+1)
		}
		var got struct {
			Recorded int `json:"recorded"`
		}
		if err := r.call(ctx, "ru-facility", "POST", base+"/deliveries.csv", csv.Bytes(), 201, &got); err != nil {
			return err
		}
		if got.Recorded != n {
			return fmt.Errorf("deliveries: got %d recorded, want %d", got.Recorded, n)
		}
		return r.call(ctx, "ru-logistics", "POST", base+"/report", map[string]any{}, 200, &c)
	}); err != nil {
		return err
	}
	r.res.Consignment, r.res.State = c.Ref, c.State
	return nil
}

// packetKinds are the kinds of a packet's items, in turn.
var packetKinds = []string{"letter", "photograph", "drawing", "photograph", "letter"}

// ScreeningPage is how many decisions a screener sends at once: a page of
// the queue.
const ScreeningPage = 200

// rawEventData is the size and shape of a typical event's data.
const rawEventData = `{"direction":"to_detainee","kind":"letter","person_id":1234,"scans":0,"tracking":"RR000012345UA"}`

// rawInserts inserts events event rows straight into the event table,
// each in a statement of its own that commits it (SQLite's and
// PostgreSQL's autocommit: the same durability as the run, where every
// event is durable when the request that wrote it returns), from clients
// concurrent writers on the database's write pool, outside the store's
// transactions and their group commit. It returns the rate in rows per
// second.
func rawInserts(ctx context.Context, db *store.DB, events int64, clients int) (float64, error) {
	if events == 0 {
		return 0, nil
	}
	var next atomic.Int64
	errc := make(chan error, clients)
	w := db.Write()
	start := time.Now()
	for range clients {
		go func() {
			for {
				i := next.Add(1)
				if i > events {
					errc <- nil
					return
				}
				if _, err := w.ExecContext(ctx, `INSERT INTO events (at, actor, party, entity, entity_id, type, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					time.Now().UTC(), "bench-raw", "UA", "bench", strconv.FormatInt(i, 10), "raw", rawEventData); err != nil {
					next.Store(events)
					errc <- err
					return
				}
			}
		}()
	}
	var first error
	for range clients {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return 0, first
	}
	return float64(events) / time.Since(start).Seconds(), nil
}

// freshDSN returns the DSN of an empty database for the run and a function
// that removes it.
func freshDSN(ctx context.Context, pg string) (string, func(), error) {
	if pg == "" {
		dir, err := os.MkdirTemp("", "lifeline-december-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "lifeline.db"), func() { os.RemoveAll(dir) }, nil
	}
	if !store.IsPostgres(pg) {
		return "", nil, errs.E("december.freshDSN", errs.Invalid, "--db must be a postgres:// URL")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "lifeline_december_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` ENCODING 'UTF8' TEMPLATE template0`); err != nil {
		return "", nil, errs.WrapKind("december.freshDSN", errs.Internal, err)
	}
	u, err := url.Parse(pg)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		admin, err := sql.Open("pgx", pg)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	}
	return u.String(), drop, nil
}

package tlog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	mrand "math/rand"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "lifeline.test/ua/log"

// fixture is a node's log with its key and two witnesses (the other party
// and the intermediary).
type fixture struct {
	db        *sql.DB
	log       *Log
	signer    note.Signer
	verifier  note.Verifier
	witnesses []*Witness
	wkeys     []note.Verifier
}

func newKey(tb testing.TB, name string) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v
}

func newFixture(tb testing.TB, db *sql.DB) *fixture {
	tb.Helper()
	l, err := New(testOrigin, []byte(strings.Repeat("k", 32)))
	if err != nil {
		tb.Fatal(err)
	}
	l.Now = func() time.Time { return time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC) }
	f := &fixture{db: db, log: l}
	f.signer, f.verifier = newKey(tb, "ua.lifeline.test")
	for _, name := range []string{"ru.lifeline.test", "icrc.lifeline.test"} {
		s, v := newKey(tb, name)
		f.witnesses = append(f.witnesses, &Witness{DB: db, Signer: s, Logs: map[string]note.Verifier{testOrigin: f.verifier}})
		f.wkeys = append(f.wkeys, v)
	}
	return f
}

// trusted returns the verifiers of the node and both witnesses.
func (f *fixture) trusted() note.Verifiers {
	return note.VerifierList(append([]note.Verifier{f.verifier}, f.wkeys...)...)
}

// append logs events in one transaction.
func (f *fixture) append(tb testing.TB, events []Event) []int64 {
	tb.Helper()
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	idx, err := f.log.Append(ctx, tx, events)
	if err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return idx
}

// publish signs a checkpoint of the current tree and has both witnesses
// co-sign it; it returns the published checkpoint.
func (f *fixture) publish(tb testing.TB) []byte {
	tb.Helper()
	ctx := context.Background()
	if _, err := f.log.Checkpoint(ctx, f.db, f.signer); err != nil {
		tb.Fatal(err)
	}
	size, err := Size(ctx, f.db)
	if err != nil {
		tb.Fatal(err)
	}
	for i, w := range f.witnesses {
		if err := f.log.Cosign(ctx, f.db, size, w, f.wkeys[i]); err != nil {
			tb.Fatal(err)
		}
	}
	msg, err := f.log.Published(ctx, f.db)
	if err != nil {
		tb.Fatal(err)
	}
	return msg
}

// serve serves the log over HTTP and returns a source reading it.
func (f *fixture) serve(tb testing.TB) URL {
	tb.Helper()
	srv := httptest.NewServer(f.log.Handler(f.db))
	tb.Cleanup(srv.Close)
	return URL{Base: srv.URL + "/log/", Client: srv.Client()}
}

var (
	testParties = []string{"UA", "RU", "ICRC"}
	testUnits   = map[string]string{
		Dispatched: "parcel", HandedOver: "parcel", Received: "parcel", Delivered: "parcel",
		Acknowledged: "parcel", Undeliverable: "parcel", AcceptanceRefused: "civilian",
		Accepted: "civilian", Repatriated: "civilian", DidNotTravel: "civilian",
	}
)

// randEvents returns n random events.
func randEvents(r *mrand.Rand, n int) []Event {
	out := make([]Event, n)
	for i := range out {
		typ := Types[r.Intn(len(Types))]
		party := testParties[r.Intn(len(testParties))]
		subjects := make([]string, r.Intn(3))
		for j := range subjects {
			subjects[j] = fmt.Sprintf("P%07d", r.Intn(1e7))
		}
		out[i] = Event{
			Type: typ, Party: party, Peer: testParties[r.Intn(len(testParties))],
			Day:  fmt.Sprintf("2024-%02d-%02d", 11+r.Intn(2), 1+r.Intn(28)),
			Unit: testUnits[typ], Count: 1 + r.Intn(20),
			Ref: fmt.Sprintf("C%05d", r.Intn(1000)), Subjects: subjects,
		}
	}
	return out
}

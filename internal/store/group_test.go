package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"lifeline/internal/errs"
)

// TestGroupCommit queues six transactions behind one that holds the
// writer, so that they run as one group: those that succeed commit
// together in one database transaction, and a failing one, a panicking
// one, one whose request was cancelled while it waited and one cancelled
// half-way leave nothing behind and get their own outcome.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	put := func(tx *Tx, ctx context.Context, k string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kv (k) VALUES ($1)`, k)
		return err
	}
	hold, held := make(chan struct{}), make(chan struct{})
	results := map[string]error{}
	var panicked any
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := func(name string, ctx context.Context, fn func(tx *Tx) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					panicked = p
					mu.Unlock()
				}
			}()
			err := db.Tx(ctx, fn)
			mu.Lock()
			results[name] = err
			mu.Unlock()
		}()
	}
	start("first", ctx, func(tx *Tx) error {
		close(held)
		<-hold
		return put(tx, ctx, "first")
	})
	<-held
	before := db.Commits()
	gone, cancelGone := context.WithCancel(ctx)
	half, cancelHalf := context.WithCancel(ctx)
	start("ok1", ctx, func(tx *Tx) error { return put(tx, ctx, "ok1") })
	start("fails", ctx, func(tx *Tx) error {
		if err := put(tx, ctx, "fails"); err != nil {
			return err
		}
		return errs.E("test", errs.Invalid, "refused")
	})
	start("panics", ctx, func(tx *Tx) error {
		if err := put(tx, ctx, "panics"); err != nil {
			return err
		}
		panic("boom")
	})
	start("gone", gone, func(tx *Tx) error { return put(tx, gone, "gone") })
	start("half", half, func(tx *Tx) error {
		if err := put(tx, half, "half"); err != nil {
			return err
		}
		cancelHalf()
		return put(tx, half, "half-2")
	})
	start("ok2", ctx, func(tx *Tx) error { return put(tx, ctx, "ok2") })
	for deadline := time.Now().Add(10 * time.Second); ; {
		db.group.mu.Lock()
		n := len(db.group.queue)
		db.group.mu.Unlock()
		if n == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d queued transactions, want 6", n)
		}
		time.Sleep(time.Millisecond)
	}
	cancelGone()
	close(hold)
	wg.Wait()

	for _, name := range []string{"first", "ok1", "ok2"} {
		if results[name] != nil {
			t.Errorf("%s: got %v, want committed", name, results[name])
		}
	}
	if !errs.Is(results["fails"], errs.Invalid) {
		t.Errorf("fails: got %v, want its own error", results["fails"])
	}
	for _, name := range []string{"gone", "half"} {
		if !errors.Is(results[name], context.Canceled) {
			t.Errorf("%s: got %v, want cancelled", name, results[name])
		}
	}
	if panicked != "boom" {
		t.Errorf("got panic %v in the caller, want boom", panicked)
	}
	if got := db.Commits() - before; got != 2 {
		t.Errorf("got %d commits, want 2: the first alone, then the group", got)
	}
	var keys []string
	rows, err := db.read.QueryContext(ctx, `SELECT k FROM kv ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	if want := []string{"first", "ok1", "ok2"}; len(keys) != 3 || keys[0] != want[0] || keys[1] != want[1] || keys[2] != want[2] {
		t.Errorf("got rows %v, want %v", keys, want)
	}
}

// TestGroupClosed: after Close a transaction is refused, not lost.
func TestGroupClosed(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Tx(ctx, func(tx *Tx) error { return nil }); !errs.Is(err, errs.Internal) {
		t.Errorf("got %v, want the database is closed", err)
	}
}

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

func TestSingleStatement(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"SELECT 1", true},
		{"SELECT 1;", true},
		{"  INSERT INTO t VALUES (1);  \n", true},
		{"CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);", false},
		{"SELECT 1; SELECT 2", false},
	} {
		if got := single(tc.q); got != tc.want {
			t.Errorf("single(%q): got %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestStmtCache runs the same statements in many transactions: the second
// sighting puts a query aside, the next transaction prepares it, and the
// prepared statement gives the same results as the unprepared one, rolled
// back changes included.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE other (x INTEGER)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO kv (k, v) VALUES ($1, $2)`
	const get = `SELECT v FROM kv WHERE k = $1`
	for i := range 10 {
		err := db.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, ins, i, "v"+string(rune('a'+i))); err != nil {
				return err
			}
			var v string
			if err := tx.QueryRowContext(ctx, get, i).Scan(&v); err != nil {
				return err
			}
			if want := "v" + string(rune('a'+i)); v != want {
				t.Errorf("round %d: got %q, want %q", i, v, want)
			}
			rows, err := tx.QueryContext(ctx, `SELECT k FROM kv ORDER BY k`)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != i+1 {
				t.Errorf("round %d: got %d rows, want %d", i, n, i+1)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if db.stmts.ready[ins] == nil || db.stmts.ready[get] == nil {
		t.Errorf("got %d prepared statements, want the insert and the select among them", len(db.stmts.ready))
	}
	// A prepared insert that the transaction rolls back leaves nothing.
	err = db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, ins, 100, "gone"); err != nil {
			return err
		}
		return context.Canceled
	})
	if err != context.Canceled {
		t.Fatalf("got %v, want the function's error", err)
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE k = 100`).Scan(&n); err != nil || n != 0 {
		t.Errorf("got %d rows, %v after a rollback, want 0", n, err)
	}
	// A constraint error keeps its kind through the prepared statement.
	err = db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, ins, 1, "again")
		return mapErr("test", err)
	})
	if err == nil {
		t.Error("got no error for a duplicate key")
	}
}

// TestStmtCacheBounded never prepares more than maxStmts statements.
func TestStmtCacheBounded(t *testing.T) {
	c := newStmtCache()
	for i := range 3 * maxStmts {
		q := "SELECT " + string(rune('0'+i%10)) + " -- " + string(rune(i))
		c.get(q)
		c.get(q)
	}
	if len(c.pending) > maxStmts || len(c.seen) > 4*maxStmts {
		t.Errorf("got %d pending and %d seen, want at most %d and %d", len(c.pending), len(c.seen), maxStmts, 4*maxStmts)
	}
}

// TestStmtCacheInOneTransaction prepares a statement a single transaction
// runs again and again (a batch), before the shared cache has it.
func TestStmtCacheInOneTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const ins = `INSERT INTO kv (k, v) VALUES ($1, $2)`
	err = db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			return err
		}
		for i := range 100 {
			if _, err := tx.ExecContext(ctx, ins, i, "v"); err != nil {
				return err
			}
		}
		if tx.stmts.bound[ins] == nil {
			t.Error("the repeated insert is not prepared for the transaction")
		}
		var n int
		for range 3 {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil {
				return err
			}
		}
		if n != 100 {
			t.Errorf("got %d rows, want 100", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The next transaction uses the shared statement, bound to it once.
	err = db.Tx(ctx, func(tx *Tx) error {
		for i := 100; i < 110; i++ {
			if _, err := tx.ExecContext(ctx, ins, i, "w"); err != nil {
				return err
			}
		}
		if db.stmts.ready[ins] == nil || tx.stmts.bound[ins] == nil || len(tx.stmts.seen) != 0 {
			t.Errorf("got shared %v, bound %v, seen %v; want the shared statement bound", db.stmts.ready[ins] != nil, tx.stmts.bound[ins] != nil, tx.stmts.seen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM kv`).Scan(&n); err != nil || n != 110 {
		t.Errorf("got %d rows, %v; want 110", n, err)
	}
}

// TestReadPoolStmts prepares a read seen twice and answers the same
// through the prepared statement, rows seen after a later commit too.
func TestReadPoolStmts(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const get = `SELECT count(*) FROM kv WHERE k >= $1`
	for i := range 5 {
		if err := db.Tx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ($1, 'v')`, i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, get, 0).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("round %d: got %d, %v; want %d", i, n, err, i+1)
		}
		rows, err := db.Read().QueryContext(ctx, `SELECT k FROM kv ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		var ks []int
		for rows.Next() {
			var k int
			rows.Scan(&k)
			ks = append(ks, k)
		}
		rows.Close()
		if len(ks) != i+1 {
			t.Errorf("round %d: got %v", i, ks)
		}
	}
	db.read.stmts.mu.Lock()
	defer db.read.stmts.mu.Unlock()
	if db.read.stmts.ready[get] == nil {
		t.Error("the repeated read is not prepared")
	}
}

// TestStmtCacheFull: once thousands of one-off queries have filled the
// counts, a query run again and again is still put aside to prepare.
func TestStmtCacheFull(t *testing.T) {
	c := newStmtCache()
	for i := range 4 * maxStmts {
		c.get(fmt.Sprintf("SELECT %d", i))
	}
	const q = "SELECT v FROM kv WHERE k = $1"
	c.get(q)
	c.get(q)
	if len(c.pending) != 1 || c.pending[0] != q {
		t.Errorf("got pending %v, want the repeated query", c.pending)
	}
}

package store

import (
	"context"
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

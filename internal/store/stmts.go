package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache keeps prepared statements of SQLite's write connection, so
// that the statements a transaction runs again and again are parsed and
// planned once rather than on every execution. PostgreSQL needs none:
// pgx keeps its own per-connection statement cache.
//
// A statement cannot be prepared on the write pool from inside a
// transaction (the one connection is taken), so a query seen twice is
// put aside and prepared when the next transaction begins; until then it
// runs unprepared. Queries that fail to prepare, and queries holding more
// than one statement, are never cached. The cache is bounded: SQL built
// with a varying number of terms would otherwise fill it.
type stmtCache struct {
	mu      sync.Mutex
	ready   map[string]*sql.Stmt
	seen    map[string]int
	pending []string
	closed  bool
}

// maxStmts bounds the prepared statements kept, and the queries counted.
const maxStmts = 512

func newStmtCache() *stmtCache {
	return &stmtCache{ready: map[string]*sql.Stmt{}, seen: map[string]int{}}
}

// get returns the prepared statement of query, or nil after noting that
// query was run.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.ready[query]; s != nil {
		return s
	}
	n, ok := c.seen[query]
	switch {
	case ok && n < 0: // refused
	case ok:
		c.seen[query] = n + 1
		if n+1 == 2 && len(c.ready)+len(c.pending) < maxStmts {
			c.pending = append(c.pending, query)
		}
	case len(c.seen) < 4*maxStmts:
		c.seen[query] = 1
	}
	return nil
}

// prepare prepares the queries put aside on pool. It runs outside any
// transaction, before one begins.
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB) {
	if c == nil {
		return
	}
	c.mu.Lock()
	todo := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, q := range todo {
		var s *sql.Stmt
		if single(q) {
			s, _ = pool.PrepareContext(ctx, q)
		}
		c.mu.Lock()
		switch {
		case s == nil:
			c.seen[q] = -1
		case c.closed || c.ready[q] != nil:
			s.Close()
		default:
			c.ready[q] = s
		}
		c.mu.Unlock()
	}
}

// single reports whether q holds one statement: nothing but blanks after
// a semicolon that ends it. Statements here hold no semicolons in
// literals.
func single(q string) bool {
	q = strings.TrimSpace(q)
	q = strings.TrimSuffix(q, ";")
	return !strings.Contains(q, ";")
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, s := range c.ready {
		s.Close()
		delete(c.ready, q)
	}
}

// ExecContext runs a statement in the transaction, prepared when the
// statement is a regular one.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.db.stmts.get(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction, prepared when the query
// is a regular one.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := tx.db.stmts.get(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query returning one row in the transaction,
// prepared when the query is a regular one.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := tx.db.stmts.get(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

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
	default:
		if len(c.seen) >= 4*maxStmts {
			// Queries built with ever new text fill the counts: start
			// counting afresh rather than never preparing a new query.
			clear(c.seen)
		}
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
	queued := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, q := range queued {
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

// txStmts are a transaction's prepared statements: the cache's,
// bound to the transaction, and those prepared for it alone because it
// runs them again and again (a batch) before the cache has them.
type txStmts struct {
	bound map[string]*sql.Stmt
	seen  map[string]int
}

// maxTxStmts bounds the statements one transaction prepares for itself.
const maxTxStmts = 64

// stmt returns a prepared statement of query for the transaction, or nil
// to run it unprepared.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	c := tx.db.stmts
	if c == nil {
		return nil
	}
	ts := tx.stmts
	if s := ts.bound[query]; s != nil {
		return s
	}
	var s *sql.Stmt
	if shared := c.get(query); shared != nil {
		s = tx.sqlTx.StmtContext(ctx, shared)
	} else {
		if ts.seen == nil {
			ts.seen = map[string]int{}
		}
		ts.seen[query]++
		if ts.seen[query] < 2 || len(ts.bound) >= maxTxStmts || !single(query) {
			return nil
		}
		var err error
		if s, err = tx.sqlTx.PrepareContext(ctx, query); err != nil {
			return nil
		}
	}
	if ts.bound == nil {
		ts.bound = map[string]*sql.Stmt{}
	}
	ts.bound[query] = s
	return s
}

// use returns the context a statement of the transaction runs with. In a
// shared transaction (group commit) a statement is never interrupted:
// SQLite rolls back the whole transaction when a write is, and with it
// the other requests' work. A cancelled request fails before its next
// statement instead, and its savepoint undoes what it wrote.
func (tx *Tx) use(ctx context.Context) (context.Context, error) {
	if !tx.shared {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, mapErr("store.Tx", err)
	}
	return context.WithoutCancel(ctx), nil
}

// ExecContext runs a statement in the transaction, prepared when it is
// one the transaction or the database runs again and again.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, err := tx.use(ctx)
	if err != nil {
		return nil, err
	}
	if err := tx.before(ctx); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.sqlTx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction, prepared like
// ExecContext's statements.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := tx.use(ctx)
	if err != nil {
		return nil, err
	}
	if err := tx.before(ctx); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.sqlTx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query returning one row in the transaction,
// prepared like ExecContext's statements. A cancelled request's row
// reports the cancellation from Scan.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.shared && ctx.Err() != nil {
		// sql.Row carries no error of its own making: a cancelled
		// context makes the driver call fail before it runs anything.
		return tx.sqlTx.QueryRowContext(ctx, query, args...)
	}
	ctx, _ = tx.use(ctx)
	tx.before(ctx) // an error is kept for the commit to refuse
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.sqlTx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement for the transaction alone (a bulk
// insert's); it is closed with the transaction.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	ctx, err := tx.use(ctx)
	if err != nil {
		return nil, err
	}
	if err := tx.before(ctx); err != nil {
		return nil, err
	}
	return tx.sqlTx.PrepareContext(ctx, query)
}

// readPool is the pool of readers. On SQLite it keeps prepared statements
// of the queries it runs again and again, prepared on the pool as soon as
// a query is seen the second time; on PostgreSQL (stmts nil) it passes
// everything through.
type readPool struct {
	*sql.DB
	stmts *stmtCache
}

// stmt returns the prepared statement of query, or nil to run it
// unprepared.
func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	if p.stmts == nil {
		return nil
	}
	if s := p.stmts.get(query); s != nil {
		return s
	}
	p.stmts.prepare(ctx, p.DB)
	p.stmts.mu.Lock()
	defer p.stmts.mu.Unlock()
	return p.stmts.ready[query]
}

// ExecContext runs a statement on the pool.
func (p *readPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := p.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs a query on the pool.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query returning one row on the pool.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

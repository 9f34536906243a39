package store

import (
	"context"
	"runtime"
	"sync"

	"lifeline/internal/errs"
)

// group commits the transactions of concurrent requests together on
// SQLite. SQLite has one writer, and a commit writes every page the
// transaction changed to the write-ahead log: two requests that each add
// an item and its event both rewrite the last page of the items table,
// of the events table and of their indexes. Run in one transaction, they
// write those pages once, and pay for one commit.
//
// One goroutine owns the write connection. A request queues its function
// and waits; the committer takes everything queued (at most maxGroup),
// begins one transaction and runs each function in a savepoint of its
// own. A function that fails rolls back to its savepoint, so its writes
// vanish while the others' stay, and gets its own error. Then one commit,
// and every request whose function succeeded returns: its writes are
// durable, exactly as with a transaction of its own. A request alone in
// the queue gets a transaction of its own, as it would without a group.
//
// Nothing waits on purpose: a group is whatever queued while the previous
// one was being written, so a quiet node commits each request at once and
// a busy one commits them in groups of about as many as it has clients.
type group struct {
	db      *DB
	mu      sync.Mutex
	queue   []*member
	closed  bool
	wake    chan struct{}
	quit    chan struct{}
	stopped chan struct{}
}

// member is one request's transaction function and its outcome.
type member struct {
	ctx   context.Context
	fn    func(*Tx) error
	tx    *Tx
	err   error
	panic any
	ready chan struct{}
}

// maxGroup bounds the requests committed together, so that one commit's
// latency stays small.
const maxGroup = 64

func newGroup(db *DB) *group {
	g := &group{db: db, wake: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	go g.loop()
	return g
}

// run queues fn and returns when it has committed or failed.
func (g *group) run(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return mapErr("store.Tx", err)
	}
	m := &member{ctx: ctx, fn: fn, ready: make(chan struct{})}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errs.E("store.Tx", errs.Internal, "the database is closed")
	}
	g.queue = append(g.queue, m)
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	// Wait even when ctx ends: the committer may be running fn.
	<-m.ready
	if m.panic != nil {
		panic(m.panic)
	}
	if m.err != nil {
		return m.err
	}
	g.db.changed(m.tx)
	return nil
}

// close commits what is queued and stops the committer. Safe on nil.
func (g *group) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.mu.Unlock()
	close(g.quit)
	<-g.stopped
}

func (g *group) loop() {
	defer close(g.stopped)
	for {
		runtime.Gosched()
		g.mu.Lock()
		batch := g.queue
		if len(batch) > maxGroup {
			batch = batch[:maxGroup:maxGroup]
			g.queue = append([]*member(nil), g.queue[maxGroup:]...)
		} else {
			g.queue = nil
		}
		closed := g.closed
		g.mu.Unlock()
		if len(batch) > 0 {
			g.commit(batch)
			continue
		}
		if closed {
			return
		}
		select {
		case <-g.wake:
		case <-g.quit:
		}
	}
}

// commit runs a batch and tells each member its outcome.
func (g *group) commit(batch []*member) {
	defer func() {
		for _, m := range batch {
			close(m.ready)
		}
	}()
	if len(batch) == 1 {
		g.solo(batch[0])
		return
	}
	const op = "store.Tx"
	db := g.db
	ctx := context.Background() // the group's transaction outlives any one request
	db.stmts.prepare(ctx, db.write)
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		for _, m := range batch {
			m.err = mapErr(op, err)
		}
		return
	}
	stmts := &txStmts{}
	var done []*member // members whose writes wait for the commit
	for i, m := range batch {
		if err := m.ctx.Err(); err != nil {
			m.err = mapErr(op, err)
			continue
		}
		if _, err := stx.ExecContext(ctx, `SAVEPOINT member`); err != nil {
			g.abandon(stx, done, batch[i:], err)
			return
		}
		tx := &Tx{sqlTx: stx, db: db, now: db.Now().UTC(), shared: true, stmts: stmts}
		m.panic, m.err = call(tx, m.fn)
		if tx.err != nil && m.panic == nil {
			m.err = tx.err // rows put aside failed to go in: that comes first
		}
		if m.err == nil && m.panic == nil {
			m.err = tx.flushPending(m.ctx, true)
		}
		if m.err != nil || m.panic != nil {
			if _, err := stx.ExecContext(ctx, `ROLLBACK TO member`); err != nil {
				// SQLite rolled back the whole transaction (an I/O
				// error, a full disk): everyone's writes are gone.
				g.abandon(stx, done, batch[i+1:], err)
				return
			}
		} else {
			m.tx = tx
		}
		if m.tx != nil {
			done = append(done, m)
		}
		if _, err := stx.ExecContext(ctx, `RELEASE member`); err != nil {
			g.abandon(stx, done, batch[i+1:], err)
			return
		}
	}
	if len(done) == 0 {
		stx.Rollback()
		return
	}
	if err := stx.Commit(); err != nil {
		for _, m := range done {
			m.tx, m.err = nil, mapErr(op, err)
		}
		return
	}
	db.commits.Add(1)
}

// abandon rolls back a group's transaction that cannot go on: the members
// that had written get the error (nothing of theirs stays), and those not
// yet started run alone.
func (g *group) abandon(stx interface{ Rollback() error }, done, rest []*member, err error) {
	stx.Rollback()
	for _, m := range done {
		m.tx, m.err = nil, mapErr("store.Tx", err)
	}
	for _, m := range rest {
		g.solo(m)
	}
}

// solo runs one member in a transaction of its own, with its context.
func (g *group) solo(m *member) {
	defer func() {
		if p := recover(); p != nil {
			m.tx, m.err, m.panic = nil, nil, p
		}
	}()
	m.tx, m.err = g.db.soloTx(m.ctx, m.fn)
}

// call runs fn, turning a panic into a value to re-raise in the caller's
// goroutine.
func call(tx *Tx, fn func(*Tx) error) (p any, err error) {
	defer func() {
		if r := recover(); r != nil {
			p = r
		}
	}()
	return nil, fn(tx)
}

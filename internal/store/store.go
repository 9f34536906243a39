// Package store holds all SQL of Lifeline, for SQLite and PostgreSQL.
//
// Open picks the database from the DSN: a postgres:// URL opens PostgreSQL
// through pgx; anything else is a SQLite file. Both are used through
// database/sql with the same query text ($1…$n placeholders, RETURNING,
// ON CONFLICT); the few statements that differ sit behind DB.Dialect.
//
// Every change runs inside DB.Tx together with the event rows that record
// it: all or nothing.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"lifeline/internal/errs"
)

// Dialect names a database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DBTX is what both *sql.DB and *sql.Tx offer; packages that keep their
// own tables (the transparency log) take it.
type DBTX interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open Lifeline database.
type DB struct {
	Dialect Dialect
	write   *sql.DB   // one connection on SQLite: SQLite has one writer
	read    *readPool // a pool of readers (the same pool on PostgreSQL)
	// Now is the clock; tests replace it.
	Now func() time.Time
	// PersonsChanged, when set, is called after a transaction that created
	// or changed persons has committed, with their ids; nil ids mean "many:
	// reload everything". The search index keeps itself current with it.
	PersonsChanged func(ids []int64)
	// tlog is the node's transparency log (tlog.go).
	tlog tlogHolder
	// stmts keeps the write connection's prepared statements (SQLite).
	stmts *stmtCache
	// group commits concurrent transactions together (SQLite; group.go).
	group *group
	// commits counts the database transactions that committed.
	commits atomic.Int64
	// serials are the tracking numbers reserved ahead (PostgreSQL; mail.go).
	serials serialBlocks
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// registerLower replaces SQLite's ASCII-only lower() with a Unicode one,
// so that the same query text folds Cyrillic on both databases.
var registerLower = sync.OnceValue(func() error {
	return sqlite.RegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
})

// Open opens the database named by dsn: a postgres:// URL, or the path of a
// SQLite file (created with its directory when missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	const op = "store.Open"
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	if IsPostgres(dsn) {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, errs.WrapKind(op, errs.Invalid, err)
		}
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(16)
		p.SetConnMaxIdleTime(5 * time.Minute)
		if err := p.PingContext(ctx); err != nil {
			p.Close()
			return nil, &errs.Error{Op: op, Kind: errs.Internal, Message: "cannot reach the PostgreSQL database", Err: err}
		}
		db.Dialect, db.write, db.read = Postgres, p, &readPool{DB: p}
		return db, nil
	}
	if dsn == "" {
		return nil, errs.E(op, errs.Invalid, "no database given")
	}
	if err := registerLower(); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, errs.WrapKind(op, errs.Invalid, err)
		}
	}
	// busy_timeout first, so that the pragmas after it wait for locks too.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_time_format=sqlite"
	base := "file:" + (&url.URL{Path: dsn}).EscapedPath() + "?" + pragmas
	// The write connection keeps its temporary files in memory: group
	// commit runs every request in a savepoint, whose journal of changed
	// pages would otherwise go to a temporary file.
	w, err := sql.Open("sqlite", base+"&_pragma=temp_store(memory)&_txlock=immediate")
	if err != nil {
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, &errs.Error{Op: op, Kind: errs.Invalid, Message: "cannot open the SQLite database", Err: err}
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.Dialect, db.write, db.read, db.stmts = SQLite, w, &readPool{DB: r, stmts: newStmtCache()}, newStmtCache()
	db.group = newGroup(db)
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.group.close()
	db.stmts.close()
	db.read.stmts.close()
	err := db.write.Close()
	if db.read.DB != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return errs.Wrap("store.Ping", err)
	}
	return nil
}

// Read returns the pool for queries outside a transaction.
func (db *DB) Read() DBTX { return db.read }

// Tx is a write transaction. Its Event method records what changed.
//
// On SQLite a Tx may share its database transaction with other
// requests' (group commit, group.go): it then runs inside a savepoint of
// its own, and its statements are never interrupted by a cancelled
// context, which would roll back everyone's work — a cancelled request
// fails at its next statement instead.
type Tx struct {
	sqlTx   *sql.Tx
	db      *DB
	now     time.Time
	touched []int64
	many    bool
	shared  bool           // in a group's transaction: statements detach from cancellation
	stmts   *txStmts       // statements prepared for the database transaction (stmts.go)
	events  []pendingEvent // events not yet written (events.go)
	// rows put aside for the next statement (pending.go), their bound
	// values, and the error of writing them
	pending       []pendingRows
	pendingParams int
	err           error
}

// touch notes that a person changed, for PersonsChanged.
func (tx *Tx) touch(id int64) {
	if len(tx.touched) > 10000 {
		tx.many = true
		return
	}
	tx.touched = append(tx.touched, id)
}

// Now is the time of the transaction: every row it writes carries it.
func (tx *Tx) Now() time.Time { return tx.now }

// DB returns the database the transaction belongs to.
func (tx *Tx) DB() *DB { return tx.db }

// Tx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise (and on panic). Nothing half written ever stays, and fn's
// writes are durable when Tx returns nil.
//
// On SQLite, writes from concurrent requests are committed together
// (group.go): fn runs in a savepoint of a transaction it may share, and
// Tx returns after the shared commit. On PostgreSQL every call has its own
// transaction: the server commits concurrent transactions together itself.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn)
	}
	tx, err := db.soloTx(ctx, fn)
	if err != nil {
		return err
	}
	db.changed(tx)
	return nil
}

// soloTx runs fn in a database transaction of its own.
func (db *DB) soloTx(ctx context.Context, fn func(tx *Tx) error) (tx *Tx, err error) {
	db.stmts.prepare(ctx, db.write)
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, mapErr("store.Tx", err)
	}
	tx = &Tx{sqlTx: stx, db: db, now: db.Now().UTC(), stmts: &txStmts{}}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	err = fn(tx)
	if tx.err != nil {
		err = tx.err // rows put aside failed to go in: that comes first
	}
	if err != nil {
		return nil, err
	}
	if err = tx.flushPending(ctx, true); err != nil {
		return nil, err
	}
	if err = stx.Commit(); err != nil {
		return nil, mapErr("store.Tx", err)
	}
	db.commits.Add(1)
	return tx, nil
}

// changed tells PersonsChanged what a committed transaction changed.
func (db *DB) changed(tx *Tx) {
	if db.PersonsChanged == nil || (len(tx.touched) == 0 && !tx.many) {
		return
	}
	if tx.many {
		db.PersonsChanged(nil)
	} else {
		db.PersonsChanged(tx.touched)
	}
}

// Commits returns how many database transactions have committed writes
// since the database was opened: with group commit, fewer than the calls
// of Tx.
func (db *DB) Commits() int64 { return db.commits.Load() }

// Write returns the write pool for statements outside any transaction,
// each committed on its own. Only benchmarks and maintenance use it:
// every change of the application goes through Tx with its event.
func (db *DB) Write() DBTX { return db.write }

// mapErr maps driver errors to error kinds by their codes, never by text.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Op: op, Kind: errs.NotFound, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &errs.Error{Op: op, Kind: errs.Internal, Message: "the request was cancelled", Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Op: op, Kind: errs.Conflict, Message: "a record with this key already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &errs.Error{Op: op, Kind: errs.Invalid, Message: "a referenced record does not exist", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &errs.Error{Op: op, Kind: errs.Invalid, Message: "a value is not allowed", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return &errs.Error{Op: op, Kind: errs.Forbidden, Message: "this record cannot be changed", Err: err}
		}
		return &errs.Error{Op: op, Kind: errs.Internal, Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &errs.Error{Op: op, Kind: errs.Conflict, Message: "a record with this key already exists", Err: err}
		case "23503":
			return &errs.Error{Op: op, Kind: errs.Invalid, Message: "a referenced record does not exist", Err: err}
		case "23514", "23502", "22001", "22P02":
			return &errs.Error{Op: op, Kind: errs.Invalid, Message: "a value is not allowed", Err: err}
		case "23001":
			return &errs.Error{Op: op, Kind: errs.Forbidden, Message: "this record cannot be changed", Err: err}
		case "40001", "40P01":
			return &errs.Error{Op: op, Kind: errs.Conflict, Message: "a concurrent change got there first; try again", Err: err}
		}
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return &errs.Error{Op: op, Kind: errs.Internal, Err: err}
}

// Migrate applies every migration not yet applied, each in one transaction.
func (db *DB) Migrate(ctx context.Context) error {
	const op = "store.Migrate"
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return mapErr(op, err)
	}
	dir := "migrations/" + string(db.Dialect)
	files, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return errs.Wrap(op, err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := filepath.Base(f)
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return mapErr(op, err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return errs.Wrap(op, err)
		}
		err = db.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, tx.now.Format(time.RFC3339))
			return err
		})
		if err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// Migrations lists the embedded migration names for a dialect.
func Migrations(d Dialect) []string {
	files, _ := fs.Glob(migrations, "migrations/"+string(d)+"/*.sql")
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	sort.Strings(files)
	return files
}

package tlog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// testDB is one database the tests run on.
type testDB struct {
	name string
	open func(tb testing.TB) *sql.DB
}

// testDBs returns SQLite, and PostgreSQL when LIFELINE_TEST_POSTGRES is set.
// On CI, PostgreSQL is required.
func testDBs(tb testing.TB) []testDB {
	tb.Helper()
	dbs := []testDB{{"sqlite", openSQLite}}
	if os.Getenv("LIFELINE_TEST_POSTGRES") != "" {
		dbs = append(dbs, testDB{"postgres", openPostgres})
	} else if os.Getenv("CI") == "true" {
		tb.Fatal("LIFELINE_TEST_POSTGRES is not set: on CI the tests must also run on PostgreSQL")
	}
	return dbs
}

// forEachDB runs f as a subtest on each database, with a fresh schema.
func forEachDB(t *testing.T, f func(t *testing.T, db *sql.DB)) {
	t.Helper()
	for _, d := range testDBs(t) {
		t.Run(d.name, func(t *testing.T) { f(t, d.open(t)) })
	}
}

func migrate(tb testing.TB, db *sql.DB, dialect string) {
	tb.Helper()
	ddl, err := os.ReadFile(filepath.Join("..", "store", "migrations", dialect, "0007_tlog.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), string(ddl)); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
}

func openSQLite(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "t.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	migrate(tb, db, "sqlite")
	return db
}

func openPostgres(tb testing.TB) *sql.DB {
	tb.Helper()
	base := os.Getenv("LIFELINE_TEST_POSTGRES")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	b := make([]byte, 8)
	rand.Read(b)
	name := "lifeline_tlog_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database: %v", err)
		}
	})
	migrate(tb, db, "postgres")
	return db
}

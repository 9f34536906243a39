// Package storetest opens fresh databases for tests: SQLite always, and
// PostgreSQL when LIFELINE_TEST_POSTGRES names a server (a URL whose
// database is used only to create and drop a fresh one per test). Under
// CI=true a missing PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"lifeline/internal/store"
)

// Dialects lists the databases the suite runs on here.
func Dialects(t testing.TB) []store.Dialect {
	t.Helper()
	if PostgresURL(t) == "" {
		return []store.Dialect{store.SQLite}
	}
	return []store.Dialect{store.SQLite, store.Postgres}
}

// PostgresURL returns the server URL, or "" when none is configured (and
// fails the test under CI).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LIFELINE_TEST_POSTGRES")
	if u == "" && os.Getenv("CI") == "true" {
		t.Fatal("CI=true but LIFELINE_TEST_POSTGRES is not set: the store suite must run on PostgreSQL too")
	}
	return u
}

// Each runs fn once per dialect as a subtest, each with a fresh, migrated
// database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open opens a fresh, migrated database of dialect d, closed and dropped
// when the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DSN(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// DSN returns the DSN of a fresh, empty database of dialect d.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "lifeline.db")
	}
	base := PostgresURL(t)
	if base == "" {
		t.Skip("LIFELINE_TEST_POSTGRES is not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "lifeline_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` ENCODING 'UTF8' TEMPLATE template0`); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

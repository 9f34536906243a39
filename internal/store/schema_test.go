package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// column is a column as both databases describe it, in shared terms.
type column struct {
	Type    string
	NotNull bool
}

func normType(t string) string {
	t = strings.ToLower(t)
	switch {
	case t == "integer" || t == "bigint" || t == "smallint" || t == "int":
		return "int"
	case t == "text" || strings.HasPrefix(t, "character varying"):
		return "text"
	case strings.HasPrefix(t, "timestamp"):
		return "time"
	case t == "blob" || t == "bytea":
		return "bytes"
	case t == "real" || t == "double precision" || t == "float":
		return "float"
	case t == "boolean":
		return "bool"
	}
	return t
}

func schemaOf(t *testing.T, db *store.DB) map[string]map[string]column {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]column{}
	var q string
	if db.Dialect == store.SQLite {
		q = `SELECT m.name, p.name, p.type, p."notnull" OR p.pk FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	} else {
		q = `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = 'public'`
	}
	rows, err := db.Read().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, name, typ string
		var notNull bool
		if err := rows.Scan(&table, &name, &typ, &notNull); err != nil {
			t.Fatal(err)
		}
		if out[table] == nil {
			out[table] = map[string]column{}
		}
		out[table][name] = column{normType(typ), notNull}
	}
	return out
}

func TestMigrationsSameNames(t *testing.T) {
	a, b := store.Migrations(store.SQLite), store.Migrations(store.Postgres)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("migration files differ: sqlite %v, postgres %v", a, b)
	}
	if len(a) == 0 {
		t.Fatal("no migrations embedded")
	}
}

func TestSchemasMatch(t *testing.T) {
	if storetest.PostgresURL(t) == "" {
		t.Skip("LIFELINE_TEST_POSTGRES is not set")
	}
	lite := schemaOf(t, storetest.Open(t, store.SQLite))
	pg := schemaOf(t, storetest.Open(t, store.Postgres))
	var tables []string
	for k := range lite {
		tables = append(tables, k)
	}
	for k := range pg {
		if lite[k] == nil {
			tables = append(tables, k)
		}
	}
	sort.Strings(tables)
	for _, table := range tables {
		l, p := lite[table], pg[table]
		if l == nil || p == nil {
			t.Errorf("table %s: in sqlite %v, in postgres %v", table, l != nil, p != nil)
			continue
		}
		for col, lc := range l {
			pc, ok := p[col]
			if !ok {
				t.Errorf("%s.%s: only in sqlite", table, col)
				continue
			}
			// A SQLite INTEGER PRIMARY KEY is NOT NULL in effect.
			if lc != pc {
				t.Errorf("%s.%s: sqlite %+v, postgres %+v", table, col, lc, pc)
			}
		}
		for col := range p {
			if _, ok := l[col]; !ok {
				t.Errorf("%s.%s: only in postgres", table, col)
			}
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

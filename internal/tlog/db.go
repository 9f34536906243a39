package tlog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// maxRowsPerInsert bounds multi-row inserts (two parameters a row) well
// under both databases' parameter limits. SQLite's parser looks each $N
// name up in a list, so a statement's parse time grows with the square of
// its parameters: 100 rows a statement append batches of 1,000 entries two
// to three times faster than 500 (BenchmarkAppendLogInTx in the store).
const maxRowsPerInsert = 100

// insertPairs inserts n rows of (int64, bytes) into table in multi-row
// statements.
func insertPairs(ctx context.Context, db DBTX, table, col1, col2 string, n int, row func(int) (int64, []byte)) error {
	for start := 0; start < n; start += maxRowsPerInsert {
		end := min(start+maxRowsPerInsert, n)
		var q strings.Builder
		fmt.Fprintf(&q, "INSERT INTO %s (%s, %s) VALUES ", table, col1, col2)
		args := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				q.WriteByte(',')
			}
			k := len(args)
			q.WriteString("($" + strconv.Itoa(k+1) + ",$" + strconv.Itoa(k+2) + ")")
			a, b := row(i)
			args = append(args, a, b)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "$1,$2,...,$n".
func placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString("$" + strconv.Itoa(i))
	}
	return b.String()
}

// readHashes reads the stored hashes with the given ids from the database.
// When the ids are dense (a tile at level 0), it reads their range in one
// scan instead of listing them.
func readHashes(ctx context.Context, db DBTX, ids []int64) (map[int64]tlog.Hash, error) {
	m := make(map[int64]tlog.Hash, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	if len(ids) > 8 && hi-lo < 4*int64(len(ids)) {
		err := scanHashes(ctx, db, m, `SELECT id, hash FROM tlog_hashes WHERE id >= $1 AND id <= $2`, lo, hi)
		return m, err
	}
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		end := min(start+maxRowsPerInsert, len(ids))
		args := make([]any, end-start)
		for i := range args {
			args[i] = ids[start+i]
		}
		err := scanHashes(ctx, db, m, `SELECT id, hash FROM tlog_hashes WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// scanHashes runs a query of (id, hash) rows into m.
func scanHashes(ctx context.Context, db DBTX, m map[int64]tlog.Hash, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		if len(h) != tlog.HashSize {
			return fmt.Errorf("stored hash %d has %d bytes", id, len(h))
		}
		m[id] = tlog.Hash(h)
	}
	return rows.Err()
}

// dbReader reads stored hashes from the database.
type dbReader struct {
	ctx context.Context
	db  DBTX
}

func (r dbReader) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	m, err := readHashes(r.ctx, r.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		h, ok := m[id]
		if !ok {
			return nil, fmt.Errorf("stored hash %d is missing", id)
		}
		out[i] = h
	}
	return out, nil
}

// cacheReader reads stored hashes from memory first, then the database; an
// append keeps the hashes it makes in m.
type cacheReader struct {
	ctx context.Context
	db  DBTX
	m   map[int64]tlog.Hash
}

func (r *cacheReader) preload(ids []int64) error {
	m, err := readHashes(r.ctx, r.db, ids)
	if err != nil {
		return err
	}
	for id, h := range m {
		r.m[id] = h
	}
	return nil
}

func (r *cacheReader) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	var miss []int64
	for _, id := range ids {
		if _, ok := r.m[id]; !ok {
			miss = append(miss, id)
		}
	}
	if len(miss) > 0 {
		if err := r.preload(miss); err != nil {
			return nil, err
		}
	}
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		h, ok := r.m[id]
		if !ok {
			return nil, fmt.Errorf("stored hash %d is missing", id)
		}
		out[i] = h
	}
	return out, nil
}

// frontier returns the stored hash ids of the complete subtrees that make up
// a tree of size n: the only old hashes that appending to it reads.
func frontier(n int64) []int64 {
	var ids []int64
	for l := 0; l < 63; l++ {
		if n>>l&1 == 1 {
			ids = append(ids, tlog.StoredHashIndex(l, n>>l-1))
		}
	}
	return ids
}

package store

import (
	"context"
	"strconv"
	"strings"
)

// A transaction does not send every row it inserts at once. Rows of
// append-only tables whose ids nobody needs — the event table, parcel
// events, a parcel's item links — wait in the transaction and go
// together: before the transaction's next statement of any other kind,
// or, for the event table (which nothing reads inside a transaction),
// before the commit. On PostgreSQL what waits goes in one statement (a
// multi-row INSERT, or several joined as data-modifying WITH clauses):
// one round trip instead of one for each row. On SQLite each row is a
// prepared one-row INSERT, as it would have been.
//
// The order of the rows of one table is kept, and every statement sees
// what the transaction wrote before it, events excepted.

// pendingRows are rows of one table waiting to be inserted.
type pendingRows struct {
	table  string
	cols   []string
	rows   [][]any
	suffix string // an ON CONFLICT clause: then the group holds one row
}

// maxPendingParams bounds what waits, in bound values.
const maxPendingParams = 20000

// insertLater puts a row of table aside for the transaction's next
// statement.
func (tx *Tx) insertLater(ctx context.Context, table string, cols []string, row []any) error {
	return tx.upsertLater(ctx, table, cols, row, "")
}

// upsertLater is insertLater with an ON CONFLICT clause (a counter's
// upsert, whose outcome nobody in the transaction reads).
func (tx *Tx) upsertLater(ctx context.Context, table string, cols []string, row []any, onConflict string) error {
	if onConflict == "" {
		tx.pending = addRow(tx.pending, table, cols, row)
	} else {
		// One row a statement: two in one would conflict with each other.
		tx.pending = append(tx.pending, pendingRows{table: table, cols: cols, rows: [][]any{row}, suffix: " " + onConflict})
	}
	if tx.pendingParams += len(row); tx.pendingParams >= maxPendingParams {
		return tx.flushPending(ctx, false)
	}
	return nil
}

// addRow appends row to the last group when it is of the same table.
func addRow(groups []pendingRows, table string, cols []string, row []any) []pendingRows {
	if n := len(groups); n > 0 && groups[n-1].table == table && groups[n-1].suffix == "" {
		groups[n-1].rows = append(groups[n-1].rows, row)
		return groups
	}
	return append(groups, pendingRows{table: table, cols: cols, rows: [][]any{row}})
}

// flushPending writes the rows put aside; with events, the transaction's
// events too (before it commits).
func (tx *Tx) flushPending(ctx context.Context, events bool) error {
	groups := tx.pending
	tx.pending, tx.pendingParams = nil, 0
	if events && len(tx.events) > 0 {
		evs := tx.events
		tx.events = nil
		for _, e := range evs {
			groups = addRow(groups, "events", eventCols, []any{tx.now, e.actor.Name, e.actor.Party, e.entity, e.id, e.typ, e.data})
		}
	}
	if len(groups) == 0 {
		return nil
	}
	if tx.db.Dialect == SQLite {
		for _, g := range groups {
			q := "INSERT INTO " + g.table + " (" + strings.Join(g.cols, ", ") + ") VALUES (" + placeholders(0, len(g.cols)) + ")" + g.suffix
			for _, r := range g.rows {
				if _, err := tx.ExecContext(ctx, q, r...); err != nil {
					return mapErr("store.insert "+g.table, err)
				}
			}
		}
		return nil
	}
	params := 0
	for _, g := range groups {
		params += len(g.rows) * len(g.cols)
	}
	if params > 60000 { // PostgreSQL binds at most 65,535 values
		for _, g := range groups {
			if g.suffix != "" {
				q := "INSERT INTO " + g.table + " (" + strings.Join(g.cols, ", ") + ") VALUES (" + placeholders(0, len(g.cols)) + ")" + g.suffix
				if _, err := tx.ExecContext(ctx, q, g.rows[0]...); err != nil {
					return mapErr("store.insert "+g.table, err)
				}
				continue
			}
			if err := tx.bulkRows(ctx, g.table, g.cols, len(g.rows), func(i int) []any { return g.rows[i] }); err != nil {
				return err
			}
		}
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, params)
	for i, g := range groups {
		switch {
		case i == 0 && len(groups) > 1:
			b.WriteString("WITH ")
		case i > 0 && i < len(groups)-1:
			b.WriteString(", ")
		}
		if i < len(groups)-1 {
			b.WriteString("w" + strconv.Itoa(i) + " AS (")
		} else if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("INSERT INTO " + g.table + " (" + strings.Join(g.cols, ", ") + ") VALUES ")
		for k, r := range g.rows {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args), len(r)) + ")")
			args = append(args, r...)
		}
		b.WriteString(g.suffix)
		if i < len(groups)-1 {
			b.WriteString(")")
		}
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return mapErr("store.insert", err)
	}
	return nil
}

// before runs before each statement of the transaction: the rows put
// aside go first, so that the statement sees them. An error is kept for
// the commit to refuse (QueryRowContext cannot return one).
func (tx *Tx) before(ctx context.Context) error {
	if len(tx.pending) == 0 {
		return tx.err
	}
	if err := tx.flushPending(ctx, false); err != nil && tx.err == nil {
		tx.err = err
	}
	return tx.err
}

package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// Event is one row of the append-only event table.
type Event struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`  // the user's name, or "system"
	Party    string          `json:"party"`  // the acting party
	Entity   string          `json:"entity"` // "person", "facility", "user", ...
	EntityID string          `json:"entity_id"`
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data"`
}

// Actor names who acts in a transaction.
type Actor struct {
	UserID int64
	Name   string
	Party  string
}

// System is the actor for changes no user made (migrations, the demo).
var System = Actor{Name: "system"}

// Event appends an event in the transaction. data is marshalled to JSON and
// must hold no personal data beyond identifiers.
func (tx *Tx) Event(ctx context.Context, a Actor, entity string, id int64, typ string, data any) error {
	return tx.EventRef(ctx, a, entity, strconv.FormatInt(id, 10), typ, data)
}

// EventRef is Event for entities whose id is not a number.
//
// The event is written with the transaction's other events before it
// commits, in order, with the rows put aside (pending.go): on PostgreSQL
// in one statement, one round trip for many rows rather than one each.
// Nothing in a transaction reads the event table.
func (tx *Tx) EventRef(ctx context.Context, a Actor, entity, id, typ string, data any) error {
	b := []byte("{}")
	if data != nil {
		var err error
		if b, err = json.Marshal(data); err != nil {
			return errs.Wrap("store.Event", err)
		}
	}
	tx.events = append(tx.events, pendingEvent{actor: a, entity: entity, id: id, typ: typ, data: string(b)})
	if len(tx.events) >= maxPendingEvents {
		return tx.flushPending(ctx, true)
	}
	return nil
}

// pendingEvent is an event of the transaction not yet written.
type pendingEvent struct {
	actor                 Actor
	entity, id, typ, data string
}

// maxPendingEvents bounds the events a transaction holds in memory.
const maxPendingEvents = 500

var eventCols = []string{"at", "actor", "party", "entity", "entity_id", "type", "data"}

// Events lists events of one entity, oldest first; entity "" lists all.
func (db *DB) Events(ctx context.Context, entity, id string, afterSeq int64, limit int) ([]Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, actor, party, entity, entity_id, type, data FROM events
		WHERE ($1 = '' OR (entity = $1 AND entity_id = $2)) AND seq > $3 ORDER BY seq LIMIT $4`, entity, id, afterSeq, limit)
	if err != nil {
		return nil, mapErr("store.Events", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var data string
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Party, &e.Entity, &e.EntityID, &e.Type, &data); err != nil {
			return nil, mapErr("store.Events", err)
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, mapErr("store.Events", rows.Err())
}

// CountEvents counts the rows of the event table.
func (db *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&n)
	return n, mapErr("store.CountEvents", err)
}

// RecordAccess appends a row to the access log: who saw which sensitive
// record. It runs in its own transaction, so that a read is recorded even
// when nothing else is written.
func (db *DB) RecordAccess(ctx context.Context, a Actor, entity string, id int64, action string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO access_log (at, user_id, party, entity, entity_id, action) VALUES ($1, $2, $3, $4, $5, $6)`,
			tx.now, a.UserID, a.Party, entity, strconv.FormatInt(id, 10), action)
		return mapErr("store.RecordAccess", err)
	})
}

// RecordAccesses appends one access-log row per record shown at once (a
// list, search results, an export), in its own transaction.
func (db *DB) RecordAccesses(ctx context.Context, a Actor, entity string, ids []int64, action string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *Tx) error {
		for lo := 0; lo < len(ids); lo += 500 {
			hi := min(len(ids), lo+500)
			var sb strings.Builder
			sb.WriteString(`INSERT INTO access_log (at, user_id, party, entity, entity_id, action) VALUES `)
			args := []any{tx.now, a.UserID, a.Party, entity, action}
			for i, id := range ids[lo:hi] {
				if i > 0 {
					sb.WriteString(", ")
				}
				args = append(args, strconv.FormatInt(id, 10))
				sb.WriteString("($1, $2, $3, $4, $" + strconv.Itoa(len(args)) + ", $5)")
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return mapErr("store.RecordAccesses", err)
			}
		}
		return nil
	})
}

// Access is a row of the access log.
type Access struct {
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id"`
	Party    string    `json:"party"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Action   string    `json:"action"`
}

// AccessLog lists the accesses to one record, newest first.
func (db *DB) AccessLog(ctx context.Context, entity string, id int64) ([]Access, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT at, user_id, party, entity, entity_id, action FROM access_log
		WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 500`, entity, strconv.FormatInt(id, 10))
	if err != nil {
		return nil, mapErr("store.AccessLog", err)
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var a Access
		if err := rows.Scan(&a.At, &a.UserID, &a.Party, &a.Entity, &a.EntityID, &a.Action); err != nil {
			return nil, mapErr("store.AccessLog", err)
		}
		out = append(out, a)
	}
	return out, mapErr("store.AccessLog", rows.Err())
}

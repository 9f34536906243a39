package store

import (
	"context"
	"time"
)

// CountCardsDue counts the persons in scope (a party code, "" for all)
// who are held, arrived before arrivedBefore and have no capture card
// sent: with arrivedBefore = now - registry.CardDeadline, those whose card
// is overdue. It selects exactly what PersonFilter{Scope, CardDueBefore}
// lists.
func (db *DB) CountCardsDue(ctx context.Context, scope string, arrivedBefore time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM persons
		WHERE ($1 = '' OR party_code = $1 OR holding_party = $1)
		AND status IN ('held', 'hospitalised') AND card_sent_at IS NULL AND arrived_at < $2`, scope, arrivedBefore).Scan(&n)
	return n, mapErr("store.CountCardsDue", err)
}

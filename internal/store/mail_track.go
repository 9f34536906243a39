package store

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
)

// TrackLimits bound the guesses on the public tracking page.
type TrackLimits struct {
	Window    time.Duration // how far back failed attempts count
	PerClient int           // failed attempts one client may make in the window
	PerNumber int           // failed attempts on one tracking number in the window, from anyone
}

// DefaultTrackLimits are 10 failures per client and 20 per number in 15
// minutes.
func DefaultTrackLimits() TrackLimits {
	return TrackLimits{Window: 15 * time.Minute, PerClient: 10, PerNumber: 20}
}

// TrackStep is one step of an item's public timeline. It says what
// happened and when, never where: no facility, no place, nothing about
// the recipient.
type TrackStep struct {
	At   time.Time `json:"at"`
	Code string    `json:"code"` // accepted, screened, returned_to_sender, packed, posted, dispatched, exchanged, arrived, delivered, acknowledged, undeliverable, forwarded, returned, missing
}

// trackCodes names parcel statuses on the public timeline.
var trackCodes = map[parcels.Status]string{
	parcels.Sealed: "posted", parcels.Dispatched: "dispatched", parcels.HandedOver: "exchanged", parcels.Received: "arrived",
	parcels.Delivered: "delivered", parcels.Acknowledged: "acknowledged", parcels.Undeliverable: "undeliverable",
	parcels.Redirected: "forwarded", parcels.Returned: "returned", parcels.Missing: "missing",
}

// Track answers the public tracking page: the timeline of the item with
// this tracking number when pin is its PIN. A wrong PIN and an unknown
// number give the same NotFound error, after the same work (the PIN is
// checked against a dummy hash). Every attempt is recorded, in the same
// transaction, under client (a hash of the caller's address); after too
// many failures the answer is RateLimited, and that attempt is recorded too.
func (db *DB) Track(ctx context.Context, client, tracking, pin string, lim TrackLimits) ([]TrackStep, error) {
	const op = "store.Track"
	var steps []TrackStep
	var result error
	err := db.Tx(ctx, func(tx *Tx) error {
		since := tx.now.Add(-lim.Window)
		var byClient, byNumber int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tracking_attempts WHERE client = $1 AND at >= $2 AND result <> 'ok'`, client, since).Scan(&byClient); err != nil {
			return mapErr(op, err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tracking_attempts WHERE tracking = $1 AND at >= $2 AND result <> 'ok'`, tracking, since).Scan(&byNumber); err != nil {
			return mapErr(op, err)
		}
		outcome := "ok"
		switch {
		case byClient >= lim.PerClient || byNumber >= lim.PerNumber:
			outcome = "limited"
			result = errs.E(op, errs.RateLimited, "too many attempts; try again in %d minutes", int(lim.Window/time.Minute))
		default:
			var id int64
			hash := correspondence.DummyPINHash
			err := tx.QueryRowContext(ctx, `SELECT id, pin_hash FROM items WHERE tracking = $1`, tracking).Scan(&id, &hash)
			if err != nil && err != sql.ErrNoRows {
				return mapErr(op, err)
			}
			if !correspondence.CheckPIN(hash, pin) || id == 0 {
				outcome = "wrong"
				result = errs.E(op, errs.NotFound, "no item matches this tracking number and PIN")
				break
			}
			s, err := itemTimeline(ctx, tx, id)
			if err != nil {
				return err
			}
			steps = s
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tracking_attempts (client, tracking, result, at) VALUES ($1, $2, $3, $4)`, client, tracking, outcome, tx.now)
		return mapErr(op, err)
	})
	if err != nil {
		return nil, err
	}
	return steps, result
}

// TrackingAttempts counts the recorded attempts of a client by result.
func (db *DB) TrackingAttempts(ctx context.Context, client string) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT result, count(*) FROM tracking_attempts WHERE client = $1 GROUP BY result`, client)
	if err != nil {
		return nil, mapErr("store.TrackingAttempts", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var r string
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			return nil, mapErr("store.TrackingAttempts", err)
		}
		out[r] = n
	}
	return out, mapErr("store.TrackingAttempts", rows.Err())
}

// ItemTimeline returns an item's public timeline (for staff views too).
func (db *DB) ItemTimeline(ctx context.Context, itemID int64) ([]TrackStep, error) {
	return itemTimeline(ctx, db.read, itemID)
}

func itemTimeline(ctx context.Context, q DBTX, itemID int64) ([]TrackStep, error) {
	it, err := getItem(ctx, q, itemID)
	if err != nil {
		return nil, err
	}
	steps := []TrackStep{{At: it.ReceivedAt, Code: "accepted"}}
	scs, err := itemScreenings(ctx, q, itemID)
	if err != nil {
		return nil, err
	}
	for _, s := range scs {
		code := "screened"
		if s.Outcome == correspondence.Reject {
			code = "returned_to_sender"
		}
		steps = append(steps, TrackStep{At: s.ScreenedAt, Code: code})
	}
	if it.ParcelID != 0 {
		var added time.Time
		if err := q.QueryRowContext(ctx, `SELECT added_at FROM parcel_items WHERE item_id = $1`, itemID).Scan(&added); err != nil {
			return nil, mapErr("store.ItemTimeline", err)
		}
		steps = append(steps, TrackStep{At: added.UTC(), Code: "packed"})
		evs, err := parcelEvents(ctx, q, it.ParcelID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if c := trackCodes[e.Status]; c != "" {
				steps = append(steps, TrackStep{At: e.At, Code: c})
			}
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].At.Before(steps[j].At) })
	return steps, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"math/rand/v2"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/s10"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

// ScanResult is the answer to one scan at the handover: what the parcel
// was and the running counts.
type ScanResult struct {
	Tracking string                   `json:"tracking"`
	Outcome  consignments.ScanOutcome `json:"outcome"`
	OK       bool                     `json:"ok"`
	Counts   consignments.Counts      `json:"counts"`
}

// ScanHandover records one parcel scanned by the intermediary at the
// exchange point. A parcel of another consignment, a consignment already
// handed over and a bad tracking number are refused, and nothing is
// recorded.
//
// Scans of one consignment run side by side on PostgreSQL (the
// consignment's row is held FOR SHARE): a scan whose parcel another
// scanner recorded first, after it looked, is classified again against
// that scan. The running counts come from the handover's tallies (a few
// rows; migration 0013), to which each scan adds its own.
func (tx *Tx) ScanHandover(ctx context.Context, a Actor, ref, tracking string, damaged bool) (*ScanResult, error) {
	const op = "store.ScanHandover"
	c, err := tx.consignmentForScan(ctx, a, ref, consignments.StepHandover)
	if err != nil {
		return nil, err
	}
	if err := consignments.CanScan(c.Consignment); err != nil {
		return nil, err
	}
	t := s10.Normalize(tracking)
	in := consignments.ScanInput{Tracking: t, Damaged: damaged}
	var outcome consignments.ScanOutcome
	// The running counts are the tallies read with the parcel, plus what
	// this scan adds: no second read.
	var counts consignments.Counts
	var added tally
	for attempt := 0; ; attempt++ {
		var onManifest, tallied int
		var exp, dmg, user sql.NullInt64
		var at sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM consignment_parcels WHERE consignment_id = $1 AND tracking = $2),
			t.slot0, t.expected, t.scanned, t.received, t.damaged, hs.expected, hs.damaged, hs.user_id, hs.scanned_at
			FROM (SELECT coalesce(sum(CASE WHEN slot = 0 THEN 1 ELSE 0 END), 0) AS slot0, coalesce(sum(expected), 0) AS expected,
				coalesce(sum(scanned), 0) AS scanned, coalesce(sum(received), 0) AS received, coalesce(sum(damaged), 0) AS damaged
				FROM handover_tallies WHERE consignment_id = $1) t
			LEFT JOIN handover_scans hs ON hs.consignment_id = $1 AND hs.tracking = $2`, c.ID, t).
			Scan(&onManifest, &tallied, &counts.Expected, &counts.Scanned, &counts.Received, &counts.Damaged, &exp, &dmg, &user, &at)
		if err != nil {
			return nil, mapErr(op, err)
		}
		in.OnManifest, in.Previous = onManifest > 0, nil
		if exp.Valid {
			in.Previous = &consignments.Scan{Tracking: t, Expected: exp.Int64 == 1, Damaged: dmg.Int64 == 1, UserID: user.Int64, At: at.Time}
		}
		if attempt == 0 && !in.OnManifest && s10.Validate(t) == nil {
			if in.OtherRef, err = otherConsignment(ctx, tx, t, c.ID); err != nil {
				return nil, err
			}
		}
		var s *consignments.Scan
		if outcome, s, err = consignments.ClassifyScan(c.Consignment, in, a.UserID, tx.now); err != nil {
			return nil, err
		}
		if s == nil {
			break
		}
		if tallied == 0 {
			if err := tx.startTally(ctx, c); err != nil {
				return nil, err
			}
		}
		d, err := tx.writeScan(ctx, c, s, in.Previous != nil)
		if err != nil {
			return nil, err
		}
		if d == (tally{}) {
			// Another scanner recorded this parcel since we looked.
			if attempt < 2 {
				continue
			}
			return nil, errs.E(op, errs.Conflict, "parcel %s was scanned by someone else at the same time; scan it again", t)
		}
		if err := tx.addTally(ctx, c, d); err != nil {
			return nil, err
		}
		if err := tx.EventRef(ctx, a, "consignment", c.Ref, "scanned", map[string]any{"tracking": s.Tracking, "outcome": outcome}); err != nil {
			return nil, err
		}
		if tallied == 0 {
			// The first scan: slot 0 was just written from the rows.
			if counts, err = handoverCounts(ctx, tx, c); err != nil {
				return nil, err
			}
			return &ScanResult{Tracking: t, Outcome: outcome, OK: outcome.OK(), Counts: counts}, nil
		}
		added = d
		break
	}
	if counts.Expected == 0 {
		// No tallies yet (nothing scanned): count from the rows.
		var err error
		if counts, err = handoverCounts(ctx, tx, c); err != nil {
			return nil, err
		}
	} else {
		counts.Scanned += added.scanned
		counts.Received += added.received
		counts.Damaged += added.damaged
		finishCounts(c, &counts)
	}
	return &ScanResult{Tracking: t, Outcome: outcome, OK: outcome.OK(), Counts: counts}, nil
}

// tally is what scans add to a handover's running counts.
type tally struct{ scanned, received, damaged int }

// writeScan records scan s, or marks the earlier scan damaged when again
// is true, and returns what it adds to the counts: nothing when another
// scanner wrote the same first (PostgreSQL; the statement waited for it).
func (tx *Tx) writeScan(ctx context.Context, c *Consignment, s *consignments.Scan, again bool) (tally, error) {
	const op = "store.ScanHandover"
	var res sql.Result
	var err error
	var d tally
	if again {
		res, err = tx.ExecContext(ctx, `UPDATE handover_scans SET damaged = 1, user_id = $3, scanned_at = $4
			WHERE consignment_id = $1 AND tracking = $2 AND damaged = 0`, c.ID, s.Tracking, s.UserID, s.At)
		d.damaged = 1
	} else {
		res, err = tx.ExecContext(ctx, `INSERT INTO handover_scans (consignment_id, tracking, expected, damaged, user_id, scanned_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (consignment_id, tracking) DO NOTHING`,
			c.ID, s.Tracking, b2i(s.Expected), b2i(s.Damaged), s.UserID, s.At)
		d = tally{scanned: 1, received: b2i(s.Expected), damaged: b2i(s.Damaged)}
	}
	if err != nil {
		return tally{}, mapErr(op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return tally{}, mapErr(op, err)
	}
	return d, nil
}

// tallySlots is how many rows the scans of one handover add to on
// PostgreSQL, each scan to one at random: concurrent scanners seldom wait
// for the same row. SQLite has one writer and uses one.
const tallySlots = 16

// startTally writes a handover's slot 0 before its first scan: the
// parcels on the manifest, and any scans made before the tallies were
// kept. Of two scanners starting at once, the second waits for the first
// and writes nothing; a scan is written only after slot 0 exists, so no
// scan is counted both here and in a slot.
func (tx *Tx) startTally(ctx context.Context, c *Consignment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO handover_tallies (consignment_id, slot, expected, scanned, received, damaged)
		SELECT $1, 0, (SELECT count(*) FROM consignment_parcels WHERE consignment_id = $1), count(*), coalesce(sum(expected), 0), coalesce(sum(damaged), 0)
		FROM handover_scans WHERE consignment_id = $1 ON CONFLICT (consignment_id, slot) DO NOTHING`, c.ID)
	return mapErr("store.ScanHandover", err)
}

// addTally adds a scan's counts to one of the handover's slots.
func (tx *Tx) addTally(ctx context.Context, c *Consignment, d tally) error {
	slot := 1
	if tx.db.Dialect == Postgres {
		slot += rand.IntN(tallySlots)
	}
	// Nothing in the scan's transaction reads the tallies after this: the
	// upsert waits to go in with the scan's event (pending.go).
	return tx.upsertLater(ctx, "handover_tallies", tallyCols, []any{c.ID, slot, 0, d.scanned, d.received, d.damaged},
		`ON CONFLICT (consignment_id, slot) DO UPDATE SET scanned = handover_tallies.scanned + excluded.scanned,
		received = handover_tallies.received + excluded.received, damaged = handover_tallies.damaged + excluded.damaged`)
}

var tallyCols = []string{"consignment_id", "slot", "expected", "scanned", "received", "damaged"}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HandoverCounts returns the running counts of a consignment's handover.
func (db *DB) HandoverCounts(ctx context.Context, c *Consignment) (consignments.Counts, error) {
	return handoverCounts(ctx, db.read, c)
}

// handoverCounts sums the handover's tallies; a consignment scanned
// before they were kept, or not scanned yet, is counted from its rows.
func handoverCounts(ctx context.Context, q DBTX, c *Consignment) (consignments.Counts, error) {
	const op = "store.HandoverCounts"
	var n consignments.Counts
	var slots int
	err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(expected), 0), coalesce(sum(scanned), 0), coalesce(sum(received), 0),
		coalesce(sum(damaged), 0) FROM handover_tallies WHERE consignment_id = $1`, c.ID).
		Scan(&slots, &n.Expected, &n.Scanned, &n.Received, &n.Damaged)
	if err == nil && slots == 0 {
		err = q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM consignment_parcels WHERE consignment_id = $1), count(*),
			coalesce(sum(expected), 0), coalesce(sum(damaged), 0) FROM handover_scans WHERE consignment_id = $1`, c.ID).
			Scan(&n.Expected, &n.Scanned, &n.Received, &n.Damaged)
	}
	if err != nil {
		return n, mapErr(op, err)
	}
	finishCounts(c, &n)
	return n, nil
}

// finishCounts derives the extra, missing, cancelled and remaining counts
// from the expected, scanned, received and damaged ones.
func finishCounts(c *Consignment, n *consignments.Counts) {
	n.Extra = n.Scanned - n.Received
	n.Missing = n.Expected - n.Received
	if c.State.AtLeast(consignments.HandedOver) {
		n.Cancelled = n.Missing
	}
	n.Remaining = n.Expected - n.Received - n.Cancelled
}

// Reconciliation compares a consignment's manifest with its handover
// scans, with the lists of missing, extra and damaged parcels.
func (db *DB) Reconciliation(ctx context.Context, c *Consignment) (consignments.Reconciliation, error) {
	return reconciliation(ctx, db.read, c)
}

func reconciliation(ctx context.Context, q DBTX, c *Consignment) (consignments.Reconciliation, error) {
	const op = "store.Reconciliation"
	ls, err := consignmentLines(ctx, q, c.ID)
	if err != nil {
		return consignments.Reconciliation{}, err
	}
	expected := make([]string, len(ls))
	for i, l := range ls {
		expected[i] = l.Tracking
	}
	scans, err := handoverScans(ctx, q, c.ID)
	if err != nil {
		return consignments.Reconciliation{}, mapErr(op, err)
	}
	return consignments.Reconcile(expected, scans, c.State.AtLeast(consignments.HandedOver)), nil
}

// HandoverScans lists the scans of a consignment's handover, oldest first.
func (db *DB) HandoverScans(ctx context.Context, consignmentID int64) ([]consignments.Scan, error) {
	return handoverScans(ctx, db.read, consignmentID)
}

func handoverScans(ctx context.Context, q DBTX, id int64) ([]consignments.Scan, error) {
	const op = "store.HandoverScans"
	rows, err := q.QueryContext(ctx, `SELECT tracking, expected, damaged, user_id, scanned_at FROM handover_scans WHERE consignment_id = $1
		ORDER BY scanned_at, tracking`, id)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []consignments.Scan
	for rows.Next() {
		var s consignments.Scan
		var exp, dmg int
		if err := rows.Scan(&s.Tracking, &exp, &dmg, &s.UserID, &s.At); err != nil {
			return nil, mapErr(op, err)
		}
		s.Expected, s.Damaged, s.At = exp == 1, dmg == 1, s.At.UTC()
		out = append(out, s)
	}
	return out, mapErr(op, rows.Err())
}

// AddNote writes a discrepancy note about the current scans of a
// consignment's handover. It replaces any earlier note.
func (tx *Tx) AddNote(ctx context.Context, a Actor, ref, text string) (*consignments.Note, error) {
	const op = "store.AddNote"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepHandover)
	if err != nil {
		return nil, err
	}
	r, err := reconciliation(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	n, err := consignments.NewNote(c.Consignment, r, text, a.UserID, tx.now)
	if err != nil {
		return nil, err
	}
	missing, _ := json.Marshal(n.Missing)
	extra, _ := json.Marshal(n.Extra)
	dmg, _ := json.Marshal(n.Damaged)
	if err := tx.QueryRowContext(ctx, `INSERT INTO discrepancy_notes (consignment_id, text, expected, scanned, missing, extra, damaged, author_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, c.ID, n.Text, n.Expected, n.Scanned, string(missing), string(extra), string(dmg),
		n.AuthorID, n.CreatedAt).Scan(&n.ID); err != nil {
		return nil, mapErr(op, err)
	}
	return &n, tx.EventRef(ctx, a, "consignment", c.Ref, "note_written", map[string]any{"note_id": n.ID, "missing": len(n.Missing), "extra": len(n.Extra), "damaged": len(n.Damaged)})
}

// ConfirmNote records the actor's confirmation of the latest discrepancy
// note of a consignment. The same user twice is refused.
func (tx *Tx) ConfirmNote(ctx context.Context, a Actor, ref string, noteID int64) (*consignments.Note, error) {
	const op = "store.ConfirmNote"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepConfirm)
	if err != nil {
		return nil, err
	}
	if err := consignments.CanScan(c.Consignment); err != nil {
		return nil, err
	}
	n, err := latestNote(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	if noteID != 0 && n.ID != noteID {
		return nil, errs.E(op, errs.Conflict, "a newer discrepancy note replaced note %d: confirm the newer one", noteID)
	}
	if err := n.Confirm(a.UserID, tx.now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO note_confirmations (note_id, user_id, confirmed_at) VALUES ($1, $2, $3)`, n.ID, a.UserID, tx.now); err != nil {
		return nil, mapErr(op, err)
	}
	return n, tx.EventRef(ctx, a, "consignment", c.Ref, "note_confirmed", map[string]any{"note_id": n.ID, "confirmations": len(n.Confirmations)})
}

// LatestNote returns the latest discrepancy note of a consignment.
func (db *DB) LatestNote(ctx context.Context, c *Consignment) (*consignments.Note, error) {
	return latestNote(ctx, db.read, c)
}

func latestNote(ctx context.Context, q DBTX, c *Consignment) (*consignments.Note, error) {
	const op = "store.LatestNote"
	var n consignments.Note
	var missing, extra, dmg string
	var rp struct {
		text, party sql.NullString
		user        sql.NullInt64
		at          sql.NullTime
	}
	err := q.QueryRowContext(ctx, `SELECT n.id, n.text, n.expected, n.scanned, n.missing, n.extra, n.damaged, n.author_id, n.created_at,
		r.text, r.party_code, r.user_id, r.replied_at FROM discrepancy_notes n LEFT JOIN note_replies r ON r.note_id = n.id
		WHERE n.consignment_id = $1 ORDER BY n.id DESC LIMIT 1`, c.ID).Scan(&n.ID, &n.Text, &n.Expected, &n.Scanned, &missing, &extra, &dmg, &n.AuthorID, &n.CreatedAt,
		&rp.text, &rp.party, &rp.user, &rp.at)
	if err == sql.ErrNoRows {
		return nil, errs.E(op, errs.NotFound, "consignment %s has no discrepancy note", c.Ref)
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	n.Ref, n.CreatedAt = c.Ref, n.CreatedAt.UTC()
	if rp.text.Valid {
		n.Reply = &consignments.Reply{Text: rp.text.String, Party: rp.party.String, UserID: rp.user.Int64, At: rp.at.Time.UTC()}
	}
	for _, x := range []struct {
		s   string
		dst *[]string
	}{{missing, &n.Missing}, {extra, &n.Extra}, {dmg, &n.Damaged}} {
		if err := json.Unmarshal([]byte(x.s), x.dst); err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT user_id, confirmed_at FROM note_confirmations WHERE note_id = $1 ORDER BY confirmed_at, user_id`, n.ID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	n.Confirmations = []consignments.Confirmation{}
	for rows.Next() {
		var cf consignments.Confirmation
		if err := rows.Scan(&cf.UserID, &cf.At); err != nil {
			return nil, mapErr(op, err)
		}
		cf.At = cf.At.UTC()
		n.Confirmations = append(n.Confirmations, cf)
	}
	return &n, mapErr(op, rows.Err())
}

// CompleteHandover ends the handover of a consignment: the intermediary
// signs the receipt with its key from keys, scanned parcels are handed over and the
// others missing. A discrepancy needs a note confirmed by two people.
func (tx *Tx) CompleteHandover(ctx context.Context, a Actor, keys Keys, ref string) (*sign.Bundle, error) {
	const op = "store.CompleteHandover"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepHandover)
	if err != nil {
		return nil, err
	}
	r, err := reconciliation(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	var note *consignments.Note
	if r.Discrepant() {
		if note, err = latestNote(ctx, tx, c); err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
	}
	if err := consignments.CanCompleteHandover(c.Consignment, r, note); err != nil {
		return nil, err
	}
	if note != nil {
		r.Cancelled = len(r.Missing)
		r.Remaining = r.Expected - r.Received - r.Cancelled
	}
	rc, err := consignments.BuildReceipt(c.Consignment, c.ManifestDigest, r, note, tx.now)
	if err != nil {
		return nil, err
	}
	b, err := tx.signStep(ctx, keys, c, sign.KindHandoverReceipt, 0, rc)
	if err != nil {
		return nil, err
	}
	if _, err := tx.moveLines(ctx, a, c, consignments.ParcelDispatched, consignments.ParcelHandedOver, lineSel{scanned: true}); err != nil {
		return nil, err
	}
	if _, err := tx.moveLines(ctx, a, c, consignments.ParcelDispatched, consignments.ParcelMissing, lineSel{notScanned: true, reason: "not found at handover"}); err != nil {
		return nil, err
	}
	ts, err := tx.lineTrackings(ctx, c, consignments.ParcelHandedOver)
	if err != nil {
		return nil, err
	}
	if err := tx.logClaim(ctx, tlog.HandedOver, c.Via, c.To, c.Ref, ts); err != nil {
		return nil, err
	}
	if err := c.Move(consignments.HandedOver, tx.now); err != nil {
		return nil, err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return nil, err
	}
	return b, tx.EventRef(ctx, a, "consignment", c.Ref, "handed_over", map[string]any{
		"shipped": rc.Shipped, "received": rc.Received, "missing": len(rc.MissingList), "extra": rc.Extra, "damaged": rc.Damaged})
}

// CountersignReceipt is the receiving party taking delivery: it
// countersigns the handover receipt with its key from keys, and the parcels handed over
// are received (for a return consignment: back with their sender).
func (tx *Tx) CountersignReceipt(ctx context.Context, a Actor, keys Keys, ref string) (*sign.Bundle, error) {
	const op = "store.CountersignReceipt"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepCountersign)
	if err != nil {
		return nil, err
	}
	key, err := keys.Key(c.To)
	if err != nil {
		return nil, err
	}
	if err := c.State.CanMoveTo(consignments.Receipted); err != nil {
		return nil, err
	}
	row, err := bundleRow(ctx, tx, c.Ref, sign.KindHandoverReceipt)
	if err != nil {
		return nil, err
	}
	b, err := sign.ReadBundle(stringsReader(row.body))
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := b.Countersign(key); err != nil {
		return nil, err
	}
	signers := appendSigner(row.signers, c.To)
	if err := tx.updateBundle(ctx, row.id, b, signers); err != nil {
		return nil, err
	}
	if err := tx.receive(ctx, a, c, true); err != nil {
		return nil, err
	}
	return b, nil
}

// receive moves a handed-over consignment to receipted with its parcels;
// when local, this node's party received it and logs the claim.
func (tx *Tx) receive(ctx context.Context, a Actor, c *Consignment, local bool) error {
	to := consignments.ParcelReceived
	if c.Kind == consignments.Return {
		to = consignments.ParcelReturned
	}
	var n int
	var err error
	if c.Kind == consignments.Return {
		// The parcels themselves are already returned at the sender; only
		// the lines of the return consignment move.
		n, err = tx.moveReturnLines(ctx, c)
	} else {
		n, err = tx.moveLines(ctx, a, c, consignments.ParcelHandedOver, to, lineSel{})
	}
	if err != nil {
		return err
	}
	if local {
		ts, err := tx.lineTrackings(ctx, c, to)
		if err != nil {
			return err
		}
		if err := tx.logClaim(ctx, tlog.Received, c.To, c.From, c.Ref, ts); err != nil {
			return err
		}
	}
	if err := c.Move(consignments.Receipted, tx.now); err != nil {
		return err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return err
	}
	if err := tx.EventRef(ctx, a, "consignment", c.Ref, "receipted", map[string]any{"received": n}); err != nil {
		return err
	}
	return tx.maybeClose(ctx, a, c)
}

func (tx *Tx) moveReturnLines(ctx context.Context, c *Consignment) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE consignment_parcels SET state = 'returned', updated_at = $2 WHERE consignment_id = $1 AND state = 'handed_over'`, c.ID, tx.now)
	if err != nil {
		return 0, mapErr("store.moveReturnLines", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

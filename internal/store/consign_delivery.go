package store

import (
	"context"
	"database/sql"
	"fmt"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/s10"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

func (tx *Tx) insertDelivery(ctx context.Context, c *Consignment, d consignments.Delivery, origin string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (consignment_id, tracking, outcome, at, ack_kind, ack_ref, reason, action, new_facility, note,
		user_id, origin, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, d.Tracking, d.Outcome, d.At.UTC(), d.AckKind, d.AckRef, d.Reason, d.Action, d.NewFacility, d.Note, d.UserID, origin, tx.now)
	return mapErr("store.insertDelivery", err)
}

// Deliveries lists the delivery records of a consignment, oldest first.
func (db *DB) Deliveries(ctx context.Context, consignmentID int64) ([]consignments.Delivery, error) {
	return deliveries(ctx, db.read, consignmentID)
}

func deliveries(ctx context.Context, q DBTX, id int64) ([]consignments.Delivery, error) {
	const op = "store.Deliveries"
	rows, err := q.QueryContext(ctx, `SELECT tracking, outcome, at, ack_kind, ack_ref, reason, action, new_facility, note, user_id
		FROM deliveries WHERE consignment_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []consignments.Delivery
	for rows.Next() {
		var d consignments.Delivery
		if err := rows.Scan(&d.Tracking, &d.Outcome, &d.At, &d.AckKind, &d.AckRef, &d.Reason, &d.Action, &d.NewFacility, &d.Note, &d.UserID); err != nil {
			return nil, mapErr(op, err)
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, mapErr(op, rows.Err())
}

func latestDeliveries(ctx context.Context, q DBTX, id int64) (map[string]consignments.Delivery, error) {
	ds, err := deliveries(ctx, q, id)
	if err != nil {
		return nil, err
	}
	m := make(map[string]consignments.Delivery, len(ds))
	for _, d := range ds {
		m[d.Tracking] = d
	}
	return m, nil
}

// ConsignmentOf returns the reference of the consignment a parcel arrived
// in and has not left: where its delivery is recorded.
func (db *DB) ConsignmentOf(ctx context.Context, tracking string) (string, error) {
	var ref string
	err := db.read.QueryRowContext(ctx, `SELECT c.ref FROM consignment_parcels cp JOIN consignments c ON c.id = cp.consignment_id
		WHERE cp.tracking = $1 AND c.kind = 'outbound' ORDER BY c.id DESC LIMIT 1`, s10.Normalize(tracking)).Scan(&ref)
	if err == sql.ErrNoRows {
		return "", errs.E("store.ConsignmentOf", errs.NotFound, "parcel %s is on no consignment here", s10.Normalize(tracking))
	}
	return ref, mapErr("store.ConsignmentOf", err)
}

// RecordDelivery records what became of one parcel of a consignment:
// delivered with its proof, or undeliverable with a reason and the action
// taken. A transferred addressee's parcel with no facility given goes to
// the facility the registry holds them at now (EVT-3). It returns the
// parcel's state afterwards.
func (tx *Tx) RecordDelivery(ctx context.Context, a Actor, ref string, d consignments.Delivery) (consignments.ParcelState, error) {
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepDeliver)
	if err != nil {
		return "", err
	}
	s, err := tx.recordDelivery(ctx, a, c, d)
	if err != nil {
		return "", err
	}
	return s, tx.maybeClose(ctx, a, c)
}

// RecordDeliveries records many deliveries of one consignment: all of them
// or, when any is refused, none.
func (tx *Tx) RecordDeliveries(ctx context.Context, a Actor, ref string, ds []consignments.Delivery) (map[consignments.ParcelState]int, error) {
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepDeliver)
	if err != nil {
		return nil, err
	}
	out := map[consignments.ParcelState]int{}
	for i, d := range ds {
		s, err := tx.recordDelivery(ctx, a, c, d)
		if err != nil {
			return nil, &errs.Error{Op: "store.RecordDeliveries", Kind: errs.KindOf(err),
				Message: fmt.Sprintf("row %d (%s): %s; nothing was recorded", i+1, s10.Normalize(d.Tracking), errs.MessageOf(err)), Fields: errs.FieldsOf(err), Err: err}
		}
		out[s]++
	}
	return out, tx.maybeClose(ctx, a, c)
}

func (tx *Tx) recordDelivery(ctx context.Context, a Actor, c *Consignment, d consignments.Delivery) (consignments.ParcelState, error) {
	const op = "store.RecordDelivery"
	d.Normalize()
	d.UserID = a.UserID
	var cur consignments.ParcelState
	var parcelID sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT state, parcel_id FROM consignment_parcels WHERE consignment_id = $1 AND tracking = $2`, c.ID, d.Tracking).Scan(&cur, &parcelID)
	if err != nil && err != sql.ErrNoRows {
		return "", mapErr(op, err)
	}
	if d.Outcome == consignments.Undeliverable && d.Reason == consignments.ReasonTransferred && d.Action == "" {
		d.Action = consignments.ActionRedirected
	}
	if d.Action == consignments.ActionRedirected && d.NewFacility == "" && parcelID.Valid {
		// The addressee's current facility, from the registry.
		err := tx.QueryRowContext(ctx, `SELECT f.code FROM parcels p JOIN persons pe ON pe.id = p.person_id JOIN facilities f ON f.id = pe.facility_id
			WHERE p.id = $1`, parcelID.Int64).Scan(&d.NewFacility)
		if err != nil && err != sql.ErrNoRows {
			return "", mapErr(op, err)
		}
	}
	path, err := d.Apply(c.Consignment, cur, tx.now)
	if err != nil {
		return "", err
	}
	if d.Action == consignments.ActionRedirected {
		var fid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM facilities WHERE code = $1 AND party_code = $2`, d.NewFacility, c.To).Scan(&fid); err != nil {
			return "", errs.Fields(op, map[string]string{"new_facility": "no facility " + d.NewFacility + " of " + c.To})
		}
		if parcelID.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE parcels SET facility_id = $1, updated_at = $2 WHERE id = $3`, fid, tx.now, parcelID.Int64); err != nil {
				return "", mapErr(op, err)
			}
		}
	}
	if err := tx.insertDelivery(ctx, c, d, "local"); err != nil {
		return "", err
	}
	if err := tx.moveLine(ctx, a, c, d.Tracking, cur, path, string(d.Reason)); err != nil {
		return "", err
	}
	claims := []string{tlog.Undeliverable}
	if d.Outcome == consignments.Delivered {
		claims = []string{tlog.Delivered, tlog.Acknowledged}
	}
	if err := tx.logClaims(ctx, claims, c.To, c.From, c.Ref, []string{d.Tracking}); err != nil {
		return "", err
	}
	if err := tx.EventRef(ctx, a, "consignment", c.Ref, "delivery", map[string]any{"tracking": d.Tracking, "outcome": d.Outcome, "reason": d.Reason, "action": d.Action}); err != nil {
		return "", err
	}
	return consignments.After(cur, path), nil
}

// CreateReturn makes the return consignment of a consignment's
// undeliverable parcels: a draft from the receiving party back to the
// sender, with those parcels on it, and the parcels returned in the
// original consignment.
func (tx *Tx) CreateReturn(ctx context.Context, a Actor, ref string) (*Consignment, error) {
	const op = "store.CreateReturn"
	orig, err := tx.consignmentFor(ctx, a, ref, consignments.StepDeliver)
	if err != nil {
		return nil, err
	}
	ls, err := consignmentLines(ctx, tx, orig.ID)
	if err != nil {
		return nil, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consignments WHERE return_of = $1`, orig.Ref).Scan(&n); err != nil {
		return nil, mapErr(op, err)
	}
	r, back, err := consignments.NewReturn(orig.Consignment, manifestLines(ls), lineStates(ls), n+1, tx.now)
	if err != nil {
		return nil, err
	}
	rc := &Consignment{Consignment: r, Origin: "local"}
	if err := tx.insertConsignment(ctx, rc); err != nil {
		return nil, err
	}
	pids := map[string]int64{}
	for _, l := range ls {
		pids[l.Tracking] = l.ParcelID
	}
	for i, l := range back {
		var pid any
		if pids[l.Tracking] != 0 {
			pid = pids[l.Tracking]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consignment_parcels (consignment_id, tracking, parcel_id, recipient_ref, weight_grams, items, state,
			position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'sealed', $7, $8)`, rc.ID, l.Tracking, pid, l.RecipientRef, l.WeightGrams, l.Items, i+1, tx.now); err != nil {
			return nil, mapErr(op, err)
		}
		if _, err := tx.moveLines(ctx, a, orig, consignments.ParcelUndeliverable, consignments.ParcelReturned, lineSel{tracking: l.Tracking, reason: "return consignment " + rc.Ref}); err != nil {
			return nil, err
		}
	}
	rc.Parcels = len(back)
	if err := tx.EventRef(ctx, a, "consignment", rc.Ref, "created", map[string]any{"kind": rc.Kind, "return_of": orig.Ref, "parcels": len(back)}); err != nil {
		return nil, err
	}
	if err := tx.maybeClose(ctx, a, orig); err != nil {
		return nil, err
	}
	return rc, nil
}

// MakeDeliveryReport signs the cumulative delivery report of a
// consignment with the receiving party's key from keys, as its next step.
func (tx *Tx) MakeDeliveryReport(ctx context.Context, a Actor, keys Keys, ref string) (*sign.Bundle, error) {
	const op = "store.MakeDeliveryReport"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepDeliver)
	if err != nil {
		return nil, err
	}
	ls, err := consignmentLines(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	latest, err := latestDeliveries(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	var returnRef string
	err = tx.QueryRowContext(ctx, `SELECT ref FROM consignments WHERE return_of = $1 ORDER BY id DESC LIMIT 1`, c.Ref).Scan(&returnRef)
	if err != nil && err != sql.ErrNoRows {
		return nil, mapErr(op, err)
	}
	rep, err := consignments.BuildReport(c.Consignment, lineStates(ls), latest, returnRef, tx.now)
	if err != nil {
		return nil, err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM bundles_applied WHERE ref = $1`, c.Ref).Scan(&last); err != nil {
		return nil, mapErr(op, err)
	}
	if prev, err := bundleRow(ctx, tx, c.Ref, sign.KindDeliveryReport); err == nil {
		var old consignments.Report
		if _, err := decodeStored(prev.body, &old); err == nil && old.Counts == rep.Counts && sameLines(old.Lines, rep.Lines) {
			return sign.ReadBundle(stringsReader(prev.body))
		}
	}
	b, err := tx.signStep(ctx, keys, c, sign.KindDeliveryReport, max(last+1, consignments.SeqFirstReport), rep)
	if err != nil {
		return nil, err
	}
	return b, tx.EventRef(ctx, a, "consignment", c.Ref, "delivery_report", map[string]any{"seq": b.Seq, "delivered": rep.Counts.Delivered,
		"undeliverable": rep.Counts.Undeliverable, "redirected": rep.Counts.Redirected, "returned": rep.Counts.Returned})
}

func sameLines(a, b []consignments.ReportLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ConsignmentUPU returns the UPU tracking events of a consignment's parcels.
func (db *DB) ConsignmentUPU(ctx context.Context, c *Consignment) ([]consignments.UPUEvent, error) {
	ls, err := consignmentLines(ctx, db.read, c.ID)
	if err != nil {
		return nil, err
	}
	ds, err := deliveries(ctx, db.read, c.ID)
	if err != nil {
		return nil, err
	}
	states := make([]consignments.LineState, len(ls))
	for i, l := range ls {
		states[i] = consignments.LineState{Line: l.Line, State: l.State}
	}
	return consignments.UPUEvents(c.Consignment, states, ds), nil
}

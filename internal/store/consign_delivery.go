package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

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
// or, when any is refused, none, with every refused row and its reason.
//
// It reads the lines the rows name in one query, decides every row in
// memory, and writes the deliveries, the parcels' states, their events
// and the log's claims with a few statements for the whole file. A file
// that names a parcel twice is recorded row by row instead, so that the
// second row sees what the first did.
func (tx *Tx) RecordDeliveries(ctx context.Context, a Actor, ref string, ds []consignments.Delivery) (map[consignments.ParcelState]int, error) {
	const op = "store.RecordDeliveries"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepDeliver)
	if err != nil {
		return nil, err
	}
	out := map[consignments.ParcelState]int{}
	seen := make(map[string]bool, len(ds))
	trackings := make([]string, len(ds))
	for i, d := range ds {
		trackings[i] = s10.Normalize(d.Tracking)
		if seen[trackings[i]] {
			for i, d := range ds {
				s, err := tx.recordDelivery(ctx, a, c, d)
				if err != nil {
					return nil, &errs.Error{Op: op, Kind: errs.KindOf(err),
						Message: fmt.Sprintf("row %d (%s): %s; nothing was recorded", i+1, s10.Normalize(d.Tracking), errs.MessageOf(err)), Fields: errs.FieldsOf(err), Err: err}
				}
				out[s]++
			}
			return out, tx.maybeClose(ctx, a, c)
		}
		seen[trackings[i]] = true
	}
	lines, err := tx.deliveryLines(ctx, c, trackings)
	if err != nil {
		return nil, err
	}
	rows := make([]deliveryRow, len(ds))
	var bad []rowError
	var codes []string
	for i, d := range ds {
		r := &rows[i]
		d.Normalize()
		d.UserID = a.UserID
		l := lines[d.Tracking]
		if d.Outcome == consignments.Undeliverable && d.Reason == consignments.ReasonTransferred && d.Action == "" {
			d.Action = consignments.ActionRedirected
		}
		if d.Action == consignments.ActionRedirected && d.NewFacility == "" && l.parcelID.Valid {
			d.NewFacility = l.facility.String // the addressee's current facility, from the registry
		}
		r.cur, r.parcelID = l.state, l.parcelID
		if r.path, err = d.Apply(c.Consignment, r.cur, tx.now); err != nil {
			bad = append(bad, rowError{i, d.Tracking, err})
			continue
		}
		if d.Action == consignments.ActionRedirected && !slices.Contains(codes, d.NewFacility) {
			codes = append(codes, d.NewFacility)
		}
		r.d = d
	}
	facilities, err := tx.facilityIDs(ctx, c.To, codes)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		if r.path == nil || r.d.Action != consignments.ActionRedirected {
			continue
		}
		if r.facility = facilities[r.d.NewFacility]; r.facility == 0 {
			bad = append(bad, rowError{i, r.d.Tracking, errs.Fields(op, map[string]string{"new_facility": "no facility " + r.d.NewFacility + " of " + c.To})})
		}
	}
	if len(bad) > 0 {
		sort.Slice(bad, func(i, j int) bool { return bad[i].i < bad[j].i })
		return nil, rowsRefused(op, bad)
	}
	if err := tx.writeDeliveries(ctx, a, c, rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[consignments.After(r.cur, r.path)]++
	}
	return out, tx.maybeClose(ctx, a, c)
}

// deliveryRow is one row of a bulk delivery, decided.
type deliveryRow struct {
	d        consignments.Delivery
	cur      consignments.ParcelState // the line's state before
	path     []consignments.ParcelState
	parcelID sql.NullInt64 // the local parcel, when this node has it
	facility int64         // where a redirected parcel goes
}

// deliveryLine is what a delivery needs of a consignment's line.
type deliveryLine struct {
	state    consignments.ParcelState
	parcelID sql.NullInt64
	facility sql.NullString // the code of the addressee's facility now
}

// inChunk is how many values one IN list holds.
const inChunk = 500

// placeholders returns "$from+1, …, $from+n".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i+1))
	}
	return b.String()
}

// deliveryLines reads the lines of c among trackings, with their local
// parcels and the addressees' current facilities.
func (tx *Tx) deliveryLines(ctx context.Context, c *Consignment, trackings []string) (map[string]deliveryLine, error) {
	const op = "store.RecordDeliveries"
	out := make(map[string]deliveryLine, len(trackings))
	for lo := 0; lo < len(trackings); lo += inChunk {
		part := trackings[lo:min(len(trackings), lo+inChunk)]
		args := []any{c.ID}
		for _, t := range part {
			args = append(args, t)
		}
		rs, err := tx.QueryContext(ctx, `SELECT cp.tracking, cp.state, cp.parcel_id, f.code FROM consignment_parcels cp
			LEFT JOIN parcels p ON p.id = cp.parcel_id LEFT JOIN persons pe ON pe.id = p.person_id LEFT JOIN facilities f ON f.id = pe.facility_id
			WHERE cp.consignment_id = $1 AND cp.tracking IN (`+placeholders(1, len(part))+`)`, args...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rs.Next() {
			var t string
			var l deliveryLine
			if err := rs.Scan(&t, &l.state, &l.parcelID, &l.facility); err != nil {
				rs.Close()
				return nil, mapErr(op, err)
			}
			out[t] = l
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, mapErr(op, err)
		}
	}
	return out, nil
}

// facilityIDs returns the ids of party's facilities among codes.
func (tx *Tx) facilityIDs(ctx context.Context, party string, codes []string) (map[string]int64, error) {
	const op = "store.RecordDeliveries"
	out := map[string]int64{}
	if len(codes) == 0 {
		return out, nil
	}
	args := []any{party}
	for _, c := range codes {
		args = append(args, c)
	}
	rs, err := tx.QueryContext(ctx, `SELECT code, id FROM facilities WHERE party_code = $1 AND code IN (`+placeholders(1, len(codes))+`)`, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rs.Close()
	for rs.Next() {
		var code string
		var id int64
		if err := rs.Scan(&code, &id); err != nil {
			return nil, mapErr(op, err)
		}
		out[code] = id
	}
	return out, mapErr(op, rs.Err())
}

// rowError is a refused row of a bulk delivery.
type rowError struct {
	i        int
	tracking string
	err      error
}

// rowsRefused is the error of a bulk delivery with refused rows: one row
// keeps its own error's kind and fields; several are listed, each with
// its reason, under the first one's kind.
func rowsRefused(op string, bad []rowError) error {
	reason := func(e error) string {
		m := errs.MessageOf(e)
		fs := errs.FieldsOf(e)
		keys := make([]string, 0, len(fs))
		for k := range fs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m += "; " + k + ": " + fs[k]
		}
		return m
	}
	first := bad[0]
	if len(bad) == 1 {
		return &errs.Error{Op: op, Kind: errs.KindOf(first.err),
			Message: fmt.Sprintf("row %d (%s): %s; nothing was recorded", first.i+1, first.tracking, errs.MessageOf(first.err)), Fields: errs.FieldsOf(first.err), Err: first.err}
	}
	fields := make(map[string]string, len(bad))
	for _, b := range bad {
		fields[fmt.Sprintf("row %d (%s)", b.i+1, b.tracking)] = reason(b.err)
	}
	return &errs.Error{Op: op, Kind: errs.KindOf(first.err), Fields: fields, Err: first.err,
		Message: fmt.Sprintf("%d rows cannot be recorded, the first row %d (%s): %s; nothing was recorded", len(bad), first.i+1, first.tracking, errs.MessageOf(first.err))}
}

// writeDeliveries writes decided rows: the redirected parcels' new
// facilities, the delivery records, the local parcels' states and
// events, the lines' states, the log's claims and the events.
func (tx *Tx) writeDeliveries(ctx context.Context, a Actor, c *Consignment, rows []deliveryRow) error {
	const op = "store.RecordDeliveries"
	for _, r := range rows {
		if r.d.Action == consignments.ActionRedirected && r.parcelID.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE parcels SET facility_id = $1, updated_at = $2 WHERE id = $3`, r.facility, tx.now, r.parcelID.Int64); err != nil {
				return mapErr(op, err)
			}
		}
	}
	if err := tx.bulkRows(ctx, "deliveries", []string{"consignment_id", "tracking", "outcome", "at", "ack_kind", "ack_ref", "reason", "action",
		"new_facility", "note", "user_id", "origin", "recorded_at"}, len(rows), func(i int) []any {
		d := rows[i].d
		return []any{c.ID, d.Tracking, d.Outcome, d.At.UTC(), d.AckKind, d.AckRef, d.Reason, d.Action, d.NewFacility, d.Note, d.UserID, "local", tx.now}
	}); err != nil {
		return err
	}
	// Lines and parcels move together by where they come from and go to.
	type move struct{ from, to consignments.ParcelState }
	groups := map[move][]int{}
	var order []move
	for i, r := range rows {
		if len(r.path) == 0 {
			continue
		}
		m := move{r.cur, consignments.After(r.cur, r.path)}
		if groups[m] == nil {
			order = append(order, m)
		}
		groups[m] = append(groups[m], i)
	}
	moved := map[int64]bool{} // local parcels that were in their line's state
	for _, m := range order {
		idx := groups[m]
		for lo := 0; lo < len(idx); lo += inChunk {
			part := idx[lo:min(len(idx), lo+inChunk)]
			pargs := []any{m.to, tx.now, m.from}
			largs := []any{m.to, tx.now, m.from, c.ID}
			for _, i := range part {
				if rows[i].parcelID.Valid {
					pargs = append(pargs, rows[i].parcelID.Int64)
				}
				largs = append(largs, rows[i].d.Tracking)
			}
			if len(pargs) > 3 {
				rs, err := tx.QueryContext(ctx, `UPDATE parcels SET status = $1, updated_at = $2, version = version + 1
					WHERE status = $3 AND id IN (`+placeholders(3, len(pargs)-3)+`) RETURNING id`, pargs...)
				if err != nil {
					return mapErr(op, err)
				}
				for rs.Next() {
					var id int64
					if err := rs.Scan(&id); err != nil {
						rs.Close()
						return mapErr(op, err)
					}
					moved[id] = true
				}
				err = rs.Err()
				rs.Close()
				if err != nil {
					return mapErr(op, err)
				}
			}
			res, err := tx.ExecContext(ctx, `UPDATE consignment_parcels SET state = $1, updated_at = $2
				WHERE state = $3 AND consignment_id = $4 AND tracking IN (`+placeholders(4, len(part))+`)`, largs...)
			if err != nil {
				return mapErr(op, err)
			}
			if n, _ := res.RowsAffected(); n != int64(len(part)) {
				return errs.E(op, errs.Conflict, "parcels of %s were changed by someone else; reload and try again", c.Ref)
			}
		}
	}
	type parcelEvent struct {
		pid    int64
		to     consignments.ParcelState
		reason string
	}
	var pes []parcelEvent
	var claims []tlog.Event
	for _, r := range rows {
		if r.parcelID.Valid && moved[r.parcelID.Int64] {
			for _, to := range r.path {
				pes = append(pes, parcelEvent{r.parcelID.Int64, to, string(r.d.Reason)})
			}
		}
		types := []string{tlog.Undeliverable}
		if r.d.Outcome == consignments.Delivered {
			types = []string{tlog.Delivered, tlog.Acknowledged}
		}
		for _, typ := range types {
			claims = append(claims, claimEvents(tx.now, typ, c.To, c.From, c.Ref, []string{r.d.Tracking})...)
		}
	}
	if err := tx.bulkRows(ctx, "parcel_events", []string{"parcel_id", "status", "upu_code", "party_code", "reason", "at"}, len(pes), func(i int) []any {
		e := pes[i]
		return []any{e.pid, e.to, e.to.UPUCode(), a.Party, e.reason, tx.now}
	}); err != nil {
		return err
	}
	// The log's claims, as RecordDelivery makes them (an entry per parcel
	// and claim), appended at once.
	if _, err := tx.AppendLog(ctx, claims); err != nil {
		return err
	}
	var evErr error
	err := tx.bulkRows(ctx, "events", []string{"at", "actor", "party", "entity", "entity_id", "type", "data"}, len(rows), func(i int) []any {
		d := rows[i].d
		b, err := json.Marshal(map[string]any{"tracking": d.Tracking, "outcome": d.Outcome, "reason": d.Reason, "action": d.Action})
		if err != nil {
			evErr = err
		}
		return []any{tx.now, a.Name, a.Party, "consignment", c.Ref, "delivery", string(b)}
	})
	if evErr != nil {
		return errs.Wrap(op, evErr)
	}
	return err
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

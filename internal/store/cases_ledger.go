package store

import (
	"context"
	"database/sql"
	"time"

	"lifeline/internal/ledger"
	"lifeline/internal/registry"
)

// ---- the reciprocity ledger

// Ledger computes the reciprocity ledger: parcels from the consignment
// tables (when this node has them), civilians from the cases' decisions
// and the operations' outcomes. It holds aggregates only.
func (db *DB) Ledger(ctx context.Context) (*ledger.Ledger, error) {
	const op = "store.Ledger"
	ps, err := parties(ctx, db.read)
	if err != nil {
		return nil, err
	}
	var states []string
	for _, p := range ps {
		if p.Kind == registry.StateParty {
			states = append(states, p.Code)
		}
	}
	b := ledger.NewBuilder(states...)
	if err := db.ledgerParcels(ctx, b); err != nil {
		return nil, err
	}
	// Acceptances and refusals: from the party where the people are to
	// their home party, in the month of the decision.
	rows, err := db.read.QueryContext(ctx, `SELECT c.host_party, c.party, e.type, e.decided_at, e.persons FROM case_events e
		JOIN cases c ON c.id = e.case_id WHERE e.type IN ('accepted', 'refused') AND e.decided_at IS NOT NULL`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	for rows.Next() {
		var f ledger.CivilianFact
		var typ string
		if err := rows.Scan(&f.From, &f.To, &typ, &f.At, &f.Persons); err != nil {
			rows.Close()
			return nil, mapErr(op, err)
		}
		f.Event = ledger.CiviliansAccepted
		if typ == "refused" {
			f.Event = ledger.CiviliansRefused
		}
		b.AddCivilians(f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	// Civilians handed over on an operation, in the month of the handover.
	rows, err = db.read.QueryContext(ctx, `SELECT o.from_party, o.to_party, e.outcome_at FROM operation_entries e
		JOIN operations o ON o.id = e.operation_id WHERE e.outcome = 'handed_over' AND e.category <> 'pow' AND e.outcome_at IS NOT NULL`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		f := ledger.CivilianFact{Event: ledger.CiviliansRepatriated, Persons: 1}
		if err := rows.Scan(&f.From, &f.To, &f.At); err != nil {
			return nil, mapErr(op, err)
		}
		b.AddCivilians(f)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	return b.Ledger(), nil
}

// ledgerParcels adds every parcel of a dispatched outbound consignment:
// sent when its consignment was dispatched, delivered or undeliverable when
// the first delivery of that outcome was recorded.
func (db *DB) ledgerParcels(ctx context.Context, b *ledger.Builder) error {
	const op = "store.ledgerParcels"
	for _, t := range []string{"consignments", "consignment_parcels", "deliveries"} {
		ok, err := tableExists(ctx, db.read, db.Dialect, t)
		if err != nil || !ok {
			return err
		}
	}
	type key struct {
		consignment int64
		tracking    string
	}
	delivered := map[key]time.Time{}
	undeliverable := map[key]time.Time{}
	rows, err := db.read.QueryContext(ctx, `SELECT consignment_id, tracking, outcome, at FROM deliveries ORDER BY id`)
	if err != nil {
		return mapErr(op, err)
	}
	for rows.Next() {
		var k key
		var outcome string
		var at time.Time
		if err := rows.Scan(&k.consignment, &k.tracking, &outcome, &at); err != nil {
			rows.Close()
			return mapErr(op, err)
		}
		m := delivered
		if outcome == "undeliverable" {
			m = undeliverable
		}
		if _, seen := m[k]; !seen {
			m[k] = at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapErr(op, err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT c.id, p.tracking, c.from_party, c.to_party, c.dispatched_at FROM consignment_parcels p
		JOIN consignments c ON c.id = p.consignment_id WHERE c.kind = 'outbound' AND c.dispatched_at IS NOT NULL`)
	if err != nil {
		return mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var f ledger.ParcelFact
		var sent sql.NullTime
		if err := rows.Scan(&k.consignment, &k.tracking, &f.From, &f.To, &sent); err != nil {
			return mapErr(op, err)
		}
		f.SentAt = sent.Time
		if t, ok := delivered[k]; ok {
			f.DeliveredAt = &t
		}
		if t, ok := undeliverable[k]; ok {
			f.UndeliverableAt = &t
		}
		b.AddParcel(f)
	}
	return mapErr(op, rows.Err())
}

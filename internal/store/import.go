package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// importBatch is how many persons one INSERT statement carries: 24
// parameters each, well under the limits of both databases.
const importBatch = 200

// ImportPersons inserts many validated persons in the transaction, in
// multi-row statements, and records one event for the whole import.
// Each person must already be normalized and valid. A person whose
// FacilityID is set is recorded as arrived there at ArrivedAt (or now). progress, when not
// nil, is called after each row.
func (tx *Tx) ImportPersons(ctx context.Context, a Actor, ps []*registry.Person, progress func()) error {
	const op = "store.ImportPersons"
	kinds := map[string]string{}
	all, err := parties(ctx, tx)
	if err != nil {
		return err
	}
	for _, p := range all {
		kinds[p.Code] = string(p.Kind)
	}
	// Rows go in multi-row INSERTs of importBatch rows: ids come back
	// ascending in row order, as one writer assigns them.
	insert := func(batch []*registry.Person) error {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO persons (external_id, category, party_code, surname, given_name, patronymic, native_name, latin_names,
			sex, birth_date, birth_place, rank, service_number, father_name, mother_maiden_name, inform_person,
			correspondence_address, nationality, last_residence, distinguishing_marks, intermediary_ref, status, created_at, updated_at) VALUES `)
		args := make([]any, 0, len(batch)*24)
		for i, p := range batch {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j := 0; j < 24; j++ {
				if j > 0 {
					sb.WriteString(", ")
				}
				if tx.db.Dialect == SQLite {
					sb.WriteByte('?') // positional: modernc looks $N names up one by one
				} else {
					sb.WriteByte('$')
					sb.WriteString(strconv.Itoa(i*24 + j + 1))
				}
			}
			sb.WriteByte(')')
			args = append(args, personArgs(p)...)
			args = append(args, p.Status, tx.now, tx.now)
		}
		sb.WriteString(" RETURNING id")
		rows, err := tx.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(batch))
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) != len(batch) {
			return errs.E(op, errs.Internal, "inserted %d rows, got %d ids", len(batch), len(ids))
		}
		slices.Sort(ids)
		for i, p := range batch {
			p.ID = ids[i]
		}
		return nil
	}
	for i, p := range ps {
		if kinds[p.PartyCode] != string(registry.StateParty) {
			return errs.E(op, errs.Invalid, "row %d: party %q is not a state party", i+1, p.PartyCode)
		}
		p.Status, p.Version, p.CreatedAt, p.UpdatedAt = registry.StatusRegistered, 1, tx.now, tx.now
	}
	for lo := 0; lo < len(ps); lo += importBatch {
		hi := min(len(ps), lo+importBatch)
		if err := insert(ps[lo:hi]); err != nil {
			err = mapErr(op, err)
			if errs.Is(err, errs.Conflict) {
				return errs.E(op, errs.Conflict, "an external id among rows %d to %d is already registered", lo+1, hi)
			}
			return err
		}
	}
	arrive, err := tx.PrepareContext(ctx, `INSERT INTO person_events (person_id, type, occurred_at, facility_id, note, actor_id, recorded_at) VALUES ($1, $2, $3, $4, '', $5, $3)`)
	if err != nil {
		return mapErr(op, err)
	}
	defer arrive.Close()
	held, err := tx.PrepareContext(ctx, `UPDATE persons SET status = $1, facility_id = $2, holding_party = $3, arrived_at = $4 WHERE id = $5`)
	if err != nil {
		return mapErr(op, err)
	}
	defer held.Close()
	facParty := map[int64]string{}
	var first, last int64
	for _, p := range ps {
		if p.FacilityID != 0 {
			hp, ok := facParty[p.FacilityID]
			if !ok {
				f, err := facility(ctx, tx, p.FacilityID)
				if err != nil {
					return err
				}
				hp, facParty[p.FacilityID] = f.PartyCode, f.PartyCode
			}
			at := tx.now
			if p.ArrivedAt != nil && !p.ArrivedAt.After(tx.now) {
				at = p.ArrivedAt.UTC()
			}
			if _, err := arrive.ExecContext(ctx, p.ID, registry.Arrived, at, p.FacilityID, a.UserID); err != nil {
				return mapErr(op, err)
			}
			if _, err := held.ExecContext(ctx, registry.StatusHeld, p.FacilityID, hp, at, p.ID); err != nil {
				return mapErr(op, err)
			}
			p.Status, p.HoldingParty = registry.StatusHeld, hp
		}
		tx.touch(p.ID)
		if first == 0 {
			first = p.ID
		}
		last = p.ID
		if progress != nil {
			progress()
		}
	}
	return tx.EventRef(ctx, a, "person", "import", "imported", map[string]int64{"count": int64(len(ps)), "first_id": first, "last_id": last})
}

// ExistingExternalIDs returns which of ids are already registered.
func (db *DB) ExistingExternalIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			ph[i] = "$" + strconv.Itoa(i+1)
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT external_id FROM persons WHERE external_id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, mapErr("store.ExistingExternalIDs", err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, mapErr("store.ExistingExternalIDs", err)
			}
			out[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr("store.ExistingExternalIDs", err)
		}
	}
	return out, nil
}

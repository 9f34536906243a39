package store

import (
	"context"
	"database/sql"

	"lifeline/internal/errs"
)

// Note is a note about a person, as PFIF carries them.
type Note struct {
	ID                int64
	PersonID          int64
	RecordID          string
	LinkedRecordID    string
	EntryDate         string
	SourceDate        string
	AuthorName        string
	AuthorMadeContact string
	Status            string
	LastKnownLocation string
	Text              string
}

// AddPersonNote stores a note unless one with its record id exists; it reports
// whether it stored it.
func (tx *Tx) AddPersonNote(ctx context.Context, a Actor, n *Note) (bool, error) {
	const op = "store.AddPersonNote"
	err := tx.QueryRowContext(ctx, `INSERT INTO person_notes (person_id, record_id, linked_record_id, entry_date, source_date, author_name,
		author_made_contact, status, last_known_location, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (record_id) DO NOTHING RETURNING id`,
		n.PersonID, n.RecordID, n.LinkedRecordID, n.EntryDate, n.SourceDate, n.AuthorName, n.AuthorMadeContact, n.Status,
		n.LastKnownLocation, n.Text, tx.now).Scan(&n.ID)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, mapErr(op, err)
	}
	return true, tx.Event(ctx, a, "person", n.PersonID, "note_added", map[string]int64{"note_id": n.ID})
}

// PersonIDByExternal returns the id of the person with an external id.
func (tx *Tx) PersonIDByExternal(ctx context.Context, ext string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM persons WHERE external_id = $1`, ext).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, errs.E("store.PersonIDByExternal", errs.NotFound, "no person with external id %q", ext)
	}
	return id, mapErr("store.PersonIDByExternal", err)
}

// Notes lists the notes about persons, by person.
func (db *DB) Notes(ctx context.Context, personIDs []int64) (map[int64][]Note, error) {
	out := map[int64][]Note{}
	rows, err := db.read.QueryContext(ctx, `SELECT id, person_id, record_id, linked_record_id, entry_date, source_date, author_name,
		author_made_contact, status, last_known_location, text FROM person_notes ORDER BY id`)
	if err != nil {
		return nil, mapErr("store.Notes", err)
	}
	defer rows.Close()
	want := map[int64]bool{}
	for _, id := range personIDs {
		want[id] = true
	}
	for rows.Next() {
		var n Note
		if err := rows.Scan(&n.ID, &n.PersonID, &n.RecordID, &n.LinkedRecordID, &n.EntryDate, &n.SourceDate, &n.AuthorName,
			&n.AuthorMadeContact, &n.Status, &n.LastKnownLocation, &n.Text); err != nil {
			return nil, mapErr("store.Notes", err)
		}
		if want[n.PersonID] {
			out[n.PersonID] = append(out[n.PersonID], n)
		}
	}
	return out, mapErr("store.Notes", rows.Err())
}

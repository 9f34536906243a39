package store

import (
	"context"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
)

// ReplyNote records the sending party's reply to the confirmed discrepancy
// note noteID of a consignment (RCV-3). Only the sending party replies,
// only to the latest note once two people confirmed it, and only once; the
// note keeps its quantities. The event names the note, not the text.
func (tx *Tx) ReplyNote(ctx context.Context, a Actor, ref string, noteID int64, text string) (*consignments.Note, error) {
	const op = "store.ReplyNote"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepReply)
	if err != nil {
		return nil, err
	}
	n, err := latestNote(ctx, tx, c)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(op, errs.NotFound, "consignment %s has no discrepancy note %d", c.Ref, noteID)
	}
	if err != nil {
		return nil, err
	}
	if n.ID != noteID {
		var known int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM discrepancy_notes WHERE id = $1 AND consignment_id = $2`, noteID, c.ID).Scan(&known); err != nil {
			return nil, mapErr(op, err)
		}
		if known == 0 {
			return nil, errs.E(op, errs.NotFound, "consignment %s has no discrepancy note %d", c.Ref, noteID)
		}
		return nil, errs.E(op, errs.Conflict, "a newer discrepancy note (%d) replaced note %d: reply to the newer one", n.ID, noteID)
	}
	if err := n.Answer(c.Consignment, a.Party, a.UserID, text, tx.now); err != nil {
		return nil, err
	}
	rp := n.Reply
	if _, err := tx.ExecContext(ctx, `INSERT INTO note_replies (note_id, party_code, user_id, text, replied_at) VALUES ($1, $2, $3, $4, $5)`,
		n.ID, rp.Party, rp.UserID, rp.Text, rp.At); err != nil {
		return nil, mapErr(op, err)
	}
	return n, tx.EventRef(ctx, a, "consignment", c.Ref, "note_replied", map[string]any{"note_id": n.ID, "party": rp.Party})
}

// NotesAwaitingReply returns the references of the consignments sent by
// party whose latest discrepancy note is confirmed by two people and waits
// for the party's reply, in order. A node has no outbound channel: showing
// them where the sender's logistics staff look is the notification.
func (db *DB) NotesAwaitingReply(ctx context.Context, party string) ([]string, error) {
	const op = "store.NotesAwaitingReply"
	out := []string{}
	if party == "" {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.ref FROM consignments c JOIN discrepancy_notes n ON n.consignment_id = c.id
		WHERE c.from_party = $1 AND n.id = (SELECT max(l.id) FROM discrepancy_notes l WHERE l.consignment_id = c.id)
		AND (SELECT count(*) FROM note_confirmations f WHERE f.note_id = n.id) >= $2
		AND NOT EXISTS (SELECT 1 FROM note_replies r WHERE r.note_id = n.id) ORDER BY c.ref`, party, consignments.ConfirmationsNeeded)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, ref)
	}
	return out, mapErr(op, rows.Err())
}

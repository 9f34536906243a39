package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// bbLogistics is the receiving party's logistics.
var bbLogistics = store.Actor{UserID: 5, Name: "bb-logistics", Party: "BB"}

// TestReplyNote: the sending party replies once to the confirmed
// discrepancy note (RCV-3); the note keeps its quantities, and every
// refusal stores nothing.
func TestReplyNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := newConsignKeys(t)
		_, facB := seed(t, db)
		ids := ctParcels(t, db, facB, 3, 300)
		c := ctNewConsignment(t, db, ids)
		ctTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, aaClerk, keys.ring("AA"), c.Ref); err != nil {
				return err
			}
			if _, err := tx.DispatchConsignment(ctx, aaClerk, c.Ref); err != nil {
				return err
			}
			_, err := tx.ScanHandover(ctx, icrcFirst, c.Ref, ids[0], true)
			return err
		})
		reply := func(a store.Actor, id int64, text string) (*consignments.Note, error) {
			var n *consignments.Note
			err := ctTxErr(db, func(tx *store.Tx) error {
				var err error
				n, err = tx.ReplyNote(ctx, a, c.Ref, id, text)
				return err
			})
			return n, err
		}
		ctRefused(t, db, errs.NotFound, "has no discrepancy note 1", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, aaClerk, c.Ref, 1, "no note yet")
			return err
		})
		var note *consignments.Note
		ctTx(t, db, func(tx *store.Tx) error {
			var err error
			note, err = tx.AddNote(ctx, icrcFirst, c.Ref, "two parcels not in the truck, one torn")
			return err
		})
		awaiting := func(party string, want ...string) {
			t.Helper()
			got, err := db.NotesAwaitingReply(ctx, party)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, append([]string{}, want...)) {
				t.Errorf("notes awaiting the reply of %q: got %v, want %v", party, got, want)
			}
		}
		awaiting("AA")
		ctRefused(t, db, errs.Conflict, "not confirmed yet (0 of 2", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, aaClerk, c.Ref, note.ID, "we sent three")
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ConfirmNote(ctx, icrcFirst, c.Ref, note.ID)
			return err
		})
		ctRefused(t, db, errs.Conflict, "not confirmed yet (1 of 2", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, aaClerk, c.Ref, note.ID, "we sent three")
			return err
		})
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.ConfirmNote(ctx, icrcSecond, c.Ref, note.ID)
			return err
		})
		awaiting("AA", c.Ref)
		awaiting("BB")
		awaiting("")

		ctRefused(t, db, errs.Forbidden, "only the sending party (AA)", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, bbLogistics, c.Ref, note.ID, "we are the receiver")
			return err
		})
		ctRefused(t, db, errs.Forbidden, "only the sending party (AA)", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, icrcFirst, c.Ref, note.ID, "we are the intermediary")
			return err
		})
		ctRefused(t, db, errs.NotFound, "has no discrepancy note 999", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, aaClerk, c.Ref, 999, "which note?")
			return err
		})
		if _, err := reply(aaClerk, note.ID, "   "); errs.KindOf(err) != errs.Invalid || errs.FieldsOf(err)["text"] != "write the reply" {
			t.Errorf("empty reply: got %v, want a text field error", err)
		}
		if _, err := reply(aaClerk, note.ID, strings.Repeat("x", consignments.MaxReplyLen+1)); errs.KindOf(err) != errs.Invalid {
			t.Errorf("long reply: got %v, want invalid", err)
		}
		before, err := db.LatestNote(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if before.Reply != nil {
			t.Fatalf("after refusals: got reply %+v, want none", before.Reply)
		}

		n, err := reply(aaClerk, note.ID, "  Three parcels left our depot; the two are searched for.\n")
		if err != nil {
			t.Fatal(err)
		}
		want := consignments.Reply{Text: "Three parcels left our depot; the two are searched for.", Party: "AA", UserID: aaClerk.UserID, At: n.Reply.At}
		if *n.Reply != want || n.Reply.At.IsZero() {
			t.Errorf("reply: got %+v, want %+v", *n.Reply, want)
		}
		got, err := db.LatestNote(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reply == nil || got.Reply.Text != n.Reply.Text || got.Reply.Party != "AA" || got.Reply.UserID != aaClerk.UserID ||
			!got.Reply.At.Truncate(time.Millisecond).Equal(n.Reply.At.Truncate(time.Millisecond)) {
			t.Errorf("stored reply: got %+v, want %+v", got.Reply, n.Reply)
		}
		if got.Expected != before.Expected || got.Scanned != before.Scanned || !slices.Equal(got.Missing, before.Missing) ||
			!slices.Equal(got.Damaged, before.Damaged) || got.Text != before.Text || len(got.Confirmations) != 2 {
			t.Errorf("the note changed: got %+v, want %+v", got, before)
		}
		awaiting("AA")
		ctRefused(t, db, errs.Conflict, "AA already replied", func(tx *store.Tx) error {
			_, err := tx.ReplyNote(ctx, aaClerk, c.Ref, note.ID, "a second answer")
			return err
		})

		evs, err := db.Events(ctx, "consignment", c.Ref, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		e := evs[len(evs)-1]
		if e.Type != "note_replied" {
			t.Fatalf("last event: got %s, want note_replied", e.Type)
		}
		var data map[string]any
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatal(err)
		}
		if len(data) != 2 || data["party"] != "AA" || data["note_id"] != float64(note.ID) {
			t.Errorf("event data: got %v, want the note id and the party only", data)
		}

		// The handover completes with the answered note; the reply stays.
		ctTx(t, db, func(tx *store.Tx) error {
			_, err := tx.CompleteHandover(ctx, icrcFirst, keys.ring("ICRC"), c.Ref)
			return err
		})
		c2, err := db.Consignment(ctx, c.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if after, err := db.LatestNote(ctx, c2); err != nil || after.Reply == nil || after.Reply.Text != want.Text {
			t.Errorf("after the handover: got %+v, %v", after, err)
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestImportPersons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, facB := seed(t, db)
		ctx := context.Background()
		var changed []int64
		db.PersonsChanged = func(ids []int64) { changed = append(changed, ids...) }
		var ps []*registry.Person
		for i := 0; i < 50; i++ {
			p := pow("AA", fmt.Sprintf("Особа %d", i))
			p.ExternalID = fmt.Sprintf("AA-%d", i)
			if i%2 == 0 {
				p.FacilityID = facB
			}
			ps = append(ps, p)
		}
		before, _ := db.CountEvents(ctx)
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.ImportPersons(ctx, actor, ps, nil) }); err != nil {
			t.Fatal(err)
		}
		after, _ := db.CountEvents(ctx)
		if after != before+1 {
			t.Fatalf("got %d new events, want 1 for the import", after-before)
		}
		if len(changed) != 50 {
			t.Fatalf("PersonsChanged got %d ids, want 50", len(changed))
		}
		held, _, err := db.Persons(ctx, store.PersonFilter{Scope: "BB", Limit: 100})
		if err != nil || len(held) != 25 {
			t.Fatalf("held by BB: got %d (%v), want 25", len(held), err)
		}
		hist, _ := db.PersonEvents(ctx, held[0].ID)
		if len(hist) != 1 || hist[0].Type != registry.Arrived {
			t.Fatalf("history of an imported held person: got %+v", hist)
		}
		taken, err := db.ExistingExternalIDs(ctx, []string{"AA-1", "AA-999"})
		if err != nil || !taken["AA-1"] || taken["AA-999"] {
			t.Fatalf("existing ids: got %v (%v)", taken, err)
		}
		// A duplicate external id rolls the whole import back.
		dup := []*registry.Person{pow("AA", "Нова"), pow("AA", "Дубль")}
		dup[1].ExternalID = "AA-3"
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.ImportPersons(ctx, actor, dup, nil) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate: got %v, want conflict", err)
		}
		all, _, _ := db.Persons(ctx, store.PersonFilter{Limit: 500})
		if len(all) != 50 {
			t.Fatalf("after a failed import: got %d persons, want 50", len(all))
		}
	})
}

func TestPersonNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		p := pow("AA", "Особа")
		p.ExternalID = "example.org/person.1"
		createPerson(t, db, p)
		n := &store.Note{RecordID: "example.org/note.1", Text: "seen alive", Status: "believed_alive"}
		for i, want := range []bool{true, false} {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				id, err := tx.PersonIDByExternal(ctx, "example.org/person.1")
				if err != nil {
					return err
				}
				n.PersonID = id
				got, err := tx.AddPersonNote(ctx, actor, n)
				if got != want {
					t.Errorf("import %d: stored %v, want %v", i, got, want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		notes, err := db.Notes(ctx, []int64{p.ID})
		if err != nil || len(notes[p.ID]) != 1 || notes[p.ID][0].Text != "seen alive" {
			t.Fatalf("notes: got %+v (%v)", notes, err)
		}
	})
}

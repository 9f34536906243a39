package search_test

import (
	"context"
	"testing"

	"lifeline/internal/auth"
	"lifeline/internal/registry"
	"lifeline/internal/search"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestIndexKeptCurrentAndScoped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty}} {
				if err := tx.CreateParty(ctx, store.System, p); err != nil {
					return err
				}
			}
			return tx.CreatePerson(ctx, store.System, &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA",
				NativeName: "Щербак Андрій", BirthDate: "1990-04-12", Sex: "m"})
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := search.New()
		if err := svc.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		db.PersonsChanged = func(ids []int64) { svc.Refresh(ctx, db, ids) }
		// A person registered after the load is found at once.
		later := &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "BB", NativeName: "Иванов Иван", Sex: "m"}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, store.System, later) }); err != nil {
			t.Fatal(err)
		}
		aa := &auth.Principal{Party: "AA"}
		bb := &auth.Principal{Party: "BB"}
		if got := svc.Duplicates(&registry.Person{NativeName: "Ivanov Ivan"}, bb); len(got) != 1 || got[0].ID != later.ID {
			t.Fatalf("a new person as BB: got %+v", got)
		}
		if got := svc.Duplicates(&registry.Person{NativeName: "Ivanov Ivan"}, aa); len(got) != 0 {
			t.Fatalf("AA found BB's person: %+v", got)
		}
		tests := []struct {
			name string
			p    registry.Person
			want int
		}{
			{"other spelling, same birth date", registry.Person{NativeName: "Shcherbak Andriy", BirthDate: "1990-04-12", Sex: "m"}, 1},
			{"Russian form, birth year only", registry.Person{NativeName: "Щербак Андрей", BirthDate: "1990"}, 1},
			{"same name, another birth date", registry.Person{NativeName: "Щербак Андрій", BirthDate: "1975-01-01"}, 0},
			{"same name, other sex", registry.Person{NativeName: "Щербак Андрій", Sex: "f"}, 0},
			{"someone else", registry.Person{NativeName: "Коваль Петро"}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := svc.Duplicates(&tt.p, aa); len(got) != tt.want {
					t.Fatalf("got %d duplicates %+v, want %d", len(got), got, tt.want)
				}
			})
		}
	})
}

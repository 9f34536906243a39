package store_test

import (
	"context"
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestPersonParties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		held := &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Щербак Андрій", Rank: "солдат", BirthDate: "1991", ServiceNumber: "UA-9"}
		free := &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: "Коваль Олена"}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty}} {
				if err := tx.CreateParty(ctx, store.System, p); err != nil {
					return err
				}
			}
			camp := &registry.Facility{Code: "BB-1", Name: "Camp", PartyCode: "BB", Kind: registry.Camp}
			if err := tx.CreateFacility(ctx, store.System, camp); err != nil {
				return err
			}
			for _, p := range []*registry.Person{held, free} {
				if err := tx.CreatePerson(ctx, store.System, p); err != nil {
					return err
				}
			}
			return tx.RecordStatus(ctx, store.System, &registry.Event{PersonID: held.ID, Type: registry.Arrived, FacilityID: camp.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			id   int64
			want store.PersonSides
		}{
			{"held by the other party", held.ID, store.PersonSides{PartyCode: "AA", HoldingParty: "BB"}},
			{"held nowhere", free.ID, store.PersonSides{PartyCode: "AA"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.PersonParties(ctx, tc.id)
				if err != nil || got != tc.want {
					t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
				}
			})
		}
		if _, err := db.PersonParties(ctx, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown person: got %v, want not found", err)
		}
	})
}

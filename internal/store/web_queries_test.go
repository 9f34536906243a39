package store_test

import (
	"context"
	"testing"
	"time"

	"lifeline/internal/registry"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

func TestCountCardsDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sys := store.System
		now := db.Now()
		var ids []int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for _, p := range []registry.Party{{Code: "AA", Name: "A", Kind: registry.StateParty}, {Code: "BB", Name: "B", Kind: registry.StateParty}} {
				if err := tx.CreateParty(ctx, sys, p); err != nil {
					return err
				}
			}
			fac := registry.Facility{Code: "BB-1", Name: "Camp", PartyCode: "BB", Kind: registry.Camp}
			if err := tx.CreateFacility(ctx, sys, &fac); err != nil {
				return err
			}
			// Four AA persons held by BB: arrived 10 days ago without a
			// card, 10 days ago with a card, 2 days ago without, and one
			// never arrived.
			for i, ev := range [][]registry.Event{
				{{Type: registry.Arrived, FacilityID: fac.ID, OccurredAt: now.Add(-240 * time.Hour)}},
				{{Type: registry.Arrived, FacilityID: fac.ID, OccurredAt: now.Add(-240 * time.Hour)}, {Type: registry.CaptureCardSent, OccurredAt: now.Add(-200 * time.Hour)}},
				{{Type: registry.Arrived, FacilityID: fac.ID, OccurredAt: now.Add(-48 * time.Hour)}},
				nil,
			} {
				p := registry.Person{Category: registry.CivilianInternee, PartyCode: "AA", NativeName: "Person " + string(rune('A'+i))}
				if err := tx.CreatePerson(ctx, sys, &p); err != nil {
					return err
				}
				ids = append(ids, p.ID)
				for _, e := range ev {
					e.PersonID = p.ID
					if err := tx.RecordStatus(ctx, sys, &e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		before := now.Add(-registry.CardDeadline)
		for _, tc := range []struct {
			scope string
			want  int
		}{{"", 1}, {"AA", 1}, {"BB", 1}, {"CC", 0}} {
			t.Run("scope="+tc.scope, func(t *testing.T) {
				n, err := db.CountCardsDue(ctx, tc.scope, before)
				if err != nil {
					t.Fatal(err)
				}
				if n != tc.want {
					t.Errorf("got %d, want %d", n, tc.want)
				}
				// The count agrees with the list the same filter selects.
				list, _, err := db.Persons(ctx, store.PersonFilter{Scope: tc.scope, CardDueBefore: before})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != n {
					t.Errorf("list has %d persons, count says %d", len(list), n)
				}
				if n == 1 && list[0].ID != ids[0] {
					t.Errorf("got person %d, want %d", list[0].ID, ids[0])
				}
			})
		}
	})
}

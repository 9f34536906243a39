package demo

import (
	"context"
	"fmt"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/store"
)

// The demo's repatriation story (issue 5): 124 residents of the Sumy
// region, evacuated to a temporary accommodation centre in Kursk,
// repatriated in one operation facilitated by the intermediary; six
// residents of the Kursk region evacuated to Sumy, waiting for weeks for
// their home party to accept them, with an unverified public claim that
// they were refused; and other cases in every state.

// RepatriatedResidents is how many residents the demo's operation brings home.
const RepatriatedResidents = 124

func seedCases(ctx context.Context, db *store.DB, s *Scenario) error {
	byParty := map[string][]*registry.Person{}
	for _, id := range s.Civilians {
		p, err := db.Person(ctx, id)
		if err != nil {
			return err
		}
		byParty[p.PartyCode] = append(byParty[p.PartyCode], p)
	}
	ua, ru := byParty["UA"], byParty["RU"]
	if len(ua) < RepatriatedResidents+12 || len(ru) < 12 {
		return fmt.Errorf("the demo needs at least %d Ukrainian and 12 Russian displaced civilians; it has %d and %d", RepatriatedResidents+12, len(ua), len(ru))
	}
	tac := map[string]int64{}
	for party, fs := range s.Facilities {
		for _, f := range fs {
			if f.Kind == registry.Accommodation {
				tac[party] = f.ID
			}
		}
	}
	day := 24 * time.Hour
	now := s.Now
	ruCase := store.Actor{Name: "ru-caseworker", Party: "RU"}
	uaCase := store.Actor{Name: "ua-caseworker", Party: "UA"}
	delegate := store.Actor{Name: "delegate", Party: "ICRC"}

	// newCase registers a household of people (nationals of home, on the
	// side of host) at host's accommodation centre, days ago.
	newCase := func(tx *store.Tx, a store.Actor, people []*registry.Person, home, host, origin, region string, days int, prio ...cases.Priority) (*cases.Case, error) {
		c := &cases.Case{Party: home, HostParty: host, Origin: origin, Region: region, Placement: cases.Accommodation, FacilityID: tac[host],
			Priorities: prio, RegisteredAt: now.Add(-time.Duration(days) * day)}
		for _, p := range people {
			arrived := registry.Event{PersonID: p.ID, Type: registry.Arrived, FacilityID: tac[host], OccurredAt: c.RegisteredAt}
			if err := tx.RecordStatus(ctx, a, &arrived); err != nil {
				return nil, err
			}
			c.Members = append(c.Members, cases.Member{PersonID: p.ID})
		}
		return c, tx.CreateCase(ctx, a, c)
	}
	wish := func(tx *store.Tx, c *cases.Case, w cases.Wish, daysAgo int) error {
		iv := &cases.Interview{At: now.Add(-time.Duration(daysAgo) * day), By: delegate.Name, Intermediary: true, Private: true}
		if w != cases.WishReturn {
			iv = nil
		}
		_, err := tx.RecordCaseWish(ctx, delegate, c.ID, 0, w, iv)
		return err
	}
	move := func(tx *store.Tx, a store.Actor, c *cases.Case, t cases.Transition) error {
		_, err := tx.MoveCase(ctx, a, c.ID, 0, t)
		return err
	}
	decide := func(to cases.State, party string, daysAgo int, reason, source string) cases.Transition {
		return cases.Transition{To: to, Decision: &cases.Decision{Party: party, At: now.Add(-time.Duration(daysAgo) * day), Reason: reason, Source: source}}
	}

	// 124 residents of the Sumy region, in households of one to four.
	var operation *repatriation.Operation
	err := db.Tx(ctx, func(tx *store.Tx) error {
		operation = &repatriation.Operation{Ref: "REP-" + now.Format("2006-01") + "-SUMY", Date: now.Add(-2 * day), CrossingPoint: "Sudzha–Yunakivka crossing point",
			Intermediary: "ICRC", From: "RU", To: "UA", Note: "Residents of the Sumy region evacuated to Kursk."}
		if err := tx.CreateOperation(ctx, delegate, operation); err != nil {
			return err
		}
		people := ua[:RepatriatedResidents]
		for i := 0; i < len(people); {
			n := 1 + (i*7)%4
			if i+n > len(people) {
				n = len(people) - i
			}
			var prio []cases.Priority
			switch i % 9 {
			case 0:
				prio = []cases.Priority{cases.PriorityElderly}
			case 4:
				prio = []cases.Priority{cases.PriorityChild}
			}
			c, err := newCase(tx, ruCase, people[i:i+n], "UA", "RU", "Sumy region", "Sumy", 70+i%20, prio...)
			if err != nil {
				return err
			}
			if err := wish(tx, c, cases.WishReturn, 40); err != nil {
				return err
			}
			if err := move(tx, ruCase, c, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
				return err
			}
			if err := move(tx, uaCase, c, decide(cases.Accepted, "UA", 20, "", "Ombudsman of Ukraine, letter to the ICRC")); err != nil {
				return err
			}
			if err := tx.AddCaseToOperation(ctx, delegate, operation.ID, c.ID); err != nil {
				return err
			}
			i += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, step := range []func(tx *store.Tx) error{
		func(tx *store.Tx) error { return signAll(ctx, tx, operation, repatriation.KindRoster) },
		func(tx *store.Tx) error {
			o, err := tx.DB().Operation(ctx, operation.ID)
			if err != nil {
				return err
			}
			for _, e := range o.Roster {
				if err := tx.RecordOperationOutcome(ctx, delegate, o.ID, e.PersonID, repatriation.HandedOver, ""); err != nil {
					return err
				}
			}
			return tx.CompleteOperation(ctx, delegate, o.ID)
		},
		func(tx *store.Tx) error { return signAll(ctx, tx, operation, repatriation.KindOutcomes) },
	} {
		if err := db.Tx(ctx, step); err != nil {
			return err
		}
	}

	// Six residents of the Kursk region evacuated to Sumy, waiting for weeks:
	// a family of three, a couple and a man alone. Acceptance was asked of
	// their home party and never answered; one party says publicly that
	// they were refused.
	var stranded []claims.Link
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i, g := range []struct {
			from, to int
			days     int
			prio     []cases.Priority
		}{{0, 3, 46, []cases.Priority{cases.PriorityChild}}, {3, 5, 39, []cases.Priority{cases.PriorityElderly}}, {5, 6, 33, nil}} {
			c, err := newCase(tx, uaCase, ru[g.from:g.to], "RU", "UA", "Kursk region", "Kursk", g.days, g.prio...)
			if err != nil {
				return err
			}
			if err := wish(tx, c, cases.WishReturn, g.days-3); err != nil {
				return err
			}
			if err := move(tx, uaCase, c, cases.Transition{To: cases.AcceptanceRequested, Reason: fmt.Sprintf("request %d via the ICRC", i+1)}); err != nil {
				return err
			}
			stranded = append(stranded, claims.Link{Kind: claims.LinkCase, ID: c.ID})
		}
		claim := &claims.Claim{Statement: "Russia refuses to take back six of its own citizens evacuated from the Kursk region.", Party: "UA",
			MadeOn: now.Add(-9 * day), Source: "Ombudsman of Ukraine, press briefing", Subject: claims.SubjectRefusal, Count: 6, Links: stranded}
		if err := tx.CreateClaim(ctx, uaCase, claim); err != nil {
			return err
		}
		repClaim := &claims.Claim{Statement: "124 residents of the Sumy region came home through the ICRC.", Party: "UA", MadeOn: now.Add(-day),
			Source: "Ombudsman of Ukraine, statement", Subject: claims.SubjectRepatriation, Count: RepatriatedResidents,
			Links: []claims.Link{{Kind: claims.LinkOperation, ID: operation.ID}}}
		// Verified once the node publishes the log that counts it: see
		// VerifyClaims.
		return tx.CreateClaim(ctx, uaCase, repClaim)
	})
	if err != nil {
		return err
	}

	// Other cases, one in every state, and a second operation being planned.
	return db.Tx(ctx, func(tx *store.Tx) error {
		rest := ua[RepatriatedResidents:]
		others := ru[6:]
		planned := &repatriation.Operation{Ref: "REP-" + now.Add(30*day).Format("2006-01") + "-KHARKIV", Date: now.Add(14 * day), CrossingPoint: "Sudzha–Yunakivka crossing point",
			Intermediary: "ICRC", From: "RU", To: "UA"}
		if err := tx.CreateOperation(ctx, delegate, planned); err != nil {
			return err
		}
		// registered: just arrived, wish not yet heard.
		if _, err := newCase(tx, ruCase, rest[0:1], "UA", "RU", "Kharkiv region", "Kharkiv", 4); err != nil {
			return err
		}
		// accepted, then scheduled on the planned operation.
		for k, r := range [][2]int{{1, 3}, {3, 4}} {
			c, err := newCase(tx, ruCase, rest[r[0]:r[1]], "UA", "RU", "Kharkiv region", "Kharkiv", 30+k, cases.PrioritySick)
			if err != nil {
				return err
			}
			if err := wish(tx, c, cases.WishReturn, 20); err != nil {
				return err
			}
			if err := move(tx, ruCase, c, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
				return err
			}
			if err := move(tx, uaCase, c, decide(cases.Accepted, "UA", 10, "", "Ombudsman of Ukraine, letter to the ICRC")); err != nil {
				return err
			}
			if k == 0 {
				if err := tx.AddCaseToOperation(ctx, ruCase, planned.ID, c.ID); err != nil {
					return err
				}
			}
		}
		// refused, with who, when, the stated reason and its source.
		c, err := newCase(tx, uaCase, others[0:2], "RU", "UA", "Belgorod region", "Belgorod", 58)
		if err != nil {
			return err
		}
		if err := wish(tx, c, cases.WishReturn, 50); err != nil {
			return err
		}
		if err := move(tx, uaCase, c, cases.Transition{To: cases.AcceptanceRequested}); err != nil {
			return err
		}
		if err := move(tx, ruCase, c, decide(cases.Refused, "RU", 21, "identity not confirmed", "note verbale of the Russian Federation to the ICRC")); err != nil {
			return err
		}
		// flagged for a risk of persecution: the wish to return is on
		// record, but no return can be scheduled.
		c, err = newCase(tx, ruCase, rest[4:5], "UA", "RU", "Kherson region", "Kherson", 64)
		if err != nil {
			return err
		}
		if _, err := tx.SetCaseRisk(ctx, delegate, c.ID, 0, true, "fears reprisals; reported to the ICRC in a private interview"); err != nil {
			return err
		}
		// wants to stay: resettled.
		c, err = newCase(tx, uaCase, others[2:3], "RU", "UA", "Kursk region", "Kursk", 80)
		if err != nil {
			return err
		}
		if err := wish(tx, c, cases.WishStay, 60); err != nil {
			return err
		}
		if err := move(tx, uaCase, c, cases.Transition{To: cases.Resettled, Reason: "chose to stay with relatives"}); err != nil {
			return err
		}
		// cancelled: found the family's own way home.
		c, err = newCase(tx, ruCase, rest[5:6], "UA", "RU", "Sumy region", "Sumy", 50)
		if err != nil {
			return err
		}
		return move(tx, ruCase, c, cases.Transition{To: cases.Cancelled, Reason: "left on their own through a third country"})
	})
}

// signAll signs an operation's document for both parties and the
// intermediary, with the keys the demo node holds for each.
func signAll(ctx context.Context, tx *store.Tx, o *repatriation.Operation, kind string) error {
	for _, p := range o.Signatories() {
		a := store.Actor{Name: "system", Party: p}
		if err := tx.SignOperation(ctx, a, o.ID, kind, p, tx.HeldKeys(ctx)); err != nil {
			return err
		}
	}
	return nil
}

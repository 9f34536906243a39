// Package demo builds the demo scenario: two parties and an intermediary,
// their facilities, thousands of prisoners of war and displaced civilians
// with Russian and Ukrainian names, and a user for every role. Each feature
// adds its part of the scenario as a step, in its own file.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/blob"
	"lifeline/internal/names"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// Password is the password of every demo user. The demo serves on the
// loopback interface only; never use it for real data.
const Password = "lifeline-demo"

// Login is a demo account.
type Login struct {
	Name, Role, Party string
}

// Scenario is what the demo built, for the steps after it and the banner.
type Scenario struct {
	Now        time.Time
	Parties    []registry.Party
	Facilities map[string][]registry.Facility // by party code
	POWs       map[string][]int64             // person ids of POWs by the party holding them
	Civilians  []int64                        // displaced civilians
	Logins     []Login
	Rand       *rand.Rand
	Log        func(format string, args ...any) // progress lines
	Blobs      blob.Backend                     // where scans go
}

// blobs is where the scenario's scans go: the database unless told.
func (s *Scenario) blobs() blob.Backend {
	if s.Blobs == nil {
		return blob.Table{}
	}
	return s.Blobs
}

// Options tune the scenario.
type Options struct {
	POWs      int // prisoners of war (default 2,400)
	Civilians int // displaced civilians (default 300)
	Seed      uint64
	Log       func(format string, args ...any)
	Blobs     blob.Backend // where scans go; the database when nil
}

// step adds one part of the scenario.
type step struct {
	name string
	run  func(ctx context.Context, db *store.DB, s *Scenario) error
}

// steps lists the parts of the scenario in order; features add theirs.
func steps() []step {
	return []step{
		{"registry", seedRegistry},
		{"cases", seedCases},
		{"mail", seedMail},
		{"consignments", seedConsignments},
	}
}

// Seed builds the whole scenario in db, which must be empty and migrated.
func Seed(ctx context.Context, db *store.DB, opt Options) (*Scenario, error) {
	if opt.POWs == 0 {
		opt.POWs = 2400
	}
	if opt.Civilians == 0 {
		opt.Civilians = 300
	}
	if opt.Seed == 0 {
		opt.Seed = 2026
	}
	if opt.Log == nil {
		opt.Log = func(string, ...any) {}
	}
	if opt.Blobs == nil {
		opt.Blobs = blob.Table{}
	}
	s := &Scenario{Now: db.Now(), Facilities: map[string][]registry.Facility{}, POWs: map[string][]int64{}, Rand: rand.New(rand.NewPCG(opt.Seed, 1)), Log: opt.Log, Blobs: opt.Blobs}
	ps, err := db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		return nil, fmt.Errorf("the database already holds data; the demo needs an empty one")
	}
	if err := seedBase(ctx, db, s, opt); err != nil {
		return nil, err
	}
	for _, st := range steps() {
		start := time.Now()
		if err := st.run(ctx, db, s); err != nil {
			return nil, fmt.Errorf("demo %s: %w", st.name, err)
		}
		opt.Log("demo: %s ready in %.1fs", st.name, time.Since(start).Seconds())
	}
	return s, nil
}

var demoParties = []registry.Party{
	{Code: "UA", Name: "Ombudsman of Ukraine", Kind: registry.StateParty},
	{Code: "RU", Name: "Ombudsman of the Russian Federation", Kind: registry.StateParty},
	{Code: "ICRC", Name: "International Committee of the Red Cross", Kind: registry.Intermediary},
}

var demoFacilities = []registry.Facility{
	{Code: "RU-CAMP-1", Name: "Camp No. 1 (Rostov region)", PartyCode: "RU", Kind: registry.Camp, Region: "Rostov", PostalAddress: "Camp No. 1, Rostov region"},
	{Code: "RU-CAMP-2", Name: "Camp No. 2 (Bryansk region)", PartyCode: "RU", Kind: registry.Camp, Region: "Bryansk", PostalAddress: "Camp No. 2, Bryansk region"},
	{Code: "RU-HOSP-1", Name: "Military hospital (Kursk)", PartyCode: "RU", Kind: registry.Hospital, Region: "Kursk", PostalAddress: "Military hospital, Kursk"},
	{Code: "RU-TAC-1", Name: "Temporary accommodation centre (Kursk)", PartyCode: "RU", Kind: registry.Accommodation, Region: "Kursk", PostalAddress: "Temporary accommodation centre, Kursk"},
	{Code: "UA-CAMP-1", Name: "Camp West-1 (Lviv region)", PartyCode: "UA", Kind: registry.Camp, Region: "Lviv", PostalAddress: "Camp West-1, Lviv region"},
	{Code: "UA-CAMP-2", Name: "Camp Centre-2 (Vinnytsia region)", PartyCode: "UA", Kind: registry.Camp, Region: "Vinnytsia", PostalAddress: "Camp Centre-2, Vinnytsia region"},
	{Code: "UA-TAC-1", Name: "Temporary accommodation centre (Sumy)", PartyCode: "UA", Kind: registry.Accommodation, Region: "Sumy", PostalAddress: "Temporary accommodation centre, Sumy"},
}

// other returns the other state party.
func other(party string) string {
	if party == "UA" {
		return "RU"
	}
	return "UA"
}

func seedBase(ctx context.Context, db *store.DB, s *Scenario, opt Options) error {
	start := time.Now()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range demoParties {
			if err := tx.CreateParty(ctx, store.System, p); err != nil {
				return err
			}
		}
		for _, f := range demoFacilities {
			f := f
			if err := tx.CreateFacility(ctx, store.System, &f); err != nil {
				return err
			}
			s.Facilities[f.PartyCode] = append(s.Facilities[f.PartyCode], f)
		}
		// A user of every role in each state party; delegates and an admin in the intermediary.
		for _, party := range []string{"UA", "RU", "ICRC"} {
			for _, r := range auth.Roles {
				if (r == auth.Delegate) != (party == "ICRC") && !(party == "ICRC" && (r == auth.Admin || r == auth.Analyst)) {
					continue
				}
				name := strings.ToLower(party) + "-" + string(r)
				if party == "ICRC" && r == auth.Admin {
					name = "admin"
				}
				if party == "ICRC" && r == auth.Delegate {
					name = "delegate"
				}
				u := &store.User{Name: name, Role: r, PartyCode: party}
				if err := tx.CreateUser(ctx, store.System, u, Password); err != nil {
					return err
				}
				s.Logins = append(s.Logins, Login{Name: name, Role: string(r), Party: party})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.Parties = demoParties
	opt.Log("demo: parties, facilities and %d users ready in %.1fs", len(s.Logins), time.Since(start).Seconds())
	return seedPersons(ctx, db, s, opt)
}

// seedPersons registers the prisoners of war, held by the other side, and
// the displaced civilians.
func seedPersons(ctx context.Context, db *store.DB, s *Scenario, opt Options) error {
	start := time.Now()
	gen := names.Generate(int64(opt.Seed), opt.POWs+opt.Civilians)
	var pows, civs []*registry.Person
	for i, g := range gen {
		p := &registry.Person{
			ExternalID: g.ExternalID, PartyCode: g.Party, Surname: g.Surname, GivenName: g.GivenName, Patronymic: g.Patronymic,
			LatinNames: g.LatinNames, Sex: g.Sex, BirthDate: g.BirthDate, BirthPlace: g.BirthPlace,
		}
		if i < opt.POWs {
			p.Category = registry.POW
			p.Sex = "m"
			p.Rank = names.Rank(g)
			p.ServiceNumber = fmt.Sprintf("%s-%07d", g.Party, 1000000+s.Rand.IntN(8999999))
			if p.BirthDate == "" {
				p.BirthDate = fmt.Sprintf("%d-%02d-%02d", 1970+s.Rand.IntN(35), 1+s.Rand.IntN(12), 1+s.Rand.IntN(28))
			}
			// Held by the other side, at one of its camps.
			camps := campsOf(s, other(p.PartyCode))
			p.FacilityID = camps[s.Rand.IntN(len(camps))].ID
			arrived := s.Now.Add(-time.Duration(20+s.Rand.IntN(300)) * 24 * time.Hour)
			p.ArrivedAt = &arrived
			pows = append(pows, p)
		} else {
			p.Category = registry.DisplacedCivilian
			p.Nationality = map[string]string{"UA": "Ukrainian", "RU": "Russian"}[g.Party]
			p.LastResidence = g.BirthPlace
			civs = append(civs, p)
		}
		p.Normalize()
		if err := p.Validate(s.Now); err != nil {
			return fmt.Errorf("generated person %d: %w", i, err)
		}
	}
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.ImportPersons(ctx, store.System, pows, nil); err != nil {
			return err
		}
		return tx.ImportPersons(ctx, store.System, civs, nil)
	})
	if err != nil {
		return err
	}
	for _, p := range pows {
		s.POWs[p.HoldingParty] = append(s.POWs[p.HoldingParty], p.ID)
	}
	for _, p := range civs {
		s.Civilians = append(s.Civilians, p.ID)
	}
	opt.Log("demo: %d prisoners of war and %d displaced civilians registered in %.1fs", len(pows), len(civs), time.Since(start).Seconds())
	return nil
}

func campsOf(s *Scenario, party string) []registry.Facility {
	var out []registry.Facility
	for _, f := range s.Facilities[party] {
		if f.Kind == registry.Camp {
			out = append(out, f)
		}
	}
	return out
}

// seedRegistry gives some prisoners a fuller history: capture cards sent
// (some overdue), transfers, hospital stays, a release and a death.
func seedRegistry(ctx context.Context, db *store.DB, s *Scenario) error {
	return db.Tx(ctx, func(tx *store.Tx) error {
		for holder, ids := range s.POWs {
			camps := campsOf(s, holder)
			for i, id := range ids {
				if i%25 == 24 {
					continue // a few cards are overdue: the dashboard shows them
				}
				p, err := tx.Person(ctx, id)
				if err != nil {
					return err
				}
				day := 24 * time.Hour
				at := func(d time.Duration) time.Time { return p.ArrivedAt.Add(d) }
				var evs []registry.Event
				switch {
				case i%10 < 7: // most have had their card sent within the week
					evs = append(evs, registry.Event{Type: registry.CaptureCardSent, OccurredAt: at(time.Duration(1+i%6) * day)})
				case i%10 == 7 && len(camps) > 1: // transferred, card sent at the new camp
					for _, c := range camps {
						if c.ID != p.FacilityID {
							evs = append(evs, registry.Event{Type: registry.CaptureCardSent, OccurredAt: at(2 * day)},
								registry.Event{Type: registry.Transferred, FacilityID: c.ID, OccurredAt: at(10 * day)},
								registry.Event{Type: registry.CaptureCardSent, OccurredAt: at(12 * day)})
							break
						}
					}
				case i%10 == 8: // hospitalised and discharged
					for _, f := range s.Facilities[holder] {
						if f.Kind == registry.Hospital {
							evs = append(evs, registry.Event{Type: registry.CaptureCardSent, OccurredAt: at(3 * day)},
								registry.Event{Type: registry.Hospitalised, FacilityID: f.ID, OccurredAt: at(5 * day)},
								registry.Event{Type: registry.Discharged, OccurredAt: at(15 * day)})
						}
					}
				}
				if i == 3 {
					evs = append(evs, registry.Event{Type: registry.Died, Note: "natural causes", OccurredAt: at(16 * day)})
				}
				if i == 5 {
					evs = append(evs, registry.Event{Type: registry.Released, OccurredAt: at(17 * day)})
				}
				for _, e := range evs {
					e.PersonID = id
					if err := tx.RecordStatus(ctx, store.Actor{Name: "demo", Party: holder}, &e); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

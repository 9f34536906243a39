package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

var actor = store.Actor{Name: "test", Party: "AA"}

// seed creates two state parties, an intermediary and a facility of each
// state party.
func seed(t *testing.T, db *store.DB) (facA, facB int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, p := range []registry.Party{{Code: "AA", Name: "Party A", Kind: registry.StateParty}, {Code: "BB", Name: "Party B", Kind: registry.StateParty}, {Code: "ICRC", Name: "Intermediary", Kind: registry.Intermediary}} {
			if err := tx.CreateParty(ctx, actor, p); err != nil {
				return err
			}
		}
		fa := &registry.Facility{Code: "A-1", Name: "Camp A1", PartyCode: "AA", Kind: registry.Camp}
		fb := &registry.Facility{Code: "B-1", Name: "Camp B1", PartyCode: "BB", Kind: registry.Camp}
		if err := tx.CreateFacility(ctx, actor, fa); err != nil {
			return err
		}
		if err := tx.CreateFacility(ctx, actor, fb); err != nil {
			return err
		}
		facA, facB = fa.ID, fb.ID
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return facA, facB
}

func pow(party, name string) *registry.Person {
	return &registry.Person{Category: registry.POW, PartyCode: party, NativeName: name, Rank: "private", BirthDate: "1990-04-02", ServiceNumber: "123"}
}

func createPerson(t *testing.T, db *store.DB, p *registry.Person) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { return tx.CreatePerson(context.Background(), actor, p) }); err != nil {
		t.Fatalf("create person: %v", err)
	}
}

func TestParties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.CreateParty(ctx, actor, registry.Party{Code: "CC", Name: "Third", Kind: registry.StateParty})
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("a third state party: got %v, want a conflict", err)
		}
		ps, err := db.Parties(ctx)
		if err != nil || len(ps) != 3 {
			t.Fatalf("got %d parties (%v), want 3", len(ps), err)
		}
	})
}

func TestPersonValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		tests := []struct {
			name  string
			p     registry.Person
			field string
		}{
			{"pow without rank", registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Іван Петренко", BirthDate: "1990", ServiceNumber: "1"}, "rank"},
			{"pow without number", registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Іван Петренко", BirthDate: "1990", Rank: "private"}, "service_number"},
			{"no name", registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA"}, "native_name"},
			{"bad category", registry.Person{Category: "tourist", PartyCode: "AA", NativeName: "X"}, "category"},
			{"future birth", registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: "X", BirthDate: "2999-01-01"}, "birth_date"},
			{"impossible date", registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: "X", BirthDate: "1990-02-30"}, "birth_date"},
			{"intermediary party", registry.Person{Category: registry.DisplacedCivilian, PartyCode: "ICRC", NativeName: "X"}, "party"},
			{"unknown party", registry.Person{Category: registry.DisplacedCivilian, PartyCode: "ZZ", NativeName: "X"}, "party"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := tt.p
				err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreatePerson(ctx, actor, &p) })
				if _, ok := errs.FieldsOf(err)[tt.field]; !ok {
					t.Fatalf("got %v, want an error on field %s", err, tt.field)
				}
			})
		}
		// A civilian needs only a name; nothing was written by the failures.
		createPerson(t, db, &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: "Олена Коваль"})
		got, _, err := db.Persons(ctx, store.PersonFilter{})
		if err != nil || len(got) != 1 {
			t.Fatalf("got %d persons (%v), want 1", len(got), err)
		}
	})
}

func TestPersonUpdateVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		p := pow("AA", "Щербак Андрій")
		createPerson(t, db, p)
		stale := *p
		p.LatinNames = []string{"Shcherbak Andrii"}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.UpdatePerson(ctx, actor, p) }); err != nil {
			t.Fatal(err)
		}
		stale.Rank = "sergeant"
		err := db.Tx(ctx, func(tx *store.Tx) error { return tx.UpdatePerson(ctx, actor, &stale) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: got %v, want conflict", err)
		}
		got, err := db.Person(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Rank != "private" || len(got.LatinNames) != 1 {
			t.Fatalf("got version %d rank %q latin %v", got.Version, got.Rank, got.LatinNames)
		}
	})
}

func TestStatusHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		facA, facB := seed(t, db)
		_ = facA
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		p := pow("AA", "Щербак Андрій")
		createPerson(t, db, p)
		rec := func(typ registry.EventType, fac int64, at time.Time) error {
			return db.Tx(ctx, func(tx *store.Tx) error {
				return tx.RecordStatus(ctx, actor, &registry.Event{PersonID: p.ID, Type: typ, FacilityID: fac, OccurredAt: at})
			})
		}
		if err := rec(registry.Transferred, facB, now.Add(-20*24*time.Hour)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("transfer before arrival: got %v, want conflict", err)
		}
		if err := rec(registry.Captured, 0, now.Add(-20*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := rec(registry.Arrived, facB, now.Add(-10*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Person(ctx, p.ID)
		if got.Status != registry.StatusHeld || got.FacilityID != facB || got.HoldingParty != "BB" {
			t.Fatalf("got status %s facility %d holding %s", got.Status, got.FacilityID, got.HoldingParty)
		}
		overdue, _, err := db.Persons(ctx, store.PersonFilter{CardDueBefore: now.Add(-registry.CardDeadline)})
		if err != nil || len(overdue) != 1 {
			t.Fatalf("overdue cards: got %d (%v), want 1", len(overdue), err)
		}
		if err := rec(registry.Died, 0, now.Add(-11*24*time.Hour)); err == nil {
			t.Fatal("an event dated before the last one was accepted")
		}
		if err := rec(registry.CaptureCardSent, 0, now.Add(-9*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		overdue, _, _ = db.Persons(ctx, store.PersonFilter{CardDueBefore: now.Add(-registry.CardDeadline)})
		if len(overdue) != 0 {
			t.Fatalf("after the card: got %d overdue, want 0", len(overdue))
		}
		hist, err := db.PersonEvents(ctx, p.ID)
		if err != nil || len(hist) != 3 {
			t.Fatalf("got %d events (%v), want 3", len(hist), err)
		}
		// Scope: party BB holds the person, party AA owns them; nobody else would.
		for _, scope := range []string{"AA", "BB", ""} {
			ps, _, _ := db.Persons(ctx, store.PersonFilter{Scope: scope})
			if len(ps) != 1 {
				t.Errorf("scope %q: got %d, want 1", scope, len(ps))
			}
		}
		for _, q := range []string{"щербак", "ЩЕРБАК", "Андрій"} {
			if ps, _, _ := db.Persons(ctx, store.PersonFilter{Text: q}); len(ps) != 1 {
				t.Errorf("text %q: got %d, want 1", q, len(ps))
			}
		}
		ps, _, _ := db.Persons(ctx, store.PersonFilter{Scope: "ICRC"})
		if len(ps) != 0 {
			t.Errorf("scope ICRC as a party: got %d, want 0", len(ps))
		}
	})
}

func TestEventsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		n, err := db.CountEvents(ctx)
		if err != nil || n == 0 {
			t.Fatalf("got %d events (%v), want some", n, err)
		}
		for _, q := range []string{`UPDATE events SET type = 'x'`, `DELETE FROM events`, `UPDATE access_log SET action = 'x'`} {
			if err := db.RecordAccess(ctx, actor, "person", 1, "view"); err != nil {
				t.Fatal(err)
			}
			err := db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, q)
				return err
			})
			if err == nil {
				t.Errorf("%s: succeeded, want refused", q)
			}
		}
		m, _ := db.CountEvents(ctx)
		if m != n {
			t.Fatalf("events: got %d, want %d", m, n)
		}
	})
}

func TestFailedTxLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		before, _ := db.CountEvents(ctx)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.CreatePerson(ctx, actor, pow("AA", "Перший")); err != nil {
				return err
			}
			return tx.CreatePerson(ctx, actor, &registry.Person{Category: registry.POW, PartyCode: "AA", NativeName: "Другий"})
		})
		if err == nil {
			t.Fatal("second person without rank was accepted")
		}
		ps, _, _ := db.Persons(ctx, store.PersonFilter{})
		after, _ := db.CountEvents(ctx)
		if len(ps) != 0 || after != before {
			t.Fatalf("got %d persons and %d new events, want none", len(ps), after-before)
		}
	})
}

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		for i := 0; i < 7; i++ {
			createPerson(t, db, pow("AA", "Особа"))
		}
		var all []int64
		cursor := ""
		for pages := 0; ; pages++ {
			after, err := store.DecodeCursor(cursor)
			if err != nil {
				t.Fatal(err)
			}
			ps, next, err := db.Persons(ctx, store.PersonFilter{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				all = append(all, p.ID)
			}
			if next == "" {
				break
			}
			cursor = next
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(all) != 7 {
			t.Fatalf("got %d persons over pages, want 7", len(all))
		}
		if _, err := store.DecodeCursor("garbage!"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad cursor: got %v, want invalid", err)
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		u := &store.User{Name: "olena", Role: auth.Registrar, PartyCode: "AA"}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, actor, u, "correct horse battery") }); err != nil {
			t.Fatal(err)
		}
		bad := &store.User{Name: "d", Role: auth.Delegate, PartyCode: "AA"}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, actor, bad, "short") }); len(errs.FieldsOf(err)) < 2 {
			t.Fatalf("bad user: got %v, want field errors", err)
		}
		if _, err := db.Login(ctx, "c1", "olena", "wrong password!"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("wrong password: got %v", err)
		}
		p, err := db.Login(ctx, "c1", "olena", "correct horse battery")
		if err != nil || p.Party != "AA" || p.Intermediary {
			t.Fatalf("login: got %+v, %v", p, err)
		}
		// Guessing is throttled per name: after five failures even the right
		// password is refused for a while.
		for i := 0; i < 5; i++ {
			db.Login(ctx, fmt.Sprintf("c%d", i), "olena", "guess number "+fmt.Sprint(i))
		}
		if _, err := db.Login(ctx, "c9", "olena", "correct horse battery"); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("after five failures: got %v, want rate limited", err)
		}
		var attempts int
		db.Read().QueryRowContext(ctx, `SELECT count(*) FROM login_attempts WHERE name = 'olena'`).Scan(&attempts)
		if attempts != 8 {
			t.Fatalf("got %d recorded attempts, want 8", attempts)
		}
		sid, csrf, err := db.CreateSession(ctx, p.UserID)
		if err != nil {
			t.Fatal(err)
		}
		sp, scsrf, err := db.Session(ctx, sid)
		if err != nil || sp.Name != "olena" || scsrf != csrf {
			t.Fatalf("session: got %+v %q, %v", sp, scsrf, err)
		}
		db.DeleteSession(ctx, sid)
		if _, _, err := db.Session(ctx, sid); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("deleted session: got %v", err)
		}
		tok, err := db.CreateToken(ctx, actor, "olena")
		if err != nil {
			t.Fatal(err)
		}
		tp, err := db.TokenPrincipal(ctx, tok)
		if err != nil || tp.Role != auth.Registrar {
			t.Fatalf("token: got %+v, %v", tp, err)
		}
		if _, err := db.TokenPrincipal(ctx, tok+"x"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("bad token: got %v", err)
		}
	})
}

func TestIdempotencyKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		prior, err := db.ClaimIdempotencyKey(ctx, 1, "k1", "h1")
		if err != nil || prior != nil {
			t.Fatalf("first claim: got %v, %v", prior, err)
		}
		prior, _ = db.ClaimIdempotencyKey(ctx, 1, "k1", "h1")
		if prior == nil || prior.Status != 0 {
			t.Fatalf("claim while running: got %+v", prior)
		}
		if err := db.FinishIdempotencyKey(ctx, 1, "k1", 201, `{"id":1}`); err != nil {
			t.Fatal(err)
		}
		prior, _ = db.ClaimIdempotencyKey(ctx, 1, "k1", "h1")
		if prior == nil || prior.Status != 201 || prior.Body != `{"id":1}` {
			t.Fatalf("replay: got %+v", prior)
		}
		if prior, _ := db.ClaimIdempotencyKey(ctx, 2, "k1", "h1"); prior != nil {
			t.Fatalf("another user's key: got %+v, want a fresh claim", prior)
		}
	})
}

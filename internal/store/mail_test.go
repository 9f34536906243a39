package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

var (
	clerkA = store.Actor{UserID: 1, Name: "clerk-a", Party: "AA"}
	clerkB = store.Actor{UserID: 2, Name: "clerk-b", Party: "BB"}
)

type mailWorld struct {
	facA, facB, facB2 int64
	person            *registry.Person // AA's national held by BB at facB
	sender            *correspondence.Sender
}

// mailSeed builds two parties with S10 settings, a prisoner of AA held by
// BB and a family member registered by AA.
func mailSeed(t *testing.T, db *store.DB) mailWorld {
	t.Helper()
	ctx := context.Background()
	var w mailWorld
	w.facA, w.facB = seed(t, db)
	w.person = pow("AA", "Щербак Андрій Петрович")
	w.person.LatinNames = []string{"Shcherbak Andrii"}
	createPerson(t, db, w.person)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, s := range []store.MailSettings{
			{Party: "AA", ItemService: "RR", ParcelService: "CP", Country: "UA", LimitHours: 72},
			{Party: "BB", ItemService: "RB", ParcelService: "CB", Country: "RU", LimitHours: 24},
		} {
			if err := tx.SetMailSettings(ctx, actor, s); err != nil {
				return err
			}
		}
		f := &registry.Facility{Code: "B-2", Name: "Camp B2", PartyCode: "BB", Kind: registry.Camp, PostalAddress: "Street 1, Town"}
		if err := tx.CreateFacility(ctx, actor, f); err != nil {
			return err
		}
		w.facB2 = f.ID
		if err := tx.RecordStatus(ctx, actor, &registry.Event{PersonID: w.person.ID, Type: registry.Arrived, FacilityID: w.facB, OccurredAt: db.Now().Add(-time.Hour)}); err != nil {
			return err
		}
		w.sender = &correspondence.Sender{Name: "Олена Щербак", Relationship: "mother", Contact: "Kyiv, Street 5"}
		return tx.CreateSender(ctx, clerkA, w.sender)
	})
	if err != nil {
		t.Fatalf("mail seed: %v", err)
	}
	return w
}

func mailTakeIn(t *testing.T, db *store.DB, a store.Actor, it *correspondence.Item, scans ...store.Scan) {
	t.Helper()
	hash, err := correspondence.HashPIN("123456")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { return tx.CreateItem(context.Background(), a, it, hash, scans) }); err != nil {
		t.Fatalf("create item: %v", err)
	}
}

func mailScreen(db *store.DB, a store.Actor, id int64, d correspondence.Decision, red *store.Scan) error {
	return db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ScreenItem(context.Background(), a, id, d, red)
		return err
	})
}

func TestMailItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := mailSeed(t, db)
		key := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		it := &correspondence.Item{Kind: correspondence.Letter, PersonID: w.person.ID, SenderID: w.sender.ID, Pages: 2}
		mailTakeIn(t, db, clerkA, it, store.Scan{Key: key, Type: "image/jpeg", Size: 100, Width: 10, Height: 10, ThumbKey: key})
		if it.OriginParty != "AA" || it.DestParty != "BB" || it.Status != correspondence.Received || it.Language != "und" {
			t.Errorf("got %s→%s %s lang %q", it.OriginParty, it.DestParty, it.Status, it.Language)
		}
		if err := s10.Validate(it.Tracking); err != nil || it.Tracking[:2] != "RR" || it.Tracking[11:] != "UA" {
			t.Errorf("got tracking %s (%v), want a valid RR…UA", it.Tracking, err)
		}
		got, err := db.ItemByTracking(ctx, it.Tracking)
		if err != nil || got.ID != it.ID || !correspondence.CheckPIN(got.PINHash, "123456") {
			t.Fatalf("by tracking: got %+v %v", got, err)
		}
		scans, err := db.Scans(ctx, it.ID)
		if err != nil || len(scans) != 1 || scans[0].Role != store.ScanOriginal || scans[0].Key != key {
			t.Fatalf("scans: got %+v %v", scans, err)
		}

		// Second item gets the next number.
		it2 := &correspondence.Item{Kind: correspondence.Drawing, PersonID: w.person.ID, SenderID: w.sender.ID, Language: "uk"}
		mailTakeIn(t, db, clerkA, it2)
		if it2.Tracking == it.Tracking || it2.Tracking[2:10] != "00000002" {
			t.Errorf("second tracking %s after %s, want serial 2", it2.Tracking, it.Tracking)
		}

		list, _, err := db.Items(ctx, store.ItemFilter{Scope: "BB"})
		if err != nil || len(list) != 2 {
			t.Errorf("BB sees %d items (%v), want 2", len(list), err)
		}
		list, _, _ = db.Items(ctx, store.ItemFilter{Scope: "ICRC"})
		if len(list) != 0 {
			t.Errorf("a party with no part in the mail sees %d items", len(list))
		}

		// Screening queue: AA screens first; BB only after AA.
		q, err := db.ScreeningQueue(ctx, "AA", 0, db.Now())
		if err != nil || len(q) != 2 || q[0].Side != correspondence.SendingSide {
			t.Fatalf("AA queue: got %d %v", len(q), err)
		}
		if q, _ := db.ScreeningQueue(ctx, "BB", 0, db.Now()); len(q) != 0 {
			t.Errorf("BB queue before AA screened: got %d, want 0", len(q))
		}
		if err := mailScreen(db, clerkA, it.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil); err != nil {
			t.Fatal(err)
		}
		err = mailScreen(db, clerkA, it.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil)
		if !errs.Is(err, correspondence.ErrScreenedTwice) {
			t.Fatalf("second pass: got %v, want conflict", err)
		}
		if err := db.AuditRefusedScreening(ctx, clerkA, it.ID); err != nil {
			t.Fatal(err)
		}
		evs, _ := db.Events(ctx, "item", strconv.FormatInt(it.ID, 10), 0, 100)
		if last := evs[len(evs)-1]; last.Type != "screening_refused" {
			t.Errorf("last item event %s, want screening_refused", last.Type)
		}
		q, _ = db.ScreeningQueue(ctx, "BB", 0, db.Now())
		if len(q) != 1 || q[0].Side != correspondence.ReceivingSide || q[0].Item.ID != it.ID {
			t.Fatalf("BB queue after AA: got %+v", q)
		}
		red := &store.Scan{Key: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Type: "image/png", Size: 50}
		if err := mailScreen(db, clerkB, it.ID, correspondence.Decision{Outcome: correspondence.Redact}, red); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Item(ctx, it.ID)
		if got.Status != correspondence.Redacted || got.ScreenedAt.IsZero() {
			t.Errorf("after redaction: got %s screened %v", got.Status, got.ScreenedAt)
		}
		scs, _ := db.Screenings(ctx, it.ID)
		if len(scs) != 2 || scs[1].RedactedID != red.ID {
			t.Errorf("screenings: got %+v", scs)
		}
		if err := mailScreen(db, store.Actor{Party: "ICRC"}, it2.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the intermediary screens: got %v, want forbidden", err)
		}
		if err := mailScreen(db, clerkA, it2.ID, correspondence.Decision{Outcome: correspondence.Reject, Reason: correspondence.Money}, nil); err != nil {
			t.Fatal(err)
		}
		scs, _ = db.Screenings(ctx, it2.ID)
		if len(scs) != 1 || scs[0].Notice == "" {
			t.Errorf("rejection: got %+v, want a notice", scs)
		}
	})
}

func TestMailItemRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := mailSeed(t, db)
		hash, _ := correspondence.HashPIN("000001")
		create := func(a store.Actor, it correspondence.Item) error {
			return db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateItem(ctx, a, &it, hash, nil) })
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.SetQuota(ctx, actor, correspondence.Quota{Party: "AA", Direction: correspondence.ToDetainee, Letters: 2, Cards: 4})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.SetQuota(ctx, actor, correspondence.Quota{Party: "AA", Direction: correspondence.ToDetainee, Letters: 1, Cards: 4})
		}); !errs.Is(err, errs.Invalid) {
			t.Errorf("quota under 2 letters: got %v, want invalid", err)
		}
		letter := correspondence.Item{Kind: correspondence.Letter, PersonID: w.person.ID, SenderID: w.sender.ID}
		for i := range 2 {
			if err := create(clerkA, letter); err != nil {
				t.Fatalf("letter %d: %v", i+1, err)
			}
		}
		if err := create(clerkA, letter); !errs.Is(err, errs.Conflict) {
			t.Errorf("third letter over a quota of 2: got %v, want conflict", err)
		}
		legal := letter
		legal.Kind = correspondence.LegalDocument
		if err := create(clerkA, legal); err != nil {
			t.Errorf("legal document over the letter quota: %v", err)
		}
		qs, _ := db.Quotas(ctx, "AA")
		if len(qs) != 1 || qs[0].Letters != 2 {
			t.Errorf("quotas: got %+v", qs)
		}

		tests := []struct {
			name string
			a    store.Actor
			it   correspondence.Item
			kind errs.Kind
		}{
			{"unknown person", clerkA, correspondence.Item{Kind: correspondence.Card, PersonID: 9999, SenderID: w.sender.ID}, errs.NotFound},
			{"unknown sender", clerkA, correspondence.Item{Kind: correspondence.Card, PersonID: w.person.ID, SenderID: 9999}, errs.Invalid},
			{"bad kind", clerkA, correspondence.Item{Kind: "parcel", PersonID: w.person.ID, SenderID: w.sender.ID}, errs.Invalid},
			{"reply registered by the wrong side", clerkA, correspondence.Item{Kind: correspondence.Letter, Direction: correspondence.Reply, PersonID: w.person.ID, SenderID: w.sender.ID}, errs.Forbidden},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := create(tc.a, tc.it); !errs.Is(err, tc.kind) {
					t.Errorf("got %v, want %s", err, tc.kind)
				}
			})
		}
		reply := &correspondence.Item{Kind: correspondence.CaptureCard, Direction: correspondence.Reply, PersonID: w.person.ID, SenderID: w.sender.ID}
		mailTakeIn(t, db, clerkB, reply)
		if reply.OriginParty != "BB" || reply.DestParty != "AA" || reply.Status != correspondence.Approved || reply.Tracking[:2] != "RB" {
			t.Errorf("reply: got %s→%s %s %s", reply.OriginParty, reply.DestParty, reply.Status, reply.Tracking)
		}
		if n, _ := db.CountEvents(ctx); n == 0 {
			t.Error("no events written")
		}
	})
}

func TestMailParcels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := mailSeed(t, db)
		var items []*correspondence.Item
		for _, k := range []correspondence.Kind{correspondence.Letter, correspondence.Photograph, correspondence.Drawing} {
			it := &correspondence.Item{Kind: k, PersonID: w.person.ID, SenderID: w.sender.ID}
			mailTakeIn(t, db, clerkA, it)
			if err := mailScreen(db, clerkA, it.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil); err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		groups, err := db.PackingQueue(ctx, "AA", 0)
		if err != nil || len(groups) != 1 || len(groups[0].Items) != 3 || groups[0].Person.ID != w.person.ID {
			t.Fatalf("packing queue: got %+v %v", groups, err)
		}
		var p *parcels.Parcel
		err = db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if p, err = tx.OpenParcel(ctx, clerkA, w.person.ID, correspondence.ToDetainee, 0); err != nil {
				return err
			}
			again, err := tx.OpenParcel(ctx, clerkA, w.person.ID, correspondence.ToDetainee, 0)
			if err != nil {
				return err
			}
			if again.ID != p.ID {
				t.Errorf("a second open parcel %d for one recipient, want %d", again.ID, p.ID)
			}
			return tx.PackItems(ctx, clerkA, p.ID, []int64{items[0].ID, items[1].ID, items[2].ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		if p.Tracking[:2] != "CP" || p.FacilityID != w.facB || p.ToParty != "BB" {
			t.Errorf("parcel: got %+v", p)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.PackItems(ctx, clerkA, p.ID, []int64{items[0].ID}) })
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("packing an item twice: got %v, want conflict", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.PackItems(ctx, clerkB, p.ID, []int64{items[0].ID}) })
		if !errs.Is(err, errs.NotFound) {
			t.Errorf("another party packs: got %v, want not found", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.SealParcel(ctx, clerkA, p.ID, 0); return err })
		if !errs.Is(err, errs.Invalid) {
			t.Errorf("seal without weight: got %v, want invalid", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.SealParcel(ctx, clerkA, p.ID, 240); return err })
		if err != nil {
			t.Fatal(err)
		}
		got, _ := db.Parcel(ctx, p.ID)
		if got.Status != parcels.Sealed || got.Items != 3 || got.WeightGrams != 240 || got.SealedAt.IsZero() {
			t.Errorf("sealed parcel: got %+v", got)
		}
		it, _ := db.Item(ctx, items[0].ID)
		if it.Status != correspondence.Packed || it.ParcelID != p.ID {
			t.Errorf("packed item: got %s in %d", it.Status, it.ParcelID)
		}
		byT, err := db.ParcelByTracking(ctx, p.Tracking)
		if err != nil || byT.ID != p.ID {
			t.Errorf("by tracking: %v", err)
		}

		// The addressee is transferred: the parcel is flagged and can follow.
		err = db.Tx(ctx, func(tx *store.Tx) error {
			return tx.RecordStatus(ctx, actor, &registry.Event{PersonID: w.person.ID, Type: registry.Transferred, FacilityID: w.facB2})
		})
		if err != nil {
			t.Fatal(err)
		}
		flagged, _, err := db.Parcels(ctx, store.ParcelFilter{Scope: "AA", Flagged: true})
		if err != nil || len(flagged) != 1 || flagged[0].Flag != parcels.FlagTransferred {
			t.Fatalf("flagged: got %+v %v", flagged, err)
		}
		b, err := db.MailBacklog(ctx, "AA", db.Now())
		if err != nil || b.Flagged != 1 || b.Parcels["sealed"] != 1 {
			t.Errorf("backlog: got %+v %v", b, err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.RedirectParcel(ctx, clerkA, p.ID); return err })
		if err != nil {
			t.Fatal(err)
		}
		got, _ = db.Parcel(ctx, p.ID)
		if got.FacilityID != w.facB2 || got.Flag != parcels.NoFlag || got.Status != parcels.Sealed {
			t.Errorf("redirected: got %+v", got)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.ReturnParcel(ctx, clerkA, p.ID); return err })
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("returning an unflagged parcel: got %v, want conflict", err)
		}

		// Dispatch and deliver through the state machine.
		for _, s := range []parcels.Status{parcels.Dispatched, parcels.HandedOver, parcels.Received, parcels.Delivered} {
			err := db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.MoveParcel(ctx, actor, p.ID, s, ""); return err })
			if err != nil {
				t.Fatalf("move to %s: %v", s, err)
			}
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.MoveParcel(ctx, actor, p.ID, parcels.Dispatched, "")
			return err
		})
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("delivered back to dispatched: got %v, want conflict", err)
		}
		evs, _ := db.ParcelEvents(ctx, p.ID)
		var codes []string
		for _, e := range evs {
			codes = append(codes, e.UPU)
		}
		if want := "EMA,,EMC,EMD,EMG,EMI"; mailJoin(codes) != want {
			t.Errorf("UPU codes: got %s, want %s", mailJoin(codes), want)
		}
		steps, err := db.ItemTimeline(ctx, items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range steps {
			names = append(names, s.Code)
		}
		if want := "accepted,screened,packed,posted,forwarded,dispatched,exchanged,arrived,delivered"; mailJoin(names) != want {
			t.Errorf("timeline: got %s, want %s", mailJoin(names), want)
		}
	})
}

func mailJoin(ss []string) string { return strings.Join(ss, ",") }

func TestMailReturnAfterDeath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := mailSeed(t, db)
		it := &correspondence.Item{Kind: correspondence.Card, PersonID: w.person.ID, SenderID: w.sender.ID}
		mailTakeIn(t, db, clerkA, it)
		if err := mailScreen(db, clerkA, it.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil); err != nil {
			t.Fatal(err)
		}
		var p *parcels.Parcel
		err := db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if p, err = tx.OpenParcel(ctx, clerkA, w.person.ID, correspondence.ToDetainee, 0); err != nil {
				return err
			}
			if err := tx.PackItems(ctx, clerkA, p.ID, []int64{it.ID}); err != nil {
				return err
			}
			return tx.RecordStatus(ctx, actor, &registry.Event{PersonID: w.person.ID, Type: registry.Died})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := db.Parcel(ctx, p.ID)
		if got.Flag != parcels.FlagDied {
			t.Fatalf("flag: got %q, want died", got.Flag)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.SealParcel(ctx, clerkA, p.ID, 100); return err })
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("sealing a flagged parcel: got %v, want conflict", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.RedirectParcel(ctx, clerkA, p.ID); return err })
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("redirect after a death: got %v, want conflict", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := tx.ReturnParcel(ctx, clerkA, p.ID); return err })
		if err != nil {
			t.Fatal(err)
		}
		got, _ = db.Parcel(ctx, p.ID)
		if got.Status != parcels.Returned {
			t.Errorf("got %s, want returned", got.Status)
		}
	})
}

func TestMailTrack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := mailSeed(t, db)
		it := &correspondence.Item{Kind: correspondence.Letter, PersonID: w.person.ID, SenderID: w.sender.ID}
		mailTakeIn(t, db, clerkA, it)
		lim := store.TrackLimits{Window: time.Hour, PerClient: 5, PerNumber: 8}
		steps, err := db.Track(ctx, "c1", it.Tracking, "123456", lim)
		if err != nil || len(steps) != 1 || steps[0].Code != "accepted" {
			t.Fatalf("right PIN: got %+v %v", steps, err)
		}
		_, wrong := db.Track(ctx, "c1", it.Tracking, "654321", lim)
		_, unknown := db.Track(ctx, "c1", "RR999999995UA", "123456", lim)
		if !errs.Is(wrong, errs.NotFound) || errs.MessageOf(wrong) != errs.MessageOf(unknown) || errs.KindOf(wrong) != errs.KindOf(unknown) {
			t.Errorf("wrong PIN %v and unknown number %v answer differently", wrong, unknown)
		}
		for range 100 {
			db.Track(ctx, "c1", it.Tracking, "000000", lim)
		}
		if _, err := db.Track(ctx, "c1", it.Tracking, "123456", lim); !errs.Is(err, errs.RateLimited) {
			t.Errorf("after 100 guesses, the right PIN: got %v, want rate limited", err)
		}
		n, err := db.TrackingAttempts(ctx, "c1")
		if err != nil || n["ok"] != 1 || n["wrong"] != 5 || n["limited"] != 98 {
			t.Errorf("attempts: got %v %v, want 1 ok, 5 wrong, 98 limited", n, err)
		}
		// Another client is limited on the number after 8 failures in all.
		for range 3 {
			db.Track(ctx, "c2", it.Tracking, "000000", lim)
		}
		if _, err := db.Track(ctx, "c2", it.Tracking, "123456", lim); !errs.Is(err, errs.RateLimited) {
			t.Errorf("per-number limit: got %v, want rate limited", err)
		}
		if _, err := db.Track(ctx, "c3", "RR999999995UA", "123456", lim); !errs.Is(err, errs.NotFound) {
			t.Errorf("a fresh client on another number: got %v, want not found", err)
		}
	})
}

func TestMailSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db)
		s, err := db.MailSettings(ctx, "AA")
		if err != nil || s.ItemService != "RR" || s.Country != "" {
			t.Errorf("defaults for AA: got %+v %v", s, err)
		}
		if d := store.DefaultMailSettings("UA"); d.Country != "UA" || d.LimitHours != 72 {
			t.Errorf("defaults for UA: got %+v", d)
		}
		bad := store.MailSettings{Party: "AA", ItemService: "TT", ParcelService: "CP", Country: "UA", LimitHours: 0}
		err = db.Tx(ctx, func(tx *store.Tx) error { return tx.SetMailSettings(ctx, actor, bad) })
		f := errs.FieldsOf(err)
		if f["item_service"] == "" || f["screening_limit_hours"] == "" {
			t.Errorf("bad settings: got %v", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error {
			first, err := tx.NextSerials(ctx, "x", 10)
			if err != nil || first != 1 {
				t.Errorf("first reservation: got %d %v, want 1", first, err)
			}
			first, err = tx.NextSerials(ctx, "x", 1)
			if err != nil || first != 11 {
				t.Errorf("second reservation: got %d %v, want 11", first, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"lifeline/internal/blob"
	"lifeline/internal/correspondence"
	"lifeline/internal/parcels"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// MailPIN is the PIN of every demo item, so that any tracking number of
// the demo can be tried on the public tracking page.
const MailPIN = "202612"

// Mail sizes of the demo month.
const (
	mailParcels = 2000
	mailItems   = 10000
)

var relationships = []string{"mother", "father", "wife", "sister", "brother", "son", "daughter"}

// letterScan is a small scan of a handwritten page: one image, stored
// once and shown for every demo item.
func letterScan() (*blob.Scan, error) {
	img := image.NewGray(image.Rect(0, 0, 480, 640))
	for i := range img.Pix {
		img.Pix[i] = 250
	}
	for y := 60; y < 600; y += 28 {
		for x := 40; x < 440; x++ {
			if (x/7+y)%11 != 0 {
				img.SetGray(x, y, color.Gray{Y: 90})
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		return nil, err
	}
	return blob.Prepare(&b, blob.DefaultLimits())
}

// seedMail takes in a month of family mail: about 10,000 letters, cards,
// photographs and drawings to prisoners of war from their families, in
// every state from received to packed, and 2,000 parcels, open and
// sealed; some of them are flagged because their addressee died, was
// released or moved. A few hundred replies wait on the holding side. It
// writes in bulk, in one transaction.
func seedMail(ctx context.Context, db *store.DB, s *Scenario) error {
	return seedMailSized(ctx, db, s, mailParcels, mailItems)
}

// seedMailSized is seedMail with nParcels parcels and about nItems items.
func seedMailSized(ctx context.Context, db *store.DB, s *Scenario, nParcels, nItems int) error {
	r := s.Rand
	var pows []*registry.Person
	var after int64
	for {
		ps, next, err := db.Persons(ctx, store.PersonFilter{Category: registry.POW, After: after, Limit: 500})
		if err != nil {
			return err
		}
		pows = append(pows, ps...)
		if next == "" {
			break
		}
		after = ps[len(ps)-1].ID
	}
	if len(pows) == 0 {
		return nil
	}
	scan, err := letterScan()
	if err != nil {
		return err
	}
	hash, err := correspondence.HashPIN(MailPIN)
	if err != nil {
		return err
	}
	m := &store.MailBulk{PINHash: hash, Scan: &store.Scan{Key: scan.Key, Type: string(scan.Type), Size: int64(len(scan.Data)), Width: scan.Width, Height: scan.Height, ThumbKey: scan.ThumbKey}}
	now := s.Now
	day := 24 * time.Hour
	senderOf := map[int64]int{}
	sender := func(p *registry.Person) int {
		if i, ok := senderOf[p.ID]; ok {
			return i
		}
		rel := relationships[r.IntN(len(relationships))]
		name := p.Surname
		if name == "" {
			name = p.NativeName
		}
		code := map[string]string{"UA": "+380", "RU": "+7"}[p.PartyCode]
		m.Senders = append(m.Senders, correspondence.Sender{Party: p.PartyCode, Name: name + " (" + rel + ")", Relationship: rel,
			Contact: fmt.Sprintf("%s %03d %04d", code, r.IntN(1000), r.IntN(10000))})
		senderOf[p.ID] = len(m.Senders) - 1
		return senderOf[p.ID]
	}
	kinds := []correspondence.Kind{correspondence.Letter, correspondence.Letter, correspondence.Letter, correspondence.Card,
		correspondence.Photograph, correspondence.Photograph, correspondence.Drawing}
	lang := map[string]string{"UA": "uk", "RU": "ru"}
	// item makes an item received at received; its screening, if any, is
	// done before packed (when not zero) and before now.
	item := func(p *registry.Person, st correspondence.Status, received, packed time.Time, parcel int) store.BulkItem {
		it := correspondence.Item{Kind: kinds[r.IntN(len(kinds))], Direction: correspondence.ToDetainee, PersonID: p.ID,
			OriginParty: p.PartyCode, DestParty: p.HoldingParty, Language: lang[p.PartyCode], Pages: 1 + r.IntN(3), Status: st, ReceivedAt: received}
		b := store.BulkItem{Item: it, Sender: sender(p), Parcel: parcel}
		if st != correspondence.Received {
			sc := &correspondence.Screening{Side: correspondence.SendingSide, Party: p.PartyCode, Outcome: correspondence.Approve,
				ScreenedAt: received.Add(time.Duration(2+r.IntN(40)) * time.Hour)}
			switch st {
			case correspondence.Redacted:
				sc.Outcome = correspondence.Redact
			case correspondence.Rejected:
				sc.Outcome, sc.Reason = correspondence.Reject, correspondence.Reasons[r.IntN(len(correspondence.Reasons)-1)]
			}
			if !packed.IsZero() && !sc.ScreenedAt.Before(packed) {
				sc.ScreenedAt = received.Add(packed.Sub(received) / 2)
			}
			if sc.ScreenedAt.After(now) {
				sc.ScreenedAt = now.Add(-time.Minute)
			}
			b.Screening = sc
		}
		return b
	}
	// Parcels: sealed over the month, the newest still open, one open
	// parcel per recipient at most.
	open := map[int64]bool{}
	for i := 0; len(m.Parcels) < nParcels; i++ {
		p := pows[i%len(pows)]
		if p.HoldingParty == "" || p.FacilityID == 0 {
			if i > 4*nParcels {
				break
			}
			continue
		}
		created := now.Add(-time.Duration(r.IntN(28*24)) * time.Hour)
		pc := parcels.Parcel{Direction: correspondence.ToDetainee, PersonID: p.ID, FromParty: p.PartyCode, ToParty: p.HoldingParty,
			FacilityID: p.FacilityID, Status: parcels.Sealed, CreatedAt: created, SealedAt: created.Add(time.Duration(1+r.IntN(20)) * time.Hour), WeightGrams: 0}
		if (len(m.Parcels)%13 == 0 || p.Status != registry.StatusHeld) && !open[p.ID] {
			pc.Status, pc.SealedAt = parcels.Open, time.Time{}
			open[p.ID] = true
		}
		if pc.SealedAt.After(now) {
			pc.SealedAt = now.Add(-time.Minute)
		}
		idx := len(m.Parcels)
		n := 2 + r.IntN(6)
		for range n {
			received := created.Add(-time.Duration(12+r.IntN(72)) * time.Hour)
			m.Items = append(m.Items, item(p, correspondence.Packed, received, created, idx))
		}
		pc.WeightGrams = 40 + n*(15+r.IntN(40))
		m.Parcels = append(m.Parcels, pc)
	}
	// The rest of the month's items wait at each stage.
	for i := 0; len(m.Items) < nItems; i++ {
		p := pows[r.IntN(len(pows))]
		if p.HoldingParty == "" {
			continue
		}
		var st correspondence.Status
		age := time.Duration(r.IntN(5*24)) * time.Hour
		switch k := i % 20; {
		case k < 9:
			st = correspondence.Received
			if i%40 == 0 {
				age = time.Duration(4+r.IntN(6)) * day // over the waiting limit: flagged on the dashboard
			}
		case k < 15:
			st = correspondence.Approved
		case k < 17:
			st = correspondence.Redacted
		default:
			st = correspondence.Rejected
		}
		m.Items = append(m.Items, item(p, st, now.Add(-age), time.Time{}, -1))
	}
	// Replies and capture cards from the holding side.
	for i := range max(1, nItems/33) {
		p := pows[r.IntN(len(pows))]
		if p.HoldingParty == "" {
			continue
		}
		k := correspondence.Letter
		if i%3 == 0 {
			k = correspondence.CaptureCard
		}
		st := correspondence.Received
		if !k.Holdable() {
			st = correspondence.Approved
		}
		m.Items = append(m.Items, store.BulkItem{Item: correspondence.Item{Kind: k, Direction: correspondence.Reply, PersonID: p.ID,
			OriginParty: p.HoldingParty, DestParty: p.PartyCode, Language: lang[p.PartyCode], Pages: 1, Status: st,
			ReceivedAt: now.Add(-time.Duration(r.IntN(96)) * time.Hour)}, Sender: sender(p), Parcel: -1})
	}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, party := range []string{"UA", "RU"} {
			set := store.DefaultMailSettings(party)
			if party == "RU" {
				set.ItemService, set.ParcelService = "RA", "CA"
			}
			if err := tx.SetMailSettings(ctx, store.System, set); err != nil {
				return err
			}
			if err := tx.SetQuota(ctx, store.System, correspondence.Quota{Party: party, Direction: correspondence.Reply, Letters: 4, Cards: 4}); err != nil {
				return err
			}
		}
		if _, err := s.blobs().Put(ctx, tx, scan.Key, scan.Data); err != nil {
			return err
		}
		if _, err := s.blobs().Put(ctx, tx, scan.ThumbKey, scan.Thumb); err != nil {
			return err
		}
		return tx.BulkMail(ctx, store.Actor{Name: "demo", Party: "UA"}, m)
	})
	if err != nil {
		return err
	}
	s.Log("demo: %d items, %d parcels and %d families of mail; every demo item's PIN is %s", len(m.Items), len(m.Parcels), len(m.Senders), MailPIN)
	return nil
}

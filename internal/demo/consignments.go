package demo

import (
	"context"
	"fmt"

	"lifeline/internal/consignments"
	"lifeline/internal/s10"
	"lifeline/internal/store"
)

// seedConsignments puts the sealed family parcels on consignments, one at
// every stage: November's, closed; December's from Ukraine to Russia, the
// big one, handed over with a few parcels missing and damaged, receipted,
// mostly delivered, with a transfer, a death and a release among the
// outcomes and a return consignment on its way back; and smaller ones that
// are a draft, sealed, dispatched and handed over.
func seedConsignments(ctx context.Context, db *store.DB, s *Scenario) error {
	actors := map[string]store.Actor{}
	for _, name := range []string{"ua-logistics", "ru-logistics", "ru-facility", "delegate", "admin"} {
		u, err := db.UserByName(ctx, name)
		if err != nil {
			return err
		}
		actors[name] = store.Actor{UserID: u.ID, Name: u.Name, Party: u.PartyCode}
	}
	uaLog, ruLog, ruFac, del, admin := actors["ua-logistics"], actors["ru-logistics"], actors["ru-facility"], actors["delegate"], actors["admin"]
	toRU, err := db.SealableParcels(ctx, "UA", "RU", 0)
	if err != nil {
		return err
	}
	toUA, err := db.SealableParcels(ctx, "RU", "UA", 0)
	if err != nil {
		return err
	}
	if len(toRU) < 60 || len(toUA) < 10 {
		return fmt.Errorf("too few sealed parcels for the consignments: %d to RU, %d to UA", len(toRU), len(toUA))
	}
	take := func(list *[]string, n int) []string {
		out := (*list)[:n]
		*list = (*list)[n:]
		return out
	}
	november, draft, sealed, dispatched := take(&toRU, 12), take(&toRU, 6), take(&toRU, 8), take(&toRU, 10)
	december := toRU
	back := take(&toUA, min(len(toUA), 40))

	tx := func(fn func(tx *store.Tx) error) error { return db.Tx(ctx, fn) }
	create := func(a store.Actor, to, period string, target int, ids []string) (string, error) {
		var ref string
		err := tx(func(tx *store.Tx) error {
			c, err := tx.CreateConsignment(ctx, a, &consignments.Consignment{From: a.Party, To: to, Via: "ICRC", Period: period, Target: target, Place: "Exchange point, Sumy region"})
			if err != nil {
				return err
			}
			ref = c.Ref
			_, err = tx.AddParcels(ctx, a, ref, ids)
			return err
		})
		return ref, err
	}
	seal := func(a store.Actor, ref string, dispatch bool) error {
		return tx(func(tx *store.Tx) error {
			if _, err := tx.SealConsignment(ctx, a, tx.HeldKeys(ctx), ref); err != nil {
				return err
			}
			if !dispatch {
				return nil
			}
			_, err := tx.DispatchConsignment(ctx, a, ref)
			return err
		})
	}
	// handover scans every parcel but skip, marks damaged ones, notes the
	// discrepancy (two people confirm it) and signs the receipt.
	notes := map[string]int64{} // the discrepancy note of each consignment that has one
	handover := func(ref string, ids []string, skip, damaged map[string]bool, extra string) error {
		return tx(func(tx *store.Tx) error {
			for _, id := range ids {
				if skip[id] {
					continue
				}
				if _, err := tx.ScanHandover(ctx, del, ref, id, damaged[id]); err != nil {
					return err
				}
			}
			if extra != "" {
				if _, err := tx.ScanHandover(ctx, del, ref, extra, false); err != nil {
					return err
				}
			}
			if len(skip)+len(damaged) > 0 || extra != "" {
				n, err := tx.AddNote(ctx, del, ref, fmt.Sprintf("%d parcels not in the vehicle, %d with torn wrapping, %d parcel not on the manifest; photographed and set aside.", len(skip), len(damaged), min(1, len(extra))))
				if err != nil {
					return err
				}
				notes[ref] = n.ID
				if _, err := tx.ConfirmNote(ctx, del, ref, n.ID); err != nil {
					return err
				}
				if _, err := tx.ConfirmNote(ctx, admin, ref, n.ID); err != nil {
					return err
				}
			}
			_, err := tx.CompleteHandover(ctx, del, tx.HeldKeys(ctx), ref)
			return err
		})
	}
	countersign := func(a store.Actor, ref string) error {
		return tx(func(tx *store.Tx) error {
			_, err := tx.CountersignReceipt(ctx, a, tx.HeldKeys(ctx), ref)
			return err
		})
	}
	deliverAll := func(ref string, ids []string, skip map[string]bool, special map[string]consignments.Delivery) error {
		var ds []consignments.Delivery
		for i, id := range ids {
			if skip[id] {
				continue
			}
			if d, ok := special[id]; ok {
				ds = append(ds, d)
				continue
			}
			d := consignments.Delivery{Tracking: id, Outcome: consignments.Delivered, At: s.Now, AckKind: consignments.AckSignedSlip, AckRef: fmt.Sprintf("SLIP-%s-%04d", ref, i+1)}
			if i%9 == 0 {
				d.AckKind, d.AckRef = consignments.AckRepresentative, fmt.Sprintf("ATT-%s-%04d", ref, i+1)
			}
			ds = append(ds, d)
		}
		return tx(func(tx *store.Tx) error {
			_, err := tx.RecordDeliveries(ctx, ruFac, ref, ds)
			return err
		})
	}

	// November: delivered in full and closed.
	nov, err := create(uaLog, "RU", "2026-11", 12, november)
	if err != nil {
		return err
	}
	if err := seal(uaLog, nov, true); err != nil {
		return err
	}
	if err := handover(nov, november, nil, nil, ""); err != nil {
		return err
	}
	if err := countersign(ruLog, nov); err != nil {
		return err
	}
	if err := deliverAll(nov, november, nil, nil); err != nil {
		return err
	}

	// December: the big one.
	dec, err := create(uaLog, "RU", "2026-12", 2000, december)
	if err != nil {
		return err
	}
	if err := seal(uaLog, dec, true); err != nil {
		return err
	}
	n := len(december)
	missing := map[string]bool{december[n/3]: true, december[n/2]: true, december[n-2]: true}
	damaged := map[string]bool{december[7]: true, december[n/4]: true}
	extra, err := s10.Make("CA", 99_000_001, "UA")
	if err != nil {
		return err
	}
	if err := handover(dec, december, missing, damaged, extra); err != nil {
		return err
	}
	if err := countersign(ruLog, dec); err != nil {
		return err
	}
	// The sending party answers the discrepancy note (RCV-3); the note of
	// the return consignment below still waits for the other side's reply.
	if err := tx(func(tx *store.Tx) error {
		_, err := tx.ReplyNote(ctx, uaLog, dec, notes[dec], "The three missing parcels were left at the Kyiv warehouse by a loading error and go with the January consignment; the wrapping of the damaged ones will be reinforced.")
		return err
	}); err != nil {
		return err
	}
	// Most are delivered; a tenth still wait at the facilities; a transfer,
	// a death and a release.
	transferred, died, released := december[11], december[12], december[13]
	waiting := map[string]bool{}
	for k, v := range missing {
		waiting[k] = v
	}
	for i := n - n/10; i < n; i++ {
		waiting[december[i]] = true
	}
	special := map[string]consignments.Delivery{
		transferred: {Tracking: transferred, Outcome: consignments.Undeliverable, At: s.Now, Reason: consignments.ReasonTransferred,
			Action: consignments.ActionRedirected, NewFacility: "RU-CAMP-2", Note: "moved to Camp No. 2 before the parcel arrived"},
		died: {Tracking: died, Outcome: consignments.Undeliverable, At: s.Now, Reason: consignments.ReasonDeceased,
			Action: consignments.ActionReturned, Note: "the family is told through the ombudsman, with care"},
		released: {Tracking: released, Outcome: consignments.Undeliverable, At: s.Now, Reason: consignments.ReasonReleased,
			Action: consignments.ActionReturned},
	}
	if err := deliverAll(dec, december, waiting, special); err != nil {
		return err
	}
	var ret string
	err = tx(func(tx *store.Tx) error {
		r, err := tx.CreateReturn(ctx, ruLog, dec)
		if err != nil {
			return err
		}
		ret = r.Ref
		_, err = tx.MakeDeliveryReport(ctx, ruLog, tx.HeldKeys(ctx), dec)
		return err
	})
	if err != nil {
		return err
	}
	if err := seal(ruLog, ret, true); err != nil {
		return err
	}

	// The other stages: a draft, a sealed one, one dispatched and waiting
	// for the intermediary, and one from Russia handed over and waiting for
	// Ukraine's countersignature.
	if _, err := create(uaLog, "RU", "2026-12", 200, draft); err != nil {
		return err
	}
	sealedRef, err := create(uaLog, "RU", "2026-12", 200, sealed)
	if err != nil {
		return err
	}
	if err := seal(uaLog, sealedRef, false); err != nil {
		return err
	}
	dispatchedRef, err := create(uaLog, "RU", "2026-12", 200, dispatched)
	if err != nil {
		return err
	}
	if err := seal(uaLog, dispatchedRef, true); err != nil {
		return err
	}
	backRef, err := create(ruLog, "UA", "2026-12", 500, back)
	if err != nil {
		return err
	}
	if err := seal(ruLog, backRef, true); err != nil {
		return err
	}
	if err := handover(backRef, back, map[string]bool{back[0]: true}, nil, ""); err != nil {
		return err
	}
	s.Log("demo: consignments %s (%d parcels, receipted, %d delivered), %s (closed), %s (return), %s (handed over) and a draft, a sealed and a dispatched one",
		dec, len(december), len(december)-len(waiting)-len(special), nov, ret, backRef)
	return nil
}

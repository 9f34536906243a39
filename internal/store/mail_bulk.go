package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
)

// MailBulk is mail to store in bulk, already decided: the demo's month of
// mail, benchmarks and imports. Items refer to their sender and parcel by
// index; screenings, scans and parcel contents follow the items' states.
type MailBulk struct {
	Senders []correspondence.Sender
	Parcels []parcels.Parcel // Direction, PersonID, FromParty, ToParty, FacilityID, Status (open or sealed), WeightGrams, CreatedAt, SealedAt
	Items   []BulkItem
	PINHash string // the hash stored for every item
	Scan    *Scan  // one scan every item shows (content-addressed: stored once); nil for none
}

// BulkItem is one item of a MailBulk.
type BulkItem struct {
	Item      correspondence.Item // Kind, Direction, PersonID, OriginParty, DestParty, Language, Pages, Status, ReceivedAt
	Sender    int                 // index into Senders
	Parcel    int                 // index into Parcels, or -1
	Screening *correspondence.Screening
}

// bulkRows inserts n rows of the columns cols: on SQLite one prepared
// statement run per row (SQLite is fastest so, and binding thousands of
// parameters to one statement is slow in its driver); on PostgreSQL
// multi-row statements of 500 rows (one round trip each).
func (tx *Tx) bulkRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	op := "store.bulk " + table
	if n == 0 {
		return nil
	}
	// What was put aside goes first; events written in bulk follow
	// those written one by one.
	if err := tx.flushPending(ctx, table == "events"); err != nil {
		return err
	}
	ph := func(from, count int) string { return "(" + placeholders(from, count) + ")" }
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	if tx.db.Dialect == SQLite {
		stmt, err := tx.PrepareContext(ctx, head+ph(0, len(cols)))
		if err != nil {
			return mapErr(op, err)
		}
		defer stmt.Close()
		for i := range n {
			if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
				return mapErr(op, err)
			}
		}
		return nil
	}
	const per = 500
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(ph(len(args), len(cols)))
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// idsAfter returns the ids of rows of table above after, in order.
func (tx *Tx) idsAfter(ctx context.Context, table string, after int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table+` WHERE id > $1 ORDER BY id`, after)
	if err != nil {
		return nil, mapErr("store.idsAfter", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr("store.idsAfter", err)
		}
		out = append(out, id)
	}
	return out, mapErr("store.idsAfter", rows.Err())
}

func (tx *Tx) maxID(ctx context.Context, table string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&n)
	return n, mapErr("store.maxID", err)
}

// BulkMail stores a MailBulk in the transaction with multi-row inserts:
// tracking numbers come from the parties' sequences, and each item and
// parcel gets its event. It checks every item and parcel as the single
// operations do, but not quotas.
func (tx *Tx) BulkMail(ctx context.Context, a Actor, m *MailBulk) error {
	const op = "store.BulkMail"
	for i := range m.Senders {
		m.Senders[i].Normalize()
		if err := m.Senders[i].Validate(); err != nil {
			return err
		}
	}
	for i := range m.Items {
		it := &m.Items[i].Item
		it.Normalize(correspondence.DefaultLanguage(""))
		check := *it
		check.SenderID = 1 // the sender is numbered below
		if err := check.Validate(); err != nil {
			return errs.Wrap(op, err)
		}
		if !it.Status.Valid() || m.Items[i].Sender < 0 || m.Items[i].Sender >= len(m.Senders) || m.Items[i].Parcel >= len(m.Parcels) {
			return errs.E(op, errs.Invalid, "item %d: bad status, sender or parcel", i)
		}
		if (m.Items[i].Parcel >= 0) != (it.Status == correspondence.Packed) {
			return errs.E(op, errs.Invalid, "item %d: packed items, and only they, are in a parcel", i)
		}
	}
	for i, p := range m.Parcels {
		if p.Status != parcels.Open && p.Status != parcels.Sealed {
			return errs.E(op, errs.Invalid, "parcel %d: bulk parcels are open or sealed", i)
		}
	}
	// Senders.
	base, err := tx.maxID(ctx, "senders")
	if err != nil {
		return err
	}
	if err := tx.bulkRows(ctx, "senders", []string{"party_code", "name", "relationship", "contact", "created_at"}, len(m.Senders), func(i int) []any {
		s := m.Senders[i]
		return []any{s.Party, s.Name, s.Relationship, s.Contact, tx.now}
	}); err != nil {
		return err
	}
	ids, err := tx.idsAfter(ctx, "senders", base)
	if err != nil {
		return err
	}
	if len(ids) != len(m.Senders) {
		return errs.E(op, errs.Internal, "senders were inserted concurrently")
	}
	for i := range m.Senders {
		m.Senders[i].ID = ids[i]
	}
	// Tracking numbers, one sequence reservation per numbering.
	numbers := func(party string, service func(MailSettings) correspondence.Numbering, n int) ([]string, error) {
		s, err := mailSettings(ctx, tx, party)
		if err != nil {
			return nil, err
		}
		num := service(s)
		if num.Country == "" {
			return nil, errs.E(op, errs.Conflict, "party %s has no S10 country code", party)
		}
		first, err := tx.NextSerials(ctx, "s10:"+num.Service+num.Country, int64(n))
		if err != nil {
			return nil, err
		}
		out := make([]string, n)
		for i := range out {
			if out[i], err = num.Make(first + int64(i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	assign := func(n int, party func(int) string, service func(MailSettings) correspondence.Numbering, set func(int, string)) error {
		byParty := map[string][]int{}
		for i := range n {
			byParty[party(i)] = append(byParty[party(i)], i)
		}
		for p, idx := range byParty {
			ts, err := numbers(p, service, len(idx))
			if err != nil {
				return err
			}
			for k, i := range idx {
				set(i, ts[k])
			}
		}
		return nil
	}
	if err := assign(len(m.Parcels), func(i int) string { return m.Parcels[i].FromParty }, MailSettings.Parcels, func(i int, t string) { m.Parcels[i].Tracking = t }); err != nil {
		return err
	}
	if err := assign(len(m.Items), func(i int) string { return m.Items[i].Item.OriginParty }, MailSettings.Items, func(i int, t string) { m.Items[i].Item.Tracking = t }); err != nil {
		return err
	}
	// Parcels.
	count := make([]int, len(m.Parcels))
	for _, b := range m.Items {
		if b.Parcel >= 0 {
			count[b.Parcel]++
		}
	}
	base, err = tx.maxID(ctx, "parcels")
	if err != nil {
		return err
	}
	if err := tx.bulkRows(ctx, "parcels", []string{"tracking", "direction", "person_id", "sender_id", "from_party", "to_party", "facility_id", "status",
		"items", "weight_grams", "created_at", "sealed_at", "updated_at"}, len(m.Parcels), func(i int) []any {
		p := m.Parcels[i]
		var sender, fac, sealed any
		if p.SenderID != 0 {
			sender = p.SenderID
		}
		if p.FacilityID != 0 {
			fac = p.FacilityID
		}
		if p.Status == parcels.Sealed {
			sealed = p.SealedAt
		}
		return []any{p.Tracking, p.Direction, p.PersonID, sender, p.FromParty, p.ToParty, fac, p.Status, count[i], p.WeightGrams, p.CreatedAt, sealed, tx.now}
	}); err != nil {
		return err
	}
	if ids, err = tx.idsAfter(ctx, "parcels", base); err != nil {
		return err
	}
	if len(ids) != len(m.Parcels) {
		return errs.E(op, errs.Internal, "parcels were inserted concurrently")
	}
	for i := range m.Parcels {
		m.Parcels[i].ID, m.Parcels[i].Items = ids[i], count[i]
	}
	// Items.
	base, err = tx.maxID(ctx, "items")
	if err != nil {
		return err
	}
	if err := tx.bulkRows(ctx, "items", []string{"tracking", "kind", "direction", "sender_id", "person_id", "origin_party", "dest_party", "language",
		"pages", "status", "pin_hash", "received_at", "screened_at", "updated_at"}, len(m.Items), func(i int) []any {
		b := m.Items[i]
		it := b.Item
		var screened any
		if b.Screening != nil {
			screened = b.Screening.ScreenedAt
		}
		return []any{it.Tracking, it.Kind, it.Direction, m.Senders[b.Sender].ID, it.PersonID, it.OriginParty, it.DestParty, it.Language,
			it.Pages, it.Status, m.PINHash, it.ReceivedAt, screened, tx.now}
	}); err != nil {
		return err
	}
	if ids, err = tx.idsAfter(ctx, "items", base); err != nil {
		return err
	}
	if len(ids) != len(m.Items) {
		return errs.E(op, errs.Internal, "items were inserted concurrently")
	}
	for i := range m.Items {
		m.Items[i].Item.ID, m.Items[i].Item.SenderID = ids[i], m.Senders[m.Items[i].Sender].ID
	}
	// Scans, screenings, contents, parcel events and events.
	if m.Scan != nil {
		s := *m.Scan
		if err := tx.bulkRows(ctx, "item_scans", []string{"item_id", "seq", "role", "blob_key", "media_type", "size", "width", "height", "thumb_key", "created_at"},
			len(m.Items), func(i int) []any {
				return []any{m.Items[i].Item.ID, 1, ScanOriginal, s.Key, s.Type, s.Size, s.Width, s.Height, s.ThumbKey, m.Items[i].Item.ReceivedAt}
			}); err != nil {
			return err
		}
	}
	var screened []int
	for i, b := range m.Items {
		if b.Screening != nil {
			screened = append(screened, i)
		}
	}
	if err := tx.bulkRows(ctx, "screenings", []string{"item_id", "side", "party_code", "outcome", "reason", "note", "notice", "screened_by", "screened_at", "waited_seconds"},
		len(screened), func(k int) []any {
			b := m.Items[screened[k]]
			s := b.Screening
			notice := ""
			if s.Outcome == correspondence.Reject {
				notice = correspondence.Notice(b.Item.Kind, s.Reason)
			}
			return []any{b.Item.ID, s.Side, s.Party, s.Outcome, s.Reason, s.Note, notice, a.UserID, s.ScreenedAt, int64(s.ScreenedAt.Sub(b.Item.ReceivedAt) / time.Second)}
		}); err != nil {
		return err
	}
	var packed []int
	for i, b := range m.Items {
		if b.Parcel >= 0 {
			packed = append(packed, i)
		}
	}
	pos := make([]int, len(m.Parcels))
	if err := tx.bulkRows(ctx, "parcel_items", []string{"item_id", "parcel_id", "position", "added_at"}, len(packed), func(k int) []any {
		b := m.Items[packed[k]]
		pos[b.Parcel]++
		return []any{b.Item.ID, m.Parcels[b.Parcel].ID, pos[b.Parcel], m.Parcels[b.Parcel].CreatedAt}
	}); err != nil {
		return err
	}
	var sealed []int
	for i, p := range m.Parcels {
		if p.Status == parcels.Sealed {
			sealed = append(sealed, i)
		}
	}
	if err := tx.bulkRows(ctx, "parcel_events", []string{"parcel_id", "status", "upu_code", "party_code", "reason", "at"}, len(sealed), func(k int) []any {
		p := m.Parcels[sealed[k]]
		return []any{p.ID, parcels.Sealed, parcels.Sealed.UPUCode(), p.FromParty, "", p.SealedAt}
	}); err != nil {
		return err
	}
	type ev struct {
		entity, typ string
		id          int64
		data        any
	}
	evs := make([]ev, 0, len(m.Items)+len(m.Parcels))
	for _, b := range m.Items {
		evs = append(evs, ev{"item", "received", b.Item.ID, map[string]any{"kind": b.Item.Kind, "direction": b.Item.Direction, "person_id": b.Item.PersonID, "tracking": b.Item.Tracking, "bulk": true}})
	}
	for _, p := range m.Parcels {
		evs = append(evs, ev{"parcel", "opened", p.ID, map[string]any{"person_id": p.PersonID, "items": p.Items, "status": p.Status, "tracking": p.Tracking, "bulk": true}})
	}
	return tx.bulkRows(ctx, "events", []string{"at", "actor", "party", "entity", "entity_id", "type", "data"}, len(evs), func(i int) []any {
		d, _ := json.Marshal(evs[i].data)
		return []any{tx.now, a.Name, a.Party, evs[i].entity, strconv.FormatInt(evs[i].id, 10), evs[i].typ, string(d)}
	})
}

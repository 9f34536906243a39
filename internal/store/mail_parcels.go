package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
	"lifeline/internal/registry"
)

const parcelCols = `p.id, p.tracking, p.direction, p.person_id, coalesce(p.sender_id, 0), p.from_party, p.to_party, coalesce(p.facility_id, 0),
	p.status, p.items, p.weight_grams, p.created_at, p.sealed_at, p.version, per.status, coalesce(per.facility_id, 0)`

const parcelFrom = ` FROM parcels p JOIN persons per ON per.id = p.person_id`

func scanParcel(s interface{ Scan(...any) error }) (*parcels.Parcel, error) {
	var p parcels.Parcel
	var sealed sql.NullTime
	var personStatus registry.Status
	var personFacility int64
	err := s.Scan(&p.ID, &p.Tracking, &p.Direction, &p.PersonID, &p.SenderID, &p.FromParty, &p.ToParty, &p.FacilityID,
		&p.Status, &p.Items, &p.WeightGrams, &p.CreatedAt, &sealed, &p.Version, &personStatus, &personFacility)
	if err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	if sealed.Valid {
		p.SealedAt = sealed.Time.UTC()
	}
	p.Flag = parcels.FlagFromPerson(p, personStatus, personFacility)
	return &p, nil
}

// Parcel returns one parcel, its flag derived from its addressee's record.
func (db *DB) Parcel(ctx context.Context, id int64) (*parcels.Parcel, error) {
	return getParcel(ctx, db.read, `p.id = $1`, id)
}

// Parcel returns one parcel inside the transaction.
func (tx *Tx) Parcel(ctx context.Context, id int64) (*parcels.Parcel, error) {
	return getParcel(ctx, tx, `p.id = $1`, id)
}

// ParcelByTracking returns the parcel with a tracking number.
func (db *DB) ParcelByTracking(ctx context.Context, tracking string) (*parcels.Parcel, error) {
	return getParcel(ctx, db.read, `p.tracking = $1`, tracking)
}

func getParcel(ctx context.Context, q DBTX, where string, args ...any) (*parcels.Parcel, error) {
	p, err := scanParcel(q.QueryRowContext(ctx, `SELECT `+parcelCols+parcelFrom+` WHERE `+where, args...))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Parcel", errs.NotFound, "no such parcel")
	}
	if err != nil {
		return nil, mapErr("store.Parcel", err)
	}
	return p, nil
}

// ParcelFilter selects parcels. Zero values select everything.
type ParcelFilter struct {
	Scope    string // a party: the parcels it sends or receives; "" for all
	From     string // only parcels this party sends
	Status   parcels.Status
	PersonID int64
	Flagged  bool    // only open or sealed parcels whose addressee moved, left or died
	IDs      []int64 // only these
	After    int64
	Limit    int
}

// Parcels lists parcels by id, with the cursor of the next page.
func (db *DB) Parcels(ctx context.Context, f ParcelFilter) ([]*parcels.Parcel, string, error) {
	const op = "store.Parcels"
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Scope != "" {
		s := arg(f.Scope)
		where = append(where, "(p.from_party = "+s+" OR p.to_party = "+s+")")
	}
	if f.From != "" {
		where = append(where, "p.from_party = "+arg(f.From))
	}
	if f.Status != "" {
		where = append(where, "p.status = "+arg(f.Status))
	}
	if f.PersonID != 0 {
		where = append(where, "p.person_id = "+arg(f.PersonID))
	}
	if f.Flagged {
		where = append(where, "p.direction = 'to_detainee' AND p.status IN ('open', 'sealed') AND "+flaggedSQL)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []*parcels.Parcel{}, "", nil
		}
		where = append(where, "p.id IN ("+mailIDList(&args, f.IDs)+")")
	}
	where = append(where, "p.id > "+arg(f.After))
	rows, err := db.read.QueryContext(ctx, `SELECT `+parcelCols+parcelFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, "", mapErr(op, err)
	}
	defer rows.Close()
	out := []*parcels.Parcel{}
	for rows.Next() {
		p, err := scanParcel(rows)
		if err != nil {
			return nil, "", mapErr(op, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(op, err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = EncodeCursor(out[len(out)-1].ID)
	}
	return out, next, nil
}

// OpenParcel returns the actor's party's open parcel for a person (and,
// for replies, a family member), creating and numbering one when there is
// none: one parcel per recipient.
func (tx *Tx) OpenParcel(ctx context.Context, a Actor, personID int64, dir correspondence.Direction, senderID int64) (*parcels.Parcel, error) {
	return tx.openParcel(ctx, a, nil, personID, dir, senderID)
}

// Reach checks that a person, by the parties they belong to and are held
// by, is within the caller's reach; the API passes the principal's check
// so that the transaction reads the person once.
type Reach func(PersonSides) error

// openParcel is OpenParcel; reach, when not nil, checks the person first
// (an unknown person is checked as one of no party).
func (tx *Tx) openParcel(ctx context.Context, a Actor, reach Reach, personID int64, dir correspondence.Direction, senderID int64) (*parcels.Parcel, error) {
	l, err := tx.lookupParcel(ctx, a, reach, personID, dir, senderID)
	if err != nil {
		return nil, err
	}
	if l.open != 0 {
		return tx.Parcel(ctx, l.open)
	}
	np, err := l.newParcel(a, tx.now)
	if err != nil {
		return nil, err
	}
	if _, err := tx.insertParcel(ctx, a, np, l.settings, nil); err != nil {
		return nil, err
	}
	return np, nil
}

// parcelLookup is what opening a parcel needs to know, read in one query:
// the person, their open parcel (0 for none) and the party's mail
// settings.
type parcelLookup struct {
	person   PersonSides
	status   registry.Status
	facility int64
	open     int64
	settings MailSettings
	personID int64
	dir      correspondence.Direction
	senderID int64
}

func (tx *Tx) lookupParcel(ctx context.Context, a Actor, reach Reach, personID int64, dir correspondence.Direction, senderID int64) (parcelLookup, error) {
	const op = "store.OpenParcel"
	l := parcelLookup{personID: personID, dir: dir, senderID: senderID}
	if !dir.Valid() {
		return l, errs.Fields(op, map[string]string{"direction": "must be to_detainee or reply"})
	}
	if dir == correspondence.ToDetainee {
		l.senderID = 0
	} else if senderID == 0 {
		return l, errs.Fields(op, map[string]string{"sender_id": "a parcel of replies goes to one family member"})
	}
	var holding, itemService, parcelService, country sql.NullString
	var facility, open, limit sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT per.party_code, per.holding_party, per.status, per.facility_id,
		(SELECT p.id FROM parcels p WHERE p.person_id = per.id AND p.direction = $2 AND coalesce(p.sender_id, 0) = $3 AND p.from_party = $4
			AND p.status = 'open' ORDER BY p.id LIMIT 1),
		ms.item_service, ms.parcel_service, ms.country, ms.screening_limit_hours
		FROM persons per LEFT JOIN mail_settings ms ON ms.party_code = $4
		WHERE per.id = $1`, personID, dir, l.senderID, a.Party).
		Scan(&l.person.PartyCode, &holding, &l.status, &facility, &open, &itemService, &parcelService, &country, &limit)
	if err == sql.ErrNoRows {
		if reach != nil {
			if err := reach(PersonSides{}); err != nil {
				return l, err
			}
		}
		return l, errs.E("store.Person", errs.NotFound, "no such person")
	}
	if err != nil {
		return l, mapErr(op, err)
	}
	l.person.HoldingParty, l.facility, l.open = holding.String, facility.Int64, open.Int64
	l.settings = settingsOf(a.Party, itemService, parcelService, country, limit)
	if reach != nil {
		if err := reach(l.person); err != nil {
			return l, err
		}
	}
	return l, nil
}

// newParcel is the open parcel the lookup's person would get, not yet
// stored.
func (l parcelLookup) newParcel(a Actor, now time.Time) (*parcels.Parcel, error) {
	np := &parcels.Parcel{Direction: l.dir, PersonID: l.personID, SenderID: l.senderID, FromParty: a.Party, Status: parcels.Open, CreatedAt: now, Version: 1}
	switch l.dir {
	case correspondence.ToDetainee:
		if l.facility == 0 {
			return nil, errs.E("store.OpenParcel", errs.Conflict, "the person is not recorded at a facility")
		}
		np.ToParty, np.FacilityID = l.person.HoldingParty, l.facility
	case correspondence.Reply:
		np.ToParty = l.person.PartyCode
	}
	np.Flag = parcels.FlagFromPerson(*np, l.status, l.facility)
	return np, nil
}

// insertParcel numbers and stores np as it is (open, or already packed and
// sealed) with its "opened" event, setting its id. On PostgreSQL the
// items packed into it, when given, are marked packed by the same
// statement (one round trip); it reports whether they were.
func (tx *Tx) insertParcel(ctx context.Context, a Actor, np *parcels.Parcel, settings MailSettings, packed []int64) (bool, error) {
	const op = "store.OpenParcel"
	var err error
	if np.Tracking, err = tx.NextTracking(ctx, settings.Parcels()); err != nil {
		return false, err
	}
	var fac, sender, sealed any
	if np.FacilityID != 0 {
		fac = np.FacilityID
	}
	if np.SenderID != 0 {
		sender = np.SenderID
	}
	if !np.SealedAt.IsZero() {
		sealed = np.SealedAt
	}
	args := []any{np.Tracking, np.Direction, np.PersonID, sender, np.FromParty, np.ToParty, fac, np.Status, np.Items, np.WeightGrams, sealed, tx.now}
	q := `INSERT INTO parcels (tracking, direction, person_id, sender_id, from_party, to_party, facility_id, status,
		items, weight_grams, sealed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`
	withItems := len(packed) > 0 && tx.db.Dialect == Postgres
	if withItems {
		q = `WITH packed AS (UPDATE items SET status = 'packed', updated_at = $12, version = version + 1 WHERE id IN (` +
			mailIDList(&args, packed) + `)) ` + q
	}
	if err = tx.QueryRowContext(ctx, q, args...).Scan(&np.ID); err != nil {
		return false, mapErr(op, err)
	}
	return withItems, tx.Event(ctx, a, "parcel", np.ID, "opened", map[string]any{"person_id": np.PersonID, "direction": np.Direction, "tracking": np.Tracking})
}

// PackItems puts items into an open parcel, in the order given. The items
// are read in one query and written in one statement each for the links
// and the statuses, whatever their number.
func (tx *Tx) PackItems(ctx context.Context, a Actor, parcelID int64, itemIDs []int64) error {
	p, err := tx.Parcel(ctx, parcelID)
	if err != nil {
		return err
	}
	return tx.packItems(ctx, a, p, itemIDs, true)
}

// PackParcel packs items into the actor's party's open parcel for a
// person (opened and numbered when there is none) and, when weightGrams
// is not nil, seals it: the packer's one step at the bench. reach, when
// not nil, checks the person first. The parcel is read once and followed
// in memory; a new parcel packed and sealed at once is stored sealed, with
// its "opened", "packed" and "sealed" events as ever.
func (tx *Tx) PackParcel(ctx context.Context, a Actor, reach Reach, personID int64, dir correspondence.Direction, senderID int64, itemIDs []int64, weightGrams *int) (*parcels.Parcel, error) {
	l, err := tx.lookupParcel(ctx, a, reach, personID, dir, senderID)
	if err != nil {
		return nil, err
	}
	var p *parcels.Parcel
	if l.open != 0 {
		if p, err = tx.Parcel(ctx, l.open); err != nil {
			return nil, err
		}
	} else if p, err = l.newParcel(a, tx.now); err != nil {
		return nil, err
	}
	if err := tx.checkPack(ctx, a, p, itemIDs); err != nil {
		return nil, err
	}
	if l.open == 0 {
		if weightGrams != nil {
			if err := parcels.CanSeal(*p, *weightGrams); err != nil {
				return nil, err
			}
			p.Status, p.WeightGrams, p.SealedAt = parcels.Sealed, *weightGrams, tx.now
		}
		done, err := tx.insertParcel(ctx, a, p, l.settings, itemIDs)
		if err != nil {
			return nil, err
		}
		if err := tx.writePack(ctx, a, p, itemIDs, false, done); err != nil {
			return nil, err
		}
		if weightGrams != nil {
			return p, tx.sealed(ctx, a, p)
		}
		return p, nil
	}
	if err := tx.writePack(ctx, a, p, itemIDs, weightGrams == nil, false); err != nil {
		return nil, err
	}
	if weightGrams != nil {
		return p, tx.sealParcel(ctx, a, p, *weightGrams)
	}
	return p, nil
}

// packItems is PackItems on parcel p as read in this transaction; it
// follows p in memory.
func (tx *Tx) packItems(ctx context.Context, a Actor, p *parcels.Parcel, itemIDs []int64, save bool) error {
	if err := tx.checkPack(ctx, a, p, itemIDs); err != nil {
		return err
	}
	return tx.writePack(ctx, a, p, itemIDs, save, false)
}

// checkPack reads the items and checks that they go into p in the order
// given, counting them into p.Items.
func (tx *Tx) checkPack(ctx context.Context, a Actor, p *parcels.Parcel, itemIDs []int64) error {
	const op = "store.PackItems"
	if p.FromParty != a.Party {
		return errs.E(op, errs.NotFound, "no such parcel")
	}
	if len(itemIDs) > parcels.MaxItems {
		return errs.E(op, errs.Conflict, "the parcel is full (%d items)", parcels.MaxItems)
	}
	items, err := itemsByID(ctx, tx, itemIDs)
	if err != nil {
		return err
	}
	for _, id := range itemIDs {
		it := items[id]
		if it == nil || it.OriginParty != a.Party {
			return errs.Fields(op, map[string]string{"item_ids": "no such item " + strconv.FormatInt(id, 10)})
		}
		if err := parcels.CanAdd(*p, *it); err != nil {
			return err
		}
		if err := it.Status.CanMoveTo(correspondence.Packed); err != nil {
			return err
		}
		p.Items++
		// A repeat of the id further on finds the item packed, as it
		// would be.
		it.ParcelID, it.Status = p.ID, correspondence.Packed
	}
	return nil
}

// writePack writes what checkPack checked: the items' status (unless
// marked already), their links to p (put aside for the next statement)
// and the "packed" event; with save, p's item count too (otherwise the
// caller writes it).
func (tx *Tx) writePack(ctx context.Context, a Actor, p *parcels.Parcel, itemIDs []int64, save, marked bool) error {
	const op = "store.PackItems"
	if !marked {
		args := []any{tx.now}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET status = 'packed', updated_at = $1, version = version + 1 WHERE id IN (`+mailIDList(&args, itemIDs)+`)`, args...); err != nil {
			return mapErr(op, err)
		}
	}
	for i, id := range itemIDs {
		if err := tx.insertLater(ctx, "parcel_items", parcelItemCols, []any{id, p.ID, p.Items - len(itemIDs) + i + 1, tx.now}); err != nil {
			return err
		}
	}
	if save {
		if _, err := tx.ExecContext(ctx, `UPDATE parcels SET items = $1, updated_at = $2, version = version + 1 WHERE id = $3`, p.Items, tx.now, p.ID); err != nil {
			return mapErr(op, err)
		}
		p.Version++
	}
	return tx.Event(ctx, a, "parcel", p.ID, "packed", map[string]any{"items": len(itemIDs), "item_ids": itemIDs})
}

var parcelItemCols = []string{"item_id", "parcel_id", "position", "added_at"}

// itemsByID reads the items with the given ids (at most parcels.MaxItems)
// in one query; unknown ids are missing from the map.
func itemsByID(ctx context.Context, q DBTX, ids []int64) (map[int64]*correspondence.Item, error) {
	out := map[int64]*correspondence.Item{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	rows, err := q.QueryContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, mapErr("store.items", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, mapErr("store.items", err)
		}
		out[it.ID] = it
	}
	return out, mapErr("store.items", rows.Err())
}

// SealParcel seals an open parcel with its weight: its content list is
// fixed and it is posted (UPU EMA).
func (tx *Tx) SealParcel(ctx context.Context, a Actor, id int64, weightGrams int) (*parcels.Parcel, error) {
	p, err := tx.Parcel(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, tx.sealParcel(ctx, a, p, weightGrams)
}

// sealParcel is SealParcel on parcel p as read in this transaction; it
// follows p in memory.
func (tx *Tx) sealParcel(ctx context.Context, a Actor, p *parcels.Parcel, weightGrams int) error {
	const op = "store.SealParcel"
	if p.FromParty != a.Party {
		return errs.E(op, errs.NotFound, "no such parcel")
	}
	if err := parcels.CanSeal(*p, weightGrams); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE parcels SET status = 'sealed', weight_grams = $1, sealed_at = $2, updated_at = $2, version = version + 1,
		items = $4 WHERE id = $3 AND status = 'open'`, weightGrams, tx.now, p.ID, p.Items)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(op, errs.Conflict, "the parcel was changed by someone else; reload and try again")
	}
	p.Status, p.WeightGrams, p.SealedAt, p.Version = parcels.Sealed, weightGrams, tx.now, p.Version+1
	return tx.sealed(ctx, a, p)
}

// sealed records that p was sealed: its parcel event (UPU EMA) and event.
func (tx *Tx) sealed(ctx context.Context, a Actor, p *parcels.Parcel) error {
	if err := tx.parcelEvent(ctx, a, p.ID, parcels.Sealed, ""); err != nil {
		return err
	}
	return tx.Event(ctx, a, "parcel", p.ID, "sealed", map[string]any{"weight_grams": p.WeightGrams, "items": p.Items})
}

// parcelEvent records a parcel's move with its UPU code; the row is put
// aside for the transaction's next statement (pending.go).
func (tx *Tx) parcelEvent(ctx context.Context, a Actor, parcelID int64, s parcels.Status, reason string) error {
	return tx.insertLater(ctx, "parcel_events", parcelEventCols, []any{parcelID, s, s.UPUCode(), a.Party, reason, tx.now})
}

var parcelEventCols = []string{"parcel_id", "status", "upu_code", "party_code", "reason", "at"}

// MoveParcel moves a parcel to another status along the parcel state
// machine and records the parcel event with its UPU code; reason says why
// (e.g. why a delivery failed). Consignments, handovers and deliveries go
// through it.
func (tx *Tx) MoveParcel(ctx context.Context, a Actor, id int64, to parcels.Status, reason string) (*parcels.Parcel, error) {
	const op = "store.MoveParcel"
	p, err := tx.Parcel(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := p.Status.CanMoveTo(to); err != nil {
		return nil, err
	}
	if to == parcels.Sealed {
		return nil, errs.E(op, errs.Conflict, "seal a parcel with its weight")
	}
	res, err := tx.ExecContext(ctx, `UPDATE parcels SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4`,
		to, tx.now, id, p.Status)
	if err != nil {
		return nil, mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errs.E(op, errs.Conflict, "the parcel was changed by someone else; reload and try again")
	}
	from := p.Status
	p.Status, p.Version = to, p.Version+1
	if err := tx.parcelEvent(ctx, a, id, to, reason); err != nil {
		return nil, err
	}
	return p, tx.Event(ctx, a, "parcel", id, "status", map[string]any{"from": from, "to": to, "upu": to.UPUCode(), "reason": reason})
}

// RedirectParcel sends a flagged open or sealed parcel to its addressee's
// new facility (EVT-3, GC III 48).
func (tx *Tx) RedirectParcel(ctx context.Context, a Actor, id int64) (*parcels.Parcel, error) {
	const op = "store.RedirectParcel"
	p, err := tx.Parcel(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.FromParty != a.Party {
		return nil, errs.E(op, errs.NotFound, "no such parcel")
	}
	person, err := getPerson(ctx, tx, p.PersonID)
	if err != nil {
		return nil, err
	}
	np, err := parcels.Redirect(*p, person.FacilityID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE parcels SET facility_id = $1, to_party = $2, updated_at = $3, version = version + 1 WHERE id = $4`,
		np.FacilityID, person.HoldingParty, tx.now, id); err != nil {
		return nil, mapErr(op, err)
	}
	np.ToParty, np.Version = person.HoldingParty, np.Version+1
	if _, err := tx.ExecContext(ctx, `INSERT INTO parcel_events (parcel_id, status, upu_code, party_code, reason, at) VALUES ($1, 'redirected', '', $2, 'transferred', $3)`,
		id, a.Party, tx.now); err != nil {
		return nil, mapErr(op, err)
	}
	return &np, tx.Event(ctx, a, "parcel", id, "redirected", map[string]any{"from_facility": p.FacilityID, "to_facility": np.FacilityID})
}

// ReturnParcel sends a flagged open or sealed parcel, or an undeliverable
// one, back to the sender (EVT-4).
func (tx *Tx) ReturnParcel(ctx context.Context, a Actor, id int64) (*parcels.Parcel, error) {
	const op = "store.ReturnParcel"
	p, err := tx.Parcel(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status.Flaggable() && p.FromParty != a.Party {
		return nil, errs.E(op, errs.NotFound, "no such parcel")
	}
	reason := string(p.Flag)
	np, err := parcels.Return(*p)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE parcels SET status = 'returned', updated_at = $1, version = version + 1 WHERE id = $2 AND status = $3`, tx.now, id, p.Status)
	if err != nil {
		return nil, mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errs.E(op, errs.Conflict, "the parcel was changed by someone else; reload and try again")
	}
	if err := tx.parcelEvent(ctx, a, id, parcels.Returned, reason); err != nil {
		return nil, err
	}
	np.Version++
	return &np, tx.Event(ctx, a, "parcel", id, "returned", map[string]any{"reason": reason})
}

// ParcelEvent is one status change of a parcel.
type ParcelEvent struct {
	Status parcels.Status `json:"status"`
	UPU    string         `json:"upu_code,omitempty"`
	Party  string         `json:"party"`
	Reason string         `json:"reason,omitempty"`
	At     time.Time      `json:"at"`
}

// ParcelEvents lists a parcel's events, oldest first.
func (db *DB) ParcelEvents(ctx context.Context, id int64) ([]ParcelEvent, error) {
	return parcelEvents(ctx, db.read, id)
}

func parcelEvents(ctx context.Context, q DBTX, id int64) ([]ParcelEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT status, upu_code, party_code, reason, at FROM parcel_events WHERE parcel_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapErr("store.ParcelEvents", err)
	}
	defer rows.Close()
	out := []ParcelEvent{}
	for rows.Next() {
		var e ParcelEvent
		if err := rows.Scan(&e.Status, &e.UPU, &e.Party, &e.Reason, &e.At); err != nil {
			return nil, mapErr("store.ParcelEvents", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, mapErr("store.ParcelEvents", rows.Err())
}

// PackingGroup is the screened, unpacked mail for one recipient.
type PackingGroup struct {
	Person   *registry.Person         `json:"person"`
	Dir      correspondence.Direction `json:"direction"`
	SenderID int64                    `json:"sender_id,omitempty"`
	Items    []*correspondence.Item   `json:"items"`
	Flag     parcels.Flag             `json:"flag,omitempty"`
}

// PackingQueue lists a party's screened items that are in no parcel yet,
// grouped by recipient, oldest first; at most limit groups.
func (db *DB) PackingQueue(ctx context.Context, party string, limit int) ([]PackingGroup, error) {
	const op = "store.PackingQueue"
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+itemCols+itemFrom+`
		WHERE i.origin_party = $1 AND i.status IN ('approved', 'redacted') AND pi.item_id IS NULL
		ORDER BY i.person_id, i.direction, i.sender_id, i.id LIMIT 5000`, party)
	if err != nil {
		return nil, mapErr(op, err)
	}
	var groups []PackingGroup
	index := map[[3]int64]int{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, mapErr(op, err)
		}
		key := [3]int64{it.PersonID, 0, 0}
		if it.Direction == correspondence.Reply {
			key[1], key[2] = 1, it.SenderID
		}
		g, ok := index[key]
		if !ok {
			if len(groups) == limit {
				continue
			}
			g = len(groups)
			index[key] = g
			groups = append(groups, PackingGroup{Dir: it.Direction, SenderID: key[2]})
		}
		groups[g].Items = append(groups[g].Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	ids := make([]int64, 0, len(groups))
	for _, g := range groups {
		ids = append(ids, g.Items[0].PersonID)
	}
	people, _, err := db.Persons(ctx, PersonFilter{IDs: ids, Limit: 500})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*registry.Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	out := []PackingGroup{}
	for _, g := range groups {
		g.Person = byID[g.Items[0].PersonID]
		if g.Person == nil {
			continue
		}
		if g.Dir == correspondence.ToDetainee {
			g.Flag = parcels.FlagFromPerson(parcels.Parcel{Status: parcels.Open, Direction: g.Dir, FacilityID: g.Person.FacilityID}, g.Person.Status, g.Person.FacilityID)
		}
		out = append(out, g)
	}
	return out, nil
}

// ParcelPrints gathers what the labels and packing lists of the given
// parcels show, in the order of ids, in a few queries whatever their
// number.
func (db *DB) ParcelPrints(ctx context.Context, ids []int64) ([]parcels.Print, error) {
	const op = "store.ParcelPrints"
	out := make([]parcels.Print, 0, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ps, _, err := db.Parcels(ctx, ParcelFilter{IDs: chunk, Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		byID := map[int64]*parcels.Parcel{}
		var personIDs, senderIDs []int64
		for _, p := range ps {
			byID[p.ID] = p
			personIDs = append(personIDs, p.PersonID)
			if p.SenderID != 0 {
				senderIDs = append(senderIDs, p.SenderID)
			}
		}
		people, _, err := db.Persons(ctx, PersonFilter{IDs: personIDs, Limit: 500})
		if err != nil {
			return nil, err
		}
		persons := map[int64]*registry.Person{}
		for _, p := range people {
			persons[p.ID] = p
		}
		items := map[int64][]correspondence.Item{}
		var args []any
		rows, err := db.read.QueryContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE pi.parcel_id IN (`+mailIDList(&args, chunk)+`) ORDER BY pi.parcel_id, pi.position`, args...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return nil, mapErr(op, err)
			}
			items[it.ParcelID] = append(items[it.ParcelID], *it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(op, err)
		}
		senders := map[int64]*correspondence.Sender{}
		for _, sid := range senderIDs {
			if senders[sid] == nil {
				s, err := db.Sender(ctx, sid)
				if err != nil {
					return nil, err
				}
				senders[sid] = s
			}
		}
		facs := map[int64]registry.Facility{}
		partyList, err := db.Parties(ctx)
		if err != nil {
			return nil, err
		}
		partyBy := map[string]registry.Party{}
		for _, p := range partyList {
			partyBy[p.Code] = p
		}
		for _, id := range chunk {
			p := byID[id]
			if p == nil {
				return nil, errs.E(op, errs.NotFound, "no such parcel")
			}
			if _, ok := facs[p.FacilityID]; !ok && p.FacilityID != 0 {
				f, err := db.Facility(ctx, p.FacilityID)
				if err != nil {
					return nil, err
				}
				facs[p.FacilityID] = f
			}
			out = append(out, parcels.Print{
				Parcel: *p, Items: items[id], Person: persons[p.PersonID], Facility: facs[p.FacilityID],
				From: partyBy[p.FromParty], To: partyBy[p.ToParty], Family: senders[p.SenderID],
			})
		}
	}
	return out, nil
}

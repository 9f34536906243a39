package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
)

// Scan is a stored scan of an item: its blob, type and size. The blob
// itself lives in the blob store.
type Scan struct {
	ID        int64     `json:"id"`
	ItemID    int64     `json:"item_id"`
	Seq       int       `json:"seq"`
	Role      string    `json:"role"` // original or redacted
	Key       string    `json:"key"`  // SHA-256 of the blob
	Type      string    `json:"media_type"`
	Size      int64     `json:"size"`
	Width     int       `json:"width,omitempty"`
	Height    int       `json:"height,omitempty"`
	ThumbKey  string    `json:"thumb_key,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Scan roles.
const (
	ScanOriginal = "original"
	ScanRedacted = "redacted"
)

// MaxScans is the most scans one item carries.
const MaxScans = 20

const itemCols = `i.id, i.tracking, i.kind, i.direction, i.sender_id, i.person_id, i.origin_party, i.dest_party, i.language, i.pages,
	i.status, coalesce(pi.parcel_id, 0), i.pin_hash, i.received_at, i.screened_at, i.version`

const itemFrom = ` FROM items i LEFT JOIN parcel_items pi ON pi.item_id = i.id`

func scanItem(s interface{ Scan(...any) error }) (*correspondence.Item, error) {
	var it correspondence.Item
	var screened sql.NullTime
	err := s.Scan(&it.ID, &it.Tracking, &it.Kind, &it.Direction, &it.SenderID, &it.PersonID, &it.OriginParty, &it.DestParty,
		&it.Language, &it.Pages, &it.Status, &it.ParcelID, &it.PINHash, &it.ReceivedAt, &screened, &it.Version)
	if err != nil {
		return nil, err
	}
	it.ReceivedAt = it.ReceivedAt.UTC()
	if screened.Valid {
		it.ScreenedAt = screened.Time.UTC()
	}
	return &it, nil
}

// CreateItem takes in an item: it finds the sides from the person's
// record (mail to a detainee goes from the actor's party to the holding
// party; a reply from the holding party to the person's own), defaults
// the language, checks the quota, numbers the item and stores it with its
// scans. pinHash is correspondence.HashPIN of the PIN given to the sender.
func (tx *Tx) CreateItem(ctx context.Context, a Actor, it *correspondence.Item, pinHash string, scans []Scan) error {
	return tx.createItems(ctx, a, nil, nil, []*correspondence.Item{it}, []string{pinHash}, [][]Scan{scans})
}

// MaxPacket bounds the items of one packet: what a parcel holds.
const MaxPacket = 50

// CreateItems takes in a packet: several items a family member brings at
// once for one person (a letter, photographs, a child's drawing). Every
// item is checked as CreateItem checks one, and the monthly quota counts
// the packet's own letters and cards; the person, the sender, the quota
// and the mail settings are read once for the packet. All the items must
// have the same person, sender and direction; sender, when not nil, is a
// new family member to store with them (its id set in the items); reach, when not nil, checks
// the person first (an unknown one as one of no party); scans[i], when given, are
// item i's. Either every item is stored, with its tracking number, scans
// and event, or none is.
func (tx *Tx) CreateItems(ctx context.Context, a Actor, reach Reach, sender *correspondence.Sender, its []*correspondence.Item, pinHashes []string, scans [][]Scan) error {
	const op = "store.CreateItems"
	switch {
	case len(its) == 0:
		return errs.Fields(op, map[string]string{"items": "name at least one item"})
	case len(its) > MaxPacket:
		return errs.Fields(op, map[string]string{"items": fmt.Sprintf("at most %d items in one packet", MaxPacket)})
	case len(pinHashes) != len(its) || len(scans) > len(its):
		return errs.E(op, errs.Internal, "one PIN hash per item, and scans for no more items than there are")
	}
	return tx.createItems(ctx, a, reach, sender, its, pinHashes, scans)
}

func (tx *Tx) createItems(ctx context.Context, a Actor, reach Reach, sender *correspondence.Sender, its []*correspondence.Item, pinHashes []string, scans [][]Scan) error {
	const op = "store.CreateItem"
	if sender != nil {
		if err := tx.readySender(a, sender); err != nil {
			return err
		}
	}
	// A packet's errors name the item; a single item's are its own.
	entry := func(i int, err error) error {
		if len(its) > 1 {
			return entryErr(op, "items", i, err)
		}
		return err
	}
	for _, it := range its {
		if it.Direction == "" {
			it.Direction = correspondence.ToDetainee // as Normalize would
		}
	}
	first := its[0]
	for i, it := range its[1:] {
		if it.PersonID != first.PersonID || it.SenderID != first.SenderID || it.Direction != first.Direction {
			return entry(i+1, errs.E(op, errs.Invalid, "every item of a packet goes from the same sender to the same person"))
		}
	}
	if first.PersonID <= 0 {
		return errs.Fields(op, map[string]string{"person_id": "required"})
	}
	f, err := tx.intakeFacts(ctx, a, first.PersonID, first.SenderID, first.Direction, sender)
	if errs.Is(err, errs.NotFound) && reach != nil {
		err = reach(PersonSides{})
	}
	if err != nil {
		return err
	}
	if sender != nil {
		for _, it := range its {
			it.SenderID = sender.ID
		}
	}
	p := f.person
	if reach != nil {
		if err := reach(p); err != nil {
			return err
		}
	}
	for i, it := range its {
		it.Normalize(correspondence.DefaultLanguage(p.PartyCode))
		if err := it.Validate(); err != nil {
			return entry(i, err)
		}
		if i < len(scans) && len(scans[i]) > MaxScans {
			return errs.Fields(op, map[string]string{"scans": "at most 20 scans an item"})
		}
	}
	if p.HoldingParty == "" {
		return errs.E(op, errs.Conflict, "the person is not recorded as held anywhere, so mail cannot be addressed; record an arrival first")
	}
	var origin, dest string
	switch first.Direction {
	case correspondence.ToDetainee:
		origin, dest = a.Party, p.HoldingParty
	case correspondence.Reply:
		if a.Party != p.HoldingParty {
			return errs.E(op, errs.Forbidden, "a reply is registered by the party that holds the person")
		}
		origin, dest = p.HoldingParty, p.PartyCode
	}
	if !f.sender {
		return errs.Fields(op, map[string]string{"sender_id": "no such sender"})
	}
	used := f.used
	for i, it := range its {
		if !it.Kind.CountsForQuota() {
			continue
		}
		if err := correspondence.CheckQuota(f.quota, used, it.Kind); err != nil {
			return entry(i, err)
		}
		if it.Kind == correspondence.Letter {
			used.Letters++
		} else {
			used.Cards++
		}
	}
	settings := f.settings // origin is the actor's party: a reply's is checked above
	// One statement inserts the packet's items (one round trip on
	// PostgreSQL); the ids come back with the tracking numbers.
	var vals strings.Builder
	args := make([]any, 0, 13*len(its))
	byTracking := make(map[string]*correspondence.Item, len(its))
	for i, it := range its {
		it.OriginParty, it.DestParty = origin, dest
		if it.Tracking, err = tx.NextTracking(ctx, settings.Items()); err != nil {
			return err
		}
		it.Status, it.ReceivedAt, it.PINHash, it.Version, it.ParcelID = correspondence.InitialStatus(it.Kind), tx.now, pinHashes[i], 1, 0
		it.ScreenedAt = time.Time{}
		if i > 0 {
			vals.WriteString(", ")
		}
		vals.WriteString("(" + placeholders(len(args), 13) + ")")
		args = append(args, it.Tracking, it.Kind, it.Direction, it.SenderID, it.PersonID, it.OriginParty, it.DestParty, it.Language, it.Pages,
			it.Status, pinHashes[i], tx.now, tx.now)
		byTracking[it.Tracking] = it
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO items (tracking, kind, direction, sender_id, person_id, origin_party, dest_party, language, pages,
		status, pin_hash, received_at, updated_at) VALUES `+vals.String()+` RETURNING id, tracking`, args...)
	if err != nil {
		return mapErr(op, err)
	}
	for rows.Next() {
		var id int64
		var tracking string
		if err := rows.Scan(&id, &tracking); err != nil {
			rows.Close()
			return mapErr(op, err)
		}
		if it := byTracking[tracking]; it != nil {
			it.ID = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return mapErr(op, err)
	}
	for i, it := range its {
		if it.ID == 0 {
			return errs.E(op, errs.Internal, "item %s was not stored", it.Tracking)
		}
		var sc []Scan
		if i < len(scans) {
			sc = scans[i]
		}
		for k := range sc {
			sc[k].Role, sc[k].Seq = ScanOriginal, k+1
			if err := tx.addScan(ctx, it.ID, &sc[k]); err != nil {
				return err
			}
		}
		if err := tx.Event(ctx, a, "item", it.ID, "received", map[string]any{
			"kind": it.Kind, "direction": it.Direction, "person_id": it.PersonID, "scans": len(sc), "tracking": it.Tracking,
		}); err != nil {
			return err
		}
	}
	return nil
}

// intakeFacts is what an intake needs to know before it writes, read in
// one query: the person's parties, whether the sender exists, the monthly
// quota that applies and what the person has used of it, and the mail
// settings of the party taking the mail in.
type intakeFacts struct {
	person   PersonSides
	sender   bool
	quota    correspondence.Quota
	used     correspondence.Usage
	settings MailSettings
}

// intakeFacts reads the facts of an intake of mail to (or, for replies,
// from) person, from sender, taken in by party. The quota is the
// detainee's own party's for mail to them and the holding party's for
// replies (COR-3); usage counts this month's letters and cards.
//
// A new family member (newSender, ready to store) is stored first: on
// PostgreSQL by the same statement, on SQLite just before; its id is set.
func (tx *Tx) intakeFacts(ctx context.Context, a Actor, person, sender int64, dir correspondence.Direction, newSender *correspondence.Sender) (intakeFacts, error) {
	const op = "store.CreateItem"
	f := intakeFacts{quota: correspondence.Quota{Direction: dir}}
	month := time.Date(tx.now.Year(), tx.now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var holding, itemService, parcelService, country sql.NullString
	var ownLetters, ownCards, holdLetters, holdCards, limit sql.NullInt64
	var senders int
	with, newID := "", "0"
	party := a.Party
	args := []any{person, sender, dir, party, month}
	if newSender != nil {
		if tx.db.Dialect == Postgres {
			with, newID = `WITH s AS (`+strings.Replace(insertSender, "($1, $2, $3, $4, $5)", "($6, $7, $8, $9, $10)", 1)+`) `, `(SELECT id FROM s)`
			args = append(args, newSender.Party, newSender.Name, newSender.Relationship, newSender.Contact, tx.now)
		} else {
			err := tx.QueryRowContext(ctx, insertSender, newSender.Party, newSender.Name, newSender.Relationship, newSender.Contact, tx.now).Scan(&newSender.ID)
			if err != nil {
				return f, mapErr(op, err)
			}
			newID = "$6" // a parameter: the query's text stays the same, and prepared
			args = append(args, newSender.ID)
		}
	}
	var created int64
	err := tx.QueryRowContext(ctx, with+`SELECT per.party_code, per.holding_party, (SELECT count(*) FROM senders WHERE id = $2),
		qo.letters, qo.cards, qh.letters, qh.cards,
		(SELECT count(*) FROM items WHERE person_id = $1 AND direction = $3 AND received_at >= $5 AND kind = 'letter'),
		(SELECT count(*) FROM items WHERE person_id = $1 AND direction = $3 AND received_at >= $5 AND kind = 'card'),
		ms.item_service, ms.parcel_service, ms.country, ms.screening_limit_hours, `+newID+`
		FROM persons per
		LEFT JOIN quotas qo ON qo.direction = $3 AND qo.party_code = per.party_code
		LEFT JOIN quotas qh ON qh.direction = $3 AND qh.party_code = per.holding_party
		LEFT JOIN mail_settings ms ON ms.party_code = $4
		WHERE per.id = $1`, args...).
		Scan(&f.person.PartyCode, &holding, &senders, &ownLetters, &ownCards, &holdLetters, &holdCards, &f.used.Letters, &f.used.Cards,
			&itemService, &parcelService, &country, &limit, &created)
	if err == sql.ErrNoRows {
		return f, errs.E("store.Person", errs.NotFound, "no such person")
	}
	if err != nil {
		return f, mapErr(op, err)
	}
	f.person.HoldingParty, f.sender = holding.String, senders > 0
	if newSender != nil {
		newSender.ID, f.sender = created, true
		if err := tx.senderCreated(ctx, a, newSender); err != nil {
			return f, err
		}
	}
	// Both parties' limits are read; the domain says whose applies.
	f.quota.Party = correspondence.QuotaParty(dir, f.person.PartyCode, f.person.HoldingParty)
	letters, cards := ownLetters, ownCards
	if f.quota.Party != f.person.PartyCode {
		letters, cards = holdLetters, holdCards
	}
	f.quota.Letters, f.quota.Cards = int(letters.Int64), int(cards.Int64)
	f.settings = settingsOf(party, itemService, parcelService, country, limit)
	return f, nil
}

// PersonSides is what intake and packing need of a person to check
// their reach: the party they belong to and the party holding them (""
// when held nowhere).
type PersonSides struct{ PartyCode, HoldingParty string }

// PersonParties returns a person's two parties, without the rest of the
// record.
func (db *DB) PersonParties(ctx context.Context, id int64) (PersonSides, error) {
	return personSides(ctx, db.read, id)
}

func personSides(ctx context.Context, q DBTX, id int64) (PersonSides, error) {
	var p PersonSides
	var holding sql.NullString
	err := q.QueryRowContext(ctx, `SELECT party_code, holding_party FROM persons WHERE id = $1`, id).Scan(&p.PartyCode, &holding)
	if err == sql.ErrNoRows {
		return p, errs.E("store.Person", errs.NotFound, "no such person")
	}
	p.HoldingParty = holding.String
	return p, mapErr("store.Person", err)
}

func (tx *Tx) addScan(ctx context.Context, itemID int64, s *Scan) error {
	s.ItemID, s.CreatedAt = itemID, tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO item_scans (item_id, seq, role, blob_key, media_type, size, width, height, thumb_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		itemID, s.Seq, s.Role, s.Key, s.Type, s.Size, s.Width, s.Height, s.ThumbKey, tx.now).Scan(&s.ID)
	return mapErr("store.addScan", err)
}

// AddScans adds more original scans to an item still waiting for
// screening.
func (tx *Tx) AddScans(ctx context.Context, a Actor, itemID int64, scans []Scan) error {
	const op = "store.AddScans"
	it, err := getItem(ctx, tx, itemID)
	if err != nil {
		return err
	}
	if it.Status != correspondence.Received {
		return errs.E(op, errs.Conflict, "scans are added before screening")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM item_scans WHERE item_id = $1`, itemID).Scan(&n); err != nil {
		return mapErr(op, err)
	}
	if n+len(scans) > MaxScans {
		return errs.Fields(op, map[string]string{"scans": "at most 20 scans an item"})
	}
	for i := range scans {
		scans[i].Role, scans[i].Seq = ScanOriginal, n+i+1
		if err := tx.addScan(ctx, itemID, &scans[i]); err != nil {
			return err
		}
	}
	return tx.Event(ctx, a, "item", itemID, "scans_added", map[string]int{"scans": len(scans)})
}

// Item returns one item.
func (db *DB) Item(ctx context.Context, id int64) (*correspondence.Item, error) {
	return getItem(ctx, db.read, id)
}

// Item returns one item inside the transaction.
func (tx *Tx) Item(ctx context.Context, id int64) (*correspondence.Item, error) {
	return getItem(ctx, tx, id)
}

func getItem(ctx context.Context, q DBTX, id int64) (*correspondence.Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Item", errs.NotFound, "no such item")
	}
	if err != nil {
		return nil, mapErr("store.Item", err)
	}
	return it, nil
}

// ItemByTracking returns the item with a tracking number.
func (db *DB) ItemByTracking(ctx context.Context, tracking string) (*correspondence.Item, error) {
	it, err := scanItem(db.read.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.tracking = $1`, tracking))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.ItemByTracking", errs.NotFound, "no such item")
	}
	if err != nil {
		return nil, mapErr("store.ItemByTracking", err)
	}
	return it, nil
}

// ItemFilter selects items. Zero values select everything.
type ItemFilter struct {
	Scope     string // a party: the items it sends or receives; "" for all
	Status    correspondence.Status
	Direction correspondence.Direction
	Kind      correspondence.Kind
	PersonID  int64
	ParcelID  int64
	Unpacked  bool  // only items in no parcel
	After     int64 // cursor: ids greater than this
	Limit     int
}

// Items lists items by id, with the cursor of the next page ("" at the end).
func (db *DB) Items(ctx context.Context, f ItemFilter) ([]*correspondence.Item, string, error) {
	const op = "store.Items"
	if f.Limit <= 0 || f.Limit > 1000 {
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
		where = append(where, "(i.origin_party = "+s+" OR i.dest_party = "+s+")")
	}
	if f.Status != "" {
		where = append(where, "i.status = "+arg(f.Status))
	}
	if f.Direction != "" {
		where = append(where, "i.direction = "+arg(f.Direction))
	}
	if f.Kind != "" {
		where = append(where, "i.kind = "+arg(f.Kind))
	}
	if f.PersonID != 0 {
		where = append(where, "i.person_id = "+arg(f.PersonID))
	}
	if f.ParcelID != 0 {
		where = append(where, "pi.parcel_id = "+arg(f.ParcelID))
	}
	if f.Unpacked {
		where = append(where, "pi.parcel_id IS NULL")
	}
	where = append(where, "i.id > "+arg(f.After))
	rows, err := db.read.QueryContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY i.id LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, "", mapErr(op, err)
	}
	defer rows.Close()
	out := []*correspondence.Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, "", mapErr(op, err)
		}
		out = append(out, it)
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

// Scans lists an item's scans in order, originals first.
func (db *DB) Scans(ctx context.Context, itemID int64) ([]Scan, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, item_id, seq, role, blob_key, media_type, size, width, height, thumb_key, created_at
		FROM item_scans WHERE item_id = $1 ORDER BY role, seq, id`, itemID)
	if err != nil {
		return nil, mapErr("store.Scans", err)
	}
	defer rows.Close()
	out := []Scan{}
	for rows.Next() {
		var s Scan
		if err := rows.Scan(&s.ID, &s.ItemID, &s.Seq, &s.Role, &s.Key, &s.Type, &s.Size, &s.Width, &s.Height, &s.ThumbKey, &s.CreatedAt); err != nil {
			return nil, mapErr("store.Scans", err)
		}
		s.CreatedAt = s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, mapErr("store.Scans", rows.Err())
}

// BlobInUse reports whether any scan refers to the blob key, as its scan or
// its thumbnail.
func (tx *Tx) BlobInUse(ctx context.Context, key string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM item_scans WHERE blob_key = $1 OR thumb_key = $1`, key).Scan(&n)
	return n > 0, mapErr("store.BlobInUse", err)
}

// ---- screening

// ScreenItem records the decision of the actor's party on an item: the
// side is the actor's party's side of the item, each side screens once
// (SCR-1), and a redaction brings its redacted scan, which replaces the
// original for delivery while the original is kept.
func (tx *Tx) ScreenItem(ctx context.Context, a Actor, itemID int64, d correspondence.Decision, redacted *Scan) (*correspondence.Screening, error) {
	it, err := getItem(ctx, tx, itemID)
	if err != nil {
		return nil, err
	}
	return tx.screenItem(ctx, a, it, d, redacted)
}

// ItemDecision is one decision of a batch: the item and what its screener
// decided.
type ItemDecision struct {
	ItemID int64 `json:"item_id"`
	correspondence.Decision
}

// ScreenItems records the actor's party's decisions on several items, in
// order, as ScreenItem records one: a screener deciding a page of the
// queue. Items outside scope (a party code; "" for the intermediary) are
// unknown. No decision brings a redacted scan; redactions go one by one.
// The first refused decision fails the whole call; its error names it.
func (tx *Tx) ScreenItems(ctx context.Context, a Actor, scope string, ds []ItemDecision) ([]*correspondence.Screening, error) {
	const op = "store.ScreenItems"
	// The page's items and their screenings are read in two queries;
	// each decision then sees what the decisions before it did, as it
	// would one by one (a repeated item finds itself screened).
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ItemID
	}
	items, err := itemsByID(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	done, err := screeningsOf(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*correspondence.Screening, 0, len(ds))
	moved := map[correspondence.Status][]int64{}
	for i, d := range ds {
		it := items[d.ItemID]
		if it == nil || (scope != "" && it.OriginParty != scope && it.DestParty != scope) {
			return nil, batchErr(op, "decisions", i, d.ItemID, errs.E(op, errs.NotFound, "no such item"))
		}
		sc, next, err := tx.judge(ctx, a, it, done[it.ID], d.Decision, nil)
		if err != nil {
			return nil, batchErr(op, "decisions", i, d.ItemID, err)
		}
		done[it.ID] = append(done[it.ID], *sc)
		if it.ScreenedAt.IsZero() {
			it.ScreenedAt = tx.now
		}
		it.Status = next
		moved[next] = append(moved[next], it.ID)
		out = append(out, sc)
	}
	if err := tx.insertScreenings(ctx, a, out); err != nil {
		return nil, err
	}
	for status, ids := range moved {
		args := []any{status, tx.now}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET status = $1, screened_at = coalesce(screened_at, $2), updated_at = $2, version = version + 1
			WHERE id IN (`+mailIDList(&args, ids)+`)`, args...); err != nil {
			return nil, mapErr(op, err)
		}
	}
	return out, nil
}

// screeningsOf returns the screenings of the given items, oldest first,
// by item.
func screeningsOf(ctx context.Context, q DBTX, ids []int64) (map[int64][]correspondence.Screening, error) {
	out := map[int64][]correspondence.Screening{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	rows, err := q.QueryContext(ctx, `SELECT id, item_id, side, party_code, outcome, reason, note, notice, coalesce(redacted_scan_id, 0),
		screened_by, screened_at, waited_seconds FROM screenings WHERE item_id IN (`+mailIDList(&args, ids)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, mapErr("store.Screenings", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s correspondence.Screening
		if err := rows.Scan(&s.ID, &s.ItemID, &s.Side, &s.Party, &s.Outcome, &s.Reason, &s.Note, &s.Notice, &s.RedactedID,
			&s.ScreenedBy, &s.ScreenedAt, &s.WaitedSecs); err != nil {
			return nil, mapErr("store.Screenings", err)
		}
		s.ScreenedAt = s.ScreenedAt.UTC()
		out[s.ItemID] = append(out[s.ItemID], s)
	}
	return out, mapErr("store.Screenings", rows.Err())
}

// EntryError is the error of one entry of a batch: its message names the
// entry, its field messages are keyed list.index.field, its kind is the
// entry's.
type EntryError struct {
	Index int   // from 0
	ID    int64 // the record the entry is about
	Err   *errs.Error
}

func (e *EntryError) Error() string { return e.Err.Error() }
func (e *EntryError) Unwrap() error { return e.Err }

// entryErr is batchErr for an entry that has no record yet.
func entryErr(op, list string, i int, err error) error { return batchErr(op, list, i, 0, err) }

func batchErr(op, list string, i int, id int64, err error) error {
	name := fmt.Sprintf("%s %d", strings.TrimSuffix(list, "s"), i+1)
	if id != 0 {
		name += fmt.Sprintf(" (id %d)", id)
	}
	e := &errs.Error{Op: op, Kind: errs.KindOf(err), Err: err, Message: name + ": " + errs.MessageOf(err)}
	if f := errs.FieldsOf(err); f != nil {
		e.Fields = map[string]string{}
		for k, v := range f {
			e.Fields[fmt.Sprintf("%s.%d.%s", list, i, k)] = v
		}
	}
	return &EntryError{Index: i, ID: id, Err: e}
}

func (tx *Tx) screenItem(ctx context.Context, a Actor, it *correspondence.Item, d correspondence.Decision, redacted *Scan) (*correspondence.Screening, error) {
	const op = "store.ScreenItem"
	done, err := itemScreenings(ctx, tx, it.ID)
	if err != nil {
		return nil, err
	}
	sc, next, err := tx.decide(ctx, a, it, done, d, redacted)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET status = $1, screened_at = coalesce(screened_at, $2), updated_at = $2, version = version + 1
		WHERE id = $3`, next, tx.now, it.ID); err != nil {
		return nil, mapErr(op, err)
	}
	return sc, nil
}

// decide records a side's decision (with its redacted scan, or nil) on an
// item that has the screenings done: the screening row and its event. It
// returns the screening and the item's next status, which the caller
// writes.
func (tx *Tx) decide(ctx context.Context, a Actor, it *correspondence.Item, done []correspondence.Screening, d correspondence.Decision, redacted *Scan) (*correspondence.Screening, correspondence.Status, error) {
	sc, next, err := tx.judge(ctx, a, it, done, d, redacted)
	if err != nil {
		return nil, "", err
	}
	return sc, next, tx.insertScreenings(ctx, a, []*correspondence.Screening{sc})
}

// judge checks a side's decision on an item that has the screenings done
// and stores its redacted scan; the screening itself is for
// insertScreenings to write.
func (tx *Tx) judge(ctx context.Context, a Actor, it *correspondence.Item, done []correspondence.Screening, d correspondence.Decision, redacted *Scan) (*correspondence.Screening, correspondence.Status, error) {
	const op = "store.ScreenItem"
	itemID := it.ID
	side, err := correspondence.SideOf(*it, a.Party)
	if err != nil {
		return nil, "", err
	}
	d.HasRedacted = redacted != nil
	sc, next, err := correspondence.Screen(*it, side, done, d, tx.now)
	if err != nil {
		return nil, "", err
	}
	if redacted != nil && d.Outcome != correspondence.Redact {
		return nil, "", errs.Fields(op, map[string]string{"redacted_scan": "only a redaction brings a redacted scan"})
	}
	if redacted != nil {
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM item_scans WHERE item_id = $1 AND role = 'redacted'`, itemID).Scan(&seq); err != nil {
			return nil, "", mapErr(op, err)
		}
		redacted.Role, redacted.Seq = ScanRedacted, seq
		if err := tx.addScan(ctx, itemID, redacted); err != nil {
			return nil, "", err
		}
		sc.RedactedID = redacted.ID
	}
	sc.Party, sc.ScreenedBy = a.Party, a.UserID
	return &sc, next, nil
}

// insertScreenings writes screenings of different items, one statement
// for a page of them, setting their ids, and their events in order.
func (tx *Tx) insertScreenings(ctx context.Context, a Actor, scs []*correspondence.Screening) error {
	const op = "store.ScreenItem"
	const cols = 11
	per := 100 // rows a statement: one round trip on PostgreSQL
	if tx.db.Dialect == SQLite {
		per = 1 // a prepared one-row statement binds fastest in its driver
	}
	for lo := 0; lo < len(scs); lo += per {
		page := scs[lo:min(len(scs), lo+per)]
		var vals strings.Builder
		args := make([]any, 0, cols*len(page))
		byItem := make(map[int64]*correspondence.Screening, len(page))
		for i, sc := range page {
			if i > 0 {
				vals.WriteString(", ")
			}
			vals.WriteString("(" + placeholders(len(args), cols) + ")")
			var redacted any
			if sc.RedactedID != 0 {
				redacted = sc.RedactedID
			}
			args = append(args, sc.ItemID, sc.Side, sc.Party, sc.Outcome, sc.Reason, sc.Note, sc.Notice, redacted, sc.ScreenedBy, tx.now, sc.WaitedSecs)
			byItem[sc.ItemID] = sc
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO screenings (item_id, side, party_code, outcome, reason, note, notice, redacted_scan_id,
		screened_by, screened_at, waited_seconds) VALUES `+vals.String()+` RETURNING id, item_id`, args...)
		if err != nil {
			return screeningErr(op, page, err)
		}
		for rows.Next() {
			var id, item int64
			if err := rows.Scan(&id, &item); err != nil {
				rows.Close()
				return mapErr(op, err)
			}
			if sc := byItem[item]; sc != nil {
				sc.ID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return screeningErr(op, page, err)
		}
	}
	for _, sc := range scs {
		if err := tx.Event(ctx, a, "item", sc.ItemID, "screened", map[string]any{
			"side": sc.Side, "outcome": sc.Outcome, "reason": sc.Reason, "waited_seconds": sc.WaitedSecs,
		}); err != nil {
			return err
		}
	}
	return nil
}

// screeningErr turns a second screening by the same side, which another
// request recorded first, into its message (GC III 76).
func screeningErr(op string, page []*correspondence.Screening, err error) error {
	err = mapErr(op, err)
	if errs.Is(err, errs.Conflict) {
		return errs.E(op, correspondence.ErrScreenedTwice, "the %s side has already screened this item; a second examination is not allowed (GC III 76)", page[0].Side)
	}
	return err
}

// AuditRefusedScreening records, in its own transaction, that the actor
// tried to screen an item a second time for the same side (SCR-1).
func (db *DB) AuditRefusedScreening(ctx context.Context, a Actor, itemID int64) error {
	return db.Tx(ctx, func(tx *Tx) error {
		return tx.Event(ctx, a, "item", itemID, "screening_refused", map[string]string{"reason": "second examination by the same side", "party": a.Party})
	})
}

// Screenings lists an item's screenings, oldest first.
func (db *DB) Screenings(ctx context.Context, itemID int64) ([]correspondence.Screening, error) {
	return itemScreenings(ctx, db.read, itemID)
}

func itemScreenings(ctx context.Context, q DBTX, itemID int64) ([]correspondence.Screening, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, item_id, side, party_code, outcome, reason, note, notice, coalesce(redacted_scan_id, 0),
		screened_by, screened_at, waited_seconds FROM screenings WHERE item_id = $1 ORDER BY id`, itemID)
	if err != nil {
		return nil, mapErr("store.Screenings", err)
	}
	defer rows.Close()
	out := []correspondence.Screening{}
	for rows.Next() {
		var s correspondence.Screening
		if err := rows.Scan(&s.ID, &s.ItemID, &s.Side, &s.Party, &s.Outcome, &s.Reason, &s.Note, &s.Notice, &s.RedactedID,
			&s.ScreenedBy, &s.ScreenedAt, &s.WaitedSecs); err != nil {
			return nil, mapErr("store.Screenings", err)
		}
		s.ScreenedAt = s.ScreenedAt.UTC()
		out = append(out, s)
	}
	return out, mapErr("store.Screenings", rows.Err())
}

// QueueEntry is an item waiting for a side's screening.
type QueueEntry struct {
	Item    *correspondence.Item `json:"item"`
	Side    correspondence.Side  `json:"side"`
	Since   time.Time            `json:"since"` // when the wait for this side began
	Waiting time.Duration        `json:"-"`
	Hours   float64              `json:"waiting_hours"`
	Overdue bool                 `json:"overdue"`
}

// ScreeningQueue lists the items a party has to screen, longest waiting
// first: as sending side those not yet screened by it; as receiving side
// those the sending side has passed. limit caps the list.
func (db *DB) ScreeningQueue(ctx context.Context, party string, limit int, now time.Time) ([]QueueEntry, error) {
	const op = "store.ScreeningQueue"
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	settings, err := db.MailSettings(ctx, party)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+itemCols+`, s.screened_at`+itemFrom+`
		LEFT JOIN screenings s ON s.item_id = i.id AND s.side = 'sending'
		LEFT JOIN screenings r ON r.item_id = i.id AND r.side = 'receiving'
		WHERE (i.origin_party = $1 AND i.status = 'received' AND s.id IS NULL)
		   OR (i.dest_party = $1 AND i.origin_party <> $1 AND i.status IN ('approved', 'redacted', 'packed') AND s.id IS NOT NULL AND r.id IS NULL)
		ORDER BY coalesce(s.screened_at, i.received_at), i.id LIMIT $2`, party, limit)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	out := []QueueEntry{}
	for rows.Next() {
		var sentAt sql.NullTime
		var it correspondence.Item
		var screened sql.NullTime
		if err := rows.Scan(&it.ID, &it.Tracking, &it.Kind, &it.Direction, &it.SenderID, &it.PersonID, &it.OriginParty, &it.DestParty,
			&it.Language, &it.Pages, &it.Status, &it.ParcelID, &it.PINHash, &it.ReceivedAt, &screened, &it.Version, &sentAt); err != nil {
			return nil, mapErr(op, err)
		}
		it.ReceivedAt = it.ReceivedAt.UTC()
		if screened.Valid {
			it.ScreenedAt = screened.Time.UTC()
		}
		e := QueueEntry{Item: &it, Side: correspondence.SendingSide, Since: it.ReceivedAt}
		if it.OriginParty != party {
			e.Side, e.Since = correspondence.ReceivingSide, sentAt.Time.UTC()
		}
		e.Waiting = correspondence.Waiting(e.Since, time.Time{}, now)
		e.Hours = float64(e.Waiting/time.Minute) / 60
		e.Overdue = e.Waiting > settings.ScreeningLimit
		out = append(out, e)
	}
	return out, mapErr(op, rows.Err())
}

// MailBacklog is what the dashboard shows of a party's mail.
type MailBacklog struct {
	Waiting  int                           `json:"screening_backlog"` // items waiting for the party's screening
	Overdue  int                           `json:"overdue"`           // of those, over the party's waiting limit
	Limit    int                           `json:"screening_limit_hours"`
	Items    map[correspondence.Status]int `json:"items"`   // items the party sends, by status
	Parcels  map[string]int                `json:"parcels"` // parcels the party sends, by status
	Flagged  int                           `json:"flagged"` // parcels waiting for a redirect or return decision
	Unpacked int                           `json:"unpacked"`
}

// MailBacklog counts a party's screening backlog, overdue items and
// parcels.
func (db *DB) MailBacklog(ctx context.Context, party string, now time.Time) (MailBacklog, error) {
	const op = "store.MailBacklog"
	settings, err := db.MailSettings(ctx, party)
	if err != nil {
		return MailBacklog{}, err
	}
	b := MailBacklog{Limit: settings.LimitHours, Items: map[correspondence.Status]int{}, Parcels: map[string]int{}}
	cut := now.Add(-settings.ScreeningLimit)
	err = db.read.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN coalesce(s.screened_at, i.received_at) < $2 THEN 1 ELSE 0 END), 0)
		FROM items i
		LEFT JOIN screenings s ON s.item_id = i.id AND s.side = 'sending'
		LEFT JOIN screenings r ON r.item_id = i.id AND r.side = 'receiving'
		WHERE (i.origin_party = $1 AND i.status = 'received' AND s.id IS NULL)
		   OR (i.dest_party = $1 AND i.origin_party <> $1 AND i.status IN ('approved', 'redacted', 'packed') AND s.id IS NOT NULL AND r.id IS NULL)`,
		party, cut).Scan(&b.Waiting, &b.Overdue)
	if err != nil {
		return b, mapErr(op, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM items WHERE origin_party = $1 GROUP BY status`, party)
	if err != nil {
		return b, mapErr(op, err)
	}
	for rows.Next() {
		var s correspondence.Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return b, mapErr(op, err)
		}
		b.Items[s] = n
	}
	rows.Close()
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM items i LEFT JOIN parcel_items pi ON pi.item_id = i.id
		WHERE i.origin_party = $1 AND i.status IN ('approved', 'redacted') AND pi.item_id IS NULL`, party).Scan(&b.Unpacked); err != nil {
		return b, mapErr(op, err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT status, count(*) FROM parcels WHERE from_party = $1 GROUP BY status`, party)
	if err != nil {
		return b, mapErr(op, err)
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return b, mapErr(op, err)
		}
		b.Parcels[s] = n
	}
	rows.Close()
	err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM parcels p JOIN persons per ON per.id = p.person_id
		WHERE p.from_party = $1 AND p.direction = 'to_detainee' AND p.status IN ('open', 'sealed') AND `+flaggedSQL, party).Scan(&b.Flagged)
	return b, mapErr(op, err)
}

// flaggedSQL selects parcels (p) whose addressee (per) is no longer where
// they are addressed (parcels.FlagFromPerson in SQL).
const flaggedSQL = `(per.status IN ('dead', 'released', 'repatriated', 'escaped')
	OR (per.facility_id IS NOT NULL AND p.facility_id IS NOT NULL AND per.facility_id <> p.facility_id))`

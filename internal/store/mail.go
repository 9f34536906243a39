package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// ---- mail settings and sequences

// MailSettings are a party's settings for family mail: the S10 numbering
// of its items and parcels, and how long an item may wait for screening
// before it is flagged (SCR-2).
type MailSettings struct {
	Party          string        `json:"party"`
	ItemService    string        `json:"item_service"`
	ParcelService  string        `json:"parcel_service"`
	Country        string        `json:"country"`
	ScreeningLimit time.Duration `json:"-"`
	LimitHours     int           `json:"screening_limit_hours"`
}

// Items is the numbering of the party's items.
func (s MailSettings) Items() correspondence.Numbering {
	return correspondence.Numbering{Service: s.ItemService, Country: s.Country}
}

// Parcels is the numbering of the party's parcels.
func (s MailSettings) Parcels() correspondence.Numbering {
	return correspondence.Numbering{Service: s.ParcelService, Country: s.Country}
}

// DefaultMailSettings are the settings of a party that has set none: items
// RR, parcels CP, the party code as country when it is an ISO 3166-1 code,
// and the default screening limit.
func DefaultMailSettings(party string) MailSettings {
	s := MailSettings{Party: party, ItemService: "RR", ParcelService: "CP", ScreeningLimit: correspondence.DefaultScreeningLimit}
	if _, err := s10.Make("RR", 1, party); err == nil {
		s.Country = party
	}
	s.LimitHours = int(s.ScreeningLimit / time.Hour)
	return s
}

// Validate checks the settings.
func (s MailSettings) Validate() error {
	m := map[string]string{}
	if err := s.Items().Validate(); err != nil {
		m["item_service"] = errs.MessageOf(err)
	}
	if err := s.Parcels().Validate(); err != nil {
		m["parcel_service"] = errs.MessageOf(err)
	}
	if s.ItemService == s.ParcelService {
		m["parcel_service"] = "must differ from the item service indicator"
	}
	if s.LimitHours < 1 || s.LimitHours > 24*60 {
		m["screening_limit_hours"] = "from 1 to 1440 hours"
	}
	if len(m) > 0 {
		return errs.Fields("store.MailSettings.Validate", m)
	}
	return nil
}

// MailSettings returns a party's settings, or the defaults.
func (db *DB) MailSettings(ctx context.Context, party string) (MailSettings, error) {
	return mailSettings(ctx, db.read, party)
}

// settingsOf makes a party's settings from a mail_settings row read with
// an outer join: no row gives the defaults.
func settingsOf(party string, itemService, parcelService, country sql.NullString, limit sql.NullInt64) MailSettings {
	if !itemService.Valid {
		return DefaultMailSettings(party)
	}
	return MailSettings{Party: party, ItemService: itemService.String, ParcelService: parcelService.String, Country: country.String,
		LimitHours: int(limit.Int64), ScreeningLimit: time.Duration(limit.Int64) * time.Hour}
}

func mailSettings(ctx context.Context, q DBTX, party string) (MailSettings, error) {
	var itemService, parcelService, country sql.NullString
	var limit sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT item_service, parcel_service, country, screening_limit_hours FROM mail_settings WHERE party_code = $1`, party).
		Scan(&itemService, &parcelService, &country, &limit)
	if err != nil && err != sql.ErrNoRows {
		return MailSettings{Party: party}, mapErr("store.MailSettings", err)
	}
	return settingsOf(party, itemService, parcelService, country, limit), nil
}

// SetMailSettings stores a party's settings.
func (tx *Tx) SetMailSettings(ctx context.Context, a Actor, s MailSettings) error {
	const op = "store.SetMailSettings"
	s.ItemService, s.ParcelService, s.Country = strings.ToUpper(s.ItemService), strings.ToUpper(s.ParcelService), strings.ToUpper(s.Country)
	if err := s.Validate(); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mail_settings (party_code, item_service, parcel_service, country, screening_limit_hours, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (party_code) DO UPDATE SET item_service = excluded.item_service,
		parcel_service = excluded.parcel_service, country = excluded.country, screening_limit_hours = excluded.screening_limit_hours,
		updated_at = excluded.updated_at`, s.Party, s.ItemService, s.ParcelService, s.Country, s.LimitHours, tx.now)
	if err != nil {
		return mapErr(op, err)
	}
	return tx.EventRef(ctx, a, "mail_settings", s.Party, "set", s)
}

// NextSerials reserves n numbers of the named sequence and returns the
// first; the sequence starts at 1.
func (tx *Tx) NextSerials(ctx context.Context, name string, n int64) (int64, error) {
	if n < 1 {
		return 0, errs.E("store.NextSerials", errs.Invalid, "reserve at least one number")
	}
	var v int64
	err := tx.QueryRowContext(ctx, `INSERT INTO sequences (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = sequences.value + excluded.value RETURNING value`, name, n).Scan(&v)
	if err != nil {
		return 0, mapErr("store.NextSerials", err)
	}
	return v - n + 1, nil
}

// NextTracking returns the next tracking number of numbering n.
//
// On SQLite the number comes from the sequence inside the transaction:
// there is one writer, so nothing waits for it, and a number is used
// only when the transaction commits (no gaps). On PostgreSQL the sequence
// row would stay locked until the caller commits, and every intake and
// packing would wait for the one before it; so the numbers come from a
// block of the sequence reserved ahead by a statement of its own
// (DB.reserveTracking). Numbers are unique and never reused, and one
// process hands them out in increasing order, but they may skip: a block
// left unused when the process stops, or the number of a transaction
// that rolled back, is never given out.
func (tx *Tx) NextTracking(ctx context.Context, n correspondence.Numbering) (string, error) {
	if n.Country == "" {
		return "", errs.E("store.NextTracking", errs.Conflict, "the party has no S10 country code; set one in the mail settings")
	}
	name := "s10:" + n.Service + n.Country
	var serial int64
	var err error
	if tx.db.Dialect == Postgres {
		var ok bool
		serial, ok, err = tx.db.reserveTracking(ctx, name)
		if err == nil && !ok {
			// No connection for the reservation: the pool is busy with
			// transactions (perhaps waiting for this block). Take the
			// number inside the transaction instead, as SQLite does.
			serial, err = tx.NextSerials(ctx, name, 1)
		}
	} else {
		serial, err = tx.NextSerials(ctx, name, 1)
	}
	if err != nil {
		return "", err
	}
	return n.Make(serial)
}

// trackingBlock is how many tracking numbers PostgreSQL reserves at once.
const trackingBlock = 64

// reserveWait bounds how long a tracking number waits for its block: a
// transaction that waits longer takes its number inside itself.
const reserveWait = 2 * time.Second

// serialBlocks are the blocks of tracking numbers reserved ahead, by
// sequence name (PostgreSQL).
type serialBlocks struct {
	mu     sync.Mutex
	blocks map[string]*serialBlock
}

// serialBlock is the unused rest of one sequence's block: next up to
// (not including) end. Its channel of one is its lock, so that waiting
// for it can end.
type serialBlock struct {
	lock      chan struct{}
	next, end int64
}

func (s *serialBlocks) block(name string) *serialBlock {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocks == nil {
		s.blocks = map[string]*serialBlock{}
	}
	b := s.blocks[name]
	if b == nil {
		b = &serialBlock{lock: make(chan struct{}, 1)}
		s.blocks[name] = b
	}
	return b
}

// reserveTracking hands out the next number of sequence name from the
// process's block, reserving the next block on the write pool, committed
// on its own, when it is used up. ok is false when it cannot get the block
// in time (every connection of the pool is in a transaction).
func (db *DB) reserveTracking(ctx context.Context, name string) (serial int64, ok bool, err error) {
	const op = "store.NextTracking"
	b := db.serials.block(name)
	wait := time.NewTimer(reserveWait)
	defer wait.Stop()
	select {
	case b.lock <- struct{}{}:
	case <-wait.C:
		return 0, false, nil
	case <-ctx.Done():
		return 0, false, mapErr(op, ctx.Err())
	}
	defer func() { <-b.lock }()
	if b.next < b.end {
		b.next++
		return b.next - 1, true, nil
	}
	rctx, cancel := context.WithTimeout(ctx, reserveWait)
	defer cancel()
	var last int64
	err = db.write.QueryRowContext(rctx, `INSERT INTO sequences (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = sequences.value + excluded.value RETURNING value`, name, trackingBlock).Scan(&last)
	if err != nil {
		if ctx.Err() == nil && rctx.Err() != nil {
			// The block may have been reserved all the same: its numbers
			// are skipped.
			return 0, false, nil
		}
		return 0, false, mapErr(op, err)
	}
	b.next, b.end = last-trackingBlock+2, last+1
	return last - trackingBlock + 1, true, nil
}

// ---- senders

// CreateSender validates and inserts a family member, setting its id.
func (tx *Tx) CreateSender(ctx context.Context, a Actor, s *correspondence.Sender) error {
	const op = "store.CreateSender"
	if err := tx.readySender(a, s); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, insertSender, s.Party, s.Name, s.Relationship, s.Contact, tx.now).Scan(&s.ID)
	if err != nil {
		return mapErr(op, err)
	}
	return tx.senderCreated(ctx, a, s)
}

const insertSender = `INSERT INTO senders (party_code, name, relationship, contact, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`

// readySender normalizes and checks a new family member of a's party.
func (tx *Tx) readySender(a Actor, s *correspondence.Sender) error {
	s.Normalize()
	if s.Party == "" {
		s.Party = a.Party
	}
	if err := s.Validate(); err != nil {
		return err
	}
	s.CreatedAt = tx.now
	return nil
}

// senderCreated records a new family member's event.
func (tx *Tx) senderCreated(ctx context.Context, a Actor, s *correspondence.Sender) error {
	return tx.Event(ctx, a, "sender", s.ID, "created", map[string]string{"party": s.Party})
}

// Sender returns a family member.
func (db *DB) Sender(ctx context.Context, id int64) (*correspondence.Sender, error) {
	return getSender(ctx, db.read, id)
}

// Sender returns a family member inside the transaction.
func (tx *Tx) Sender(ctx context.Context, id int64) (*correspondence.Sender, error) {
	return getSender(ctx, tx, id)
}

func getSender(ctx context.Context, q DBTX, id int64) (*correspondence.Sender, error) {
	var s correspondence.Sender
	err := q.QueryRowContext(ctx, `SELECT id, party_code, name, relationship, contact, created_at FROM senders WHERE id = $1`, id).
		Scan(&s.ID, &s.Party, &s.Name, &s.Relationship, &s.Contact, &s.CreatedAt)
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Sender", errs.NotFound, "no such sender")
	}
	if err != nil {
		return nil, mapErr("store.Sender", err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	return &s, nil
}

// ---- quotas

// SetQuota stores a party's monthly quota for one direction. Incoming
// limits bind mail to the party's own nationals, outgoing ones the replies
// of the people it holds (COR-3).
func (tx *Tx) SetQuota(ctx context.Context, a Actor, q correspondence.Quota) error {
	if err := q.Validate(); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO quotas (party_code, direction, letters, cards, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (party_code, direction) DO UPDATE SET letters = excluded.letters, cards = excluded.cards, updated_at = excluded.updated_at`,
		q.Party, q.Direction, q.Letters, q.Cards, tx.now)
	if err != nil {
		return mapErr("store.SetQuota", err)
	}
	return tx.EventRef(ctx, a, "quota", q.Party+":"+string(q.Direction), "set", q)
}

// Quotas lists a party's quotas; "" lists every party's.
func (db *DB) Quotas(ctx context.Context, party string) ([]correspondence.Quota, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT party_code, direction, letters, cards FROM quotas WHERE $1 = '' OR party_code = $1 ORDER BY party_code, direction`, party)
	if err != nil {
		return nil, mapErr("store.Quotas", err)
	}
	defer rows.Close()
	out := []correspondence.Quota{}
	for rows.Next() {
		var q correspondence.Quota
		if err := rows.Scan(&q.Party, &q.Direction, &q.Letters, &q.Cards); err != nil {
			return nil, mapErr("store.Quotas", err)
		}
		out = append(out, q)
	}
	return out, mapErr("store.Quotas", rows.Err())
}

func mailIDList(args *[]any, vals []int64) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		*args = append(*args, v)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return strings.Join(ph, ", ")
}

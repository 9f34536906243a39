package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
	"lifeline/internal/s10"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

// Consignment is a consignment as this node keeps it.
type Consignment struct {
	consignments.Consignment
	// Origin is "local" when the consignment was made here, "imported" when
	// it came in a signed manifest from another node.
	Origin         string `json:"origin"`
	ManifestDigest string `json:"manifest_digest,omitempty"`
	Parcels        int    `json:"parcels"`
}

const consignBaseCols = `c.id, c.ref, c.kind, c.from_party, c.to_party, c.via_party, c.period, c.target, c.return_of, c.state, c.place,
	c.origin, c.manifest_digest, c.created_at, c.sealed_at, c.dispatched_at, c.handed_over_at, c.receipted_at, c.closed_at, c.version`

// consignCols are the columns of a consignment with its parcel count;
// lockCols leave the count out (0): the steps that need it count for
// themselves.
const (
	consignCols = consignBaseCols + `, (SELECT count(*) FROM consignment_parcels cp WHERE cp.consignment_id = c.id)`
	lockCols    = consignBaseCols + `, 0`
)

func scanConsignment(s interface{ Scan(...any) error }) (*Consignment, error) {
	var c Consignment
	var sealed, dispatched, handed, receipted, closed sql.NullTime
	err := s.Scan(&c.ID, &c.Ref, &c.Kind, &c.From, &c.To, &c.Via, &c.Period, &c.Target, &c.ReturnOf, &c.State, &c.Place,
		&c.Origin, &c.ManifestDigest, &c.CreatedAt, &sealed, &dispatched, &handed, &receipted, &closed, &c.Version, &c.Parcels)
	if err != nil {
		return nil, err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	c.SealedAt, c.DispatchedAt, c.HandedOverAt, c.ReceiptedAt, c.ClosedAt = consignTimePtr(sealed), consignTimePtr(dispatched), consignTimePtr(handed), consignTimePtr(receipted), consignTimePtr(closed)
	return &c, nil
}

func consignTimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func consignNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// ConsignmentFilter selects consignments.
type ConsignmentFilter struct {
	Scope string // a party: what it sent, what was sent to it, what it carries; "" for all
	State consignments.State
	Ref   string // a reference prefix
	Limit int
}

// Consignments lists consignments, newest first.
func (db *DB) Consignments(ctx context.Context, f ConsignmentFilter) ([]*Consignment, error) {
	const op = "store.Consignments"
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := `SELECT ` + consignCols + ` FROM consignments c
		WHERE ($1 = '' OR c.from_party = $1 OR c.to_party = $1 OR c.via_party = $1) AND ($2 = '' OR c.state = $2)
		AND ($3 = '' OR c.ref LIKE $3 ESCAPE '\') ORDER BY c.id DESC LIMIT $4`
	prefix := ""
	if f.Ref != "" {
		prefix = escapeLike(strings.ToUpper(f.Ref)) + "%"
	}
	rows, err := db.read.QueryContext(ctx, q, f.Scope, string(f.State), prefix, f.Limit)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []*Consignment
	for rows.Next() {
		c, err := scanConsignment(rows)
		if err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, c)
	}
	return out, mapErr(op, rows.Err())
}

// Consignment returns the consignment with reference ref.
func (db *DB) Consignment(ctx context.Context, ref string) (*Consignment, error) {
	return getConsignment(ctx, db.read, ref, "")
}

// ConsignmentHead returns the consignment with reference ref without
// counting its parcels (Parcels is 0): for checks on every scan.
func (db *DB) ConsignmentHead(ctx context.Context, ref string) (*Consignment, error) {
	return getConsignmentCols(ctx, db.read, lockCols, ref, "")
}

// Consignment returns the consignment with reference ref, inside tx.
func (tx *Tx) Consignment(ctx context.Context, ref string) (*Consignment, error) {
	return getConsignment(ctx, tx, ref, "")
}

// consignmentFor locks the consignment ref for actor a to take step: a
// party that cannot see it gets NotFound, one that sees it but may not take
// the step gets Forbidden.
func (tx *Tx) consignmentFor(ctx context.Context, a Actor, ref string, step consignments.Step) (*Consignment, error) {
	return tx.checkedConsignment(ctx, a, ref, step, " FOR UPDATE OF c")
}

// consignmentForScan is consignmentFor for a step that leaves the
// consignment's row as it is (a scan at the handover): on PostgreSQL it
// holds the row FOR SHARE, so that scanners do not wait for each other,
// while the steps that change the row (FOR UPDATE) still wait for them
// and they for those.
func (tx *Tx) consignmentForScan(ctx context.Context, a Actor, ref string, step consignments.Step) (*Consignment, error) {
	return tx.checkedConsignment(ctx, a, ref, step, " FOR SHARE OF c")
}

func (tx *Tx) checkedConsignment(ctx context.Context, a Actor, ref string, step consignments.Step, pgLock string) (*Consignment, error) {
	if tx.db.Dialect != Postgres {
		pgLock = ""
	}
	c, err := getConsignmentCols(ctx, tx, lockCols, ref, pgLock)
	if err != nil {
		return nil, err
	}
	if err := consignments.CheckParty(c.Consignment, a.Party, step); err != nil {
		return nil, err
	}
	return c, nil
}

// NodeKeys returns the signing keys of this node inside tx: on a federated
// node (party set) the node key, for its own party only; on a node that
// serves every party, the key each party holds in the database.
func (tx *Tx) NodeKeys(ctx context.Context, party string, key *sign.Key) Keys {
	if party != "" {
		return consignments.StaticKeyring(party, map[string]*sign.Key{party: key})
	}
	return tx.HeldKeys(ctx)
}

// NodeTrust returns the keys a node trusts: the party keys trusted
// explicitly, and its own (the node key for party on a federated node, the
// keys it holds for every party otherwise).
func (db *DB) NodeTrust(ctx context.Context, party string, key *sign.Key) (sign.TrustSet, error) {
	t, err := db.TrustSet(ctx)
	if err != nil {
		return nil, err
	}
	if party != "" && key != nil {
		t.Add(party, key.Public())
		return t, nil
	}
	held, err := db.HeldTrust(ctx)
	if err != nil {
		return nil, err
	}
	for id, k := range held {
		t[id] = k
	}
	return t, nil
}

// lockConsignment reads a consignment for a change (locked on
// PostgreSQL; SQLite has one writer). Its Parcels count is not read.
func (tx *Tx) lockConsignment(ctx context.Context, ref string) (*Consignment, error) {
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR UPDATE OF c"
	}
	return getConsignmentCols(ctx, tx, lockCols, ref, lock)
}

func getConsignment(ctx context.Context, q DBTX, ref, lock string) (*Consignment, error) {
	return getConsignmentCols(ctx, q, consignCols, ref, lock)
}

func getConsignmentCols(ctx context.Context, q DBTX, cols, ref, lock string) (*Consignment, error) {
	c, err := scanConsignment(q.QueryRowContext(ctx, `SELECT `+cols+` FROM consignments c WHERE c.ref = $1`+lock, strings.ToUpper(strings.TrimSpace(ref))))
	if errs.Is(mapErr("", err), errs.NotFound) {
		return nil, errs.E("store.Consignment", errs.NotFound, "no consignment %s", ref)
	}
	if err != nil {
		return nil, mapErr("store.Consignment", err)
	}
	return c, nil
}

// save writes c's state, times, place and digest, checking its version.
func (tx *Tx) saveConsignment(ctx context.Context, c *Consignment) error {
	const op = "store.saveConsignment"
	res, err := tx.ExecContext(ctx, `UPDATE consignments SET state = $1, place = $2, manifest_digest = $3, sealed_at = $4, dispatched_at = $5,
		handed_over_at = $6, receipted_at = $7, closed_at = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11`,
		c.State, c.Place, c.ManifestDigest, consignNullTime(c.SealedAt), consignNullTime(c.DispatchedAt), consignNullTime(c.HandedOverAt), consignNullTime(c.ReceiptedAt),
		consignNullTime(c.ClosedAt), tx.now, c.ID, c.Version)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(op, errs.Conflict, "consignment %s was changed by someone else; reload and try again", c.Ref)
	}
	c.Version++
	return nil
}

func (tx *Tx) insertConsignment(ctx context.Context, c *Consignment) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO consignments (ref, kind, from_party, to_party, via_party, period, target, return_of, state, place,
		origin, manifest_digest, created_at, sealed_at, dispatched_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		RETURNING id`, c.Ref, c.Kind, c.From, c.To, c.Via, c.Period, c.Target, c.ReturnOf, c.State, c.Place, c.Origin, c.ManifestDigest,
		c.CreatedAt, consignNullTime(c.SealedAt), consignNullTime(c.DispatchedAt), tx.now).Scan(&c.ID)
	if errs.Is(mapErr("", err), errs.Conflict) {
		return errs.E("store.insertConsignment", errs.Conflict, "a consignment %s already exists", c.Ref)
	}
	c.Version = 1
	return mapErr("store.insertConsignment", err)
}

// CreateConsignment creates a draft consignment. An empty reference gets
// the next free one for its parties and period.
func (tx *Tx) CreateConsignment(ctx context.Context, a Actor, c *consignments.Consignment) (*Consignment, error) {
	const op = "store.CreateConsignment"
	c.Normalize()
	c.State, c.CreatedAt = consignments.Draft, tx.now
	if c.Ref == "" && consignments.ValidPeriod(c.Period) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consignments WHERE from_party = $1 AND to_party = $2 AND period = $3 AND kind = $4`,
			c.From, c.To, c.Period, c.Kind).Scan(&n); err != nil {
			return nil, mapErr(op, err)
		}
		c.Ref = consignments.MakeRef(c.From, c.To, c.Period, c.Kind, n+1)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	for _, p := range []string{c.From, c.To, c.Via} {
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM parties WHERE code = $1`, p).Scan(&kind); err != nil {
			return nil, errs.Fields(op, map[string]string{"party": "no party " + p + " here"})
		}
		kinds[p] = kind
	}
	if kinds[c.Via] != "intermediary" || kinds[c.From] != "state" || kinds[c.To] != "state" {
		return nil, errs.Fields(op, map[string]string{"via": "a consignment goes from one state party to the other through the intermediary"})
	}
	sc := &Consignment{Consignment: *c, Origin: "local"}
	if err := tx.insertConsignment(ctx, sc); err != nil {
		return nil, err
	}
	*c = sc.Consignment
	return sc, tx.EventRef(ctx, a, "consignment", c.Ref, "created", map[string]any{"kind": c.Kind, "target": c.Target, "period": c.Period})
}

// ConsignmentLine is a parcel of a consignment with its state there.
type ConsignmentLine struct {
	consignments.Line
	State    consignments.ParcelState `json:"state"`
	ParcelID int64                    `json:"parcel_id,omitempty"` // the parcel here, when this node has it
}

// ConsignmentLines lists the parcels of a consignment in the order they
// were added.
func (db *DB) ConsignmentLines(ctx context.Context, consignmentID int64) ([]ConsignmentLine, error) {
	return consignmentLines(ctx, db.read, consignmentID)
}

func consignmentLines(ctx context.Context, q DBTX, id int64) ([]ConsignmentLine, error) {
	const op = "store.ConsignmentLines"
	rows, err := q.QueryContext(ctx, `SELECT tracking, recipient_ref, weight_grams, items, state, coalesce(parcel_id, 0)
		FROM consignment_parcels WHERE consignment_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []ConsignmentLine
	for rows.Next() {
		var l ConsignmentLine
		if err := rows.Scan(&l.Tracking, &l.RecipientRef, &l.WeightGrams, &l.Items, &l.State, &l.ParcelID); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, l)
	}
	return out, mapErr(op, rows.Err())
}

func lineStates(ls []ConsignmentLine) map[string]consignments.ParcelState {
	m := make(map[string]consignments.ParcelState, len(ls))
	for _, l := range ls {
		m[l.Tracking] = l.State
	}
	return m
}

func manifestLines(ls []ConsignmentLine) []consignments.Line {
	out := make([]consignments.Line, len(ls))
	for i, l := range ls {
		out[i] = l.Line
	}
	return out
}

// otherConsignment returns the reference of another consignment that holds
// tracking and is not done with it, or "".
func otherConsignment(ctx context.Context, q DBTX, tracking string, notID int64) (string, error) {
	var ref string
	err := q.QueryRowContext(ctx, `SELECT c.ref FROM consignment_parcels cp JOIN consignments c ON c.id = cp.consignment_id
		WHERE cp.tracking = $1 AND cp.consignment_id <> $2 AND cp.state NOT IN ('returned', 'missing', 'acknowledged') ORDER BY c.id DESC LIMIT 1`,
		tracking, notID).Scan(&ref)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return ref, mapErr("store.otherConsignment", err)
}

// AddParcels puts sealed parcels, by tracking number, on a draft
// consignment: all of them or, on any refusal, none. The parcels and the
// consignments that already hold them are read in a few queries, every
// parcel is checked in memory in the order given (the first refusal is
// the one reported), and the lines go in with multi-row statements.
func (tx *Tx) AddParcels(ctx context.Context, a Actor, ref string, trackings []string) ([]consignments.Line, error) {
	const op = "store.AddParcels"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepPrepare)
	if err != nil {
		return nil, err
	}
	if len(trackings) == 0 {
		return nil, errs.Fields(op, map[string]string{"trackings": "no tracking numbers given"})
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consignment_parcels WHERE consignment_id = $1`, c.ID).Scan(&c.Parcels); err != nil {
		return nil, mapErr(op, err)
	}
	if c.Parcels+len(trackings) > consignments.MaxParcels {
		return nil, errs.E(op, errs.Invalid, "a consignment holds at most %d parcels", consignments.MaxParcels)
	}
	norm := make([]string, len(trackings))
	var look []string
	seen := map[string]bool{}
	for i, raw := range trackings {
		t := s10.Normalize(raw)
		norm[i] = t
		if s10.Validate(t) == nil && !seen[t] {
			seen[t] = true
			look = append(look, t)
		}
	}
	found, err := tx.addableParcels(ctx, c, look)
	if err != nil {
		return nil, err
	}
	out := make([]consignments.Line, 0, len(trackings))
	ids := make([]int64, 0, len(trackings))
	clear(seen)
	for i, raw := range trackings {
		t := norm[i]
		if err := s10.Validate(t); err != nil {
			return nil, errs.Fields(op, map[string]string{"tracking": fmt.Sprintf("%q: %s", raw, errs.MessageOf(err))})
		}
		if seen[t] {
			return nil, errs.E(op, errs.Invalid, "parcel %s is listed twice", t)
		}
		seen[t] = true
		p, ok := found[t]
		if !ok {
			return nil, errs.E(op, errs.NotFound, "there is no parcel %s here", t)
		}
		if err := consignments.CanAdd(c.Consignment, p.info); err != nil {
			return nil, err
		}
		l, err := consignments.CheckLine(p.line)
		if err != nil {
			return nil, errs.E(op, errs.Conflict, "parcel %s cannot be listed: %v", t, err)
		}
		out = append(out, l)
		ids = append(ids, p.id)
	}
	if err := tx.bulkRows(ctx, "consignment_parcels", []string{"consignment_id", "tracking", "parcel_id", "recipient_ref", "weight_grams", "items", "state",
		"position", "updated_at"}, len(out), func(i int) []any {
		l := out[i]
		return []any{c.ID, l.Tracking, ids[i], l.RecipientRef, l.WeightGrams, l.Items, consignments.ParcelSealed, c.Parcels + i + 1, tx.now}
	}); err != nil {
		return nil, err
	}
	return out, tx.EventRef(ctx, a, "consignment", c.Ref, "parcels_added", map[string]any{"count": len(out), "total": c.Parcels + len(out)})
}

// addable is a parcel as AddParcels checks it.
type addable struct {
	id   int64
	info consignments.ParcelInfo
	line consignments.Line
}

// addableParcels reads the parcels among trackings (valid and distinct)
// with what AddParcels checks of them: their state and parties, whether c
// already lists them, and the latest other consignment that holds them and
// is not done with them. Parcels this node does not have are left out.
func (tx *Tx) addableParcels(ctx context.Context, c *Consignment, trackings []string) (map[string]*addable, error) {
	const op = "store.AddParcels"
	out := make(map[string]*addable, len(trackings))
	otherID := map[string]int64{}
	for lo := 0; lo < len(trackings); lo += inChunk {
		part := trackings[lo:min(len(trackings), lo+inChunk)]
		args := make([]any, 0, len(part)+1)
		for _, t := range part {
			args = append(args, t)
		}
		err := tx.scanRows(ctx, `SELECT p.tracking, p.id, p.status, p.from_party, p.to_party, p.items, p.weight_grams,
			CASE WHEN pe.intermediary_ref <> '' THEN pe.intermediary_ref ELSE pe.party_code || '-P' || CAST(pe.id AS TEXT) END
			FROM parcels p JOIN persons pe ON pe.id = p.person_id WHERE p.tracking IN (`+placeholders(0, len(part))+`)`, args, func(s func(...any) error) error {
			var p addable
			var status string
			if err := s(&p.info.Tracking, &p.id, &status, &p.info.FromParty, &p.info.ToParty, &p.line.Items, &p.line.WeightGrams, &p.line.RecipientRef); err != nil {
				return err
			}
			p.info.Status, p.line.Tracking = parcels.Status(status), p.info.Tracking
			out[p.info.Tracking] = &p
			return nil
		})
		if err != nil {
			return nil, mapErr(op, err)
		}
		args = append(args, c.ID)
		err = tx.scanRows(ctx, `SELECT cp.tracking, cp.consignment_id, c.ref FROM consignment_parcels cp JOIN consignments c ON c.id = cp.consignment_id
			WHERE cp.tracking IN (`+placeholders(0, len(part))+`) AND (cp.consignment_id = $`+strconv.Itoa(len(part)+1)+`
			OR cp.state NOT IN ('returned', 'missing', 'acknowledged'))`, args, func(s func(...any) error) error {
			var t, ref string
			var id int64
			if err := s(&t, &id, &ref); err != nil {
				return err
			}
			p := out[t]
			switch {
			case p == nil:
			case id == c.ID:
				p.info.InThis = true
			case id > otherID[t]:
				otherID[t], p.info.OtherRef = id, ref
			}
			return nil
		})
		if err != nil {
			return nil, mapErr(op, err)
		}
	}
	return out, nil
}

// scanRows runs query and calls row for each row with its Scan.
func (tx *Tx) scanRows(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rs, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := row(rs.Scan); err != nil {
			return err
		}
	}
	return rs.Err()
}

// RemoveParcel takes a parcel off a draft consignment.
func (tx *Tx) RemoveParcel(ctx context.Context, a Actor, ref, tracking string) error {
	const op = "store.RemoveParcel"
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepPrepare)
	if err != nil {
		return err
	}
	if c.State != consignments.Draft {
		return errs.E(op, errs.Conflict, "consignment %s is %s; its parcels are fixed", c.Ref, c.State)
	}
	t := s10.Normalize(tracking)
	res, err := tx.ExecContext(ctx, `DELETE FROM consignment_parcels WHERE consignment_id = $1 AND tracking = $2`, c.ID, t)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(op, errs.NotFound, "parcel %s is not on consignment %s", t, c.Ref)
	}
	return tx.EventRef(ctx, a, "consignment", c.Ref, "parcel_removed", map[string]any{"tracking": t})
}

// SealableParcels lists sealed parcels of a party for another that are on
// no consignment yet: what a draft consignment can take.
func (db *DB) SealableParcels(ctx context.Context, from, to string, limit int) ([]string, error) {
	const op = "store.SealableParcels"
	if limit <= 0 || limit > consignments.MaxParcels {
		limit = consignments.MaxParcels
	}
	rows, err := db.read.QueryContext(ctx, `SELECT p.tracking FROM parcels p WHERE p.from_party = $1 AND p.to_party = $2 AND p.status = 'sealed'
		AND NOT EXISTS (SELECT 1 FROM consignment_parcels cp WHERE cp.tracking = p.tracking AND cp.state NOT IN ('returned', 'missing', 'acknowledged'))
		ORDER BY p.id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, t)
	}
	return out, mapErr(op, rows.Err())
}

// moveLines moves the lines of consignment c that are in state from (and,
// when only is not nil, among only's tracking numbers, or when except is
// true, not among them) to state to, with the local parcels in the same
// state and their parcel events. It returns how many lines moved.
func (tx *Tx) moveLines(ctx context.Context, a Actor, c *Consignment, from, to consignments.ParcelState, sel lineSel) (int, error) {
	const op = "store.moveLines"
	if err := from.CanMoveTo(to); err != nil && from != to {
		return 0, errs.Wrap(op, err)
	}
	cond, args := sel.where(c.ID, from)
	n := len(args)
	evArgs := append(append([]any{}, args...), to, to.UPUCode(), a.Party, sel.reason, tx.now)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO parcel_events (parcel_id, status, upu_code, party_code, reason, at)
		SELECT p.id, %s, %s, %s, %s, %s FROM consignment_parcels cp JOIN parcels p ON p.id = cp.parcel_id WHERE %s AND p.status = cp.state`,
		tx.param(n+1, "text"), tx.param(n+2, "text"), tx.param(n+3, "text"), tx.param(n+4, "text"), tx.param(n+5, "timestamptz"), cond), evArgs...); err != nil {
		return 0, mapErr(op, err)
	}
	upArgs := append(append([]any{}, args...), to, tx.now)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE parcels SET status = $%d, updated_at = $%d, version = version + 1
		WHERE id IN (SELECT cp.parcel_id FROM consignment_parcels cp WHERE %s AND cp.parcel_id IS NOT NULL) AND status = $2`, n+1, n+2, cond), upArgs...); err != nil {
		return 0, mapErr(op, err)
	}
	res, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE consignment_parcels SET state = $%d, updated_at = $%d
		WHERE consignment_id = $1 AND tracking IN (SELECT cp.tracking FROM consignment_parcels cp WHERE %s)`, n+1, n+2, cond), upArgs...)
	if err != nil {
		return 0, mapErr(op, err)
	}
	moved, _ := res.RowsAffected()
	return int(moved), nil
}

// param writes placeholder $n, typed for PostgreSQL where it cannot infer
// the type (a parameter in a SELECT list).
func (tx *Tx) param(n int, pgType string) string {
	if tx.db.Dialect == Postgres {
		return fmt.Sprintf("$%d::%s", n, pgType)
	}
	return fmt.Sprintf("$%d", n)
}

// lineSel selects lines of a consignment for moveLines.
type lineSel struct {
	scanned    bool   // only lines scanned at the handover
	notScanned bool   // only lines not scanned at the handover
	tracking   string // only this parcel
	reason     string // the reason written on the parcel events
}

func (s lineSel) where(id int64, from consignments.ParcelState) (string, []any) {
	cond := "cp.consignment_id = $1 AND cp.state = $2"
	args := []any{id, from}
	switch {
	case s.scanned:
		cond += " AND cp.tracking IN (SELECT hs.tracking FROM handover_scans hs WHERE hs.consignment_id = $1)"
	case s.notScanned:
		cond += " AND cp.tracking NOT IN (SELECT hs.tracking FROM handover_scans hs WHERE hs.consignment_id = $1)"
	}
	if s.tracking != "" {
		args = append(args, s.tracking)
		cond += " AND cp.tracking = $3"
	}
	return cond, args
}

// moveLine moves one line along path, with its local parcel (when this
// node has it and it is in the line's state) and a parcel event for each
// step: three statements whatever the length of the path.
func (tx *Tx) moveLine(ctx context.Context, a Actor, c *Consignment, tracking string, cur consignments.ParcelState, path []consignments.ParcelState, reason string) error {
	const op = "store.moveLine"
	if len(path) == 0 {
		return nil
	}
	from := cur
	for _, to := range path {
		if err := from.CanMoveTo(to); err != nil {
			return errs.Wrap(op, err)
		}
		from = to
	}
	final := path[len(path)-1]
	var pid int64
	err := tx.QueryRowContext(ctx, `UPDATE parcels SET status = $1, updated_at = $2, version = version + 1
		WHERE status = $3 AND id = (SELECT parcel_id FROM consignment_parcels WHERE consignment_id = $4 AND tracking = $5) RETURNING id`,
		final, tx.now, cur, c.ID, tracking).Scan(&pid)
	switch {
	case err == nil:
		args := []any{}
		var rows []string
		for _, to := range path {
			n := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6))
			args = append(args, pid, to, to.UPUCode(), a.Party, reason, tx.now)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO parcel_events (parcel_id, status, upu_code, party_code, reason, at) VALUES `+strings.Join(rows, ", "), args...); err != nil {
			return mapErr(op, err)
		}
	case err != sql.ErrNoRows:
		return mapErr(op, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE consignment_parcels SET state = $1, updated_at = $2 WHERE consignment_id = $3 AND tracking = $4 AND state = $5`,
		final, tx.now, c.ID, tracking, cur)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(op, errs.Conflict, "parcel %s of %s was changed by someone else; reload and try again", tracking, c.Ref)
	}
	return nil
}

// maybeClose closes a receipted consignment whose parcels are all in a
// final state.
func (tx *Tx) maybeClose(ctx context.Context, a Actor, c *Consignment) error {
	if c.State != consignments.Receipted {
		return nil
	}
	// Any parcel not in a final state keeps the consignment open; the
	// index on (consignment_id, state) finds one at once.
	var open []any
	var ph []string
	for _, s := range parcels.Statuses {
		if !s.Final() {
			open = append(open, s)
			ph = append(ph, fmt.Sprintf("$%d", len(open)+1))
		}
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM consignment_parcels WHERE consignment_id = $1 AND state IN (`+strings.Join(ph, ", ")+`) LIMIT 1`,
		append([]any{c.ID}, open...)...).Scan(&one)
	switch {
	case err == nil:
		return nil
	case err != sql.ErrNoRows:
		return mapErr("store.maybeClose", err)
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consignment_parcels WHERE consignment_id = $1`, c.ID).Scan(&total); err != nil {
		return mapErr("store.maybeClose", err)
	}
	if consignments.CanCloseCount(c.State, total, 0) != nil {
		return nil
	}
	if err := c.Move(consignments.Closed, tx.now); err != nil {
		return err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return err
	}
	return tx.EventRef(ctx, a, "consignment", c.Ref, "closed", map[string]any{"parcels": total})
}

// maxLogSubjects is the most parcels one log entry names; a larger step is
// logged as several entries of the same consignment.
const maxLogSubjects = 200

// logClaim appends the claim of a step to the node's transparency log (in
// the step's transaction): the acting party, the other party, the day, the
// parcels by tracking number (logged as commitments) and the consignment
// (logged as a pseudonym).
func (tx *Tx) logClaim(ctx context.Context, typ, party, peer, ref string, trackings []string) error {
	return tx.logClaims(ctx, []string{typ}, party, peer, ref, trackings)
}

// logClaims is logClaim for several types of claim about the same parcels,
// appended at once.
func (tx *Tx) logClaims(ctx context.Context, types []string, party, peer, ref string, trackings []string) error {
	var es []tlog.Event
	for _, typ := range types {
		es = append(es, claimEvents(tx.now, typ, party, peer, ref, trackings)...)
	}
	if len(es) == 0 {
		return nil
	}
	_, err := tx.AppendLog(ctx, es)
	return err
}

func claimEvents(now time.Time, typ, party, peer, ref string, trackings []string) []tlog.Event {
	var es []tlog.Event
	for len(trackings) > 0 {
		n := min(len(trackings), maxLogSubjects)
		es = append(es, tlog.Event{Type: typ, Party: party, Peer: peer, Day: LogDay(now), Unit: "parcel", Count: n, Ref: ref, Subjects: trackings[:n]})
		trackings = trackings[n:]
	}
	return es
}

// lineTrackings lists the tracking numbers of c's lines in state s.
func (tx *Tx) lineTrackings(ctx context.Context, c *Consignment, s consignments.ParcelState) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT tracking FROM consignment_parcels WHERE consignment_id = $1 AND state = $2 ORDER BY position`, c.ID, s)
	if err != nil {
		return nil, mapErr("store.lineTrackings", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, mapErr("store.lineTrackings", err)
		}
		out = append(out, t)
	}
	return out, mapErr("store.lineTrackings", rows.Err())
}

// DispatchConsignment sends a sealed consignment on its way: it and its
// parcels are dispatched (UPU EMC).
func (tx *Tx) DispatchConsignment(ctx context.Context, a Actor, ref string) (*Consignment, error) {
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepPrepare)
	if err != nil {
		return nil, err
	}
	if err := c.Move(consignments.Dispatched, tx.now); err != nil {
		return nil, err
	}
	n, err := tx.moveLines(ctx, a, c, consignments.ParcelSealed, consignments.ParcelDispatched, lineSel{})
	if err != nil {
		return nil, err
	}
	ts, err := tx.lineTrackings(ctx, c, consignments.ParcelDispatched)
	if err != nil {
		return nil, err
	}
	if err := tx.logClaim(ctx, tlog.Dispatched, c.From, c.To, c.Ref, ts); err != nil {
		return nil, err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return nil, err
	}
	return c, tx.EventRef(ctx, a, "consignment", c.Ref, "dispatched", map[string]any{"parcels": n})
}

package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"strings"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/sign"
)

// ---- repatriation operations

const operationCols = `id, ref, op_date, crossing_point, intermediary, from_party, to_party, note, state, state_at,
	roster_signers, outcome_signers, version, created_at`

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func scanOperation(s interface{ Scan(...any) error }) (*repatriation.Operation, error) {
	var o repatriation.Operation
	var rs, os string
	err := s.Scan(&o.ID, &o.Ref, &o.Date, &o.CrossingPoint, &o.Intermediary, &o.From, &o.To, &o.Note, &o.State, &o.StateAt,
		&rs, &os, &o.Version, &o.CreatedAt)
	if err != nil {
		return nil, err
	}
	o.RosterSigners, o.OutcomeSigners = splitList(rs), splitList(os)
	o.Date, o.StateAt, o.CreatedAt = o.Date.UTC(), o.StateAt.UTC(), o.CreatedAt.UTC()
	o.Roster = []repatriation.Entry{}
	return &o, nil
}

func loadRoster(ctx context.Context, q DBTX, o *repatriation.Operation) error {
	rows, err := q.QueryContext(ctx, `SELECT person_id, case_id, category, name, birth_date, sex, outcome, reason, outcome_at
		FROM operation_entries WHERE operation_id = $1 ORDER BY position`, o.ID)
	if err != nil {
		return mapErr("store.loadRoster", err)
	}
	defer rows.Close()
	o.Roster = []repatriation.Entry{}
	for rows.Next() {
		var e repatriation.Entry
		var cid sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&e.PersonID, &cid, &e.Category, &e.Name, &e.BirthDate, &e.Sex, &e.Outcome, &e.Reason, &at); err != nil {
			return mapErr("store.loadRoster", err)
		}
		e.CaseID = cid.Int64
		if at.Valid {
			t := at.Time.UTC()
			e.OutcomeAt = &t
		}
		o.Roster = append(o.Roster, e)
	}
	return mapErr("store.loadRoster", rows.Err())
}

func loadOperation(ctx context.Context, q DBTX, id int64) (*repatriation.Operation, error) {
	o, err := scanOperation(q.QueryRowContext(ctx, `SELECT `+operationCols+` FROM operations WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Operation", errs.NotFound, "no such operation")
	}
	if err != nil {
		return nil, mapErr("store.Operation", err)
	}
	return o, loadRoster(ctx, q, o)
}

// Operation returns one operation with its roster.
func (db *DB) Operation(ctx context.Context, id int64) (*repatriation.Operation, error) {
	return loadOperation(ctx, db.read, id)
}

// Operations lists the operations in scope (those from or to the party;
// "" for all), newest first, with their rosters.
func (db *DB) Operations(ctx context.Context, scope string, limit int) ([]*repatriation.Operation, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+operationCols+` FROM operations
		WHERE ($1 = '' OR from_party = $1 OR to_party = $1) ORDER BY op_date DESC, id DESC LIMIT $2`, scope, limit)
	if err != nil {
		return nil, mapErr("store.Operations", err)
	}
	var out []*repatriation.Operation
	for rows.Next() {
		o, err := scanOperation(rows)
		if err != nil {
			rows.Close()
			return nil, mapErr("store.Operations", err)
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("store.Operations", err)
	}
	for _, o := range out {
		if err := loadRoster(ctx, db.read, o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateOperation validates and inserts a planned operation.
func (tx *Tx) CreateOperation(ctx context.Context, a Actor, o *repatriation.Operation) error {
	const op = "store.CreateOperation"
	o.Ref = strings.TrimSpace(o.Ref)
	o.CrossingPoint = strings.TrimSpace(o.CrossingPoint)
	o.Date = o.Date.UTC().Truncate(24 * time.Hour)
	o.State, o.StateAt, o.RosterSigners, o.OutcomeSigners, o.Roster = repatriation.Planned, tx.now, []string{}, []string{}, []repatriation.Entry{}
	if err := o.Validate(); err != nil {
		return err
	}
	f := map[string]string{}
	for field, want := range map[string]registry.PartyKind{o.From: registry.StateParty, o.To: registry.StateParty, o.Intermediary: registry.Intermediary} {
		if p, err := partyOf(ctx, tx, field); err != nil || p.Kind != want {
			name := map[string]string{o.From: "from", o.To: "to", o.Intermediary: "intermediary"}[field]
			f[name] = "not a " + string(want) + " party"
		}
	}
	if len(f) > 0 {
		return errs.Fields(op, f)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO operations (ref, op_date, crossing_point, intermediary, from_party, to_party, note, state, state_at,
		version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $9, $9) RETURNING id`,
		o.Ref, o.Date, o.CrossingPoint, o.Intermediary, o.From, o.To, o.Note, o.State, tx.now).Scan(&o.ID)
	if err != nil {
		return mapErr(op, err)
	}
	o.Version, o.CreatedAt = 1, tx.now
	return tx.Event(ctx, a, "operation", o.ID, "operation.created", map[string]any{"from": o.From, "to": o.To})
}

func (tx *Tx) saveOperation(ctx context.Context, o *repatriation.Operation) error {
	res, err := tx.ExecContext(ctx, `UPDATE operations SET state = $1, state_at = $2, roster_signers = $3, outcome_signers = $4,
		version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7`,
		o.State, o.StateAt.UTC(), strings.Join(o.RosterSigners, ","), strings.Join(o.OutcomeSigners, ","), tx.now, o.ID, o.Version)
	if err != nil {
		return mapErr("store.saveOperation", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E("store.saveOperation", errs.Conflict, "the operation was changed by someone else; reload it")
	}
	o.Version++
	return nil
}

func (tx *Tx) insertEntries(ctx context.Context, o *repatriation.Operation, from int) error {
	for i := from; i < len(o.Roster); i++ {
		e := o.Roster[i]
		_, err := tx.ExecContext(ctx, `INSERT INTO operation_entries (operation_id, person_id, case_id, position, category, name, birth_date, sex)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, o.ID, e.PersonID, nullID(e.CaseID), i, e.Category, e.Name, e.BirthDate, e.Sex)
		if err != nil {
			return mapErr("store.insertEntries", err)
		}
	}
	return nil
}

// AddCaseToOperation puts every member of an accepted case on the roster
// and schedules the case.
func (tx *Tx) AddCaseToOperation(ctx context.Context, a Actor, opID, caseID int64) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	var members []*registry.Person
	for _, m := range c.Members {
		p, err := getPerson(ctx, tx, m.PersonID)
		if err != nil {
			return err
		}
		members = append(members, p)
	}
	n := len(o.Roster)
	if err := o.AddCase(c, members); err != nil {
		return err
	}
	from := c.State
	if err := c.Apply(cases.Transition{To: cases.Scheduled, At: tx.now, OperationID: o.ID}); err != nil {
		return err
	}
	if err := tx.insertEntries(ctx, o, n); err != nil {
		return err
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return err
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: string(cases.Scheduled), From: string(from), To: string(cases.Scheduled),
		OperationID: o.ID, Persons: len(c.Members)})
}

// AddPersonToOperation puts a prisoner of war or an internee on the roster,
// as in an exchange.
func (tx *Tx) AddPersonToOperation(ctx context.Context, a Actor, opID, personID int64) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	p, err := getPerson(ctx, tx, personID)
	if err != nil {
		return err
	}
	n := len(o.Roster)
	if err := o.AddPerson(p); err != nil {
		return err
	}
	if err := tx.insertEntries(ctx, o, n); err != nil {
		return err
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.Event(ctx, a, "operation", o.ID, "operation.person_added", map[string]any{"person_id": p.ID})
}

// RemoveCaseFromOperation takes a case off a roster not yet signed; the
// case goes back to accepted with the reason.
func (tx *Tx) RemoveCaseFromOperation(ctx context.Context, a Actor, opID, caseID int64, reason string) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if err := o.RemoveCase(caseID); err != nil {
		return err
	}
	if err := c.Unschedule(tx.now, reason); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM operation_entries WHERE operation_id = $1 AND case_id = $2`, o.ID, caseID); err != nil {
		return mapErr("store.RemoveCaseFromOperation", err)
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return err
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: "unscheduled", From: string(cases.Scheduled), To: string(c.State),
		OperationID: o.ID, Reason: reason, Persons: len(c.Members)})
}

// RemovePersonFromOperation takes a person without a case off a roster not
// yet signed.
func (tx *Tx) RemovePersonFromOperation(ctx context.Context, a Actor, opID, personID int64) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	if err := o.RemovePerson(personID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM operation_entries WHERE operation_id = $1 AND person_id = $2`, o.ID, personID); err != nil {
		return mapErr("store.RemovePersonFromOperation", err)
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.Event(ctx, a, "operation", o.ID, "operation.person_removed", map[string]any{"person_id": personID})
}

// RecordOperationOutcome records what happened to one person on the roster.
func (tx *Tx) RecordOperationOutcome(ctx context.Context, a Actor, opID, personID int64, out repatriation.Outcome, reason string) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	var c *cases.Case
	if e, ok := o.Entry(personID); ok && e.CaseID != 0 {
		if c, err = loadCase(ctx, tx, e.CaseID); err != nil {
			return err
		}
	}
	if err := o.RecordOutcome(personID, out, reason, tx.now, c); err != nil {
		return err
	}
	e, _ := o.Entry(personID)
	if _, err := tx.ExecContext(ctx, `UPDATE operation_entries SET outcome = $1, reason = $2, outcome_at = $3 WHERE operation_id = $4 AND person_id = $5`,
		e.Outcome, e.Reason, tx.now, o.ID, personID); err != nil {
		return mapErr("store.RecordOperationOutcome", err)
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.Event(ctx, a, "operation", o.ID, "operation.outcome", map[string]any{"person_id": personID, "outcome": out})
}

// CompleteOperation completes an operation whose every person has an
// outcome: the cases on it are settled (repatriated, back to accepted, or
// split when a household parted) and every person handed over is recorded
// as repatriated in the registry, when the registry's history allows it.
func (tx *Tx) CompleteOperation(ctx context.Context, a Actor, opID int64) error {
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	if err := o.Complete(tx.now); err != nil {
		return err
	}
	for _, cid := range o.CaseIDs() {
		c, err := loadCase(ctx, tx, cid)
		if err != nil {
			return err
		}
		before := c.Members
		rest, err := o.SettleCase(c, tx.now)
		if err != nil {
			return err
		}
		if rest != nil {
			if err := tx.writeSplit(ctx, a, c, rest, "did not travel on operation "+o.Ref); err != nil {
				return err
			}
		} else if err := tx.saveCase(ctx, c); err != nil {
			return err
		}
		e := CaseEvent{CaseID: c.ID, Type: string(c.State), From: string(cases.Scheduled), To: string(c.State), OperationID: o.ID, Persons: len(c.Members)}
		if c.State == cases.Accepted {
			e.Type, e.Reason, e.Persons = "unscheduled", "did not travel on operation "+o.Ref, len(before)
		}
		if err := tx.caseEvent(ctx, a, e); err != nil {
			return err
		}
	}
	for _, e := range o.Roster {
		if e.Outcome != repatriation.HandedOver {
			continue
		}
		history, err := personEvents(ctx, tx, e.PersonID)
		if err != nil {
			return err
		}
		ev := registry.Event{PersonID: e.PersonID, Type: registry.Repatriated, OccurredAt: tx.now, Note: "operation " + o.Ref}
		if registry.Derive(history).CanApply(ev) != nil {
			continue // nothing records the person as held: the case's history records the return
		}
		if err := tx.RecordStatus(ctx, a, &ev); err != nil {
			return err
		}
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	h, n, _ := o.Counts()
	if err := tx.Event(ctx, a, "operation", o.ID, "operation.completed", map[string]any{"handed_over": h, "did_not_travel": n}); err != nil {
		return err
	}
	return tx.logOperation(ctx, o)
}

// CancelOperation cancels an operation not yet completed; its cases go
// back to accepted.
func (tx *Tx) CancelOperation(ctx context.Context, a Actor, opID int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errs.Fields("store.CancelOperation", map[string]string{"reason": "required"})
	}
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	if err := o.Cancel(tx.now); err != nil {
		return err
	}
	for _, cid := range o.CaseIDs() {
		c, err := loadCase(ctx, tx, cid)
		if err != nil {
			return err
		}
		if err := c.Unschedule(tx.now, "operation "+o.Ref+" cancelled: "+reason); err != nil {
			return err
		}
		if err := tx.saveCase(ctx, c); err != nil {
			return err
		}
		if err := tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: "unscheduled", From: string(cases.Scheduled), To: string(c.State),
			OperationID: o.ID, Reason: reason, Persons: len(c.Members)}); err != nil {
			return err
		}
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.Event(ctx, a, "operation", o.ID, "operation.cancelled", nil)
}

// ---- signing keys and signed documents

// Keys gives the key a party signs with on this node; a consignments
// Keyring is one.
type Keys interface {
	Key(party string) (*sign.Key, error)
}

// HeldKeys returns the signing keys a node that hosts every party holds in
// its database, one per party, made on first use, inside the transaction.
func (tx *Tx) HeldKeys(ctx context.Context) Keys { return heldKeys{tx: tx, ctx: ctx} }

type heldKeys struct {
	tx  *Tx
	ctx context.Context
}

func (h heldKeys) Key(party string) (*sign.Key, error) { return h.tx.heldKey(h.ctx, party) }

func (tx *Tx) heldKey(ctx context.Context, party string) (*sign.Key, error) {
	const op = "store.HeldKey"
	var seed []byte
	err := tx.QueryRowContext(ctx, `SELECT seed FROM signing_keys WHERE party = $1`, party).Scan(&seed)
	if err == nil {
		return sign.NewKeyFromSeed(seed)
	}
	if err != sql.ErrNoRows {
		return nil, mapErr(op, err)
	}
	seed = make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	k, err := sign.NewKeyFromSeed(seed)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (party, seed, public_key, created_at) VALUES ($1, $2, $3, $4)`,
		party, seed, k.Public().String(), tx.now); err != nil {
		return nil, mapErr(op, err)
	}
	return k, tx.EventRef(ctx, System, "party", party, "party.key_created", map[string]any{"key_id": k.ID()})
}

func heldTrust(ctx context.Context, q DBTX) (sign.TrustSet, error) {
	rows, err := q.QueryContext(ctx, `SELECT party, public_key FROM signing_keys ORDER BY party`)
	if err != nil {
		return nil, mapErr("store.TrustSet", err)
	}
	defer rows.Close()
	t := sign.TrustSet{}
	for rows.Next() {
		var party, pub string
		if err := rows.Scan(&party, &pub); err != nil {
			return nil, mapErr("store.TrustSet", err)
		}
		k, err := sign.ParsePublicKey(pub)
		if err != nil {
			return nil, errs.Wrap("store.TrustSet", err)
		}
		t.Add(party, k)
	}
	return t, mapErr("store.TrustSet", rows.Err())
}

// HeldTrust returns the public keys of the parties whose signing keys this
// node holds in its database.
func (db *DB) HeldTrust(ctx context.Context) (sign.TrustSet, error) { return heldTrust(ctx, db.read) }

// SignedDocument is a stored bundle with the parties that signed it.
type SignedDocument struct {
	Kind    string    `json:"kind"`
	Ref     string    `json:"ref"`
	Digest  string    `json:"digest"`
	Signers []string  `json:"signers"`
	Updated time.Time `json:"updated_at"`
	Bundle  []byte    `json:"-"`
}

func signedDocument(ctx context.Context, q DBTX, entity string, id int64, kind string) (*SignedDocument, error) {
	var d SignedDocument
	var signers, bundle string
	err := q.QueryRowContext(ctx, `SELECT kind, ref, digest, signers, updated_at, bundle FROM signed_documents
		WHERE entity = $1 AND entity_id = $2 AND kind = $3`, entity, id, kind).Scan(&d.Kind, &d.Ref, &d.Digest, &signers, &d.Updated, &bundle)
	if err == sql.ErrNoRows {
		return nil, errs.E("store.SignedDocument", errs.NotFound, "the %s is not signed yet", strings.ReplaceAll(kind, "_", " "))
	}
	if err != nil {
		return nil, mapErr("store.SignedDocument", err)
	}
	d.Signers, d.Bundle, d.Updated = splitList(signers), []byte(bundle), d.Updated.UTC()
	return &d, nil
}

// OperationDocument returns the signed bundle of an operation's roster or
// outcomes (kind repatriation_roster or repatriation_outcomes).
func (db *DB) OperationDocument(ctx context.Context, opID int64, kind string) (*SignedDocument, error) {
	return signedDocument(ctx, db.read, "operation", opID, kind)
}

// SignOperation signs the operation's roster or outcomes for party with
// its key from keys (which must also hold the other signatories' keys, as
// on a node that hosts every party): the first signature makes the bundle, each
// other one countersigns it after checking the signatures already there and
// that it carries the operation's current document. When both parties and
// the intermediary have signed, the operation moves on.
func (tx *Tx) SignOperation(ctx context.Context, a Actor, opID int64, kind, party string, keys Keys) error {
	const op = "store.SignOperation"
	o, err := loadOperation(ctx, tx, opID)
	if err != nil {
		return err
	}
	if kind == repatriation.KindRoster {
		for _, cid := range o.CaseIDs() {
			c, err := loadCase(ctx, tx, cid)
			if err != nil {
				return err
			}
			if err := c.CanReturn(); err != nil {
				return errs.E(op, errs.Conflict, "case %d cannot return: %s", c.ID, errs.MessageOf(err))
			}
		}
	}
	if err := o.Sign(kind, party, tx.now); err != nil {
		return err
	}
	k, err := keys.Key(party)
	if err != nil {
		return err
	}
	trust := sign.TrustSet{}
	for _, p := range o.Signatories() {
		pk, err := keys.Key(p)
		if err != nil {
			return err
		}
		trust.Add(p, pk.Public())
	}
	d, err := signedDocument(ctx, tx, "operation", o.ID, kind)
	var b *sign.Bundle
	switch {
	case errs.Is(err, errs.NotFound):
		if b, err = o.NewBundle(k, kind, tx.now); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if b, err = sign.ReadBundle(bytes.NewReader(d.Bundle)); err != nil {
			return err
		}
		if err := o.SignBundle(b, k, trust, party); err != nil {
			return err
		}
	}
	data, err := b.Marshal()
	if err != nil {
		return err
	}
	v, err := b.Verify(trust, party, nil)
	if err != nil {
		return errs.Wrap(op, err)
	}
	signers := o.RosterSigners
	if kind == repatriation.KindOutcomes {
		signers = o.OutcomeSigners
	}
	if d == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO signed_documents (entity, entity_id, kind, ref, seq, bundle, digest, signers, created_at, updated_at)
			VALUES ('operation', $1, $2, $3, $4, $5, $6, $7, $8, $8)`, o.ID, kind, o.Ref, v.Seq, string(data), v.Digest(), strings.Join(signers, ","), tx.now)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE signed_documents SET bundle = $1, signers = $2, updated_at = $3 WHERE entity = 'operation' AND entity_id = $4 AND kind = $5`,
			string(data), strings.Join(signers, ","), tx.now, o.ID, kind)
	}
	if err != nil {
		return mapErr(op, err)
	}
	if err := tx.saveOperation(ctx, o); err != nil {
		return err
	}
	return tx.Event(ctx, a, "operation", o.ID, "operation.signed", map[string]any{"kind": kind, "party": party, "digest": v.Digest()})
}

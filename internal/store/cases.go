package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// ---- cases of displaced civilians

const caseCols = `id, party, host_party, origin, region, placement, facility_id, wish, interview_at, interview_by,
	interview_intermediary, interview_private, persecution_risk, priorities, state, state_at, registered_at, closed_at,
	operation_id, split_of, note, version`

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC()
}

func scanCase(s interface{ Scan(...any) error }) (*cases.Case, error) {
	var c cases.Case
	var fac, op, split sql.NullInt64
	var ivAt, closed sql.NullTime
	var ivBy, prio string
	var ivInt, ivPriv, risk int64
	err := s.Scan(&c.ID, &c.Party, &c.HostParty, &c.Origin, &c.Region, &c.Placement, &fac, &c.Wish, &ivAt, &ivBy,
		&ivInt, &ivPriv, &risk, &prio, &c.State, &c.StateAt, &c.RegisteredAt, &closed, &op, &split, &c.Note, &c.Version)
	if err != nil {
		return nil, err
	}
	c.FacilityID, c.OperationID, c.SplitOf = fac.Int64, op.Int64, split.Int64
	if ivAt.Valid {
		c.Interview = &cases.Interview{At: ivAt.Time.UTC(), By: ivBy, Intermediary: ivInt == 1, Private: ivPriv == 1}
	}
	if closed.Valid {
		t := closed.Time.UTC()
		c.ClosedAt = &t
	}
	c.PersecutionRisk = risk == 1
	for _, p := range strings.Split(prio, ",") {
		if p != "" {
			c.Priorities = append(c.Priorities, cases.Priority(p))
		}
	}
	c.StateAt, c.RegisteredAt = c.StateAt.UTC(), c.RegisteredAt.UTC()
	return &c, nil
}

func priorityText(ps []cases.Priority) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// loadCase reads one case with its members and its last decisions.
func loadCase(ctx context.Context, q DBTX, id int64) (*cases.Case, error) {
	const op = "store.Case"
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.E(op, errs.NotFound, "no such case")
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	if err := loadMembers(ctx, q, []*cases.Case{c}); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT type, party, decided_at, reason, source FROM case_events
		WHERE case_id = $1 AND type IN ('accepted', 'refused') ORDER BY id`, id)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ string
		var d cases.Decision
		var at sql.NullTime
		if err := rows.Scan(&typ, &d.Party, &at, &d.Reason, &d.Source); err != nil {
			return nil, mapErr(op, err)
		}
		d.At = at.Time.UTC()
		if typ == "accepted" {
			c.Acceptance = &d
		} else {
			c.Refusal = &d
		}
	}
	return c, mapErr(op, rows.Err())
}

// loadMembers fills the members of cs, with their names and parties.
func loadMembers(ctx context.Context, q DBTX, cs []*cases.Case) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*cases.Case{}
	args := make([]any, len(cs))
	marks := make([]string, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Members = nil
		args[i] = c.ID
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT m.case_id, m.person_id, p.native_name, p.party_code FROM case_members m
		JOIN persons p ON p.id = m.person_id WHERE m.case_id IN (`+strings.Join(marks, ",")+`) ORDER BY m.case_id, m.position`, args...)
	if err != nil {
		return mapErr("store.loadMembers", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var m cases.Member
		if err := rows.Scan(&cid, &m.PersonID, &m.Name, &m.Party); err != nil {
			return mapErr("store.loadMembers", err)
		}
		byID[cid].Members = append(byID[cid].Members, m)
	}
	return mapErr("store.loadMembers", rows.Err())
}

// Case returns one case with its members.
func (db *DB) Case(ctx context.Context, id int64) (*cases.Case, error) {
	return loadCase(ctx, db.read, id)
}

// Case returns one case inside the transaction.
func (tx *Tx) Case(ctx context.Context, id int64) (*cases.Case, error) { return loadCase(ctx, tx, id) }

// CaseFilter selects cases. Zero values select everything.
type CaseFilter struct {
	Scope    string // a party code: cases of its nationals or on its side; "" for all
	States   []cases.State
	Stranded bool // only cases waiting on acceptance or refused
	IDs      []int64
	Limit    int // 0: no limit
	// Oldest orders by registration, the longest waiting first; else by id.
	Oldest bool
}

// Cases lists cases with their members.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]*cases.Case, error) {
	const op = "store.Cases"
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Scope != "" {
		p := arg(f.Scope)
		where = append(where, "(party = "+p+" OR host_party = "+p+")")
	}
	states := f.States
	if f.Stranded {
		states = []cases.State{cases.AcceptanceRequested, cases.Refused}
	}
	if len(states) > 0 {
		var ms []string
		for _, s := range states {
			ms = append(ms, arg(string(s)))
		}
		where = append(where, "state IN ("+strings.Join(ms, ",")+")")
	}
	if len(f.IDs) > 0 {
		var ms []string
		for _, id := range f.IDs {
			ms = append(ms, arg(id))
		}
		where = append(where, "id IN ("+strings.Join(ms, ",")+")")
	}
	q := `SELECT ` + caseCols + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Oldest {
		q += " ORDER BY registered_at, id"
	} else {
		q += " ORDER BY id"
	}
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	var out []*cases.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, mapErr(op, err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	for i := 0; i < len(out); i += 500 {
		if err := loadMembers(ctx, db.read, out[i:min(i+500, len(out))]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountCases counts the cases in scope by state.
func (db *DB) CountCases(ctx context.Context, scope string) (map[cases.State]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT state, count(*) FROM cases WHERE ($1 = '' OR party = $1 OR host_party = $1) GROUP BY state`, scope)
	if err != nil {
		return nil, mapErr("store.CountCases", err)
	}
	defer rows.Close()
	out := map[cases.State]int{}
	for rows.Next() {
		var s cases.State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, mapErr("store.CountCases", err)
		}
		out[s] = n
	}
	return out, mapErr("store.CountCases", rows.Err())
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	ID          int64      `json:"id"`
	CaseID      int64      `json:"case_id"`
	Type        string     `json:"type"` // a state, or wish, persecution_risk, split, split_off, unscheduled
	From        string     `json:"from,omitempty"`
	To          string     `json:"to,omitempty"`
	Party       string     `json:"party,omitempty"` // who decided
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Source      string     `json:"source,omitempty"`
	Persons     int        `json:"persons"`
	OperationID int64      `json:"operation_id,omitempty"`
	OtherCase   int64      `json:"other_case,omitempty"`
	Actor       string     `json:"actor"`
	ActorParty  string     `json:"actor_party"`
	RecordedAt  time.Time  `json:"recorded_at"`
}

// CaseEvents lists a case's history, oldest first.
func (db *DB) CaseEvents(ctx context.Context, caseID int64) ([]CaseEvent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, case_id, type, from_state, to_state, party, decided_at, reason, source, persons,
		operation_id, other_case, actor, actor_party, recorded_at FROM case_events WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, mapErr("store.CaseEvents", err)
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		var at sql.NullTime
		var opID, other sql.NullInt64
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Type, &e.From, &e.To, &e.Party, &at, &e.Reason, &e.Source, &e.Persons,
			&opID, &other, &e.Actor, &e.ActorParty, &e.RecordedAt); err != nil {
			return nil, mapErr("store.CaseEvents", err)
		}
		if at.Valid {
			t := at.Time.UTC()
			e.DecidedAt = &t
		}
		e.OperationID, e.OtherCase, e.RecordedAt = opID.Int64, other.Int64, e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, mapErr("store.CaseEvents", rows.Err())
}

func (tx *Tx) caseEvent(ctx context.Context, a Actor, e CaseEvent) error {
	var at any
	if e.DecidedAt != nil {
		at = e.DecidedAt.UTC()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, type, from_state, to_state, party, decided_at, reason, source, persons,
		operation_id, other_case, actor, actor_party, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.CaseID, e.Type, e.From, e.To, e.Party, at, e.Reason, e.Source, e.Persons, nullID(e.OperationID), nullID(e.OtherCase),
		a.Name, a.Party, tx.now)
	if err != nil {
		return mapErr("store.caseEvent", err)
	}
	data := map[string]any{"persons": e.Persons}
	if e.To != "" {
		data["from"], data["to"] = e.From, e.To
	}
	if e.Party != "" {
		data["party"] = e.Party
	}
	if e.OperationID != 0 {
		data["operation_id"] = e.OperationID
	}
	if e.OtherCase != 0 {
		data["other_case"] = e.OtherCase
	}
	return tx.Event(ctx, a, "case", e.CaseID, "case."+e.Type, data)
}

// checkMembers checks that every member is a registered person of the
// case's home party who is not already in another case.
func (tx *Tx) checkMembers(ctx context.Context, c *cases.Case) error {
	const op = "store.CreateCase"
	for i, m := range c.Members {
		p, err := getPerson(ctx, tx, m.PersonID)
		if errs.Is(err, errs.NotFound) {
			return errs.Fields(op, map[string]string{"members": "person " + strconv.FormatInt(m.PersonID, 10) + " does not exist"})
		}
		if err != nil {
			return err
		}
		if p.Category == registry.POW {
			return errs.Fields(op, map[string]string{"members": "a prisoner of war goes on an operation directly, not through a case"})
		}
		if p.PartyCode != c.Party {
			return errs.Fields(op, map[string]string{"members": "person " + strconv.FormatInt(p.ID, 10) + " belongs to " + p.PartyCode + ", not to the case's home party " + c.Party})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM case_members WHERE person_id = $1`, p.ID).Scan(&n); err != nil {
			return mapErr(op, err)
		}
		if n > 0 {
			return errs.E(op, errs.Conflict, "person %d is already in a case", p.ID)
		}
		c.Members[i].Name, c.Members[i].Party = p.NativeName, p.PartyCode
	}
	return nil
}

func (tx *Tx) checkCaseParties(ctx context.Context, c *cases.Case) error {
	const op = "store.CreateCase"
	f := map[string]string{}
	for field, code := range map[string]string{"party": c.Party, "host_party": c.HostParty} {
		p, err := partyOf(ctx, tx, code)
		if err != nil || p.Kind != registry.StateParty {
			f[field] = "not a state party"
		}
	}
	if c.FacilityID != 0 {
		fac, err := facility(ctx, tx, c.FacilityID)
		if err != nil {
			f["facility_id"] = "no such facility"
		} else if fac.PartyCode != c.HostParty {
			f["facility_id"] = "the facility is not on the side of " + c.HostParty
		}
	}
	if len(f) > 0 {
		return errs.Fields(op, f)
	}
	return nil
}

// CreateCase validates and inserts a case in state registered, setting its
// id; RegisteredAt defaults to the transaction's time.
func (tx *Tx) CreateCase(ctx context.Context, a Actor, c *cases.Case) error {
	const op = "store.CreateCase"
	c.Normalize()
	c.State, c.StateAt, c.ClosedAt, c.OperationID = cases.Registered, tx.now, nil, 0
	if c.RegisteredAt.IsZero() {
		c.RegisteredAt = tx.now
	}
	c.RegisteredAt = c.RegisteredAt.UTC()
	if c.RegisteredAt.After(tx.now) {
		return errs.Fields(op, map[string]string{"registered_at": "cannot be in the future"})
	}
	c.StateAt = c.RegisteredAt
	if err := c.Validate(); err != nil {
		return err
	}
	if err := tx.checkCaseParties(ctx, c); err != nil {
		return err
	}
	if err := tx.checkMembers(ctx, c); err != nil {
		return err
	}
	if err := tx.insertCase(ctx, c); err != nil {
		return err
	}
	c.Version = 1
	return tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: string(cases.Registered), To: string(cases.Registered), Persons: len(c.Members)})
}

func (tx *Tx) insertCase(ctx context.Context, c *cases.Case) error {
	const op = "store.insertCase"
	var ivAt any
	var ivBy string
	var ivInt, ivPriv bool
	if c.Interview != nil {
		ivAt, ivBy, ivInt, ivPriv = c.Interview.At.UTC(), c.Interview.By, c.Interview.Intermediary, c.Interview.Private
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (party, host_party, origin, region, placement, facility_id, wish, interview_at, interview_by,
		interview_intermediary, interview_private, persecution_risk, priorities, state, state_at, registered_at, closed_at, operation_id, split_of,
		note, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, $21, $21) RETURNING id`,
		c.Party, c.HostParty, c.Origin, c.Region, c.Placement, nullID(c.FacilityID), c.Wish, ivAt, ivBy, boolInt(ivInt), boolInt(ivPriv),
		boolInt(c.PersecutionRisk), priorityText(c.Priorities), c.State, c.StateAt.UTC(), c.RegisteredAt.UTC(), nullTime(c.ClosedAt),
		nullID(c.OperationID), nullID(c.SplitOf), c.Note, tx.now).Scan(&c.ID)
	if err != nil {
		return mapErr(op, err)
	}
	for i, m := range c.Members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_members (case_id, person_id, position) VALUES ($1, $2, $3)`, c.ID, m.PersonID, i); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// saveCase writes the changeable fields of c, checking its version.
func (tx *Tx) saveCase(ctx context.Context, c *cases.Case) error {
	const op = "store.saveCase"
	var ivAt any
	var ivBy string
	var ivInt, ivPriv bool
	if c.Interview != nil {
		ivAt, ivBy, ivInt, ivPriv = c.Interview.At.UTC(), c.Interview.By, c.Interview.Intermediary, c.Interview.Private
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET origin = $1, region = $2, placement = $3, facility_id = $4, wish = $5, interview_at = $6,
		interview_by = $7, interview_intermediary = $8, interview_private = $9, persecution_risk = $10, priorities = $11, state = $12,
		state_at = $13, closed_at = $14, operation_id = $15, note = $16, version = version + 1, updated_at = $17
		WHERE id = $18 AND version = $19`,
		c.Origin, c.Region, c.Placement, nullID(c.FacilityID), c.Wish, ivAt, ivBy, boolInt(ivInt), boolInt(ivPriv),
		boolInt(c.PersecutionRisk), priorityText(c.Priorities), c.State, c.StateAt.UTC(), nullTime(c.ClosedAt), nullID(c.OperationID),
		c.Note, tx.now, c.ID, c.Version)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(op, errs.Conflict, "the case was changed by someone else; reload it")
	}
	c.Version++
	return nil
}

// caseForChange loads a case and checks the version the caller read (0
// skips the check).
func (tx *Tx) caseForChange(ctx context.Context, id int64, version int) (*cases.Case, error) {
	c, err := loadCase(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != c.Version {
		return nil, errs.E("store.Case", errs.Conflict, "the case was changed by someone else (version %d, you sent %d); reload it", c.Version, version)
	}
	return c, nil
}

// MoveCase moves a case along its state machine (cases.Case.Apply), with
// the decision for an acceptance or refusal. Scheduling and repatriation
// go through an operation; MoveCase refuses them.
func (tx *Tx) MoveCase(ctx context.Context, a Actor, id int64, version int, t cases.Transition) (*cases.Case, error) {
	const op = "store.MoveCase"
	c, err := tx.caseForChange(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if t.At.IsZero() {
		t.At = tx.now
	}
	switch t.To {
	case cases.Scheduled:
		if err := c.CanSchedule(); err != nil {
			return nil, err
		}
		return nil, errs.E(op, errs.Conflict, "a case is scheduled by putting it on an operation's roster")
	case cases.Repatriated:
		return nil, errs.E(op, errs.Conflict, "a case is repatriated by the outcome of its operation")
	}
	if t.To == cases.Cancelled && c.State == cases.Scheduled {
		return nil, errs.E(op, errs.Conflict, "the case is on operation %d: take it off the roster first", c.OperationID)
	}
	from := c.State
	if err := c.Apply(t); err != nil {
		return nil, err
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return nil, err
	}
	e := CaseEvent{CaseID: c.ID, Type: string(t.To), From: string(from), To: string(t.To), Reason: t.Reason, Persons: len(c.Members)}
	if t.Decision != nil {
		at := t.Decision.At
		e.Party, e.DecidedAt, e.Reason, e.Source = t.Decision.Party, &at, t.Decision.Reason, t.Decision.Source
	}
	if err := tx.caseEvent(ctx, a, e); err != nil {
		return nil, err
	}
	if t.To == cases.Accepted || t.To == cases.Refused {
		if err := tx.logCaseDecision(ctx, c, t.To, t.Decision); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// RecordCaseWish records the person's wish heard in iv (REP-3).
func (tx *Tx) RecordCaseWish(ctx context.Context, a Actor, id int64, version int, w cases.Wish, iv *cases.Interview) (*cases.Case, error) {
	c, err := tx.caseForChange(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if err := c.RecordWish(w, iv); err != nil {
		return nil, err
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return nil, err
	}
	return c, tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: "wish", To: string(c.State), From: string(c.State), Reason: string(w), Persons: len(c.Members)})
}

// SetCaseRisk sets or clears the persecution-risk flag (GC IV 45).
func (tx *Tx) SetCaseRisk(ctx context.Context, a Actor, id int64, version int, on bool, reason string) (*cases.Case, error) {
	c, err := tx.caseForChange(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if on == c.PersecutionRisk {
		return c, nil
	}
	if strings.TrimSpace(reason) == "" {
		return nil, errs.Fields("store.SetCaseRisk", map[string]string{"reason": "required"})
	}
	if err := c.SetPersecutionRisk(on); err != nil {
		return nil, err
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return nil, err
	}
	typ := "risk_flagged"
	if !on {
		typ = "risk_cleared"
	}
	return c, tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: typ, Reason: reason, Persons: len(c.Members)})
}

// CaseUpdate holds the fields of a case a caseworker edits; nil leaves a
// field as it is.
type CaseUpdate struct {
	Origin     *string
	Region     *string
	Placement  *cases.Placement
	FacilityID *int64
	Priorities *[]cases.Priority
	Note       *string
}

// UpdateCase edits where a case comes from and is, its priorities and note.
func (tx *Tx) UpdateCase(ctx context.Context, a Actor, id int64, version int, u CaseUpdate) (*cases.Case, error) {
	c, err := tx.caseForChange(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if c.State.Final() {
		return nil, errs.E("store.UpdateCase", errs.Conflict, "the case is %s", c.State)
	}
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil && *v != *dst {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("origin", &c.Origin, u.Origin)
	set("region", &c.Region, u.Region)
	set("note", &c.Note, u.Note)
	if u.Placement != nil && *u.Placement != c.Placement {
		c.Placement = *u.Placement
		changed = append(changed, "placement")
	}
	if u.FacilityID != nil && *u.FacilityID != c.FacilityID {
		c.FacilityID = *u.FacilityID
		changed = append(changed, "facility_id")
	}
	if u.Priorities != nil {
		c.Priorities = slices.Clone(*u.Priorities)
		changed = append(changed, "priorities")
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := tx.checkCaseParties(ctx, c); err != nil {
		return nil, err
	}
	if len(changed) == 0 {
		return c, nil
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return nil, err
	}
	return c, tx.Event(ctx, a, "case", c.ID, "case.updated", map[string]any{"fields": changed})
}

// SplitCase takes persons out of a household into a new case, on purpose
// and with a reason. It returns the new case.
func (tx *Tx) SplitCase(ctx context.Context, a Actor, id int64, version int, personIDs []int64, reason string) (*cases.Case, error) {
	c, err := tx.caseForChange(ctx, id, version)
	if err != nil {
		return nil, err
	}
	nc, err := c.Split(personIDs, reason, tx.now)
	if err != nil {
		return nil, err
	}
	return nc, tx.writeSplit(ctx, a, c, nc, reason)
}

// writeSplit saves c after a split and inserts nc, moving its members.
func (tx *Tx) writeSplit(ctx context.Context, a Actor, c, nc *cases.Case, reason string) error {
	for _, m := range nc.Members {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_members WHERE case_id = $1 AND person_id = $2`, c.ID, m.PersonID); err != nil {
			return mapErr("store.SplitCase", err)
		}
	}
	if err := tx.saveCase(ctx, c); err != nil {
		return err
	}
	if err := tx.insertCase(ctx, nc); err != nil {
		return err
	}
	nc.Version = 1
	if err := tx.caseEvent(ctx, a, CaseEvent{CaseID: c.ID, Type: "split", Reason: reason, Persons: len(nc.Members), OtherCase: nc.ID}); err != nil {
		return err
	}
	return tx.caseEvent(ctx, a, CaseEvent{CaseID: nc.ID, Type: "split_off", To: string(nc.State), Reason: reason, Persons: len(nc.Members), OtherCase: c.ID})
}

func partyOf(ctx context.Context, q DBTX, code string) (registry.Party, error) {
	var p registry.Party
	err := q.QueryRowContext(ctx, `SELECT code, name, kind FROM parties WHERE code = $1`, code).Scan(&p.Code, &p.Name, &p.Kind)
	if err == sql.ErrNoRows {
		return p, errs.E("store.Party", errs.NotFound, "no party %q", code)
	}
	return p, mapErr("store.Party", err)
}

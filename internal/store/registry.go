package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// ---- parties

// CreateParty adds a party, keeping at most two states and one intermediary.
func (tx *Tx) CreateParty(ctx context.Context, a Actor, p registry.Party) error {
	const op = "store.CreateParty"
	if err := p.Validate(); err != nil {
		return err
	}
	existing, err := parties(ctx, tx)
	if err != nil {
		return err
	}
	if err := registry.CheckPartySet(existing, p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO parties (code, name, kind, created_at) VALUES ($1, $2, $3, $4)`, p.Code, p.Name, p.Kind, tx.now); err != nil {
		return mapErr(op, err)
	}
	return tx.EventRef(ctx, a, "party", p.Code, "created", map[string]string{"kind": string(p.Kind)})
}

// RenameParty changes a party's display name.
func (tx *Tx) RenameParty(ctx context.Context, a Actor, code, name string) error {
	if strings.TrimSpace(name) == "" {
		return errs.Fields("store.RenameParty", map[string]string{"name": "required"})
	}
	res, err := tx.ExecContext(ctx, `UPDATE parties SET name = $1 WHERE code = $2`, name, code)
	if err != nil {
		return mapErr("store.RenameParty", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E("store.RenameParty", errs.NotFound, "no party %s", code)
	}
	return tx.EventRef(ctx, a, "party", code, "renamed", nil)
}

// Parties lists every party.
func (db *DB) Parties(ctx context.Context) ([]registry.Party, error) { return parties(ctx, db.read) }

func parties(ctx context.Context, q DBTX) ([]registry.Party, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, kind FROM parties ORDER BY kind DESC, code`)
	if err != nil {
		return nil, mapErr("store.Parties", err)
	}
	defer rows.Close()
	var out []registry.Party
	for rows.Next() {
		var p registry.Party
		if err := rows.Scan(&p.Code, &p.Name, &p.Kind); err != nil {
			return nil, mapErr("store.Parties", err)
		}
		out = append(out, p)
	}
	return out, mapErr("store.Parties", rows.Err())
}

// Party returns one party.
func (db *DB) Party(ctx context.Context, code string) (registry.Party, error) {
	var p registry.Party
	err := db.read.QueryRowContext(ctx, `SELECT code, name, kind FROM parties WHERE code = $1`, code).Scan(&p.Code, &p.Name, &p.Kind)
	if err == sql.ErrNoRows {
		return p, errs.E("store.Party", errs.NotFound, "no party %q", code)
	}
	return p, mapErr("store.Party", err)
}

// ---- facilities

const facilityCols = `id, code, name, party_code, kind, region, postal_address`

func scanFacility(s interface{ Scan(...any) error }) (registry.Facility, error) {
	var f registry.Facility
	err := s.Scan(&f.ID, &f.Code, &f.Name, &f.PartyCode, &f.Kind, &f.Region, &f.PostalAddress)
	return f, err
}

// CreateFacility adds a facility.
func (tx *Tx) CreateFacility(ctx context.Context, a Actor, f *registry.Facility) error {
	const op = "store.CreateFacility"
	if err := f.Validate(); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO facilities (code, name, party_code, kind, region, postal_address, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.Code, f.Name, f.PartyCode, f.Kind, f.Region, f.PostalAddress, tx.now).Scan(&f.ID)
	if err != nil {
		err = mapErr(op, err)
		if errs.Is(err, errs.Conflict) {
			return errs.Fields(op, map[string]string{"code": "a facility with this code exists"})
		}
		if errs.Is(err, errs.Invalid) {
			return errs.Fields(op, map[string]string{"party": "no such party"})
		}
		return err
	}
	return tx.Event(ctx, a, "facility", f.ID, "created", map[string]string{"party": f.PartyCode})
}

// UpdateFacility changes a facility's name, kind, region and address.
func (tx *Tx) UpdateFacility(ctx context.Context, a Actor, f registry.Facility) error {
	if err := f.Validate(); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE facilities SET name = $1, kind = $2, region = $3, postal_address = $4 WHERE id = $5 AND party_code = $6`,
		f.Name, f.Kind, f.Region, f.PostalAddress, f.ID, f.PartyCode)
	if err != nil {
		return mapErr("store.UpdateFacility", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E("store.UpdateFacility", errs.NotFound, "no such facility")
	}
	return tx.Event(ctx, a, "facility", f.ID, "updated", nil)
}

// Facilities lists facilities; party "" lists all.
func (db *DB) Facilities(ctx context.Context, party string) ([]registry.Facility, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+facilityCols+` FROM facilities WHERE ($1 = '' OR party_code = $1) ORDER BY party_code, name`, party)
	if err != nil {
		return nil, mapErr("store.Facilities", err)
	}
	defer rows.Close()
	var out []registry.Facility
	for rows.Next() {
		f, err := scanFacility(rows)
		if err != nil {
			return nil, mapErr("store.Facilities", err)
		}
		out = append(out, f)
	}
	return out, mapErr("store.Facilities", rows.Err())
}

// Facility returns one facility.
func (db *DB) Facility(ctx context.Context, id int64) (registry.Facility, error) {
	return facility(ctx, db.read, id)
}

func facility(ctx context.Context, q DBTX, id int64) (registry.Facility, error) {
	f, err := scanFacility(q.QueryRowContext(ctx, `SELECT `+facilityCols+` FROM facilities WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return f, errs.E("store.Facility", errs.NotFound, "no such facility")
	}
	return f, mapErr("store.Facility", err)
}

// ---- persons

const personCols = `id, external_id, category, party_code, surname, given_name, patronymic, native_name, latin_names,
	sex, birth_date, birth_place, rank, service_number, father_name, mother_maiden_name, inform_person,
	correspondence_address, nationality, last_residence, distinguishing_marks, intermediary_ref,
	status, facility_id, holding_party, arrived_at, card_sent_at, version, created_at, updated_at`

func scanPerson(s interface{ Scan(...any) error }) (*registry.Person, error) {
	var p registry.Person
	var ext, holding sql.NullString
	var fac sql.NullInt64
	var arrived, sent sql.NullTime
	var latin string
	err := s.Scan(&p.ID, &ext, &p.Category, &p.PartyCode, &p.Surname, &p.GivenName, &p.Patronymic, &p.NativeName, &latin,
		&p.Sex, &p.BirthDate, &p.BirthPlace, &p.Rank, &p.ServiceNumber, &p.FatherName, &p.MotherMaidenName, &p.InformPerson,
		&p.CorrespondenceAddress, &p.Nationality, &p.LastResidence, &p.DistinguishingMarks, &p.IntermediaryRef,
		&p.Status, &fac, &holding, &arrived, &sent, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.ExternalID, p.HoldingParty, p.FacilityID = ext.String, holding.String, fac.Int64
	if arrived.Valid {
		t := arrived.Time.UTC()
		p.ArrivedAt = &t
	}
	if sent.Valid {
		t := sent.Time.UTC()
		p.CardSentAt = &t
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(latin), &p.LatinNames); err != nil {
		return nil, err
	}
	return &p, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func personArgs(p *registry.Person) []any {
	latin, _ := json.Marshal(p.LatinNames)
	if p.LatinNames == nil {
		latin = []byte("[]")
	}
	return []any{nullStr(p.ExternalID), p.Category, p.PartyCode, p.Surname, p.GivenName, p.Patronymic, p.NativeName, string(latin),
		p.Sex, p.BirthDate, p.BirthPlace, p.Rank, p.ServiceNumber, p.FatherName, p.MotherMaidenName, p.InformPerson,
		p.CorrespondenceAddress, p.Nationality, p.LastResidence, p.DistinguishingMarks, p.IntermediaryRef}
}

// CreatePerson validates and inserts p, setting its id. The party must be a
// state party.
func (tx *Tx) CreatePerson(ctx context.Context, a Actor, p *registry.Person) error {
	const op = "store.CreatePerson"
	p.Normalize()
	if err := p.Validate(tx.now); err != nil {
		return err
	}
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM parties WHERE code = $1`, p.PartyCode).Scan(&kind)
	if err == sql.ErrNoRows || (err == nil && kind != string(registry.StateParty)) {
		return errs.Fields(op, map[string]string{"party": "must be the code of a state party"})
	}
	if err != nil {
		return mapErr(op, err)
	}
	p.Status, p.Version, p.CreatedAt, p.UpdatedAt = registry.StatusRegistered, 1, tx.now, tx.now
	args := append(personArgs(p), p.Status, tx.now, tx.now)
	err = tx.QueryRowContext(ctx, `INSERT INTO persons (external_id, category, party_code, surname, given_name, patronymic, native_name, latin_names,
		sex, birth_date, birth_place, rank, service_number, father_name, mother_maiden_name, inform_person,
		correspondence_address, nationality, last_residence, distinguishing_marks, intermediary_ref, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id`, args...).Scan(&p.ID)
	if err != nil {
		err = mapErr(op, err)
		if errs.Is(err, errs.Conflict) {
			return errs.Fields(op, map[string]string{"external_id": "another person has this external id"})
		}
		return err
	}
	tx.touch(p.ID)
	return tx.Event(ctx, a, "person", p.ID, "created", map[string]string{"category": string(p.Category), "party": p.PartyCode})
}

// UpdatePerson replaces the editable fields of the person with p.ID, when
// p.Version is the stored version (optimistic locking). Status fields are
// derived and never written here.
func (tx *Tx) UpdatePerson(ctx context.Context, a Actor, p *registry.Person) error {
	const op = "store.UpdatePerson"
	old, err := getPerson(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if old.Version != p.Version {
		return errs.E(op, errs.Conflict, "the record was changed by someone else since you loaded it (version %d, now %d); reload and try again", p.Version, old.Version)
	}
	p.Normalize()
	if err := p.Validate(tx.now); err != nil {
		return err
	}
	if p.PartyCode != old.PartyCode {
		return errs.Fields(op, map[string]string{"party": "the party of a person cannot change"})
	}
	args := append(personArgs(p), tx.now, p.ID, p.Version)
	res, err := tx.ExecContext(ctx, `UPDATE persons SET external_id = $1, category = $2, party_code = $3, surname = $4, given_name = $5,
		patronymic = $6, native_name = $7, latin_names = $8, sex = $9, birth_date = $10, birth_place = $11, rank = $12,
		service_number = $13, father_name = $14, mother_maiden_name = $15, inform_person = $16, correspondence_address = $17,
		nationality = $18, last_residence = $19, distinguishing_marks = $20, intermediary_ref = $21, updated_at = $22,
		version = version + 1 WHERE id = $23 AND version = $24`, args...)
	if err != nil {
		err = mapErr(op, err)
		if errs.Is(err, errs.Conflict) {
			return errs.Fields(op, map[string]string{"external_id": "another person has this external id"})
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(op, errs.Conflict, "the record was changed by someone else; reload and try again")
	}
	p.Version++
	p.UpdatedAt = tx.now
	tx.touch(p.ID)
	return tx.Event(ctx, a, "person", p.ID, "updated", map[string]any{"fields": changedFields(old, p)})
}

// changedFields names the fields that differ, without their values: the
// event table holds no personal data.
func changedFields(a, b *registry.Person) []string {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]any
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	var out []string
	for _, k := range []string{"external_id", "category", "surname", "given_name", "patronymic", "native_name", "latin_names", "sex",
		"birth_date", "birth_place", "rank", "service_number", "father_name", "mother_maiden_name", "inform_person",
		"correspondence_address", "nationality", "last_residence", "distinguishing_marks", "intermediary_ref"} {
		x, _ := json.Marshal(ma[k])
		y, _ := json.Marshal(mb[k])
		if string(x) != string(y) {
			out = append(out, k)
		}
	}
	return out
}

// Person returns one person.
func (db *DB) Person(ctx context.Context, id int64) (*registry.Person, error) {
	return getPerson(ctx, db.read, id)
}

// Person returns one person inside the transaction.
func (tx *Tx) Person(ctx context.Context, id int64) (*registry.Person, error) {
	return getPerson(ctx, tx, id)
}

func getPerson(ctx context.Context, q DBTX, id int64) (*registry.Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personCols+` FROM persons WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Person", errs.NotFound, "no such person")
	}
	if err != nil {
		return nil, mapErr("store.Person", err)
	}
	return p, nil
}

// PersonFilter selects persons. Zero values select everything.
type PersonFilter struct {
	Scope         string // a party code: its own nationals and the people it holds; "" for all
	Category      registry.Category
	Status        registry.Status
	Party         string
	FacilityID    int64
	Text          string    // a substring of a name, case-insensitive
	CardDueBefore time.Time // only those whose capture card is unsent and who arrived before this
	IDs           []int64   // only these
	After         int64     // cursor: ids greater than this
	Limit         int
}

// Persons lists persons by id, with the cursor for the next page ("" at
// the end).
func (db *DB) Persons(ctx context.Context, f PersonFilter) ([]*registry.Person, string, error) {
	const op = "store.Persons"
	if f.Limit <= 0 || f.Limit > 500 {
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
		where = append(where, "(party_code = "+s+" OR holding_party = "+s+")")
	}
	if f.Category != "" {
		where = append(where, "category = "+arg(f.Category))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Party != "" {
		where = append(where, "party_code = "+arg(f.Party))
	}
	if f.FacilityID != 0 {
		where = append(where, "facility_id = "+arg(f.FacilityID))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		s := arg("%" + strings.ToLower(escapeLike(t)) + "%")
		where = append(where, "(lower(native_name) LIKE "+s+" ESCAPE '\\' OR lower(latin_names) LIKE "+s+" ESCAPE '\\' OR lower(coalesce(external_id, '')) LIKE "+s+" ESCAPE '\\')")
	}
	if !f.CardDueBefore.IsZero() {
		where = append(where, "status IN ('held', 'hospitalised') AND card_sent_at IS NULL AND arrived_at < "+arg(f.CardDueBefore))
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, "", nil
		}
		ph := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ph[i] = arg(id)
		}
		where = append(where, "id IN ("+strings.Join(ph, ", ")+")")
	}
	where = append(where, "id > "+arg(f.After))
	q := `SELECT ` + personCols + ` FROM persons WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id LIMIT ` + arg(f.Limit+1)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", mapErr(op, err)
	}
	defer rows.Close()
	var out []*registry.Person
	for rows.Next() {
		p, err := scanPerson(rows)
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

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// EncodeCursor makes an opaque cursor from an id.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p:" + strconv.FormatInt(id, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor; "" is the start.
func DecodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), "p:") {
		if id, err := strconv.ParseInt(string(b[2:]), 10, 64); err == nil && id >= 0 {
			return id, nil
		}
	}
	return 0, errs.Fields("store.DecodeCursor", map[string]string{"cursor": "not a cursor this server gave out"})
}

// CountPersons counts the persons a filter selects (ignoring paging).
func (db *DB) CountPersons(ctx context.Context, scope string) (map[registry.Category]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT category, count(*) FROM persons WHERE ($1 = '' OR party_code = $1 OR holding_party = $1) GROUP BY category`, scope)
	if err != nil {
		return nil, mapErr("store.CountPersons", err)
	}
	defer rows.Close()
	out := map[registry.Category]int{}
	for rows.Next() {
		var c registry.Category
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, mapErr("store.CountPersons", err)
		}
		out[c] = n
	}
	return out, mapErr("store.CountPersons", rows.Err())
}

// ---- status history

// PersonEvents returns a person's status history, oldest first.
func (db *DB) PersonEvents(ctx context.Context, personID int64) ([]registry.Event, error) {
	return personEvents(ctx, db.read, personID)
}

func personEvents(ctx context.Context, q DBTX, personID int64) ([]registry.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, person_id, type, occurred_at, facility_id, note, recorded_at FROM person_events
		WHERE person_id = $1 ORDER BY occurred_at, id`, personID)
	if err != nil {
		return nil, mapErr("store.PersonEvents", err)
	}
	defer rows.Close()
	var out []registry.Event
	for rows.Next() {
		var e registry.Event
		var fac sql.NullInt64
		if err := rows.Scan(&e.ID, &e.PersonID, &e.Type, &e.OccurredAt, &fac, &e.Note, &e.RecordedAt); err != nil {
			return nil, mapErr("store.PersonEvents", err)
		}
		e.FacilityID = fac.Int64
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, mapErr("store.PersonEvents", rows.Err())
}

// RecordStatus appends a status event to a person's history and updates the
// derived status, facility and capture-card fields, in the transaction.
func (tx *Tx) RecordStatus(ctx context.Context, a Actor, e *registry.Event) error {
	const op = "store.RecordStatus"
	history, err := personEvents(ctx, tx, e.PersonID)
	if err != nil {
		return err
	}
	person, err := getPerson(ctx, tx, e.PersonID)
	if err != nil {
		return err
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = tx.now
	}
	e.OccurredAt = e.OccurredAt.UTC()
	if e.OccurredAt.After(tx.now.Add(5 * time.Minute)) {
		return errs.Fields(op, map[string]string{"occurred_at": "cannot be in the future"})
	}
	if registry.BeforeBirth(person.BirthDate, e.OccurredAt) {
		return errs.Fields(op, map[string]string{"occurred_at": "cannot be before the person's birth"})
	}
	if n := len(history); n > 0 && e.OccurredAt.Before(history[n-1].OccurredAt) {
		return errs.Fields(op, map[string]string{"occurred_at": "cannot be before the last recorded event (" + history[n-1].OccurredAt.Format("2006-01-02 15:04") + ")"})
	}
	state := registry.Derive(history)
	if err := state.CanApply(*e); err != nil {
		return err
	}
	var holding any
	if e.FacilityID != 0 {
		f, err := facility(ctx, tx, e.FacilityID)
		if err != nil {
			return errs.Fields(op, map[string]string{"facility_id": "no such facility"})
		}
		holding = f.PartyCode
	}
	var fac any
	if e.FacilityID != 0 {
		fac = e.FacilityID
	}
	e.RecordedAt = tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO person_events (person_id, type, occurred_at, facility_id, note, actor_id, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, e.PersonID, e.Type, e.OccurredAt, fac, e.Note, a.UserID, tx.now).Scan(&e.ID)
	if err != nil {
		return mapErr(op, err)
	}
	next := state.Apply(*e)
	var nextFac, nextHolding any
	if next.FacilityID != 0 {
		nextFac = next.FacilityID
		if holding == nil || next.FacilityID != e.FacilityID {
			f, err := facility(ctx, tx, next.FacilityID)
			if err != nil {
				return err
			}
			holding = f.PartyCode
		}
		nextHolding = holding
	}
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET status = $1, facility_id = $2, holding_party = $3, arrived_at = $4, card_sent_at = $5,
		updated_at = $6, version = version + 1 WHERE id = $7`,
		next.Status, nextFac, nextHolding, next.ArrivedAt, next.CardSentAt, tx.now, e.PersonID); err != nil {
		return mapErr(op, err)
	}
	tx.touch(e.PersonID)
	return tx.Event(ctx, a, "person", e.PersonID, "status."+string(e.Type), map[string]any{"facility_id": e.FacilityID})
}

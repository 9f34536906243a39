// Package records reads and writes person records in the exchange formats:
// CSV and JSON (and PFIF through package pfif). It maps rows to registry
// persons and reports every bad row with its line, column and reason.
package records

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// Columns are the CSV columns, in export order. On import any subset in any
// order is accepted; full_name may replace the name parts.
var Columns = []string{"external_id", "category", "party", "surname", "given_name", "patronymic", "full_name", "latin_names",
	"sex", "birth_date", "birth_place", "rank", "service_number", "father_name", "mother_maiden_name", "inform_person",
	"correspondence_address", "nationality", "last_residence", "distinguishing_marks", "intermediary_ref", "facility"}

// Problem is one bad cell or row.
type Problem struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", p.Line, p.Column, p.Reason)
}

// Row is a parsed CSV row.
type Row struct {
	Line     int
	Person   *registry.Person
	Facility string // a facility code: the person is held there
}

// Reader reads person rows from CSV.
type Reader struct {
	r     *csv.Reader
	index map[string]int
	now   time.Time
	line  int
}

// NewReader reads the header row and checks its columns.
func NewReader(r io.Reader, now time.Time) (*Reader, error) {
	const op = "records.NewReader"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errs.E(op, errs.Invalid, "the file is empty; the first line must name the columns")
	}
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "line 1: %s", csvReason(err))
	}
	known := map[string]bool{"native_name": true}
	for _, c := range Columns {
		known[c] = true
	}
	idx := map[string]int{}
	var bad []string
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "native_name" {
			h = "full_name"
		}
		if !known[h] {
			bad = append(bad, fmt.Sprintf("%q", h))
			continue
		}
		if _, dup := idx[h]; dup {
			return nil, errs.E(op, errs.Invalid, "line 1: column %s appears twice", h)
		}
		idx[h] = i
	}
	if len(bad) > 0 {
		return nil, errs.E(op, errs.Invalid, "line 1: unknown columns %s; known columns are %s", strings.Join(bad, ", "), strings.Join(Columns, ", "))
	}
	for _, c := range []string{"category", "party"} {
		if _, ok := idx[c]; !ok {
			return nil, errs.E(op, errs.Invalid, "line 1: the column %s is required", c)
		}
	}
	_, full := idx["full_name"]
	_, sur := idx["surname"]
	if !full && !sur {
		return nil, errs.E(op, errs.Invalid, "line 1: a name column is required: full_name, or surname and given_name")
	}
	return &Reader{r: cr, index: idx, now: now, line: 1}, nil
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Next returns the next row, or io.EOF. A row with problems returns them,
// and the row as far as it could be read (nil when it is not CSV or not
// text); reading can go on.
func (cr *Reader) Next() (*Row, []Problem, error) {
	rec, err := cr.r.Read()
	if err == io.EOF {
		return nil, nil, io.EOF
	}
	cr.line++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
			cr.line = pe.Line
			return nil, []Problem{{Line: pe.Line, Reason: "not valid CSV: " + csvReason(err)}}, nil
		}
		return nil, nil, err
	}
	line, _ := cr.r.FieldPos(0)
	cr.line = line
	get := func(c string) string {
		i, ok := cr.index[c]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	var probs []Problem
	for c := range cr.index {
		if v := get(c); !utf8.ValidString(v) {
			probs = append(probs, Problem{Line: line, Column: c, Reason: "not valid UTF-8 text"})
		}
	}
	if len(probs) > 0 {
		return nil, probs, nil
	}
	p := &registry.Person{
		ExternalID: get("external_id"), Category: registry.Category(strings.TrimSpace(get("category"))), PartyCode: strings.TrimSpace(get("party")),
		Surname: get("surname"), GivenName: get("given_name"), Patronymic: get("patronymic"), NativeName: get("full_name"),
		Sex: get("sex"), BirthDate: strings.TrimSpace(get("birth_date")), BirthPlace: get("birth_place"), Rank: get("rank"),
		ServiceNumber: get("service_number"), FatherName: get("father_name"), MotherMaidenName: get("mother_maiden_name"),
		InformPerson: get("inform_person"), CorrespondenceAddress: get("correspondence_address"), Nationality: get("nationality"),
		LastResidence: get("last_residence"), DistinguishingMarks: get("distinguishing_marks"), IntermediaryRef: get("intermediary_ref"),
	}
	if ln := get("latin_names"); ln != "" {
		p.LatinNames = strings.Split(ln, ";")
	}
	p.Normalize()
	if err := p.Validate(cr.now); err != nil {
		fields := errs.FieldsOf(err)
		for _, c := range Columns {
			col := c
			if c == "full_name" {
				col = "native_name"
			}
			if c == "party" {
				col = "party"
			}
			if msg, ok := fields[col]; ok {
				probs = append(probs, Problem{Line: line, Column: c, Reason: msg})
			}
		}
		if len(probs) == 0 {
			probs = append(probs, Problem{Line: line, Reason: errs.MessageOf(err)})
		}
		// The row comes back too, so that checks against the database
		// (party, facility, external id) can report their problems as well.
		return &Row{Line: line, Person: p, Facility: strings.TrimSpace(get("facility"))}, probs, nil
	}
	return &Row{Line: line, Person: p, Facility: strings.TrimSpace(get("facility"))}, nil, nil
}

// WriteCSV writes persons as CSV with the header row; facility maps a
// facility id to its code.
func WriteCSV(w io.Writer, ps []*registry.Person, facility func(int64) string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, p := range ps {
		fac := ""
		if p.FacilityID != 0 && facility != nil {
			fac = facility(p.FacilityID)
		}
		rec := []string{p.ExternalID, string(p.Category), p.PartyCode, p.Surname, p.GivenName, p.Patronymic, p.NativeName,
			strings.Join(p.LatinNames, ";"), p.Sex, p.BirthDate, p.BirthPlace, p.Rank, p.ServiceNumber, p.FatherName,
			p.MotherMaidenName, p.InformPerson, p.CorrespondenceAddress, p.Nationality, p.LastResidence, p.DistinguishingMarks,
			p.IntermediaryRef, fac}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"lifeline/internal/errs"
	"lifeline/internal/pfif"
	"lifeline/internal/records"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// cmdPFIF is `lifeline pfif validate FILE`.
func cmdPFIF(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "validate" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline pfif validate FILE")
		return errUsage
	}
	fs := e.flags("pfif validate", "pfif validate FILE", nil)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := needArgs(fs, 1, "one FILE"); err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	doc, probs, err := pfif.Validate(f, nowUTC())
	if err != nil {
		return err
	}
	for _, p := range probs {
		fmt.Fprintln(e.Stdout, p.String())
	}
	notes := len(doc.Notes)
	for _, p := range doc.Persons {
		notes += len(p.Notes)
	}
	if len(probs) > 0 {
		fmt.Fprintf(e.Stdout, "invalid: PFIF %s, %d persons, %d notes, %d problems\n", doc.Version, len(doc.Persons), notes, len(probs))
		return errSilent
	}
	fmt.Fprintf(e.Stdout, "valid: PFIF %s, %d persons, %d notes\n", doc.Version, len(doc.Persons), notes)
	return nil
}

// importPFIF imports the persons and notes of a PFIF document, as
// displaced civilians of the party given with --party (PFIF has no party).
func (e *Env) importPFIF(db *store.DB, path, party string, skip, asJSON bool) error {
	if party == "" {
		ps, err := db.Parties(e.Ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Kind == registry.StateParty {
				party = p.Code
				break
			}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	doc, err := pfif.Parse(io.LimitReader(f, 256<<20))
	if err != nil {
		return err
	}
	now := db.Now()
	im := doc.Importable(now)
	var rep ImportReport
	for _, s := range im.Skipped {
		rep.Problems = append(rep.Problems, records.Problem{Line: s.Line, Column: s.Record, Reason: s.Message})
		rep.Rejected++
	}
	var persons []*registry.Person
	for _, p := range im.Persons {
		rp := FromPFIF(p, party)
		rp.Normalize()
		if err := rp.Validate(now); err != nil {
			rep.Rejected++
			rep.Problems = append(rep.Problems, records.Problem{Column: p.RecordID, Reason: describe(err)})
			continue
		}
		persons = append(persons, rp)
	}
	if rep.Rejected > 0 && !skip && len(im.Skipped) != rep.Rejected {
		return e.report(rep, asJSON, false)
	}
	notes := 0
	err = db.Tx(e.Ctx, func(tx *store.Tx) error {
		var fresh []*registry.Person
		for _, p := range persons {
			if _, err := tx.PersonIDByExternal(e.Ctx, p.ExternalID); err == nil {
				continue // imported before: importing again changes nothing
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
			fresh = append(fresh, p)
		}
		if err := tx.ImportPersons(e.Ctx, store.System, fresh, nil); err != nil {
			return err
		}
		rep.Imported = len(fresh)
		all := im.Notes
		for _, p := range im.Persons {
			all = append(all, p.Notes...)
		}
		for _, n := range all {
			pid, err := tx.PersonIDByExternal(e.Ctx, n.PersonRecordID)
			if errs.Is(err, errs.NotFound) {
				rep.Problems = append(rep.Problems, records.Problem{Column: n.NoteRecordID, Reason: "note about an unknown person " + n.PersonRecordID + "; not imported"})
				continue
			}
			if err != nil {
				return err
			}
			ok, err := tx.AddPersonNote(e.Ctx, store.System, &store.Note{PersonID: pid, RecordID: n.NoteRecordID, LinkedRecordID: n.LinkedPersonRecordID,
				EntryDate: n.EntryDate, SourceDate: n.SourceDate, AuthorName: n.AuthorName, AuthorMadeContact: n.AuthorMadeContact,
				Status: n.Status, LastKnownLocation: n.LastKnownLocation, Text: n.Text})
			if err != nil {
				return err
			}
			if ok {
				notes++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintf(e.Stdout, "%d notes imported\n", notes)
	}
	return e.report(rep, asJSON, true)
}

// FromPFIF maps a PFIF person to a registry person of party.
func FromPFIF(p pfif.Person, party string) *registry.Person {
	rp := &registry.Person{
		ExternalID: p.RecordID, Category: registry.DisplacedCivilian, PartyCode: party,
		Surname: p.FamilyName, GivenName: p.GivenName, BirthDate: p.DateOfBirth,
		LastResidence:       strings.Join(nonEmpty(p.HomeStreet, p.HomeNeighborhood, p.HomeCity, p.HomeState, p.HomePostalCode, p.HomeCountry), ", "),
		DistinguishingMarks: p.Description,
	}
	names := strings.Split(p.FullName, "\n")
	rp.NativeName = strings.TrimSpace(names[0])
	for _, n := range append(names[1:], strings.Split(p.AlternateNames, "\n")...) {
		if n = strings.TrimSpace(n); n != "" {
			rp.LatinNames = append(rp.LatinNames, n)
		}
	}
	switch p.Sex {
	case "male":
		rp.Sex = "m"
	case "female":
		rp.Sex = "f"
	}
	return rp
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// exportPFIF writes persons and their notes as PFIF 1.4. Persons without
// an external id get one in the node's domain.
func (e *Env) exportPFIF(db *store.DB, w io.Writer, ps []*registry.Person) error {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	notes, err := db.Notes(e.Ctx, ids)
	if err != nil {
		return err
	}
	out := make([]pfif.Person, 0, len(ps))
	for _, p := range ps {
		id := p.ExternalID
		if !strings.Contains(id, "/") {
			id = fmt.Sprintf("lifeline.local/person.%d", p.ID)
		}
		pp := pfif.Person{RecordID: id, EntryDate: pfif.FormatTime(p.UpdatedAt), SourceDate: pfif.FormatTime(p.CreatedAt),
			FullName: strings.Join(append([]string{p.NativeName}, p.LatinNames...), "\n"), GivenName: p.GivenName, FamilyName: p.Surname,
			DateOfBirth: p.BirthDate, AuthorName: "Lifeline"}
		switch p.Sex {
		case "m":
			pp.Sex = "male"
		case "f":
			pp.Sex = "female"
		}
		for _, n := range notes[p.ID] {
			pp.Notes = append(pp.Notes, pfif.Note{NoteRecordID: n.RecordID, PersonRecordID: id, LinkedPersonRecordID: n.LinkedRecordID,
				EntryDate: n.EntryDate, SourceDate: n.SourceDate, AuthorName: n.AuthorName, AuthorMadeContact: n.AuthorMadeContact,
				Status: n.Status, LastKnownLocation: n.LastKnownLocation, Text: n.Text})
		}
		out = append(out, pp)
	}
	return pfif.Write(w, out, nil)
}

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"

	"lifeline/internal/config"
	"lifeline/internal/records"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

func cmdImport(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "persons" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(e.Stderr, "lifeline import: what to import comes first: persons, not %q\n", args[0])
		}
		fmt.Fprintln(e.Stderr, "Usage: lifeline import persons [--format csv|pfif] [--party CODE] [--skip-invalid] [--json] FILE")
		fmt.Fprintln(e.Stderr, "Run lifeline import persons -h for the flags.")
		return errUsage
	}
	var cfg config.Config
	fs := e.flags("import persons", "import persons [--format csv|pfif] [--party CODE] [--skip-invalid] [--json] FILE", &cfg)
	format := fs.String("format", "csv", "csv or pfif")
	skip := fs.Bool("skip-invalid", false, "import the good rows and report the bad ones (default: all or nothing)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	party := fs.String("party", "", "with --format pfif: the state party the persons belong to (PFIF has none); default the first state party")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := needArgs(fs, 1, "one FILE"); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch *format {
	case "csv":
		return e.importCSV(db, fs.Arg(0), *skip, *asJSON)
	case "pfif":
		return e.importPFIF(db, fs.Arg(0), *party, *skip, *asJSON)
	}
	return fmt.Errorf("--format must be csv or pfif, not %q", *format)
}

// ImportReport is what an import prints.
type ImportReport struct {
	Imported int               `json:"imported"`
	Rejected int               `json:"rejected"`
	Problems []records.Problem `json:"problems"`
}

func (e *Env) report(rep ImportReport, asJSON bool, committed bool) error {
	if rep.Problems == nil {
		rep.Problems = []records.Problem{}
	}
	if asJSON {
		json.NewEncoder(e.Stdout).Encode(rep)
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintln(e.Stderr, p.String())
		}
		if committed {
			fmt.Fprintf(e.Stdout, "imported %d persons; %d rows rejected\n", rep.Imported, rep.Rejected)
		} else {
			fmt.Fprintf(e.Stdout, "imported nothing: %d rows have problems (use --skip-invalid to import the good rows)\n", rep.Rejected)
		}
	}
	if !committed {
		return errSilent
	}
	return nil
}

// importCSV reads the file twice: once to check every row, once to insert
// the good rows in one transaction. Nothing is written when a row is bad,
// unless skip is set.
func (e *Env) importCSV(db *store.DB, path string, skip, asJSON bool) error {
	now := db.Now()
	facs, err := db.Facilities(e.Ctx, "")
	if err != nil {
		return err
	}
	facByCode := map[string]int64{}
	for _, f := range facs {
		facByCode[f.Code] = f.ID
	}
	parties, err := db.Parties(e.Ctx)
	if err != nil {
		return err
	}
	state := map[string]bool{}
	for _, p := range parties {
		state[p.Code] = p.Kind == registry.StateParty
	}
	var rep ImportReport
	bad := map[int]bool{}
	seen := map[string]int{}
	total := 0
	err = readCSV(path, now, func(row *records.Row, probs []records.Problem) {
		total++
		if row != nil {
			p := row.Person
			has := map[string]bool{}
			for _, pr := range probs {
				has[pr.Column] = true
			}
			if !state[p.PartyCode] && !has["party"] {
				probs = append(probs, records.Problem{Line: row.Line, Column: "party", Reason: fmt.Sprintf("%q is not the code of a state party", p.PartyCode)})
			}
			if row.Facility != "" && facByCode[row.Facility] == 0 {
				probs = append(probs, records.Problem{Line: row.Line, Column: "facility", Reason: fmt.Sprintf("no facility with code %q", row.Facility)})
			}
			if p.ExternalID != "" {
				if l, dup := seen[p.ExternalID]; dup {
					probs = append(probs, records.Problem{Line: row.Line, Column: "external_id", Reason: fmt.Sprintf("the same external id as line %d", l)})
				} else {
					seen[p.ExternalID] = row.Line
				}
			}
		}
		if len(probs) > 0 {
			bad[probs[0].Line] = true
			rep.Problems = append(rep.Problems, probs...)
		}
	})
	if err != nil {
		return err
	}
	// External ids already in the database.
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	taken, err := db.ExistingExternalIDs(e.Ctx, ids)
	if err != nil {
		return err
	}
	for id := range taken {
		line := seen[id]
		bad[line] = true
		rep.Problems = append(rep.Problems, records.Problem{Line: line, Column: "external_id", Reason: fmt.Sprintf("%q is already registered", id)})
	}
	sort.Slice(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
	rep.Rejected = len(bad)
	if rep.Rejected > 0 && !skip {
		return e.report(rep, asJSON, false)
	}
	var bar *progressbar.ProgressBar
	if isTerminal(e.Stderr) && !asJSON {
		bar = progressbar.NewOptions(total-rep.Rejected, progressbar.OptionSetWriter(e.Stderr), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100e6), progressbar.OptionClearOnFinish())
	}
	var batch []*registry.Person
	err = readCSV(path, now, func(row *records.Row, probs []records.Problem) {
		if row == nil || len(probs) > 0 || bad[row.Line] {
			return
		}
		if row.Facility != "" {
			row.Person.FacilityID = facByCode[row.Facility]
		}
		batch = append(batch, row.Person)
	})
	if err != nil {
		return err
	}
	err = db.Tx(e.Ctx, func(tx *store.Tx) error {
		return tx.ImportPersons(e.Ctx, store.System, batch, func() {
			if bar != nil {
				bar.Add(1)
			}
		})
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		rep.Imported = 0
		rep.Problems = append(rep.Problems, records.Problem{Line: 0, Reason: describe(err)})
		e.report(rep, asJSON, false)
		return errSilent
	}
	rep.Imported = len(batch)
	return e.report(rep, asJSON, true)
}

func readCSV(path string, now time.Time, fn func(*records.Row, []records.Problem)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := records.NewReader(f, now)
	if err != nil {
		return err
	}
	for {
		row, probs, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(row, probs)
	}
}

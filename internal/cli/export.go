package cli

import (
	"bufio"
	"encoding/json"
	"fmt"

	"lifeline/internal/config"
	"lifeline/internal/records"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

func cmdExport(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "persons" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline export persons --format csv|json|pfif [--party CODE]")
		return errUsage
	}
	var cfg config.Config
	fs := e.flags("export persons", "export persons --format csv|json|pfif [--party CODE]", &cfg)
	format := fs.String("format", "csv", "csv, json or pfif")
	party := fs.String("party", "", "only the persons a party sees (its nationals and those it holds); default all")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" && *format != "pfif" {
		return fmt.Errorf("--format must be csv, json or pfif, not %q", *format)
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	var all []*registry.Person
	after := int64(0)
	for {
		ps, next, err := db.Persons(e.Ctx, store.PersonFilter{Scope: *party, After: after, Limit: 500})
		if err != nil {
			return err
		}
		all = append(all, ps...)
		if next == "" {
			break
		}
		after = ps[len(ps)-1].ID
	}
	// An export shows every record: each is an access, by the operator.
	ids := make([]int64, len(all))
	for i, p := range all {
		ids[i] = p.ID
	}
	if err := db.RecordAccesses(e.Ctx, store.Actor{Name: "cli", Party: *party}, "person", ids, "export."+*format); err != nil {
		return err
	}
	w := bufio.NewWriter(e.Stdout)
	defer w.Flush()
	switch *format {
	case "json":
		if all == nil {
			all = []*registry.Person{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	case "pfif":
		return e.exportPFIF(db, w, all)
	}
	facs, err := db.Facilities(e.Ctx, "")
	if err != nil {
		return err
	}
	codes := map[int64]string{}
	for _, f := range facs {
		codes[f.ID] = f.Code
	}
	return records.WriteCSV(w, all, func(id int64) string { return codes[id] })
}

package cli

import (
	"io"

	"lifeline/internal/december"
)

// cmdBenchDecember runs the December benchmark: 2,000 parcels and 10,000
// items through the HTTP API, from intake to acknowledgement, on a fresh
// SQLite database or, with --db, a fresh PostgreSQL database on that server.
func cmdBenchDecember(e *Env, args []string) error {
	fs := e.flags("bench december", "bench december [--parcels N] [--items N] [--clients N] [--db postgres://...] --json", nil)
	parcels := fs.Int("parcels", 2000, "parcels in the consignment")
	items := fs.Int("items", 5, "items per parcel")
	clients := fs.Int("clients", 8, "concurrent HTTP clients")
	db := fs.String("db", "", "a postgres:// URL: run on a fresh database on that server (made and dropped); default a temporary SQLite file")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var progress io.Writer
	if !*asJSON || isTerminal(e.Stderr) {
		progress = e.Stderr
	}
	res, err := december.Run(e.Ctx, december.Options{DB: *db, Parcels: *parcels, Items: *items, Clients: *clients, Progress: progress})
	if err != nil {
		return err
	}
	return printResult(e, res, *asJSON)
}

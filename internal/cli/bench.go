package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"lifeline/internal/config"
	"lifeline/internal/names"
	"lifeline/internal/registry"
	"lifeline/internal/searchbench"
	"lifeline/internal/store"
)

// cmdBench runs the benchmarks of the performance targets.
func cmdBench(e *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "Usage: lifeline bench search|import|december [flags]")
		return errUsage
	}
	switch args[0] {
	case "search":
		return cmdBenchSearch(e, args[1:])
	case "import":
		return cmdBenchImport(e, args[1:])
	}
	if run, ok := benchExtra()[args[0]]; ok {
		return run(e, args[1:])
	}
	fmt.Fprintf(e.Stderr, "lifeline bench: unknown benchmark %q\n", args[0])
	return errUsage
}

// benchExtra lists the benchmarks of feature areas, each in its own file.
func benchExtra() map[string]func(*Env, []string) error {
	return map[string]func(*Env, []string) error{
		"december": cmdBenchDecember,
	}
}

func cmdBenchSearch(e *Env, args []string) error {
	fs := e.flags("bench search", "bench search [-n N] [--queries Q] [--pg URL] --json", nil)
	n := fs.Int("n", 1_000_000, "persons to generate and index")
	queries := fs.Int("queries", 1000, "variant-spelling queries to run")
	pg := fs.String("pg", "", "a postgres:// URL: compare with pg_trgm on the same data (a fresh database is made and dropped)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var progress io.Writer
	if !*asJSON || isTerminal(e.Stderr) {
		progress = e.Stderr
	}
	res, err := searchbench.Run(e.Ctx, searchbench.Options{N: *n, Queries: *queries, PGURL: *pg, Progress: progress})
	if err != nil {
		return err
	}
	return printResult(e, res, *asJSON)
}

func printResult(e *Env, v any, asJSON bool) error {
	enc := json.NewEncoder(e.Stdout)
	if !asJSON {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// ImportBench is the result of `lifeline bench import`.
type ImportBench struct {
	Rows          int     `json:"rows"`
	Dialect       string  `json:"dialect"`
	WallSeconds   float64 `json:"wall_seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
	Imported      int     `json:"imported"`
}

// cmdBenchImport generates N persons as CSV and imports them into a fresh
// database with `lifeline import persons`, timing the import alone.
func cmdBenchImport(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("bench import", "bench import [-n N] [--db URL] --json", &cfg)
	n := fs.Int("n", 1_000_000, "rows to import")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "lifeline-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if cfg.DB == "" {
		cfg.Data = filepath.Join(dir, "data")
	}
	csvPath := filepath.Join(dir, "persons.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := names.WriteCSV(w, names.Generate(1, *n)); err != nil {
		return err
	}
	w.Flush()
	f.Close()
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if ps, _ := db.Parties(e.Ctx); len(ps) == 0 {
		err = db.Tx(e.Ctx, func(tx *store.Tx) error {
			for _, p := range []registry.Party{{Code: "UA", Name: "UA", Kind: registry.StateParty}, {Code: "RU", Name: "RU", Kind: registry.StateParty}} {
				if err := tx.CreateParty(e.Ctx, store.System, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	quiet := &Env{Ctx: e.Ctx, Stdin: e.Stdin, Stdout: io.Discard, Stderr: io.Discard, Getenv: e.Getenv}
	start := time.Now()
	if err := quiet.importCSV(db, csvPath, false, true); err != nil {
		return fmt.Errorf("the import failed: %w", err)
	}
	wall := time.Since(start).Seconds()
	return printResult(e, ImportBench{Rows: *n, Dialect: string(db.Dialect), WallSeconds: wall, RowsPerSecond: float64(*n) / wall, Imported: *n}, *asJSON)
}

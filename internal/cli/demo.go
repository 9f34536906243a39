package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"lifeline/internal/app"
	"lifeline/internal/blob"
	"lifeline/internal/config"
	"lifeline/internal/demo"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

func cmdDemo(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("demo", "demo [--addr HOST:PORT] [--data DIR] [--no-serve]", &cfg)
	addr := fs.String("addr", envOr(e, "LIFELINE_ADDR", "127.0.0.1:8080"), "listen address (env LIFELINE_ADDR)")
	noServe := fs.Bool("no-serve", false, "only build the scenario, then exit")
	pows := fs.Int("pows", 2400, "prisoners of war in the scenario")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	// The demo is one node for every party: with no witnesses configured,
	// its own signature publishes a checkpoint of the log.
	if e.Getenv("LIFELINE_LOG_QUORUM") == "" {
		getenv := e.Getenv
		e.Getenv = func(k string) string {
			if k == "LIFELINE_LOG_QUORUM" {
				return "1"
			}
			return getenv(k)
		}
	}
	fresh := true
	if cfg.DB == "" {
		if _, err := os.Stat(filepath.Join(cfg.Data, "lifeline.db")); err == nil {
			fresh = false
		}
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if !fresh {
		if _, err := db.UserByName(e.Ctx, "admin"); err != nil {
			return fmt.Errorf("%s already holds a database that is not a demo; choose another --data directory", cfg.Data)
		}
		fmt.Fprintf(e.Stdout, "The demo in %s exists; serving it as it is (remove the directory for a fresh one).\n", cfg.Data)
	} else {
		start := time.Now()
		fmt.Fprintf(e.Stdout, "Building the demo scenario in %s ...\n", where(&cfg))
		blobs, err := blob.Open(cfg.Blobs, cfg.Data)
		if err != nil {
			return err
		}
		_, err = demo.Seed(e.Ctx, db, demo.Options{POWs: *pows, Blobs: blobs, Log: func(f string, a ...any) { fmt.Fprintf(e.Stdout, "  "+f+"\n", a...) }})
		if err != nil {
			return err
		}
		// The claims that signed records and the log back are verified
		// against a published checkpoint, as the intermediary would.
		if err := e.verifyDemoClaims(&cfg, db); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "Scenario ready in %.1fs.\n", time.Since(start).Seconds())
	}
	logins := func() {
		users, err := db.Users(e.Ctx, "")
		if err != nil {
			return
		}
		fmt.Fprintf(e.Stdout, "\nLogins (password for all: %s):\n", demo.Password)
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  USER\tROLE\tPARTY")
		for _, u := range users {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Name, u.Role, u.PartyCode)
		}
		tw.Flush()
	}
	if *noServe {
		logins()
		return nil
	}
	return e.serve(&cfg, db, *addr, false, func(url string) {
		logins()
		fmt.Fprintf(e.Stdout, "\nLifeline demo: open %s and log in as admin (password %s). Ctrl-C stops it.\n\n", url, demo.Password)
	})
}

// verifyDemoClaims opens the node's log over db (quorum 1 unless set)
// and verifies the demo's backed claims.
func (e *Env) verifyDemoClaims(cfg *config.Config, db *store.DB) error {
	key, err := sign.LoadOrCreateKey(cfg.Key())
	if err != nil {
		return err
	}
	a := &app.App{DB: db, Log: e.logger(cfg), Key: key, Party: cfg.Party}
	if _, err := e.openLog(cfg, a); err != nil {
		return err
	}
	n, err := demo.VerifyClaims(e.Ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "  demo: %d claims verified against the transparency log\n", n)
	return nil
}

func where(cfg *config.Config) string {
	if cfg.DB != "" {
		return config.Mask(cfg.DB)
	}
	return cfg.Data
}

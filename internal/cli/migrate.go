package cli

import (
	"fmt"

	"lifeline/internal/config"
	"lifeline/internal/store"
)

func cmdMigrate(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("migrate", "migrate [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.Stdout, "migrated %s (%s): %d migrations\n", where(&cfg), db.Dialect, len(store.Migrations(db.Dialect)))
	return nil
}

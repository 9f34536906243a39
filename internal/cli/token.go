package cli

import (
	"fmt"

	"lifeline/internal/config"
	"lifeline/internal/store"
)

func cmdToken(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline token create --user NAME")
		return errUsage
	}
	var cfg config.Config
	fs := e.flags("token create", "token create --user NAME", &cfg)
	user := fs.String("user", "", "the user the token acts as")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *user == "" {
		fmt.Fprintln(e.Stderr, "lifeline token create: --user is required")
		fs.Usage()
		return errUsage
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tok, err := db.CreateToken(e.Ctx, store.System, *user)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, tok)
	return nil
}

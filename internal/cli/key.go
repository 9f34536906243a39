package cli

import (
	"fmt"

	"lifeline/internal/config"
	"lifeline/internal/sign"
)

// cmdKey is `lifeline key show`: the node's public key, created on first use.
func cmdKey(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "show" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline key show")
		return errUsage
	}
	var cfg config.Config
	fs := e.flags("key show", "key show [--data DIR | --key-file FILE]", &cfg)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	k, err := sign.LoadOrCreateKey(cfg.Key())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, k.Public().String())
	return nil
}

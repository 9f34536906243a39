package cli

import (
	"fmt"
	"text/tabwriter"

	"lifeline/internal/config"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

func cmdParty(e *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "Usage: lifeline party add|list|trust [flags]")
		return errUsage
	}
	switch args[0] {
	case "add":
		return cmdPartyAdd(e, args[1:])
	case "list":
		return cmdPartyList(e, args[1:])
	case "trust":
		return cmdPartyTrust(e, args[1:])
	}
	fmt.Fprintf(e.Stderr, "lifeline party: unknown subcommand %q; use add, list or trust\n", args[0])
	return errUsage
}

func cmdPartyAdd(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("party add", "party add --code CODE --name NAME --kind state|intermediary", &cfg)
	code := fs.String("code", "", "party code, e.g. UA")
	name := fs.String("name", "", "display name")
	kind := fs.String("kind", "state", "state or intermediary")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	p := registry.Party{Code: *code, Name: *name, Kind: registry.PartyKind(*kind)}
	if err := db.Tx(e.Ctx, func(tx *store.Tx) error { return tx.CreateParty(e.Ctx, store.System, p) }); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "party %s added\n", p.Code)
	return nil
}

func cmdPartyList(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("party list", "party list", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, err := db.Parties(e.Ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tKIND\tNAME")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Code, p.Kind, p.Name)
	}
	return tw.Flush()
}

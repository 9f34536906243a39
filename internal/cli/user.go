package cli

import (
	"bufio"
	"fmt"
	"text/tabwriter"

	"lifeline/internal/auth"
	"lifeline/internal/config"
	"lifeline/internal/store"
)

func cmdUser(e *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "Usage: lifeline user add|list [flags]")
		return errUsage
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(e, args[1:])
	case "list":
		return cmdUserList(e, args[1:])
	}
	fmt.Fprintf(e.Stderr, "lifeline user: unknown subcommand %q; use add or list\n", args[0])
	return errUsage
}

func cmdUserAdd(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("user add", "user add --name NAME --role ROLE --party CODE --password-stdin", &cfg)
	name := fs.String("name", "", "login name")
	role := fs.String("role", "", "one of admin, registrar, clerk, screener, packer, logistics, caseworker, delegate, facility, analyst")
	party := fs.String("party", "", "the code of the user's party (or of the intermediary)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*fromStdin {
		fmt.Fprintln(e.Stderr, "lifeline user add: --password-stdin is required (passwords never go on the command line)")
		return errUsage
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(e.Stdin)
	sc.Buffer(make([]byte, 4096), 4096)
	if !sc.Scan() {
		return fmt.Errorf("no password on standard input")
	}
	pw := trimLines(sc.Text())
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	u := &store.User{Name: *name, Role: r, PartyCode: *party}
	if err := db.Tx(e.Ctx, func(tx *store.Tx) error { return tx.CreateUser(e.Ctx, store.System, u, pw) }); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "user %s added (%s, %s)\n", u.Name, u.Role, u.PartyCode)
	return nil
}

func cmdUserList(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("user list", "user list", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.Users(e.Ctx, "")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tPARTY")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Role, u.PartyCode)
	}
	return tw.Flush()
}

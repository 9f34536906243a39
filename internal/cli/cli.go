// Package cli is the lifeline command: one file per subcommand, each with
// its own flag.FlagSet; configuration comes from flags, then LIFELINE_*
// environment variables, then defaults.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"lifeline/internal/config"
	"lifeline/internal/errs"
	"lifeline/internal/store"
)

// Version is set at build time with -ldflags "-X lifeline/internal/cli.Version=...".
var Version = "dev"

// Env is what a command runs with.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

type command struct {
	summary string
	run     func(e *Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":        {"serve the UI and the API", cmdServe},
		"demo":         {"create a demo data directory with a realistic scenario and serve it", cmdDemo},
		"migrate":      {"apply the database migrations", cmdMigrate},
		"party":        {"manage parties: party add, party list, party trust CODE KEYFILE", cmdParty},
		"user":         {"manage users: user add, user list", cmdUser},
		"token":        {"create API tokens: token create --user NAME", cmdToken},
		"import":       {"import records: import persons FILE", cmdImport},
		"export":       {"export records: export persons --format csv|json", cmdExport},
		"version":      {"print the version", cmdVersion},
		"pfif":         {"check PFIF documents: pfif validate FILE", cmdPFIF},
		"translit":     {"romanize Cyrillic by a standard: translit --scheme kmu2010|icao9303|gost779b|bgnpcgn [TEXT...]", cmdTranslit},
		"search":       {"find persons from any spelling: search --json QUERY", cmdSearch},
		"gen":          {"generate realistic test persons: gen persons -n N --out FILE.csv", cmdGen},
		"s10":          {"check UPU S10 tracking numbers: s10 check ID...", cmdS10},
		"verify":       {"audit a node's transparency log: verify checkpoint|inclusion|consistency|audit --url URL|--dir DIR --key FILE", cmdVerify},
		"log":          {"this node's transparency log: log open ENTRY, log mirror --url URL --out DIR, log key, log publish", cmdLog},
		"witness":      {"witnesses of this node's log: witness add NAME URL KEYFILE, witness list, witness log ORIGIN KEYFILE", cmdWitness},
		"key":          {"the node's signing key: key show", cmdKey},
		"consignments": {"list consignments: consignments list [--json]", cmdConsignments},
		"bundle":       {"signed bundles between nodes: bundle export|verify|import", cmdBundle},
		"bench":        {"run a benchmark of the performance targets: bench search|import [--json]", cmdBench},
	}
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	return e.Main(args)
}

// Main runs args in e and returns the exit code.
func (e *Env) Main(args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.Stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.Stderr, "lifeline: unknown command %q\n\n", args[0])
		usage(e.Stderr, cmds)
		return 2
	}
	err := c.run(e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errSilent):
		return 1
	}
	fmt.Fprintf(e.Stderr, "lifeline %s: %s\n", args[0], describe(err))
	return 1
}

var (
	errUsage  = errors.New("usage")
	errSilent = errors.New("failed; reported above")
)

// describe gives a user the message of err without internals, plus the
// per-field messages.
func describe(err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := errs.MessageOf(err)
	if errs.KindOf(err) == errs.Internal {
		msg = err.Error()
	}
	fields := errs.FieldsOf(err)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg += "\n  " + k + ": " + fields[k]
	}
	return msg
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "lifeline: family mail, consignments and repatriation between parties to a conflict, through a neutral intermediary.")
	fmt.Fprintln(w, "\nUsage: lifeline COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --data DIR or --db URL; run lifeline COMMAND -h for its flags.")
}

// flags makes a FlagSet for a command, with the shared configuration flags.
func (e *Env) flags(name, usageLine string, cfg *config.Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "Usage: lifeline %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
	}
	if cfg != nil {
		cfg.Register(fs, e.Getenv)
	}
	return fs
}

// parse parses args, mapping flag errors to a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// logger returns the logger a config asks for.
func (e *Env) logger(cfg *config.Config) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.Stderr, nil))
}

// open opens and migrates the database of cfg.
func (e *Env) open(cfg *config.Config) (*store.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(e.Ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(e.Ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// needArgs checks the number of positional arguments.
func needArgs(fs *flag.FlagSet, n int, what string) error {
	if fs.NArg() != n {
		fmt.Fprintf(fs.Output(), "want %s\n", what)
		fs.Usage()
		return errUsage
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func trimLines(s string) string { return strings.TrimRight(s, "\r\n") }

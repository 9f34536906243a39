package cli

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"lifeline/internal/config"
	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

// cmdWitness is `lifeline witness add|list|log`: the witnesses that
// co-sign this node's checkpoints, and the logs this node witnesses.
func cmdWitness(e *Env, args []string) error {
	subs := map[string]func(*Env, []string) error{
		"add":  witnessAdd,
		"list": witnessList,
		"log":  witnessLog,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprintln(e.Stderr, "Usage: lifeline witness add NAME URL KEYFILE | witness list | witness log ORIGIN KEYFILE")
		return errUsage
	}
	return subs[args[0]](e, args[1:])
}

// readWitnessKey reads a key file for name: a signed-note verifier key
// (lifeline log key, GET /log/key), or a node public key (lifeline key
// show), which is then named name.
func readWitnessKey(file, name string) (string, error) {
	const op = "witness"
	data, err := os.ReadFile(file)
	if err != nil {
		return "", errs.E(op, errs.Invalid, "cannot read key file %s: %v", file, err)
	}
	text := strings.TrimSpace(string(data))
	for l := range strings.Lines(text) {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if v, err := note.NewVerifier(l); err == nil {
			if v.Name() != name {
				return "", errs.E(op, errs.Invalid, "key file %s holds the key of %s, not %s", file, v.Name(), name)
			}
			return l, nil
		}
		break
	}
	pub, err := sign.ParsePublicKey(text)
	if err != nil {
		return "", errs.E(op, errs.Invalid, "key file %s holds neither a signed-note verifier key nor a Lifeline public key", file)
	}
	return pub.NoteVerifierKey(name)
}

// witnessAdd is `lifeline witness add NAME URL KEYFILE`: ask the node at
// URL, whose checkpoint key is named NAME (its log's origin, e.g.
// lifeline/ICRC), to co-sign this node's checkpoints.
func witnessAdd(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("witness add", "witness add NAME URL KEYFILE [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needArgs(fs, 3, "NAME URL KEYFILE"); err != nil {
		return err
	}
	name, url := fs.Arg(0), strings.TrimSuffix(fs.Arg(1), "/")
	vkey, err := readWitnessKey(fs.Arg(2), name)
	if err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Tx(e.Ctx, func(tx *store.Tx) error {
		return tx.SetLogWitness(e.Ctx, store.System, store.LogWitness{Name: name, URL: url, Key: vkey})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "witness %s at %s added\n", name, url)
	return nil
}

// witnessList is `lifeline witness list`.
func witnessList(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("witness list", "witness list [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ws, err := db.LogWitnesses(e.Ctx)
	if err != nil {
		return err
	}
	for _, w := range ws {
		fmt.Fprintf(e.Stdout, "witness\t%s\t%s\t%s\n", w.Name, w.URL, w.Key)
	}
	logs, err := db.WitnessedLogs(e.Ctx)
	if err != nil {
		return err
	}
	for origin, v := range logs {
		fmt.Fprintf(e.Stdout, "witnessing\t%s\t%s\n", origin, v.Name())
	}
	return nil
}

// witnessLog is `lifeline witness log ORIGIN KEYFILE`: witness the log
// ORIGIN of another node, whose checkpoints its key signs.
func witnessLog(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("witness log", "witness log ORIGIN KEYFILE [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needArgs(fs, 2, "ORIGIN KEYFILE"); err != nil {
		return err
	}
	origin := fs.Arg(0)
	vkey, err := readWitnessKey(fs.Arg(1), origin)
	if err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Tx(e.Ctx, func(tx *store.Tx) error { return tx.SetWitnessedLog(e.Ctx, store.System, origin, vkey) }); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "this node now witnesses the log %s\n", origin)
	return nil
}

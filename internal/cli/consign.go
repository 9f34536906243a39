package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"lifeline/internal/config"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

// cmdConsignments is `lifeline consignments list [--json]`.
func cmdConsignments(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline consignments list [--state STATE] [--json]")
		return errUsage
	}
	var cfg config.Config
	fs := e.flags("consignments list", "consignments list [--state STATE] [--json]", &cfg)
	state := fs.String("state", "", "only consignments in this state: draft, sealed, dispatched, handed_over, receipted, closed")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.Consignments(e.Ctx, store.ConsignmentFilter{State: consignments.State(*state), Limit: 1000})
	if err != nil {
		return err
	}
	if *asJSON {
		if cs == nil {
			cs = []*store.Consignment{}
		}
		return json.NewEncoder(e.Stdout).Encode(cs)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATE\tFROM\tTO\tPARCELS")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", c.Ref, c.State, c.From, c.To, c.Parcels)
	}
	return tw.Flush()
}

// nodeTrust opens the database of cfg and returns the keys the node trusts.
func (e *Env) nodeTrust(cfg *config.Config) (*store.DB, sign.TrustSet, error) {
	db, err := e.open(cfg)
	if err != nil {
		return nil, nil, err
	}
	var key *sign.Key
	if cfg.Party != "" {
		if key, err = sign.LoadOrCreateKey(cfg.Key()); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	trust, err := db.NodeTrust(e.Ctx, cfg.Party, key)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, trust, nil
}

// cmdBundle is `lifeline bundle export|verify|import`.
func cmdBundle(e *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "Usage: lifeline bundle export --consignment REF --out FILE | bundle verify FILE | bundle import FILE")
		return errUsage
	}
	var cfg config.Config
	switch args[0] {
	case "export":
		fs := e.flags("bundle export", "bundle export --consignment REF [--kind KIND] --out FILE", &cfg)
		ref := fs.String("consignment", "", "the consignment's reference")
		kind := fs.String("kind", "", "manifest, handover_receipt or delivery_report; default the latest")
		out := fs.String("out", "", "the file to write")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *ref == "" || *out == "" {
			fmt.Fprintln(e.Stderr, "lifeline bundle export: --consignment and --out are required")
			return errUsage
		}
		db, err := e.open(&cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		b, err := db.ExportBundle(e.Ctx, *ref, *kind)
		if err != nil {
			return err
		}
		raw, err := b.Marshal()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, raw, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "wrote the %s of %s (step %d, signed by %d) to %s\n", b.Kind, b.Ref, b.Seq, len(b.Envelope.Signatures), *out)
		return nil
	case "verify", "import":
		fs := e.flags("bundle "+args[0], "bundle "+args[0]+" FILE", &cfg)
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if err := needArgs(fs, 1, "one FILE"); err != nil {
			return err
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		b, err := sign.ReadBundle(f)
		if err != nil {
			return err
		}
		db, trust, err := e.nodeTrust(&cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		if args[0] == "verify" {
			// An auditor checks every signature; the bundle need not be
			// meant for this node.
			if _, err := consignments.VerifyBundle(b, trust, ""); err != nil {
				return err
			}
			if err := sign.Describe(e.Stdout, b, trust); err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, "verified: every signature is by a trusted key and the document is intact")
			return nil
		}
		var res *consignments.ImportResult
		err = db.Tx(e.Ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.ImportBundle(e.Ctx, store.Actor{Name: "cli", Party: cfg.Party}, cfg.Party, trust, b)
			return err
		})
		if err != nil {
			return err
		}
		if !res.Changed {
			fmt.Fprintf(e.Stdout, "already imported: the %s of %s (step %d) changes nothing\n", res.Kind, res.Ref, res.Seq)
			return nil
		}
		fmt.Fprintf(e.Stdout, "imported the %s of %s (step %d); the consignment is now %s\n", res.Kind, res.Ref, res.Seq, res.State)
		return nil
	}
	fmt.Fprintf(e.Stderr, "lifeline bundle: unknown subcommand %q; use export, verify or import\n", args[0])
	return errUsage
}

// cmdPartyTrust is `lifeline party trust CODE KEYFILE`.
func cmdPartyTrust(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("party trust", "party trust CODE KEYFILE  (KEYFILE holds what lifeline key show prints on that party's node)", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needArgs(fs, 2, "CODE and KEYFILE"); err != nil {
		return err
	}
	raw, err := os.ReadFile(fs.Arg(1))
	if err != nil {
		return err
	}
	pub, err := sign.ParsePublicKey(string(raw))
	if err != nil {
		return errs.E("cli.partyTrust", errs.Invalid, "%s does not hold a public key as lifeline key show prints it: %s", fs.Arg(1), errs.MessageOf(err))
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	code := fs.Arg(0)
	if err := db.Tx(e.Ctx, func(tx *store.Tx) error {
		return tx.TrustKey(e.Ctx, store.Actor{Name: "cli", Party: cfg.Party}, code, pub)
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "trusted key %s for party %s\n", pub.ID(), code)
	return nil
}

package cli

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"lifeline/internal/app"
	"lifeline/internal/config"
	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

// openLog names and loads the node's transparency log and sets a.TLog: the
// origin is LIFELINE_LOG_ORIGIN, or "lifeline/<party>" (--node-party), or
// "lifeline/node-<key id>", fixed the first time; the quorum is
// LIFELINE_LOG_QUORUM (2 by default: the node and one witness of two). It
// returns how often the log is published, LIFELINE_LOG_INTERVAL (5s by
// default). The secret that keys the entries' pseudonyms is in the database
// (table tlog_node), made by its migration.
func (e *Env) openLog(cfg *config.Config, a *app.App) (time.Duration, error) {
	const op = "cli.openLog"
	origin := e.Getenv("LIFELINE_LOG_ORIGIN")
	if origin == "" {
		if _, err := a.DB.NodeLog(e.Ctx, ""); err != nil {
			origin = app.NodeLogOrigin(cfg.Party, a.Key)
		}
	}
	quorum := 0
	if v := e.Getenv("LIFELINE_LOG_QUORUM"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, errs.E(op, errs.Invalid, "LIFELINE_LOG_QUORUM must be a number of signatures, at least 1")
		}
		quorum = n
	}
	every := 5 * time.Second
	if v := e.Getenv("LIFELINE_LOG_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, errs.E(op, errs.Invalid, "LIFELINE_LOG_INTERVAL must be a duration such as 5s")
		}
		every = d
	}
	return every, a.OpenLog(e.Ctx, origin, quorum)
}

// nodeApp opens the database and key of cfg with the node's log, for
// commands that work on a node without serving it. close closes the
// database.
func (e *Env) nodeApp(cfg *config.Config) (a *app.App, close func(), err error) {
	db, err := e.open(cfg)
	if err != nil {
		return nil, nil, err
	}
	key, err := sign.LoadOrCreateKey(cfg.Key())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	a = &app.App{DB: db, Log: e.logger(cfg), Key: key, Party: cfg.Party}
	if _, err := e.openLog(cfg, a); err != nil {
		db.Close()
		return nil, nil, err
	}
	return a, func() { db.Close() }, nil
}

// cmdLog is `lifeline log open|mirror|key|publish`.
func cmdLog(e *Env, args []string) error {
	subs := map[string]func(*Env, []string) error{
		"open":    logOpen,
		"mirror":  logMirror,
		"key":     logKey,
		"publish": logPublish,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprintln(e.Stderr, "Usage: lifeline log open ENTRY | log mirror --url URL --out DIR | log key | log publish")
		return errUsage
	}
	return subs[args[0]](e, args[1:])
}

// logOpen is `lifeline log open ENTRY`: the values behind one entry's
// pseudonyms and commitments, as JSON for an arbiter, who checks them
// against the published entry. Nothing about any other entry is revealed.
func logOpen(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("log open", "log open ENTRY [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needArgs(fs, 1, "the index of one log entry"); err != nil {
		return err
	}
	idx, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || idx < 0 {
		return errs.E("log open", errs.Invalid, "ENTRY must be an entry index, a number from 0")
	}
	a, closeDB, err := e.nodeApp(&cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	entry, opening, err := a.DB.LogOpen(e.Ctx, idx)
	if err != nil {
		return err
	}
	return writeJSON(e.Stdout, map[string]any{"origin": a.TLog.Origin, "index": idx, "entry": entry, "opening": opening})
}

// logMirror is `lifeline log mirror --url URL --out DIR`: a copy of a
// node's log for offline audits (lifeline verify audit --dir DIR).
func logMirror(e *Env, args []string) error {
	fs := e.flags("log mirror", "log mirror --url URL --out DIR", nil)
	u := fs.String("url", "", "the node's URL (its log is under /log/)")
	out := fs.String("out", "", "the directory to write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *u == "" || *out == "" {
		return errs.E("log mirror", errs.Invalid, "give --url URL and --out DIR")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return errs.E("log mirror", errs.Invalid, "cannot create %s: %v", *out, err)
	}
	n, err := tlog.Mirror(e.Ctx, tlog.URL{Base: logURL(*u), Client: &http.Client{Timeout: time.Minute}}, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "copied the log of %d entries to %s; check it with lifeline verify audit --dir %s --key FILE...\n", n, *out, *out)
	return nil
}

// logKey is `lifeline log key`: the node's signed-note verifier key, the
// line auditors pass with --key and other nodes add with lifeline witness.
func logKey(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("log key", "log key [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, closeDB, err := e.nodeApp(&cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	k, err := a.LogKey()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, k)
	return nil
}

// logPublish is `lifeline log publish`: sign a checkpoint now and ask the
// witnesses to co-sign it, as the server does in the background.
func logPublish(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("log publish", "log publish [--data DIR | --db URL]", &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, closeDB, err := e.nodeApp(&cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	size, err := a.PublishLog(e.Ctx)
	if err != nil {
		return err
	}
	signers, err := a.DB.LogCosigners(e.Ctx, size)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "checkpoint of %s: %d entries, co-signed by %d witnesses %v\n", a.TLog.Origin, size, len(signers), signers)
	return nil
}

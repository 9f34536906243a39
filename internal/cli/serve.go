package cli

import (
	"fmt"
	"net"
	"os/signal"
	"syscall"

	"lifeline/internal/app"
	"lifeline/internal/blob"
	"lifeline/internal/config"
	"lifeline/internal/server"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

func cmdServe(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("serve", "serve [--addr HOST:PORT] [--data DIR | --db URL]", &cfg)
	addr := fs.String("addr", envOr(e, "LIFELINE_ADDR", "127.0.0.1:8080"), "listen address (env LIFELINE_ADDR)")
	secure := fs.Bool("secure-cookies", envOr(e, "LIFELINE_SECURE_COOKIES", "") == "true", "mark cookies Secure (behind a TLS proxy) (env LIFELINE_SECURE_COOKIES=true)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return e.serve(&cfg, db, *addr, *secure, nil)
}

func envOr(e *Env, k, def string) string {
	if v := e.Getenv(k); v != "" {
		return v
	}
	return def
}

// serve runs the server until SIGINT or SIGTERM; banner, when not nil,
// prints what to tell the user once the address is known.
func (e *Env) serve(cfg *config.Config, db *store.DB, addr string, secure bool, banner func(url string)) error {
	log := e.logger(cfg)
	key, err := sign.LoadOrCreateKey(cfg.Key())
	if err != nil {
		return err
	}
	blobs, err := blob.Open(cfg.Blobs, cfg.Data)
	if err != nil {
		return err
	}
	a := &app.App{DB: db, Log: log, Secure: secure, Version: Version, Key: key, Party: cfg.Party, Blobs: blobs}
	logEvery, err := e.openLog(cfg, a)
	if err != nil {
		return err
	}
	if err := a.StartSearch(e.Ctx); err != nil {
		return err
	}
	srv := server.New(a)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	url := "http://" + ln.Addr().String()
	log.Info("serving", "url", url, "config", cfg.String())
	if banner != nil {
		banner(url)
	}
	ctx, stop := signal.NotifyContext(e.Ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	defer a.StartLog(ctx, logEvery)()
	err = srv.Serve(ctx, ln)
	log.Info("stopped", "err", fmt.Sprint(err))
	return err
}

package web_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"lifeline/internal/app"
	"lifeline/internal/i18n"
	"lifeline/internal/server"
	"lifeline/internal/sign"
)

// TestLedgerCheckpoint: the ledger page says when no checkpoint of the log
// backs it yet; after one is published its footnote names the checkpoint
// (origin, size, hash) with a link to it and the command that verifies it,
// and the refusal the log counts too stands next to the ledger's figure.
func TestLedgerCheckpoint(t *testing.T) {
	t.Parallel()
	fx := newCasesFixture(t)
	ctx := context.Background()
	key, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{DB: fx.db, Log: slog.New(slog.DiscardHandler), Version: "test", Key: key}
	if err := a.StartSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.OpenLog(ctx, "lifeline/AA", 1); err != nil {
		t.Fatal(err)
	}
	fx.h = server.New(a).Handler()
	pr := i18n.New("en")
	c := fx.login(t, "ic-admin")

	body := want(t, c.get("/ledger"), 200, pr.T("ledger.log_none"), `href="/log/checkpoint"`)
	if strings.Contains(body, `class="logged"`) {
		t.Errorf("before a checkpoint the page shows the log's counts:\n%s", body)
	}

	if _, err := a.PublishLog(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := a.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp := l.Checkpoint
	if cp == nil || cp.Size == 0 {
		t.Fatalf("checkpoint: got %+v, want one published", cp)
	}
	body = want(t, c.get("/ledger"), 200, `id="ledger-checkpoint"`, pr.T("ledger.log_backed", cp.Size),
		"lifeline/AA · "+strconv.FormatInt(cp.Size, 10)+" · <code>"+cp.Hash+"</code>", `<a href="/log/checkpoint">`,
		"lifeline verify audit", pr.T("ledger.log_legend"), `title="`+pr.T("ledger.log_agrees")+`">2</sup>`)
	if strings.Contains(body, pr.T("ledger.log_none")) {
		t.Errorf("after a checkpoint the page still says none is published")
	}
	if strings.Contains(body, "<mark") {
		t.Errorf("the log and the ledger agree, yet the page marks a difference:\n%s", body)
	}
}

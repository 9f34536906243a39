package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lifeline/internal/i18n"
)

// chromium finds the Chromium binary, or skips the test (fails it under
// CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no Chromium on PATH: install Debian's chromium package")
	}
	t.Skip("no Chromium on PATH")
	return ""
}

// TestBrowser drives the real UI in headless Chromium: log in, find a
// person through the list filter, open their page, check the timeline,
// switch to Ukrainian.
func TestBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	if testing.Short() {
		t.Skip("a browser test")
	}
	fx := newFixture(t)
	srv := httptest.NewServer(fx.h)
	defer srv.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	// The first call starts the browser and must not carry a timeout.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// A guard against a hung browser, not a measurement.
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	hidden := func() bool {
		t.Helper()
		h, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("facility-field").hidden`))
		if err != nil {
			t.Fatalf("facility field: %v", err)
		}
		return h
	}

	do("log in",
		// An anonymous visit to the list goes to the login form.
		chromedp.Navigate(srv.URL+"/persons"),
		chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "aa-reg"),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Submit(chromedp.ID("f-password")),
	)
	do("filter the list",
		// Back on the list, filter by a Latin spelling of the name.
		chromedp.WaitVisible(chromedp.ID("f-q")),
		chromedp.SendKeys(chromedp.ID("f-q"), "shcherbak"),
		chromedp.Submit(chromedp.ID("f-q")),
		chromedp.WaitVisible(`//caption[contains(., "1 person on this page")]`),
	)
	list := text("table tbody")
	if !strings.Contains(list, fx.nameAA) || strings.Contains(list, "Коваленко") {
		t.Errorf("filtered list %q: want only %s", list, fx.nameAA)
	}
	do("open the person",
		chromedp.Click(`//a[normalize-space(.)="`+fx.nameAA+`"]`),
		chromedp.WaitVisible(chromedp.ID("timeline")),
	)
	timeline := text("#timeline")
	for _, s := range []string{"Captured", "Arrived at facility", "Camp South"} {
		if !strings.Contains(timeline, s) {
			t.Errorf("timeline %q lacks %q", timeline, s)
		}
	}
	if strings.Index(timeline, "Captured") > strings.Index(timeline, "Arrived at facility") {
		t.Errorf("timeline %q: want oldest first", timeline)
	}
	// app.js shows the facility field only for an event that names one.
	if !hidden() {
		t.Errorf("facility field shown for %q, want hidden", "captured")
	}
	do("choose arrival", chromedp.SetValue(chromedp.ID("f-type"), "arrived"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.getElementById("f-type").dispatchEvent(new Event("change"))`)(ctx, tg)
			return err
		}))
	if hidden() {
		t.Errorf("facility field hidden for %q, want shown", "arrived")
	}
	do("switch to Ukrainian",
		chromedp.Click(chromedp.CSS(`button[name="lang"][value="uk"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="uk"] #h-timeline`)),
	)
	if got, want := strings.TrimSpace(text("#h-timeline")), i18n.New(i18n.Ukrainian).T("person.timeline"); got != want {
		t.Errorf("after switching to Ukrainian: heading %q, want %q", got, want)
	}
	if got, want := text("#timeline"), i18n.New(i18n.Ukrainian).T("event.arrived"); !strings.Contains(got, want) {
		t.Errorf("Ukrainian timeline %q lacks %q", got, want)
	}
}

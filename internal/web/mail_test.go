package web_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lifeline/internal/store"
)

// mailReady gives the fixture's parties S10 numbering.
func mailReady(t *testing.T, fx *fixture) {
	t.Helper()
	ctx := context.Background()
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		for _, s := range []store.MailSettings{
			{Party: "AA", ItemService: "RR", ParcelService: "CP", Country: "UA", LimitHours: 72},
			{Party: "BB", ItemService: "RB", ParcelService: "CB", Country: "RU", LimitHours: 72},
		} {
			if err := tx.SetMailSettings(ctx, store.System, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	trackingRE = regexp.MustCompile(`id="done-tracking">([A-Z0-9]{13})<`)
	pinRE      = regexp.MustCompile(`id="done-pin">(\d{6})<`)
	itemRE     = regexp.MustCompile(`action="/mail/items/(\d+)/receipt"`)
	parcelRE   = regexp.MustCompile(`/mail/parcels/(\d+)`)
)

func TestMailPages(t *testing.T) {
	fx := newFixture(t)
	mailReady(t, fx)
	c := fx.login(t, "aa-admin")
	want(t, c.get("/mail"), 200, "Family mail", "waiting for your screening")
	want(t, c.get("/"), 200, `id="mail-tile"`, "waiting for your screening", "parcels to redirect or return")
	if body := fx.login(t, "aa-reg").get("/").Body.String(); strings.Contains(body, "mail-tile") {
		t.Error("the dashboard of a registrar shows the mail tile")
	}
	want(t, c.post("/mail/intake/find", url.Values{"q": {"Scherbak Andrey"}}), 200, fx.nameAA, "/mail/intake?person=", "surname")
	w := c.get("/mail/intake?person=" + strconv.FormatInt(fx.pAA, 10))
	want(t, w, 200, "Sender (family member)", `enctype="multipart/form-data"`)

	// Bad input leaves the form with its message and stores nothing.
	w = c.post("/mail/intake", url.Values{"person_id": {strconv.FormatInt(fx.pAA, 10)}, "kind": {"letter"}})
	want(t, w, 422, "Required: an address, a telephone number or an e-mail address.")
	w = c.post("/mail/intake", url.Values{"person_id": {strconv.FormatInt(fx.pBB, 10)}, "kind": {"letter"},
		"sender_name": {"Олена"}, "sender_relationship": {"mother"}, "sender_contact": {"Kyiv"}})
	want(t, w, 422, "No such person within your party")

	w = c.post("/mail/intake", url.Values{"person_id": {strconv.FormatInt(fx.pAA, 10)}, "kind": {"drawing"},
		"sender_name": {"Олена Щербак"}, "sender_relationship": {"mother"}, "sender_contact": {"Kyiv"}, "pages": {"1"}})
	body := want(t, w, 201, "Item taken in", "Print the receipt slip")
	tracking, pin, item := trackingRE.FindStringSubmatch(body), pinRE.FindStringSubmatch(body), itemRE.FindStringSubmatch(body)
	if tracking == nil || pin == nil || item == nil {
		t.Fatalf("intake page lacks the tracking number, PIN or receipt form: %s", body)
	}
	r := c.post("/mail/items/"+item[1]+"/receipt", url.Values{"pin": {pin[1]}})
	if r.Code != 200 || r.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("receipt slip: got %d %s", r.Code, r.Header().Get("Content-Type"))
	}

	want(t, c.get("/mail/screening"), 200, tracking[1])
	want(t, c.get("/mail/screening/"+item[1]), 200, "Record the decision")
	w = c.post("/mail/screening/"+item[1], url.Values{"outcome": {"rejected"}})
	want(t, w, 422, "Choose a reason from the list.")
	if w := c.post("/mail/screening/"+item[1], url.Values{"outcome": {"approved"}}); w.Code != 303 {
		t.Fatalf("screening: got %d %s", w.Code, w.Body)
	}
	want(t, c.get("/mail/screening/"+item[1]), 200, "Your side has screened this item")

	want(t, c.get("/mail/packing"), 200, fx.nameAA, tracking[1])
	w = c.post("/mail/packing", url.Values{"person_id": {strconv.FormatInt(fx.pAA, 10)}, "direction": {"to_detainee"}, "item": {item[1]}})
	if w.Code != 303 {
		t.Fatalf("pack: got %d %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	want(t, c.get(loc), 200, "Open", "Weight in grams")
	want(t, c.post(loc+"/seal", url.Values{"weight_grams": {"0"}}), 422, "From 1 to 30,000 grams.")
	if w := c.post(loc+"/seal", url.Values{"weight_grams": {"90"}}); w.Code != 303 {
		t.Fatalf("seal: got %d %s", w.Code, w.Body)
	}
	want(t, c.get(loc), 200, "Sealed", "Label (PDF)")
	for _, p := range []string{loc + "/label", loc + "/packing-list", "/mail/labels"} {
		if w := c.get(p); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("%PDF-")) {
			t.Errorf("%s: got %d %.60s", p, w.Code, w.Body)
		}
	}

	// Public tracking: anonymous, posted, timeline only.
	anon := fx.client(t)
	want(t, anon.get("/track"), 200, "Track an item")
	w = anon.post("/track", url.Values{"tracking": {tracking[1]}, "pin": {pin[1]}})
	page := want(t, w, 200, "Accepted at the collection point", "Posted")
	for _, leak := range []string{"Camp South", fx.nameAA, fx.latinAA, pin[1]} {
		if strings.Contains(page, leak) {
			t.Errorf("the tracking page shows %q", leak)
		}
	}
	wrong := anon.post("/track", url.Values{"tracking": {tracking[1]}, "pin": {"000000"}})
	unknown := anon.post("/track", url.Values{"tracking": {"RR999999995UA"}, "pin": {pin[1]}})
	if wrong.Code != 404 || unknown.Code != 404 || !strings.Contains(wrong.Body.String(), "No item matches") {
		t.Errorf("wrong PIN %d, unknown number %d: want 404 alike", wrong.Code, unknown.Code)
	}
	bad := anon.post("/track", url.Values{"tracking": {"RR999999994UA"}, "pin": {pin[1]}})
	want(t, bad, 422, "check digit")
}

// TestMailBrowser drives the mail pages in headless Chromium: intake with
// a scan, screening, packing and sealing, then the label.
func TestMailBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	if testing.Short() {
		t.Skip("a browser test")
	}
	fx := newFixture(t)
	mailReady(t, fx)
	srv := httptest.NewServer(fx.h)
	defer srv.Close()
	scan := filepath.Join(t.TempDir(), "drawing.jpg")
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 300, 200)), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scan, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	bctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// A guard against a hung browser, not a measurement.
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	do("log in",
		chromedp.Navigate(srv.URL+"/mail/intake"),
		chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "aa-admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Submit(chromedp.ID("f-password")),
	)
	do("find the recipient",
		chromedp.WaitVisible(chromedp.ID("f-q")),
		chromedp.SendKeys(chromedp.ID("f-q"), "Shcherbak"),
		chromedp.Submit(chromedp.ID("f-q")),
		chromedp.WaitVisible(chromedp.ID("candidates")),
		chromedp.Click(chromedp.CSS(`#candidates a.btn`)),
		chromedp.WaitVisible(chromedp.ID("intake-form")),
	)
	if got := text("#recipient-name"); got != fx.nameAA {
		t.Fatalf("recipient: got %q, want %q", got, fx.nameAA)
	}
	do("take in a drawing with its scan",
		chromedp.SendKeys(chromedp.ID("f-sender_name"), "Олена Щербак"),
		chromedp.SendKeys(chromedp.ID("f-sender_relationship"), "mother"),
		chromedp.SendKeys(chromedp.ID("f-sender_contact"), "Kyiv, Street 5"),
		chromedp.SetValue(chromedp.ID("f-kind"), "drawing"),
		chromedp.SetUploadFiles(chromedp.ID("f-scan"), []string{scan}),
		chromedp.Click(chromedp.ID("intake-submit")),
		chromedp.WaitVisible(chromedp.ID("intake-done")),
	)
	tracking := text("#done-tracking")
	if len(text("#done-pin")) != 6 || len(tracking) != 13 {
		t.Fatalf("intake: tracking %q", tracking)
	}
	do("screen it",
		chromedp.Navigate(srv.URL+"/mail/screening"),
		chromedp.WaitVisible(chromedp.ID("queue")),
		chromedp.Click(chromedp.CSS(`#queue a.btn`)),
		chromedp.WaitVisible(chromedp.ID("screen-form")),
	)
	thumbs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ul.scans img").length`))
	if err != nil || thumbs != 1 {
		t.Errorf("thumbnails on the screening page: got %d %v, want 1", thumbs, err)
	}
	do("approve",
		chromedp.Click(chromedp.ID("o-approved")),
		chromedp.Click(chromedp.ID("screen-submit")),
		chromedp.WaitVisible(`//p[contains(., "Nothing waits for your screening.")]`),
	)
	do("pack and seal",
		chromedp.Navigate(srv.URL+"/mail/packing"),
		chromedp.WaitVisible(chromedp.CSS(`form.pack button`)),
		chromedp.Click(chromedp.CSS(`form.pack button`)),
		chromedp.WaitVisible(chromedp.ID("seal-form")),
		chromedp.SendKeys(chromedp.ID("f-weight_grams"), "85"),
		chromedp.Click(chromedp.ID("seal-submit")),
		chromedp.WaitVisible(`//dd[@id="parcel-status" and normalize-space(.)="Sealed"]`),
	)
	parcel := text("#parcel-tracking")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("label-link").getAttribute("href")`))
	if err != nil || parcelRE.FindString(href) == "" {
		t.Fatalf("label link: got %q %v", href, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+strconv.Quote(href)+`).then(async r => r.status + " " + r.headers.get("content-type") + " " + (await r.text()).slice(0, 5))`, chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf %PDF-" {
		t.Errorf("label of %s: got %q %v, want a PDF", parcel, got, err)
	}
}

func TestMailReplyPage(t *testing.T) {
	fx := newFixture(t)
	mailReady(t, fx)
	ctx := context.Background()
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateUser(ctx, store.System, &store.User{Name: "bb-clerk", Role: "clerk", PartyCode: "BB"}, password)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := fx.login(t, "bb-clerk")
	person := strconv.FormatInt(fx.pAA, 10)
	want(t, c.get("/mail/intake?person="+person), 200, "This person is held by your party", "In reply to (tracking number)", "Capture card")
	want(t, c.post("/mail/intake", url.Values{"person_id": {person}, "kind": {"letter"}, "in_reply_to": {"RR999999994UA"}}), 422, "check digit")
	w := c.post("/mail/intake", url.Values{"person_id": {person}, "kind": {"capture_card"},
		"sender_name": {"Олена Щербак"}, "sender_relationship": {"mother"}, "sender_contact": {"Kyiv"}})
	body := want(t, w, 201, "Item taken in")
	tr := trackingRE.FindStringSubmatch(body)
	if tr == nil || !strings.HasPrefix(tr[1], "RB") {
		t.Fatalf("reply tracking: %v", tr)
	}
	it, err := fx.db.ItemByTracking(ctx, tr[1])
	if err != nil || it.Direction != "reply" || it.OriginParty != "BB" || it.DestParty != "AA" || it.Status != "approved" {
		t.Errorf("reply item: got %+v %v", it, err)
	}
}

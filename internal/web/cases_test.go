package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lifeline/internal/auth"
	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/store"
)

// casesFixture adds to the fixture: a caseworker of BB and a delegate of
// the intermediary; three civilians of AA on BB's side in two cases, one
// refused 40 days after registration and one awaiting acceptance for 20
// days; a claim about the refusal; a planned operation.
type casesFixture struct {
	*fixture
	refused, waiting int64
	claim, op        int64
	people           []string
}

func newCasesFixture(t *testing.T) *casesFixture {
	t.Helper()
	fx := &casesFixture{fixture: newFixture(t), people: []string{"Бондар Марія", "Бондар Іван", "Ткаченко Олег"}}
	ctx := context.Background()
	sys := store.System
	now := fx.db.Now()
	err := fx.db.Tx(ctx, func(tx *store.Tx) error {
		for _, u := range []store.User{{Name: "bb-case", Role: auth.Caseworker, PartyCode: "BB"}, {Name: "ic-del", Role: auth.Delegate, PartyCode: "ICRC"}} {
			if err := tx.CreateUser(ctx, sys, &u, password); err != nil {
				return err
			}
		}
		var ids []int64
		for _, n := range fx.people {
			p := &registry.Person{Category: registry.DisplacedCivilian, PartyCode: "AA", NativeName: n}
			if err := tx.CreatePerson(ctx, sys, p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		mk := func(days int, members ...int64) (*cases.Case, error) {
			c := &cases.Case{Party: "AA", HostParty: "BB", Origin: "Vovchansk", Placement: cases.Accommodation, FacilityID: fx.facBB,
				RegisteredAt: now.Add(-time.Duration(days) * 24 * time.Hour)}
			for _, id := range members {
				c.Members = append(c.Members, cases.Member{PersonID: id})
			}
			if err := tx.CreateCase(ctx, sys, c); err != nil {
				return nil, err
			}
			_, err := tx.MoveCase(ctx, sys, c.ID, 0, cases.Transition{To: cases.AcceptanceRequested})
			return c, err
		}
		a, err := mk(40, ids[0], ids[1])
		if err != nil {
			return err
		}
		if _, err := tx.MoveCase(ctx, sys, a.ID, 0, cases.Transition{To: cases.Refused,
			Decision: &cases.Decision{Party: "AA", At: now, Reason: "not residents of the region", Source: "note verbale 12"}}); err != nil {
			return err
		}
		b, err := mk(20, ids[2])
		if err != nil {
			return err
		}
		fx.refused, fx.waiting = a.ID, b.ID
		cl := &claims.Claim{Statement: "Two of our citizens were refused", Party: "BB", MadeOn: now.Add(-24 * time.Hour), Source: "briefing",
			Subject: claims.SubjectRefusal, Count: 2, Links: []claims.Link{{Kind: claims.LinkCase, ID: a.ID}}}
		if err := tx.CreateClaim(ctx, sys, cl); err != nil {
			return err
		}
		fx.claim = cl.ID
		o := &repatriation.Operation{Ref: "OP-2026-1", Date: now, CrossingPoint: "Bridge 7", Intermediary: "ICRC", From: "BB", To: "AA"}
		if err := tx.CreateOperation(ctx, sys, o); err != nil {
			return err
		}
		fx.op = o.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

func TestCasesPages(t *testing.T) {
	t.Parallel()
	fx := newCasesFixture(t)
	for _, lang := range i18n.Langs() {
		t.Run(lang, func(t *testing.T) {
			pr := i18n.New(lang)
			c := fx.login(t, "ic-admin")
			if w := c.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); w.Code != 303 {
				t.Fatalf("switch language: got %d, want 303", w.Code)
			}
			for _, pg := range []struct {
				path   string
				status int
				texts  []string
			}{
				{"/", 200, []string{pr.T("stranded.title"), pr.T("dashboard.wait_1m"), pr.T("dashboard.wait_2m"), pr.N("dashboard.persons_n", 2),
					pr.T("dashboard.recent_operations"), "OP-2026-1"}},
				{"/cases", 200, []string{pr.T("cases.title"), fx.people[0], pr.N("cases.days", 40), pr.N("cases.days", 20), pr.T("case_state.refused")}},
				{"/cases/stranded", 200, []string{pr.T("stranded.title"), pr.N("stranded.summary", 2, 3), pr.N("cases.days", 40)}},
				{"/cases/" + id(fx.refused), 200, []string{pr.T("case.title", fx.refused), pr.N("cases.days", 40), "not residents of the region", "note verbale 12",
					pr.T("case_event.refused"), fx.people[1]}},
				{"/cases/new", 200, []string{pr.T("case_new.title"), pr.T("priority.pregnant")}},
				{"/operations", 200, []string{pr.T("operations.title"), "OP-2026-1", "Bridge 7"}},
				{"/operations/" + id(fx.op), 200, []string{pr.T("operation.title", "OP-2026-1"), pr.T("operation.roster_empty"), pr.T("op_state.planned")}},
				{"/operations/new", 200, []string{pr.T("operation_new.title")}},
				{"/claims", 200, []string{pr.T("claims.title"), "Two of our citizens were refused", pr.T("claim_status.unverified")}},
				{"/claims/" + id(fx.claim), 200, []string{pr.T("claim.evidence"), pr.T("evidence.refusal"), "no signed refusal record"}},
				{"/claims/new", 200, []string{pr.T("claim_new.title")}},
				{"/ledger", 200, []string{pr.T("ledger.title"), "BB → AA", pr.T("ledger.refused")}},
				{"/cases/999999", 404, []string{pr.T("error.not_found")}},
				{"/cases?state=lost", 422, []string{pr.T("msg.unknown_value")}},
			} {
				t.Run(strings.TrimPrefix(pg.path, "/"), func(t *testing.T) {
					body := want(t, c.get(pg.path), pg.status, pg.texts...)
					for _, bad := range []string{"<script>", " style=", "http://", "https://"} {
						if strings.Contains(body, bad) {
							t.Errorf("page holds %q", bad)
						}
					}
				})
			}
		})
	}
}

func TestCasesScopeAndSteps(t *testing.T) {
	t.Parallel()
	fx := newCasesFixture(t)
	// The intermediary hears the wish in private; the caseworker of the
	// host party records the acceptance; the case then goes on the roster.
	del := fx.login(t, "ic-del")
	want(t, del.get("/cases/"+id(fx.waiting)), 200)
	if w := del.post("/cases/"+id(fx.waiting)+"/wish", url.Values{"wish": {"return"}, "private": {"1"}}); w.Code != 303 {
		t.Fatalf("record wish: got %d: %s", w.Code, w.Body)
	}
	cw := fx.login(t, "bb-case")
	want(t, cw.get("/cases/"+id(fx.waiting)), 200, "heard on", "by ic-del", "private interview")
	if w := cw.post("/cases/"+id(fx.waiting)+"/transition", url.Values{"to": {"accepted"}, "source": {"letter"}}); w.Code != 303 {
		t.Fatalf("accept: got %d: %s", w.Code, w.Body)
	}
	// Moving the case back is refused and changes nothing.
	// It is shown on the case's page, next to its forms.
	want(t, cw.post("/cases/"+id(fx.waiting)+"/transition", url.Values{"to": {"acceptance_requested"}}), 409, "cannot move back",
		`id="form-error"`, `action="/cases/`+id(fx.waiting)+`/transition"`)
	want(t, cw.get("/operations/"+id(fx.op)), 200, "#"+id(fx.waiting))
	if w := cw.post("/operations/"+id(fx.op)+"/roster", url.Values{"case_id": {id(fx.waiting)}}); w.Code != 303 {
		t.Fatalf("add to roster: got %d: %s", w.Code, w.Body)
	}
	// A refused case cannot go on the roster.
	want(t, cw.post("/operations/"+id(fx.op)+"/roster", url.Values{"case_id": {id(fx.refused)}}), 409, `id="form-error"`,
		`action="/operations/`+id(fx.op)+`/roster"`)
	// A refusal nobody signed cannot verify a claim: the claim's page says
	// why, next to its form.
	want(t, del.post("/claims/"+id(fx.claim)+"/status", url.Values{"status": {"verified"}}), 409, `id="form-error"`,
		"no signed refusal", i18n.New("en").T("claim.log"))
	// The host party and the intermediary sign the refusal from its page;
	// a party signs once.
	en := i18n.New("en")
	want(t, cw.get("/cases/"+id(fx.refused)), 200, en.T("case.refusal_unsigned"), `id="sign-refusal"`)
	if w := cw.post("/cases/"+id(fx.refused)+"/refusal/sign", url.Values{}); w.Code != 303 {
		t.Fatalf("sign the refusal: got %d: %s", w.Code, w.Body)
	}
	if body := want(t, cw.get("/cases/"+id(fx.refused)), 200, en.T("case.refusal_signed_by", "BB")); strings.Contains(body, `id="sign-refusal"`) {
		t.Error("the party that signed is offered to sign again")
	}
	if w := cw.post("/cases/"+id(fx.refused)+"/refusal/sign", url.Values{}); w.Code < 400 || w.Code >= 500 {
		t.Errorf("a second signature of the same party: got %d, want a refusal", w.Code)
	}
	if w := del.post("/cases/"+id(fx.refused)+"/refusal/sign", url.Values{}); w.Code != 303 {
		t.Fatalf("the intermediary signs: got %d: %s", w.Code, w.Body)
	}
	want(t, del.get("/cases/"+id(fx.refused)), 200, en.T("case.refusal_signed_by", "BB, ICRC"))
	want(t, cw.get("/operations/"+id(fx.op)), 200, fx.people[2], i18n.New("en").T("operation.sign_roster", "BB"))
	// A claim linked to a record that does not exist is refused.
	want(t, cw.post("/claims", url.Values{"statement": {"x"}, "party": {"AA"}, "made_on": {"2026-01-02"}, "source": {"tv"}, "subject": {"refusal"},
		"links": {"case 999"}}), 422, "case 999 does not exist")
	// A caseworker of a third party sees none of it.
	aa := fx.login(t, "aa-reg")
	want(t, aa.get("/cases"), 403)
}

// TestStrandedBrowser opens the stranded-civilians page in headless
// Chromium: the longest waiting first, with the days shown.
func TestStrandedBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	if testing.Short() {
		t.Skip("a browser test")
	}
	fx := newCasesFixture(t)
	srv := httptest.NewServer(fx.h)
	defer srv.Close()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"), chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second) // a guard against a hung browser
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/cases/stranded"),
		chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "bb-case"),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Submit(chromedp.ID("f-password")),
		chromedp.WaitVisible(chromedp.ID("stranded")),
	); err != nil {
		t.Fatalf("log in and open the stranded page: %v", err)
	}
	days, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#stranded td.days")).map(td => td.dataset.days)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(days, ",") != "40,20" {
		t.Errorf("days waiting in page order = %v, want [40 20]: the longest waiting first", days)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("stranded-summary")))
	if err != nil {
		t.Fatal(err)
	}
	if want := i18n.New("en").N("stranded.summary", 2, 3); !strings.Contains(summary, want) {
		t.Errorf("summary %q lacks %q", summary, want)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`//a[normalize-space(.)="#`+id(fx.refused)+`"]`),
		chromedp.WaitVisible(chromedp.ID("days-waiting")),
	); err != nil {
		t.Fatalf("open the refused case: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("days-waiting")))
	if err != nil {
		t.Fatal(err)
	}
	if want := i18n.New("en").N("cases.days", 40); strings.TrimSpace(got) != want {
		t.Errorf("days waiting on the case page = %q, want %q", got, want)
	}
}

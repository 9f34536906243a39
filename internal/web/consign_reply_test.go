package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lifeline/internal/i18n"
)

var regexpReply = regexp.MustCompile(`/consignments/[A-Z0-9-]+/notes/\d+/reply`)

// TestNoteReplyPage: the sending party's logistics see the confirmed
// discrepancy note on their dashboard, their consignment list and the
// consignment's page, and answer it there once (RCV-3); a refusal is shown
// on the page, never as a server error.
func TestNoteReplyPage(t *testing.T) {
	t.Parallel()
	fx, ids := consignFixture(t, 2)
	pr := i18n.New("en")
	aa := fx.login(t, "aa-log")
	w := aa.post("/consignments", url.Values{"to": {"BB"}, "period": {"2026-12"}})
	if w.Code != 303 {
		t.Fatalf("create: got %d: %s", w.Code, w.Body)
	}
	page := w.Header().Get("Location")
	ref := strings.TrimPrefix(page, "/consignments/")
	aa.get(page)
	for _, step := range []struct {
		path string
		form url.Values
	}{{"/parcels", url.Values{"all": {"1"}}}, {"/seal", nil}, {"/dispatch", nil}} {
		if w := aa.post(page+step.path, step.form); w.Code != 303 {
			t.Fatalf("%s: got %d: %s", step.path, w.Code, w.Body)
		}
		aa.get(page)
	}
	del := fx.login(t, "ic-del")
	del.get(page + "/handover")
	want(t, del.post(page+"/scan", url.Values{"tracking": {ids[0]}}), 200)
	del.get(page + "/handover")
	if w := del.post(page+"/notes", url.Values{"text": {"one parcel was not in the truck"}}); w.Code != 303 {
		t.Fatalf("note: got %d: %s", w.Code, w.Body)
	}
	body := want(t, del.get(page+"/handover"), 200)
	confirm := regexpConfirm.FindString(body)
	reply := strings.TrimSuffix(confirm, "/confirm") + "/reply"
	if confirm == "" {
		t.Fatal("no confirm form")
	}

	// Not confirmed yet: no form, and a reply is refused on the page.
	body = want(t, aa.get(page), 200, "one parcel was not in the truck")
	if strings.Contains(body, pr.T("note.reply_send")) {
		t.Error("a reply form before the note is confirmed")
	}
	want(t, aa.post(reply, url.Values{"text": {"we sent two"}}), 409, pr.T("note.msg_unconfirmed", "0", "2"))
	if w := del.post(confirm, nil); w.Code != 303 {
		t.Fatalf("confirm: got %d", w.Code)
	}
	del2 := fx.login(t, "ic-del2")
	del2.get(page + "/handover")
	if w := del2.post(confirm, nil); w.Code != 303 {
		t.Fatalf("second confirm: got %d: %s", w.Code, w.Body)
	}

	// The notification: the dashboard, the list and the page.
	want(t, aa.get("/"), 200, pr.N("consign.replies_awaited", 1), `href="/consignments/`+ref+`#note"`)
	want(t, aa.get("/consignments"), 200, pr.N("consign.replies_awaited", 1), pr.T("consign.reply_awaited"))
	body = want(t, aa.get(page), 200, pr.T("note.reply_awaited"), pr.T("note.reply_text"), pr.T("note.reply_send"), `name="csrf"`)
	if regexpReply.FindString(body) != reply {
		t.Fatalf("reply form: got action %q, want %q", regexpReply.FindString(body), reply)
	}
	// The receiving party and the intermediary see the note, not the form.
	bb := fx.login(t, "bb-log")
	body = want(t, bb.get(page), 200, pr.T("note.reply_pending", "AA"))
	if strings.Contains(body, pr.T("note.reply_send")) {
		t.Error("the receiving party gets a reply form")
	}
	if body := want(t, bb.get("/"), 200); strings.Contains(body, pr.N("consign.replies_awaited", 1)) {
		t.Error("the receiving party is told to reply")
	}
	want(t, bb.post(reply, url.Values{"text": {"we agree"}}), 403, pr.T("note.msg_sender_only", "AA", ref))
	del.get(page)
	if w := del.post(reply, url.Values{"text": {"noted"}}); w.Code != 403 {
		t.Errorf("the intermediary's delegate: got %d, want 403", w.Code)
	}

	// Mistakes are shown in the form.
	aa.get(page)
	body = want(t, aa.post(reply, url.Values{"text": {"   "}}), 422, pr.T("note.msg_reply_required"), pr.T("note.reply_send"))
	if !strings.Contains(body, `id="e-text"`) {
		t.Error("the empty reply's message is not next to the field")
	}
	long := strings.Repeat("я", 2001)
	body = want(t, aa.post(reply, url.Values{"text": {long}}), 422, "2000", pr.T("note.reply_send"))
	if !strings.Contains(body, long) {
		t.Error("the refused reply's text is lost")
	}
	want(t, aa.post(page+"/notes/99999/reply", url.Values{"text": {"which note?"}}), 404)

	// The reply.
	text := "Both parcels left our depot on the 3rd; we are looking for the second."
	w = aa.post(reply, url.Values{"text": {"  " + text + "  "}})
	if w.Code != 303 || w.Header().Get("Location") != page+"#note" {
		t.Fatalf("reply: got %d %s: %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	body = want(t, aa.get(page), 200, pr.T("note.reply_title", "AA"), text)
	if strings.Contains(body, pr.T("note.reply_send")) {
		t.Error("a reply form after the reply")
	}
	want(t, bb.get(page), 200, pr.T("note.reply_title", "AA"), text)
	want(t, aa.post(reply, url.Values{"text": {"a second answer"}}), 409, "AA already replied", text)
	if body := want(t, aa.get("/"), 200); strings.Contains(body, pr.N("consign.replies_awaited", 1)) {
		t.Error("the dashboard still asks for the reply")
	}
	if body := want(t, aa.get("/consignments"), 200); strings.Contains(body, pr.T("consign.reply_awaited")) {
		t.Error("the list still marks the consignment")
	}
	// In Russian, a refusal comes in Russian.
	aa.post("/lang", url.Values{"lang": {"ru"}, "next": {"/"}})
	aa.get(page)
	ru := i18n.New("ru")
	want(t, aa.post(reply, url.Values{"text": {"ещё"}}), 409, strings.SplitN(ru.T("note.msg_replied", "AA", "x"), "x", 2)[0], ru.T("note.reply_title", "AA"))
}

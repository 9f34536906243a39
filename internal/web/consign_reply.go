package web

import (
	"net/http"
	"regexp"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
)

func init() {
	messageKeys["write the reply"] = "note.msg_reply_required"
	messagePatterns = append(messagePatterns,
		struct {
			re  *regexp.Regexp
			key string
		}{regexp.MustCompile(`^(\S+) already replied to this discrepancy note on (.+); a note is answered once$`), "note.msg_replied"},
		struct {
			re  *regexp.Regexp
			key string
		}{regexp.MustCompile(`^the discrepancy note is not confirmed yet \((\d+) of (\d+) confirmations\): the sending party replies to a confirmed note$`), "note.msg_unconfirmed"},
		struct {
			re  *regexp.Regexp
			key string
		}{regexp.MustCompile(`^only the sending party \((\S+)\) replies to the discrepancy note of consignment (\S+)$`), "note.msg_sender_only"},
		struct {
			re  *regexp.Regexp
			key string
		}{regexp.MustCompile(`^a newer discrepancy note \((\d+)\) replaced note (\d+): reply to the newer one$`), "note.msg_newer"},
	)
}

// consignReply is the sending party's reply to the confirmed discrepancy
// note (RCV-3). A refusal is shown in the reply form on the consignment's
// page.
func (u *UI) consignReply(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	id, err := pathInt(r, "id")
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignReply", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	if _, err := u.api().ReplyNote(r.Context(), httpx.Principal(r), c.Ref, id, api.NoteReplyInput{Text: f.Raw("text")}); err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
			Error(w, r, err)
			return
		}
		f.setErr(printer(r), err, "text")
		if fresh, ferr := u.db.Consignment(r.Context(), c.Ref); ferr == nil {
			c = fresh
		}
		u.renderConsignReply(w, r, httpx.Status(k), c, "", f)
		return
	}
	redirect(w, r, "/consignments/"+c.Ref+"#note")
}

// repliesAwaited returns the consignments of the caller's party whose
// confirmed discrepancy note waits for the party's reply: nil for a
// caller who does not reply (the intermediary, a role without
// consignments).
func (u *UI) repliesAwaited(r *http.Request) ([]string, error) {
	p := httpx.Principal(r)
	if !p.Can(auth.Consignments) || p.Intermediary || p.Party == "" {
		return nil, nil
	}
	return u.db.NotesAwaitingReply(r.Context(), p.Party)
}

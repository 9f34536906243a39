package consignments

import (
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Reply is the dispatching side's answer to a discrepancy note (RCV-3, the
// reply to a UPU verification note): what the sending party says about the
// missing, extra or damaged parcels. It leaves the note's quantities as
// they were.
type Reply struct {
	Text   string    `json:"text"`
	Party  string    `json:"party"`
	UserID int64     `json:"user_id"`
	At     time.Time `json:"at"`
}

// MaxReplyLen is the longest reply, in characters.
const MaxReplyLen = 2000

// AwaitsReply reports whether n waits for the sending party's reply: it is
// confirmed by two people and not answered yet.
func (n *Note) AwaitsReply() bool { return n.Confirmed() && n.Reply == nil }

// Answer records the reply of user of party to note n of consignment c.
// Only the consignment's sending party replies, only to a note confirmed
// by two people, and only once; the text is required. n changes only when
// the reply is accepted, and never in its quantities.
func (n *Note) Answer(c Consignment, party string, user int64, text string, at time.Time) error {
	const op = "consignments.Note.Answer"
	switch {
	case n.Ref != c.Ref:
		return errs.E(op, errs.Invalid, "note %d is about consignment %s, not %s", n.ID, n.Ref, c.Ref)
	case party == "" || party != c.From:
		return errs.E(op, errs.Forbidden, "only the sending party (%s) replies to the discrepancy note of consignment %s", c.From, c.Ref)
	case user == 0:
		return errs.E(op, errs.Forbidden, "a reply is given by a named user")
	case n.Reply != nil:
		return errs.E(op, errs.Conflict, "%s already replied to this discrepancy note on %s; a note is answered once",
			n.Reply.Party, n.Reply.At.Format("2006-01-02 15:04 UTC"))
	case !n.Confirmed():
		return errs.E(op, errs.Conflict, "the discrepancy note is not confirmed yet (%d of %d confirmations): the sending party replies to a confirmed note",
			len(n.Confirmations), ConfirmationsNeeded)
	}
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return errs.Fields(op, map[string]string{"text": "write the reply"})
	case utf8.RuneCountInString(text) > MaxReplyLen:
		return errs.Fields(op, map[string]string{"text": "at most 2000 characters"})
	}
	n.Reply = &Reply{Text: text, Party: party, UserID: user, At: at.UTC()}
	return nil
}

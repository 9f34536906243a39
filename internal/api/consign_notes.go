package api

import (
	"context"
	"net/http"

	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

// NoteReplyInput is the body of POST /consignments/{ref}/notes/{id}/reply.
type NoteReplyInput struct {
	Text string `json:"text"`
}

// ReplyNote records the sending party's reply to the confirmed discrepancy
// note id of consignment ref (RCV-3) and returns the note with its reply.
func (a *API) ReplyNote(ctx context.Context, p *auth.Principal, ref string, id int64, in NoteReplyInput) (*consignments.Note, error) {
	var n *consignments.Note
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.ReplyNote(ctx, actorOf(p), ref, id, in.Text)
		return err
	})
	return n, err
}

func (a *API) replyNote(w http.ResponseWriter, r *http.Request) {
	var in NoteReplyInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	n, err := a.ReplyNote(r.Context(), httpx.Principal(r), c.Ref, id, in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, n)
}

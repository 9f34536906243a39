package web

import (
	"net/http"
	"strconv"
	"strings"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/store"
)

// scanFeedback is the answer to the last scan: green or red, and why.
type scanFeedback struct {
	OK       bool
	Tracking string
	Message  string
}

type consignScanPage struct {
	C        *store.Consignment
	Counts   consignments.Counts
	Last     *scanFeedback
	Rec      api.ReconciliationView
	CanScan  bool
	NoteForm *Form
	Confirm  bool // the caller may confirm the note
}

func (u *UI) consignScanShow(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	u.renderScan(w, r, http.StatusOK, c, nil, nil)
}

func (u *UI) renderScan(w http.ResponseWriter, r *http.Request, st int, c *store.Consignment, last *scanFeedback, noteForm *Form) {
	ctx := r.Context()
	me := httpx.Principal(r)
	d := consignScanPage{C: c, Last: last, NoteForm: noteForm, CanScan: c.State == consignments.Dispatched && takes(me, c, consignments.StepHandover, auth.Handover)}
	var err error
	if d.Counts, err = u.db.HandoverCounts(ctx, c); err != nil {
		Error(w, r, err)
		return
	}
	if d.Rec, err = u.api().Reconciliation(ctx, c); err != nil {
		Error(w, r, err)
		return
	}
	if d.NoteForm == nil {
		d.NoteForm = newForm(nil)
	}
	if n := d.Rec.Note; n != nil && !n.Confirmed() && c.State == consignments.Dispatched {
		d.Confirm = true
		for _, cf := range n.Confirmations {
			if cf.UserID == me.UserID {
				d.Confirm = false
			}
		}
	}
	render(w, r, st, "consign_scan", printer(r).T("handover.title", c.Ref), d)
}

// scanJSON is the answer to the page's script.
type scanJSON struct {
	OK       bool                `json:"ok"`
	Outcome  string              `json:"outcome,omitempty"`
	Tracking string              `json:"tracking"`
	Message  string              `json:"message"`
	Counts   consignments.Counts `json:"counts"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

var outcomeKeys = map[consignments.ScanOutcome]string{
	consignments.ScanExpected:  "handover.outcome_expected",
	consignments.ScanDamaged:   "handover.outcome_damaged",
	consignments.ScanExtra:     "handover.outcome_extra",
	consignments.ScanDuplicate: "handover.outcome_duplicate",
}

func outcomeMessage(pr *i18n.Printer, o consignments.ScanOutcome, tracking string) string {
	return pr.T(outcomeKeys[o], tracking)
}

func (u *UI) consignScan(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignScan", errs.Invalid, err))
		return
	}
	pr := printer(r)
	tracking := strings.TrimSpace(r.PostForm.Get("tracking"))
	res, err := u.api().Scan(r.Context(), httpx.Principal(r), c.Ref, api.ScanInput{Tracking: tracking, Damaged: r.PostForm.Get("damaged") != ""})
	fb := &scanFeedback{Tracking: tracking}
	st := http.StatusOK
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
			Error(w, r, err)
			return
		}
		st = httpx.Status(k)
		fb.Message = message(pr, errs.MessageOf(err))
		if f := errs.FieldsOf(err); f["tracking"] != "" {
			fb.Message = pr.T("handover.bad_tracking", tracking)
		}
	} else {
		fb.OK, fb.Tracking, fb.Message = res.OK, res.Tracking, outcomeMessage(pr, res.Outcome, res.Tracking)
	}
	if wantsJSON(r) {
		out := scanJSON{OK: fb.OK, Tracking: fb.Tracking, Message: fb.Message}
		if res != nil {
			out.Outcome, out.Counts = string(res.Outcome), res.Counts
		} else if n, cerr := u.db.HandoverCounts(r.Context(), c); cerr == nil {
			out.Counts = n
		}
		httpx.WriteJSON(w, st, out)
		return
	}
	u.renderScan(w, r, st, c, fb, nil)
}

func (u *UI) consignNote(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignNote", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	err = u.db.Tx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.AddNote(r.Context(), actorOf(r), c.Ref, f.Get("text"))
		return err
	})
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
			Error(w, r, err)
			return
		}
		f.setErr(printer(r), err, "text")
		u.renderScan(w, r, httpx.Status(k), c, nil, f)
		return
	}
	redirect(w, r, "/consignments/"+c.Ref+"/handover#note")
}

func actorOf(r *http.Request) store.Actor { return api.Actor(r) }

func (u *UI) consignConfirm(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		NotFound(w, r)
		return
	}
	err = u.db.Tx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.ConfirmNote(r.Context(), actorOf(r), c.Ref, id)
		return err
	})
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Conflict && k != errs.Forbidden {
			Error(w, r, err)
			return
		}
		u.renderScan(w, r, httpx.Status(k), c, &scanFeedback{Message: message(printer(r), errs.MessageOf(err))}, nil)
		return
	}
	redirect(w, r, "/consignments/"+c.Ref+"/handover#note")
}

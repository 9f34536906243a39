package web

import (
	"bytes"
	"net/http"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

// consignCan says which steps the caller may take on the page.
type consignCan struct {
	Add, Seal, Dispatch, Handover, Countersign, Deliver, Return, Report bool
	// Reply: answer the confirmed discrepancy note (the sending party).
	Reply bool
}

type consignPage struct {
	C       *store.Consignment
	Counts  *consignments.Counts
	Lines   []store.ConsignmentLine
	Bundles []store.BundleInfo
	Note    *consignments.Note
	Reply   *Form // the reply to the note, when Can.Reply
	Can     consignCan
	Alert   string
	Steps   []consignStepView
}

// consignStepView is one step of the consignment's timeline.
type consignStepView struct {
	State consignments.State
	Done  bool
	At    any
}

func (u *UI) consignShow(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	u.renderConsign(w, r, http.StatusOK, c, "")
}

func (u *UI) renderConsign(w http.ResponseWriter, r *http.Request, st int, c *store.Consignment, alert string) {
	u.renderConsignReply(w, r, st, c, alert, nil)
}

// renderConsignReply renders the consignment's page with reply as the
// form of the reply to its discrepancy note (nil for an empty one).
func (u *UI) renderConsignReply(w http.ResponseWriter, r *http.Request, st int, c *store.Consignment, alert string, reply *Form) {
	ctx := r.Context()
	me := httpx.Principal(r)
	d := consignPage{C: c, Alert: alert, Reply: reply}
	if d.Reply == nil {
		d.Reply = newForm(nil)
	}
	var err error
	if d.Lines, err = u.db.ConsignmentLines(ctx, c.ID); err != nil {
		Error(w, r, err)
		return
	}
	if d.Bundles, err = u.db.BundleInfos(ctx, c.Ref); err != nil {
		Error(w, r, err)
		return
	}
	if c.State.AtLeast(consignments.Dispatched) {
		n, err := u.db.HandoverCounts(ctx, c)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.Counts = &n
	}
	if n, err := u.db.LatestNote(ctx, c); err == nil {
		d.Note = n
	} else if !errs.Is(err, errs.NotFound) {
		Error(w, r, err)
		return
	}
	d.Can = consignCan{
		Add:         c.State == consignments.Draft && c.Kind == consignments.Outbound && takes(me, c, consignments.StepPrepare, auth.Consignments),
		Seal:        c.State == consignments.Draft && c.Parcels > 0 && takes(me, c, consignments.StepPrepare, auth.Consignments),
		Dispatch:    c.State == consignments.Sealed && takes(me, c, consignments.StepPrepare, auth.Consignments),
		Handover:    c.State == consignments.Dispatched && takes(me, c, consignments.StepHandover, auth.Handover),
		Countersign: c.State == consignments.HandedOver && takes(me, c, consignments.StepCountersign, auth.Consignments),
		Deliver:     c.State == consignments.Receipted && c.Kind == consignments.Outbound && takes(me, c, consignments.StepDeliver, auth.Delivery),
		Return:      c.State == consignments.Receipted && c.Kind == consignments.Outbound && takes(me, c, consignments.StepDeliver, auth.Consignments),
		Report:      c.State.AtLeast(consignments.Receipted) && c.Kind == consignments.Outbound && takes(me, c, consignments.StepDeliver, auth.Consignments),
		Reply:       d.Note != nil && d.Note.AwaitsReply() && takes(me, c, consignments.StepReply, auth.Consignments),
	}
	if !d.Can.Reply && reply != nil && reply.Error != "" && d.Alert == "" {
		// The refused reply has no form to show its message in (a second
		// reply, a note not confirmed, another party): show it at the top.
		d.Alert = reply.Error
	}
	times := map[consignments.State]any{consignments.Draft: c.CreatedAt, consignments.Sealed: c.SealedAt, consignments.Dispatched: c.DispatchedAt,
		consignments.HandedOver: c.HandedOverAt, consignments.Receipted: c.ReceiptedAt, consignments.Closed: c.ClosedAt}
	for _, s := range consignments.States {
		d.Steps = append(d.Steps, consignStepView{State: s, Done: c.State.AtLeast(s), At: times[s]})
	}
	render(w, r, st, "consign_show", c.Ref, d)
}

// ConsignState translates a consignment state.
func (pg *Page) ConsignState(s consignments.State) string {
	return pg.p.T("consign_state." + string(s))
}

// ParcelState translates a parcel state.
func (pg *Page) ParcelState(s consignments.ParcelState) string {
	return pg.p.T("parcel_state." + string(s))
}

// BundleKind translates the kind of a signed document.
func (pg *Page) BundleKind(k string) string { return pg.p.T("bundle_kind." + k) }

// consignFail shows err on the consignment's page, or the error page when
// it is not about the consignment's state or the input.
func (u *UI) consignFail(w http.ResponseWriter, r *http.Request, c *store.Consignment, err error) {
	k := errs.KindOf(err)
	if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		Error(w, r, err)
		return
	}
	msg := message(printer(r), errs.MessageOf(err))
	for _, f := range sortedKeys(errs.FieldsOf(err)) {
		msg += " " + f + ": " + message(printer(r), errs.FieldsOf(err)[f])
	}
	if fresh, ferr := u.db.Consignment(r.Context(), c.Ref); ferr == nil {
		c = fresh
	}
	u.renderConsign(w, r, httpx.Status(k), c, msg)
}

func (u *UI) consignStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := u.visibleConsignment(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		_, ref, err := u.api().Step(r.Context(), httpx.Principal(r), c.Ref, step)
		if err != nil {
			u.consignFail(w, r, c, err)
			return
		}
		redirect(w, r, "/consignments/"+ref)
	}
}

func (u *UI) consignAddParcels(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignAddParcels", errs.Invalid, err))
		return
	}
	in := apiParcels(r.PostForm.Get("tracking"), r.PostForm.Get("all") != "")
	if _, err := u.api().AddParcels(r.Context(), httpx.Principal(r), c.Ref, in); err != nil {
		u.consignFail(w, r, c, err)
		return
	}
	redirect(w, r, "/consignments/"+c.Ref+"#add")
}

// consignFile serves the documents of a consignment to the browser.
func (u *UI) consignFile(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	ctx := r.Context()
	name := r.PathValue("file")
	base, ext, _ := strings.Cut(name, ".")
	var body []byte
	ctype := "text/csv; charset=utf-8"
	switch {
	case base == "manifest" && ext == "pdf":
		body, err = u.api().ManifestPDF(ctx, c)
		ctype = "application/pdf"
	case base == "receipt" && ext == "pdf":
		body, err = u.api().ReceiptPDF(ctx, c)
		ctype = "application/pdf"
	case base == "manifest" && ext == "csv":
		var m consignments.Manifest
		if m, _, err = u.db.Manifest(ctx, c.Ref); err == nil {
			var buf bytes.Buffer
			err = m.WriteCSV(&buf)
			body = buf.Bytes()
		}
	case base == "events" && ext == "csv":
		var ev []consignments.UPUEvent
		if ev, err = u.db.ConsignmentUPU(ctx, c); err == nil {
			var buf bytes.Buffer
			err = consignments.WriteUPUCSV(&buf, ev)
			body = buf.Bytes()
		}
	case ext == "bundle":
		kind := base
		if kind != sign.KindManifest && kind != sign.KindHandoverReceipt && kind != sign.KindDeliveryReport {
			NotFound(w, r)
			return
		}
		var b *sign.Bundle
		if b, err = u.db.ExportBundle(ctx, c.Ref, kind); err == nil {
			body, err = b.Marshal()
		}
		ctype = "application/json"
	default:
		NotFound(w, r)
		return
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+c.Ref+"-"+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/store"
)

type consignDeliveryPage struct {
	C        *store.Consignment
	Form     *Form
	CSV      *Form
	Done     string // what the last delivery did
	Lines    []store.ConsignmentLine
	Outcomes []Option
	AckKinds []Option
	Reasons  []Option
	Actions  []Option
	CanAct   bool
}

var deliveryFields = []string{"tracking", "outcome", "ack_kind", "ack_ref", "reason", "action", "new_facility", "note", "at"}

func deliveryOptions(pr *i18n.Printer, d *consignDeliveryPage) {
	for _, o := range []consignments.Outcome{consignments.Delivered, consignments.Undeliverable} {
		d.Outcomes = append(d.Outcomes, Option{string(o), pr.T("delivery_outcome." + string(o))})
	}
	d.AckKinds = []Option{{"", ""}}
	for _, k := range []consignments.AckKind{consignments.AckSignedSlip, consignments.AckRepresentative} {
		d.AckKinds = append(d.AckKinds, Option{string(k), pr.T("ack_kind." + string(k))})
	}
	d.Reasons = []Option{{"", ""}}
	for _, r := range consignments.Reasons {
		d.Reasons = append(d.Reasons, Option{string(r), pr.T("delivery_reason." + string(r))})
	}
	d.Actions = []Option{{"", ""}}
	for _, a := range consignments.Actions {
		d.Actions = append(d.Actions, Option{string(a), pr.T("delivery_action." + string(a))})
	}
}

func (u *UI) consignDeliveryShow(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	u.renderDelivery(w, r, http.StatusOK, c, nil, nil, r.URL.Query().Get("done"))
}

func (u *UI) renderDelivery(w http.ResponseWriter, r *http.Request, st int, c *store.Consignment, f, csv *Form, done string) {
	pr := printer(r)
	me := httpx.Principal(r)
	d := consignDeliveryPage{C: c, Form: f, CSV: csv, CanAct: c.State == consignments.Receipted && takes(me, c, consignments.StepDeliver, auth.Delivery)}
	if d.Form == nil {
		d.Form = newForm(nil)
		d.Form.Values.Set("outcome", string(consignments.Delivered))
		d.Form.Values.Set("ack_kind", string(consignments.AckSignedSlip))
	}
	if d.CSV == nil {
		d.CSV = newForm(nil)
	}
	if done != "" {
		d.Done = pr.T("delivery.done", done)
	}
	deliveryOptions(pr, &d)
	var err error
	if d.Lines, err = u.db.ConsignmentLines(r.Context(), c.ID); err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, st, "consign_delivery", pr.T("delivery.title", c.Ref), d)
}

func (u *UI) consignDeliver(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignDeliver", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	d := consignments.Delivery{Tracking: f.Get("tracking"), Outcome: consignments.Outcome(f.Get("outcome")), AckKind: consignments.AckKind(f.Get("ack_kind")),
		AckRef: f.Get("ack_ref"), Reason: consignments.Reason(f.Get("reason")), Action: consignments.Action(f.Get("action")),
		NewFacility: f.Get("new_facility"), Note: f.Get("note")}
	if d.Outcome == consignments.Undeliverable {
		d.AckKind, d.AckRef = "", ""
	}
	res, err := u.api().RecordDelivery(r.Context(), httpx.Principal(r), c.Ref, d)
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden && k != errs.NotFound {
			Error(w, r, err)
			return
		}
		f.setErr(printer(r), err, deliveryFields...)
		u.renderDelivery(w, r, httpx.Status(k), c, f, nil, "")
		return
	}
	redirect(w, r, "/consignments/"+c.Ref+"/deliveries?done="+res.Tracking)
}

func (u *UI) consignDeliverCSV(w http.ResponseWriter, r *http.Request) {
	c, err := u.visibleConsignment(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.consignDeliverCSV", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	csv := strings.TrimSpace(f.Raw("csv")) + "\n"
	counts, err := u.api().RecordDeliveriesCSV(r.Context(), httpx.Principal(r), c.Ref, []byte(csv))
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden && k != errs.NotFound && k != errs.TooLarge {
			Error(w, r, err)
			return
		}
		// Every error names its line and column: show them all.
		pr := printer(r)
		f.Error = message(pr, errs.MessageOf(err))
		fm := errs.FieldsOf(err)
		for _, k := range sortedKeys(fm) {
			f.Error += " " + k + ": " + message(pr, fm[k]) + "."
		}
		u.renderDelivery(w, r, httpx.Status(k), c, nil, f, "")
		return
	}
	n := 0
	for _, v := range counts {
		n += v
	}
	redirect(w, r, "/consignments/"+c.Ref+"/deliveries?done="+strconv.Itoa(n))
}

package pdf

import (
	"io"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// DefaultNotice is the privacy notice printed on receipt slips (DP-7),
// one paragraph a string.
var DefaultNotice = []string{
	"Privacy notice. The details you gave us are used only to deliver this item to your relative and to answer your questions about it, for humanitarian purposes.",
	"They are shared only with the offices that carry the mail: the ombudsman of each side and the neutral intermediary. You may ask to see, correct or delete them.",
	"The tracking page shows the item's progress only, never where your relative is held. Keep this slip and do not share the PIN.",
}

// ReceiptSlip is the slip given to a family member who handed in an item.
// It carries no information about the recipient's place of detention.
type ReceiptSlip struct {
	Tracking string    // S10 tracking number of the item
	PIN      string    // six digits, for the public tracking page
	Date     time.Time // when the item was received; also the PDF creation date
	Kind     string    // letter, card, photograph, drawing or legal_document
	Office   string    // the collection point that took the item in; may be empty
	BaseURL  string    // public address of the node, e.g. "https://lifeline.example.org"; may be empty
	Notice   []string  // privacy notice paragraphs; DefaultNotice when nil
}

// Receipt slip size: A6.
const (
	slipW = 105.0
	slipH = 148.0
)

func (r ReceiptSlip) check(op string) (ReceiptSlip, error) {
	bad := map[string]string{}
	id, err := checkTracking(op, "tracking", r.Tracking)
	if err != nil {
		bad["tracking"] = errs.FieldsOf(err)["tracking"]
	}
	r.Tracking = id
	if len(r.PIN) != 6 || strings.Trim(r.PIN, "0123456789") != "" {
		bad["pin"] = "the PIN must be six digits"
	}
	if r.Date.IsZero() {
		bad["date"] = "the date is missing"
	}
	if _, ok := kindNames[r.Kind]; !ok {
		bad["kind"] = "kind is not letter, card, photograph, drawing or legal_document"
	}
	if len(bad) > 0 {
		return r, errs.Fields(op, bad)
	}
	if r.Notice == nil {
		r.Notice = DefaultNotice
	}
	return r, nil
}

func renderReceiptSlip(op string, r ReceiptSlip) (*doc, error) {
	r, err := r.check(op)
	if err != nil {
		return nil, err
	}
	d, err := newDoc(op, slipW, slipH, "Receipt "+r.Tracking, r.Date)
	if err != nil {
		return nil, err
	}
	const m = 7.0
	w := slipW - 2*m
	d.page()
	y := m
	d.font(true, 12)
	d.text(m, y, w, "L", "Receipt for family mail")
	y += d.lineH()
	if o := strings.TrimSpace(r.Office); o != "" {
		d.font(false, 9)
		d.text(m, y, w, "L", o)
		y += d.lineH()
	}
	y += 2
	if err := d.barcode(m, y, w, 13, r.Tracking); err != nil {
		return nil, errs.Wrap(op, err)
	}
	y += 14
	d.font(true, 12)
	d.text(m, y, w, "C", tracking(r.Tracking))
	y += d.lineH() + 2

	cols := []column{{m, 30, "L"}, {m + 30, w - 30, "L"}}
	d.font(false, 10)
	d.row(y, cols, "Item:", kindNames[r.Kind])
	y += d.lineH()
	d.row(y, cols, "Received:", date(r.Date))
	y += d.lineH()
	pin := r.PIN[:3] + " " + r.PIN[3:]
	d.cell(m, y, 30, "L", "PIN:")
	d.font(true, 14)
	d.cell(m+30, y-0.6, w-30, "L", pin)
	d.lines = append(d.lines, "PIN: | "+pin)
	y += d.lineH() + 1

	d.font(false, 9)
	url := strings.TrimRight(strings.TrimSpace(r.BaseURL), "/") + "/track"
	y = d.wrap(m, y, w, 0, "Follow your item at "+url+" with the tracking number and the PIN.")
	y += 1
	d.hline(m, m+w, y)
	y += 1.5
	d.font(false, 7.5)
	for _, p := range r.Notice {
		y = d.wrap(m, y, w, 0, p)
		y += 0.8
	}
	if y > slipH-m {
		return nil, errs.E(op, errs.Invalid, "the privacy notice is too long for the slip")
	}
	return d, nil
}

// WriteReceiptSlip writes the receipt slip for a handed-in item as an A6 PDF.
func WriteReceiptSlip(w io.Writer, r ReceiptSlip) error {
	const op = "pdf.WriteReceiptSlip"
	d, err := renderReceiptSlip(op, r)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// ReceiptSlipText returns the text model of WriteReceiptSlip.
func ReceiptSlipText(r ReceiptSlip) ([]string, error) {
	const op = "pdf.ReceiptSlipText"
	d, err := renderReceiptSlip(op, r)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

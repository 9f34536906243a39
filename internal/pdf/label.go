package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// Party is a party, an office or an organisation as printed.
type Party struct {
	Name    string // e.g. "Ombudsman of Ukraine"
	Address string // one line; may be empty
}

// Label is the address label of one parcel.
type Label struct {
	Tracking     string    // S10 tracking number of the parcel
	Recipient    Name      // the addressee
	RecipientRef string    // registry reference or service number; may be empty
	Facility     string    // the addressee's place of detention
	Address      []string  // the facility's postal address, one line each
	Sender       Party     // the sending party
	Items        int       // items in the parcel
	WeightGrams  int       // weight of the sealed parcel
	Date         time.Time // printed, and the creation date of a one-label PDF
}

// Label size: six labels on an A4 sheet, two across and three down.
const (
	labelW    = a4W / 2
	labelH    = a4H / 3
	labelsPer = 6
)

func (l Label) check(op string, field string) (Label, error) {
	bad := map[string]string{}
	id, err := checkTracking(op, "tracking", l.Tracking)
	if err != nil {
		bad[field+"tracking"] = errs.FieldsOf(err)["tracking"]
	}
	l.Tracking = id
	if len(l.Recipient.lines()) == 0 {
		bad[field+"recipient"] = "the recipient's name is missing"
	}
	if strings.TrimSpace(l.Facility) == "" {
		bad[field+"facility"] = "the facility is missing"
	}
	if strings.TrimSpace(l.Sender.Name) == "" {
		bad[field+"sender"] = "the sending party is missing"
	}
	if l.Items < 0 {
		bad[field+"items"] = "the item count is negative"
	}
	if l.WeightGrams < 0 {
		bad[field+"weight"] = "the weight is negative"
	}
	if l.Date.IsZero() {
		bad[field+"date"] = "the date is missing"
	}
	if len(bad) > 0 {
		return l, errs.Fields(op, bad)
	}
	return l, nil
}

// drawLabel draws one label in the box whose top left corner is (x, y).
func (d *doc) drawLabel(x, y float64, l Label) error {
	const m = 5.0
	w := labelW - 2*m
	x += m
	cy := y + m

	d.font(true, 7)
	d.text(x, cy, w, "L", "From: "+strings.TrimSpace(l.Sender.Name))
	cy += d.lineH()
	if a := strings.TrimSpace(l.Sender.Address); a != "" {
		d.font(false, 7)
		d.text(x, cy, w, "L", a)
	}
	cy = y + 14
	if err := d.barcode(x, cy, w, 15, l.Tracking); err != nil {
		return err
	}
	cy += 16
	d.font(true, 12)
	d.text(x, cy, w, "C", tracking(l.Tracking))
	cy += d.lineH() + 1
	d.hline(x, x+w, cy)
	cy += 1.5

	d.font(true, 7)
	d.text(x, cy, w, "L", "To:")
	cy += d.lineH()
	for i, s := range l.Recipient.lines() {
		if i == 0 {
			d.fit(x, cy, w, true, 13, 8, "L", s)
		} else {
			d.fit(x, cy, w, false, 10, 7, "L", s)
		}
		cy += d.lineH()
	}
	if ref := strings.TrimSpace(l.RecipientRef); ref != "" {
		d.font(false, 8)
		d.text(x, cy, w, "L", "Ref. "+ref)
		cy += d.lineH()
	}
	d.fit(x, cy, w, true, 9, 7, "L", strings.TrimSpace(l.Facility))
	cy += d.lineH()
	d.font(false, 9)
	bottom := y + labelH - m - 5
	for _, a := range l.Address {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if cy+d.lineH() > bottom {
			break
		}
		d.text(x, cy, w, "L", a)
		cy += d.lineH()
	}

	d.hline(x, x+w, bottom)
	d.font(false, 8)
	third := w / 3
	d.row(bottom+0.8, []column{{x, third, "L"}, {x + third, third, "C"}, {x + 2*third, third, "R"}},
		"Items: "+strconv.Itoa(l.Items), "Weight: "+kg(l.WeightGrams), date(l.Date))
	return nil
}

func renderLabels(op string, labels []Label, sheet bool) (*doc, error) {
	if len(labels) == 0 {
		return nil, errs.E(op, errs.Invalid, "no labels to print")
	}
	checked := make([]Label, len(labels))
	var created time.Time
	for i, l := range labels {
		field := ""
		if sheet {
			field = "labels[" + strconv.Itoa(i) + "]."
		}
		c, err := l.check(op, field)
		if err != nil {
			return nil, err
		}
		checked[i] = c
		if c.Date.After(created) {
			created = c.Date
		}
	}
	w, h := labelW, labelH
	title := "Label " + checked[0].Tracking
	if sheet {
		w, h = a4W, a4H
		title = "Labels"
	}
	d, err := newDoc(op, w, h, title, created)
	if err != nil {
		return nil, err
	}
	for i, l := range checked {
		var x, y float64
		if sheet {
			slot := i % labelsPer
			if slot == 0 {
				d.page()
				d.cutMarks()
			}
			x, y = float64(slot%2)*labelW, float64(slot/2)*labelH
		} else {
			d.page()
		}
		if err := d.drawLabel(x, y, l); err != nil {
			return nil, errs.Wrap(op, err)
		}
	}
	return d, nil
}

// cutMarks draws thin grey lines between the labels of a sheet.
func (d *doc) cutMarks() {
	d.f.SetDrawColor(180, 180, 180)
	d.f.SetLineWidth(0.1)
	d.f.Line(labelW, 0, labelW, a4H)
	for r := 1; r < labelsPer/2; r++ {
		d.hline(0, a4W, float64(r)*labelH)
	}
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetLineWidth(0.2)
}

// WriteLabel writes the label of one parcel as a PDF page of label size
// (105 × 99 mm).
func WriteLabel(w io.Writer, l Label) error {
	const op = "pdf.WriteLabel"
	d, err := renderLabels(op, []Label{l}, false)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// LabelText returns the text model of WriteLabel.
func LabelText(l Label) ([]string, error) {
	const op = "pdf.LabelText"
	d, err := renderLabels(op, []Label{l}, false)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

// WriteLabelSheets writes the labels of a batch on A4 sheets, six to a
// page. The PDF's creation date is the latest label date.
func WriteLabelSheets(w io.Writer, labels []Label) error {
	const op = "pdf.WriteLabelSheets"
	d, err := renderLabels(op, labels, true)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// LabelSheetsText returns the text model of WriteLabelSheets.
func LabelSheetsText(labels []Label) ([]string, error) {
	const op = "pdf.LabelSheetsText"
	d, err := renderLabels(op, labels, true)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

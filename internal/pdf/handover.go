package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// Signature is one signature on a handover receipt.
type Signature struct {
	Role  string    // e.g. "intermediary", "receiving party"
	Name  string    // the person who signed
	Party string    // the party or organisation they sign for
	KeyID string    // the signing key's id
	Time  time.Time // when they signed
}

// HandoverReceipt records the handover of a consignment at the exchange
// point: what was expected, what was scanned, and who signed.
type HandoverReceipt struct {
	Reference  string    // consignment reference
	Date       time.Time // time of the handover; also the PDF creation date
	Place      string    // the exchange point; may be empty
	From       Party     // the sending party
	To         Party     // the receiving party
	Via        Party     // the intermediary
	Expected   int       // parcels on the manifest
	Scanned    int       // parcels scanned at the handover
	Missing    []string  // tracking numbers expected but not scanned
	Extra      []string  // tracking numbers scanned but not expected
	Damaged    []string  // tracking numbers scanned and damaged
	Note       string    // the discrepancy note; may be empty
	Signatures []Signature
}

func (h HandoverReceipt) check(op string) (HandoverReceipt, error) {
	bad := map[string]string{}
	if strings.TrimSpace(h.Reference) == "" {
		bad["reference"] = "the reference is missing"
	}
	if h.Date.IsZero() {
		bad["date"] = "the date is missing"
	}
	if h.Expected < 0 {
		bad["expected"] = "the count is negative"
	}
	if h.Scanned < 0 {
		bad["scanned"] = "the count is negative"
	}
	for f, list := range map[string]*[]string{"missing": &h.Missing, "extra": &h.Extra, "damaged": &h.Damaged} {
		out := make([]string, len(*list))
		for i, id := range *list {
			n, err := checkTracking(op, "tracking", id)
			if err != nil {
				bad[f+"["+strconv.Itoa(i)+"]"] = errs.FieldsOf(err)["tracking"]
			}
			out[i] = n
		}
		*list = out
	}
	for i, s := range h.Signatures {
		if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.KeyID) == "" || s.Time.IsZero() {
			bad["signatures["+strconv.Itoa(i)+"]"] = "a signature needs a name, a key id and a time"
		}
	}
	if len(bad) > 0 {
		return h, errs.Fields(op, bad)
	}
	return h, nil
}

func renderHandover(op string, h HandoverReceipt) (*doc, error) {
	h, err := h.check(op)
	if err != nil {
		return nil, err
	}
	d, err := newDoc(op, a4W, a4H, "Handover receipt "+h.Reference, h.Date)
	if err != nil {
		return nil, err
	}
	fl := &flow{d: d}
	fl.header = func() float64 {
		d.font(true, 11)
		d.text(margin, margin, bodyW, "L", "Handover receipt "+h.Reference+" (continued)")
		d.font(false, 10)
		return margin + 10
	}
	d.page()
	fl.y = margin
	d.font(true, 16)
	fl.line(margin, bodyW, "L", "Handover receipt")
	fl.y += 3
	cols := []column{{margin, 35, "L"}, {margin + 35, bodyW - 35, "L"}}
	d.font(false, 10)
	for _, kv := range [][2]string{
		{"Consignment", h.Reference},
		{"Handed over", stamp(h.Date)},
		{"Place", h.Place},
		{"From", party(h.From)},
		{"To", party(h.To)},
		{"Via", party(h.Via)},
	} {
		if strings.TrimSpace(kv[1]) == "" {
			continue
		}
		d.row(fl.y, cols, kv[0]+":", kv[1])
		fl.y += d.lineH()
	}
	fl.y += 3

	counts := []column{{margin, 36, "L"}, {margin + 36, 36, "L"}, {margin + 72, 36, "L"}, {margin + 108, 36, "L"}, {margin + 144, 36, "L"}}
	d.font(true, 10)
	d.row(fl.y, counts, "Expected", "Scanned", "Missing", "Extra", "Damaged")
	fl.y += d.lineH()
	d.font(false, 12)
	d.row(fl.y, counts, strconv.Itoa(h.Expected), strconv.Itoa(h.Scanned),
		strconv.Itoa(len(h.Missing)), strconv.Itoa(len(h.Extra)), strconv.Itoa(len(h.Damaged)))
	fl.y += d.lineH() + 3

	list := func(title string, ids []string) {
		if len(ids) == 0 {
			return
		}
		d.font(true, 10)
		fl.need(2 * d.lineH())
		fl.line(margin, bodyW, "L", title+" ("+strconv.Itoa(len(ids))+")")
		d.font(false, 9)
		const per = 5
		cw := bodyW / per
		for i := 0; i < len(ids); i += per {
			var c []column
			for j := range per {
				c = append(c, column{margin + float64(j)*cw, cw, "L"})
			}
			fl.need(d.lineH())
			d.row(fl.y, c, ids[i:min(i+per, len(ids))]...)
			fl.y += d.lineH()
		}
		fl.y += 2
	}
	list("Missing", h.Missing)
	list("Extra", h.Extra)
	list("Damaged", h.Damaged)

	if n := strings.TrimSpace(h.Note); n != "" {
		d.font(true, 10)
		fl.need(2 * d.lineH())
		fl.line(margin, bodyW, "L", "Discrepancy note")
		d.font(false, 9)
		fl.para(margin, bodyW, n)
		fl.y += 2
	}

	if len(h.Signatures) > 0 {
		d.font(true, 10)
		fl.need(2 * d.lineH())
		fl.line(margin, bodyW, "L", "Signatures")
		fl.y += 1
		for _, s := range h.Signatures {
			fl.need(16)
			top := fl.y
			d.font(true, 10)
			who := s.Name
			if r := strings.TrimSpace(s.Role); r != "" {
				who += " (" + r + ")"
			}
			fl.line(margin+2, bodyW-4, "L", who)
			d.font(false, 9)
			if p := strings.TrimSpace(s.Party); p != "" {
				fl.line(margin+2, bodyW-4, "L", p)
			}
			fl.line(margin+2, bodyW-4, "L", "Key "+s.KeyID+" · signed "+stamp(s.Time))
			fl.y += 1
			d.f.Rect(margin, top-1, bodyW, fl.y-top+1, "D")
			fl.y += 3
		}
	}
	d.footers(footerY, func(p, n int) string {
		return "Handover receipt " + h.Reference + " · page " + strconv.Itoa(p) + " of " + strconv.Itoa(n)
	})
	return d, nil
}

// WriteHandoverReceipt writes a handover receipt as an A4 PDF.
func WriteHandoverReceipt(w io.Writer, h HandoverReceipt) error {
	const op = "pdf.WriteHandoverReceipt"
	d, err := renderHandover(op, h)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// HandoverReceiptText returns the text model of WriteHandoverReceipt.
func HandoverReceiptText(h HandoverReceipt) ([]string, error) {
	const op = "pdf.HandoverReceiptText"
	d, err := renderHandover(op, h)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// Item kinds, as the correspondence package names them.
var kindNames = map[string]string{
	"letter":         "letter",
	"card":           "card",
	"photograph":     "photograph",
	"drawing":        "drawing",
	"legal_document": "legal document",
}

// Item is one item of mail in a parcel.
type Item struct {
	Tracking string // S10 tracking number of the item
	Kind     string // letter, card, photograph, drawing or legal_document
	Pages    int    // pages or sheets
	Language string // language of the item, e.g. "uk"
}

// PackingList is the content list of one parcel.
type PackingList struct {
	Tracking     string    // S10 tracking number of the parcel
	Recipient    Name      // the addressee
	RecipientRef string    // registry reference or service number; may be empty
	Items        []Item    // the parcel's items, in packing order
	WeightGrams  int       // weight of the sealed parcel
	Date         time.Time // date packed, and the creation date of a one-parcel PDF
}

func (p PackingList) check(op, field string) (PackingList, error) {
	bad := map[string]string{}
	id, err := checkTracking(op, "tracking", p.Tracking)
	if err != nil {
		bad[field+"tracking"] = errs.FieldsOf(err)["tracking"]
	}
	p.Tracking = id
	if len(p.Recipient.lines()) == 0 {
		bad[field+"recipient"] = "the recipient's name is missing"
	}
	if p.WeightGrams < 0 {
		bad[field+"weight"] = "the weight is negative"
	}
	if p.Date.IsZero() {
		bad[field+"date"] = "the date is missing"
	}
	items := make([]Item, len(p.Items))
	for i, it := range p.Items {
		f := field + "items[" + strconv.Itoa(i) + "]."
		id, err := checkTracking(op, "tracking", it.Tracking)
		if err != nil {
			bad[f+"tracking"] = errs.FieldsOf(err)["tracking"]
		}
		it.Tracking = id
		if _, ok := kindNames[it.Kind]; !ok {
			bad[f+"kind"] = "kind " + strconv.Quote(it.Kind) + " is not letter, card, photograph, drawing or legal_document"
		}
		if it.Pages < 0 {
			bad[f+"pages"] = "the page count is negative"
		}
		items[i] = it
	}
	p.Items = items
	if len(bad) > 0 {
		return p, errs.Fields(op, bad)
	}
	return p, nil
}

// Page layout of A4 documents, in mm.
const (
	margin  = 15.0
	bodyW   = a4W - 2*margin
	rowH    = 6.0
	footerY = a4H - margin
)

var packingCols = []column{
	{margin, 10, "R"},
	{margin + 14, 50, "L"},
	{margin + 66, 40, "L"},
	{margin + 108, 20, "R"},
	{margin + 134, 46, "L"},
}

func (d *doc) packingHeader(p PackingList, cont bool) float64 {
	y := margin
	d.font(true, 16)
	title := "Packing list"
	if cont {
		title += " (continued)"
	}
	d.text(margin, y, bodyW, "L", title)
	y += d.lineH() + 1
	d.font(true, 12)
	d.text(margin, y, bodyW, "L", "Parcel "+tracking(p.Tracking))
	y += d.lineH() + 2
	if !cont {
		d.font(false, 10)
		d.text(margin, y, bodyW, "L", "Recipient:")
		y += d.lineH()
		for i, s := range p.Recipient.lines() {
			d.fit(margin+5, y, bodyW-5, i == 0, 12, 8, "L", s)
			y += d.lineH()
		}
		d.font(false, 10)
		if ref := strings.TrimSpace(p.RecipientRef); ref != "" {
			d.text(margin+5, y, bodyW-5, "L", "Ref. "+ref)
			y += d.lineH()
		}
		d.text(margin, y, bodyW, "L", "Packed: "+date(p.Date))
		y += d.lineH() + 3
	}
	d.font(true, 10)
	d.row(y, packingCols, "No.", "Tracking number", "Kind", "Pages", "Language")
	y += rowH
	d.hline(margin, margin+bodyW, y-1)
	d.font(false, 10)
	return y
}

func (d *doc) drawPackingList(p PackingList) {
	d.page()
	y := d.packingHeader(p, false)
	pages := 0
	for i, it := range p.Items {
		if y+rowH > footerY-2*rowH {
			d.page()
			y = d.packingHeader(p, true)
		}
		d.row(y, packingCols, strconv.Itoa(i+1), it.Tracking, kindNames[it.Kind], strconv.Itoa(it.Pages), it.Language)
		y += rowH
		pages += it.Pages
	}
	d.hline(margin, margin+bodyW, y)
	y += 1
	d.font(true, 10)
	d.row(y, []column{{margin, bodyW / 2, "L"}, {margin + bodyW/2, bodyW / 2, "R"}},
		"Total: "+plural(len(p.Items), "item")+", "+plural(pages, "page"), "Total weight: "+kg(p.WeightGrams))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func renderPackingLists(op string, lists []PackingList, batch bool) (*doc, error) {
	if len(lists) == 0 {
		return nil, errs.E(op, errs.Invalid, "no packing lists to print")
	}
	checked := make([]PackingList, len(lists))
	var created time.Time
	for i, p := range lists {
		field := ""
		if batch {
			field = "lists[" + strconv.Itoa(i) + "]."
		}
		c, err := p.check(op, field)
		if err != nil {
			return nil, err
		}
		checked[i] = c
		if c.Date.After(created) {
			created = c.Date
		}
	}
	title := "Packing list " + checked[0].Tracking
	if batch {
		title = "Packing lists"
	}
	d, err := newDoc(op, a4W, a4H, title, created)
	if err != nil {
		return nil, err
	}
	for _, p := range checked {
		d.drawPackingList(p)
	}
	return d, nil
}

// WritePackingList writes the packing list of one parcel as an A4 PDF.
func WritePackingList(w io.Writer, p PackingList) error {
	const op = "pdf.WritePackingList"
	d, err := renderPackingLists(op, []PackingList{p}, false)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// PackingListText returns the text model of WritePackingList.
func PackingListText(p PackingList) ([]string, error) {
	const op = "pdf.PackingListText"
	d, err := renderPackingLists(op, []PackingList{p}, false)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

// WritePackingLists writes the packing lists of a batch, each starting on a
// new page. The PDF's creation date is the latest list date.
func WritePackingLists(w io.Writer, lists []PackingList) error {
	const op = "pdf.WritePackingLists"
	d, err := renderPackingLists(op, lists, true)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// PackingListsText returns the text model of WritePackingLists.
func PackingListsText(lists []PackingList) ([]string, error) {
	const op = "pdf.PackingListsText"
	d, err := renderPackingLists(op, lists, true)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

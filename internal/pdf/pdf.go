// Package pdf prints Lifeline's paper documents: parcel labels and label
// sheets, packing lists, receipt slips for families, consignment manifests
// and handover receipts.
//
// Every document takes a plain input struct and is drawn by one layout
// function. The same layout code runs for the PDF (WriteX) and for the
// document's text model (XText): the lines of text the document prints, in
// order, used by golden tests. Output is deterministic: the PDF creation
// date comes from the input and objects are written in a fixed order.
//
// Text is set in the Go fonts (embedded TrueType, subset per document), so
// Cyrillic and Latin names print alike. Barcodes are Code 128 drawn as
// vector bars.
package pdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode/code128"
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// A4 page size in millimetres.
const (
	a4W = 210.0
	a4H = 297.0
)

const family = "go"

// pageMarker starts each page in a text model; it is not printed.
func pageMarker(n int) string { return fmt.Sprintf("--- page %d ---", n) }

// doc is a PDF under construction that also records the text it prints.
type doc struct {
	f     *fpdf.Fpdf
	lines []string
	size  float64 // current font size in points
}

func newDoc(op string, w, h float64, title string, created time.Time) (*doc, error) {
	if created.IsZero() {
		return nil, errs.E(op, errs.Invalid, "the document date is missing")
	}
	f := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: w, Ht: h},
	})
	created = created.UTC()
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.SetProducer("Lifeline", false)
	f.SetCreator("Lifeline", false)
	f.SetTitle(title, true)
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(0, 0, 0)
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.SetLineWidth(0.2)
	d := &doc{f: f}
	d.font(false, 10)
	if err := f.Error(); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return d, nil
}

// page starts a new page and records its marker.
func (d *doc) page() {
	d.f.AddPage()
	d.lines = append(d.lines, pageMarker(d.f.PageNo()))
}

func (d *doc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont(family, style, size)
	d.size = size
}

// lineH is the height of a line of text at the current size, in mm.
func (d *doc) lineH() float64 { return d.size * 0.3528 * 1.25 }

func (d *doc) width(s string) float64 { return d.f.GetStringWidth(s) }

// cell prints s in a box of width w at (x, y) without recording it.
func (d *doc) cell(x, y, w float64, align, s string) {
	d.f.SetXY(x, y)
	d.f.CellFormat(w, d.lineH(), s, "", 0, align+"M", false, 0, "")
}

// text prints one line and records it. align is "L", "C" or "R". A line
// too wide for w is cut and ends in "…".
func (d *doc) text(x, y, w float64, align, s string) {
	s = d.cut(s, w)
	d.cell(x, y, w, align, s)
	d.lines = append(d.lines, s)
}

// fit prints one line at the largest size from size down to min that fits
// in w, cutting it at min if it must.
func (d *doc) fit(x, y, w float64, bold bool, size, min float64, align, s string) {
	d.font(bold, size)
	for d.size > min && d.width(s) > w {
		d.font(bold, max(min, d.size-0.5))
	}
	d.text(x, y, w, align, s)
}

// cut shortens s with "…" until it fits in w.
func (d *doc) cut(s string, w float64) string {
	if d.width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ") + "…"
}

// row prints cells side by side at y, one line of the text model, with its
// cells joined by " | ". Empty cells print nothing.
func (d *doc) row(y float64, cols []column, cells ...string) {
	var rec []string
	for i, c := range cols {
		if i >= len(cells) || cells[i] == "" {
			continue
		}
		s := d.cut(cells[i], c.w)
		d.cell(c.x, y, c.w, c.align, s)
		rec = append(rec, s)
	}
	d.lines = append(d.lines, strings.Join(rec, " | "))
}

// column is a column of a table: its left edge, width and alignment.
type column struct {
	x, w  float64
	align string
}

// wrap prints s as lines no wider than w from y down, at most maxLines
// (0: no limit), and returns the y below the last line.
func (d *doc) wrap(x, y, w float64, maxLines int, s string) float64 {
	lines := d.split(s, w)
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = d.cut(lines[maxLines-1]+" …", w)
	}
	for _, l := range lines {
		d.text(x, y, w, "L", l)
		y += d.lineH()
	}
	return y
}

// split breaks s into lines no wider than w at spaces; a word wider than w
// is cut by text when printed.
func (d *doc) split(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		cur := ""
		for _, word := range words {
			try := word
			if cur != "" {
				try = cur + " " + word
			}
			if cur != "" && d.width(try) > w {
				lines = append(lines, cur)
				cur = word
				continue
			}
			cur = try
		}
		lines = append(lines, cur)
	}
	return lines
}

func (d *doc) hline(x1, x2, y float64) { d.f.Line(x1, y, x2, y) }

// barcode draws code as a Code 128 symbol with quiet zones inside the box
// (x, y, w, h), centred, and records "[Code 128: code]".
func (d *doc) barcode(x, y, w, h float64, code string) error {
	bc, err := code128.Encode(code)
	if err != nil {
		return errs.E("pdf.barcode", errs.Invalid, "cannot encode %q as Code 128", code)
	}
	n := bc.Bounds().Dx()
	const quiet = 10 // modules of white on each side
	module := min(0.5, w/float64(n+2*quiet))
	left := x + (w-module*float64(n))/2
	d.f.SetFillColor(0, 0, 0)
	for i := 0; i < n; {
		if !dark(bc.At(i, 0)) {
			i++
			continue
		}
		j := i
		for j < n && dark(bc.At(j, 0)) {
			j++
		}
		d.f.Rect(left+module*float64(i), y, module*float64(j-i), h, "F")
		i = j
	}
	d.lines = append(d.lines, "[Code 128: "+code+"]")
	return nil
}

type grayer interface{ RGBA() (r, g, b, a uint32) }

func dark(c grayer) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}

// finish writes the PDF to w.
func (d *doc) finish(op string, w io.Writer) error {
	if err := d.f.Output(w); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	return nil
}

// result returns the recorded lines, or the layout error.
func (d *doc) result(op string) ([]string, error) {
	if err := d.f.Error(); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return d.lines, nil
}

// Name is a person's name as printed: in the native script and in Latin
// letters.
type Name struct {
	Native string // e.g. "Щербак Андрій Петрович"
	Latin  string // e.g. "Shcherbak Andrii Petrovych"; may be empty
}

// lines returns the name's spellings to print: the native one, then the
// Latin one unless it is empty or the same.
func (n Name) lines() []string {
	var out []string
	if s := strings.TrimSpace(n.Native); s != "" {
		out = append(out, s)
	}
	if s := strings.TrimSpace(n.Latin); s != "" && (len(out) == 0 || s != out[0]) {
		out = append(out, s)
	}
	return out
}

// kg formats a weight in grams as kilograms, e.g. "0.350 kg".
func kg(grams int) string {
	return strconv.FormatFloat(float64(grams)/1000, 'f', 3, 64) + " kg"
}

// tracking formats a valid S10 identifier in groups, "RR 123 456 785 UA".
func tracking(id string) string {
	return id[0:2] + " " + id[2:5] + " " + id[5:8] + " " + id[8:11] + " " + id[11:13]
}

// checkTracking returns the normalized form of an S10 identifier.
func checkTracking(op, field, id string) (string, error) {
	n := s10.Normalize(id)
	if err := s10.Validate(n); err != nil {
		return "", errs.Fields(op, map[string]string{field: "tracking number " + errs.MessageOf(err)})
	}
	return n, nil
}

func date(t time.Time) string { return t.UTC().Format("2006-01-02") }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// footers prints text(page, pages) at y on every page, once the document
// is complete, and puts each footer at the end of its page in the text
// model.
func (d *doc) footers(y float64, text func(page, pages int) string) {
	n := d.f.PageCount()
	out := make([]string, 0, len(d.lines)+n)
	page := 0
	for _, l := range d.lines {
		if page < n && l == pageMarker(page+1) {
			if page > 0 {
				out = append(out, text(page, n))
			}
			page++
		}
		out = append(out, l)
	}
	if n > 0 {
		out = append(out, text(n, n))
	}
	d.lines = out
	for p := 1; p <= n; p++ {
		d.f.SetPage(p)
		// The page's content stream may end in another font: set a
		// different size first so that fpdf writes the font again.
		d.f.SetFont(family, "", 1)
		d.font(false, 8)
		d.cell(margin, y, bodyW, "C", text(p, n))
	}
}

// flow is a cursor for documents whose content runs over several pages.
type flow struct {
	d      *doc
	y      float64
	header func() float64 // prints the top of a continuation page, returns y
}

// need starts a new page when h mm do not fit above the footer.
func (fl *flow) need(h float64) {
	if fl.y+h > footerY-8 {
		fl.d.page()
		fl.y = fl.header()
	}
}

// line prints one line of text at the current size and moves down.
func (fl *flow) line(x, w float64, align, s string) {
	fl.need(fl.d.lineH())
	fl.d.text(x, fl.y, w, align, s)
	fl.y += fl.d.lineH()
}

// para prints s wrapped to the body width and moves down.
func (fl *flow) para(x, w float64, s string) {
	for _, l := range fl.d.split(s, w) {
		fl.line(x, w, "L", l)
	}
}

// hexOK reports whether s is n lower- or upper-case hex digits.
func hexOK(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

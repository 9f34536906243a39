package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/errs"
)

// ManifestLine is one parcel on a manifest.
type ManifestLine struct {
	Tracking     string // S10 tracking number of the parcel
	RecipientRef string // registry reference of the addressee (no name)
	WeightGrams  int
	Items        int
}

// Manifest is a consignment's delivery bill, in the style of the UPU CN 38
// and CN 31 forms.
type Manifest struct {
	Reference  string    // consignment reference (dispatch number)
	Period     string    // e.g. "December 2025"
	From       Party     // the sending party
	To         Party     // the receiving party
	Via        Party     // the intermediary
	Dispatched time.Time // dispatch date; also the PDF creation date
	Parcels    []ManifestLine
	SHA256     string // hex SHA-256 of the signed manifest JSON; printed when not empty
}

func (m Manifest) check(op string) (Manifest, error) {
	bad := map[string]string{}
	if strings.TrimSpace(m.Reference) == "" {
		bad["reference"] = "the reference is missing"
	}
	for f, p := range map[string]Party{"from": m.From, "to": m.To, "via": m.Via} {
		if strings.TrimSpace(p.Name) == "" {
			bad[f] = "the party is missing"
		}
	}
	if m.Dispatched.IsZero() {
		bad["dispatched"] = "the dispatch date is missing"
	}
	if m.SHA256 != "" && !hexOK(m.SHA256, 64) {
		bad["sha256"] = "the SHA-256 must be 64 hex digits"
	}
	lines := make([]ManifestLine, len(m.Parcels))
	for i, l := range m.Parcels {
		f := "parcels[" + strconv.Itoa(i) + "]."
		id, err := checkTracking(op, "tracking", l.Tracking)
		if err != nil {
			bad[f+"tracking"] = errs.FieldsOf(err)["tracking"]
		}
		l.Tracking = id
		if l.WeightGrams < 0 {
			bad[f+"weight"] = "the weight is negative"
		}
		if l.Items < 0 {
			bad[f+"items"] = "the item count is negative"
		}
		lines[i] = l
	}
	m.Parcels = lines
	m.SHA256 = strings.ToLower(m.SHA256)
	if len(bad) > 0 {
		return m, errs.Fields(op, bad)
	}
	return m, nil
}

var manifestCols = []column{
	{margin, 12, "R"},
	{margin + 16, 42, "L"},
	{margin + 60, 70, "L"},
	{margin + 132, 18, "R"},
	{margin + 152, 28, "R"},
}

func party(p Party) string {
	s := strings.TrimSpace(p.Name)
	if a := strings.TrimSpace(p.Address); a != "" {
		s += ", " + a
	}
	return s
}

func renderManifest(op string, m Manifest) (*doc, error) {
	m, err := m.check(op)
	if err != nil {
		return nil, err
	}
	d, err := newDoc(op, a4W, a4H, "Manifest "+m.Reference, m.Dispatched)
	if err != nil {
		return nil, err
	}
	var items, grams int
	for _, l := range m.Parcels {
		items += l.Items
		grams += l.WeightGrams
	}

	tableHead := func(y float64) float64 {
		d.font(true, 9)
		d.row(y, manifestCols, "No.", "Tracking number", "Recipient reference", "Items", "Weight")
		y += rowH - 1
		d.hline(margin, margin+bodyW, y-1)
		d.font(false, 9)
		return y
	}
	fl := &flow{d: d}
	fl.header = func() float64 {
		d.font(true, 11)
		d.text(margin, margin, bodyW, "L", "Consignment manifest "+m.Reference+" (continued)")
		return tableHead(margin + 8)
	}

	d.page()
	y := margin
	d.font(true, 16)
	d.text(margin, y, bodyW, "L", "Consignment manifest (delivery bill)")
	y += d.lineH()
	d.font(false, 8)
	d.text(margin, y, bodyW, "L", "In the style of UPU forms CN 38 and CN 31")
	y += d.lineH() + 3
	cols := []column{{margin, 35, "L"}, {margin + 35, bodyW - 35, "L"}}
	d.font(false, 10)
	for _, kv := range [][2]string{
		{"Reference", m.Reference},
		{"Period", m.Period},
		{"From", party(m.From)},
		{"To", party(m.To)},
		{"Via", party(m.Via)},
		{"Dispatched", date(m.Dispatched)},
	} {
		d.row(y, cols, kv[0]+":", kv[1])
		y += d.lineH()
	}
	y += 2
	d.font(true, 10)
	d.row(y, []column{{margin, 60, "L"}, {margin + 60, 60, "L"}, {margin + 120, 60, "L"}},
		"Parcels: "+strconv.Itoa(len(m.Parcels)), "Items: "+strconv.Itoa(items), "Weight: "+kg(grams))
	y += d.lineH() + 4
	fl.y = tableHead(y)

	for i, l := range m.Parcels {
		fl.need(rowH - 1)
		d.row(fl.y, manifestCols, strconv.Itoa(i+1), l.Tracking, l.RecipientRef, strconv.Itoa(l.Items), kg(l.WeightGrams))
		fl.y += rowH - 1
	}
	fl.need(2)
	d.hline(margin, margin+bodyW, fl.y)
	fl.y += 1
	d.font(true, 9)
	fl.need(rowH)
	d.row(fl.y, manifestCols, "", "Total", strconv.Itoa(len(m.Parcels))+" parcels", strconv.Itoa(items), kg(grams))
	fl.y += rowH + 2
	if m.SHA256 != "" {
		d.font(false, 8)
		fl.line(margin, bodyW, "L", "SHA-256 of the signed manifest (JSON):")
		d.font(true, 8)
		fl.line(margin, bodyW, "L", m.SHA256)
	}
	d.footers(footerY, func(p, n int) string {
		return "Consignment " + m.Reference + " · page " + strconv.Itoa(p) + " of " + strconv.Itoa(n)
	})
	return d, nil
}

// WriteManifest writes a consignment manifest as an A4 PDF.
func WriteManifest(w io.Writer, m Manifest) error {
	const op = "pdf.WriteManifest"
	d, err := renderManifest(op, m)
	if err != nil {
		return err
	}
	return d.finish(op, w)
}

// ManifestText returns the text model of WriteManifest.
func ManifestText(m Manifest) ([]string, error) {
	const op = "pdf.ManifestText"
	d, err := renderManifest(op, m)
	if err != nil {
		return nil, err
	}
	return d.result(op)
}

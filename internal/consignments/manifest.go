package consignments

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/pdf"
	"lifeline/internal/s10"
)

// Line is one parcel on a manifest. The recipient is named only by a
// pseudonymous reference, never by name: the manifest crosses to the other
// party and to the intermediary.
type Line struct {
	Tracking     string `json:"tracking"`
	RecipientRef string `json:"recipient_ref"`
	WeightGrams  int    `json:"weight_grams"`
	Items        int    `json:"items"`
}

// Totals sums the lines of a manifest.
type Totals struct {
	Parcels     int `json:"parcels"`
	Items       int `json:"items"`
	WeightGrams int `json:"weight_grams"`
}

// Manifest is the signed list of a consignment's parcels (PKG-3), fixed
// when the consignment is sealed.
type Manifest struct {
	Ref      string    `json:"ref"`
	Kind     Kind      `json:"kind"`
	ReturnOf string    `json:"return_of,omitempty"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Via      string    `json:"via"`
	Period   string    `json:"period"`
	Target   int       `json:"target"`
	Sealed   time.Time `json:"sealed"`
	Parcels  []Line    `json:"parcels"`
	Totals   Totals    `json:"totals"`
}

// MaxParcels bounds the parcels of one consignment.
const MaxParcels = 20_000

// MaxWeightGrams bounds the weight of one parcel (UPU: 30 kg).
const MaxWeightGrams = 30_000

var recipientRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$`)

// ValidRecipientRef reports whether s can be a recipient reference: 1 to 64
// letters, digits and . _ : / -, without spaces, so that no full name fits.
func ValidRecipientRef(s string) bool { return recipientRef.MatchString(s) }

// CheckLine validates one manifest line and returns it with its tracking
// number normalised.
func CheckLine(l Line) (Line, error) {
	f := map[string]string{}
	l.Tracking = s10.Normalize(l.Tracking)
	if err := s10.Validate(l.Tracking); err != nil {
		f["tracking"] = errs.MessageOf(err)
	}
	if !ValidRecipientRef(l.RecipientRef) {
		f["recipient_ref"] = "a pseudonymous reference of 1 to 64 letters, digits and . _ : / -; never a name"
	}
	if l.WeightGrams <= 0 || l.WeightGrams > MaxWeightGrams {
		f["weight_grams"] = fmt.Sprintf("from 1 to %d grams", MaxWeightGrams)
	}
	if l.Items <= 0 || l.Items > 1000 {
		f["items"] = "from 1 to 1000 items"
	}
	if len(f) > 0 {
		return l, errs.Fields("consignments.CheckLine", f)
	}
	return l, nil
}

// BuildManifest builds the manifest of consignment c with the given parcels,
// sealed at time at. The lines are sorted by tracking number; duplicates, bad
// lines and an empty list are refused.
func BuildManifest(c Consignment, lines []Line, at time.Time) (Manifest, error) {
	const op = "consignments.BuildManifest"
	if err := c.Validate(); err != nil {
		return Manifest{}, errs.Wrap(op, err)
	}
	if len(lines) == 0 {
		return Manifest{}, errs.E(op, errs.Conflict, "the consignment has no parcels to seal")
	}
	if len(lines) > MaxParcels {
		return Manifest{}, errs.E(op, errs.Invalid, "a consignment holds at most %d parcels", MaxParcels)
	}
	m := Manifest{
		Ref: c.Ref, Kind: c.Kind, ReturnOf: c.ReturnOf, From: c.From, To: c.To, Via: c.Via,
		Period: c.Period, Target: c.Target, Sealed: at.UTC().Truncate(time.Second),
		Parcels: make([]Line, 0, len(lines)),
	}
	bad := map[string]string{}
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		l, err := CheckLine(l)
		if err != nil {
			for k, v := range errs.FieldsOf(err) {
				bad["parcels["+strconv.Itoa(i)+"]."+k] = v
			}
			continue
		}
		if seen[l.Tracking] {
			bad["parcels["+strconv.Itoa(i)+"].tracking"] = "parcel " + l.Tracking + " is listed twice"
			continue
		}
		seen[l.Tracking] = true
		m.Parcels = append(m.Parcels, l)
		m.Totals.Parcels++
		m.Totals.Items += l.Items
		m.Totals.WeightGrams += l.WeightGrams
	}
	if len(bad) > 0 {
		return Manifest{}, errs.Fields(op, bad)
	}
	slices.SortFunc(m.Parcels, func(a, b Line) int {
		switch {
		case a.Tracking < b.Tracking:
			return -1
		case a.Tracking > b.Tracking:
			return 1
		}
		return 0
	})
	return m, nil
}

// Consignment returns the consignment m describes, sealed.
func (m Manifest) Consignment() Consignment {
	at := m.Sealed
	return Consignment{Ref: m.Ref, Kind: m.Kind, ReturnOf: m.ReturnOf, From: m.From, To: m.To, Via: m.Via,
		Period: m.Period, Target: m.Target, State: Sealed, SealedAt: &at}
}

// Check validates a manifest received from another node: its header, every
// line and its totals.
func (m Manifest) Check() error {
	const op = "consignments.Manifest.Check"
	c := m.Consignment()
	if err := c.Validate(); err != nil {
		return errs.Wrap(op, err)
	}
	if m.Sealed.IsZero() {
		return errs.Fields(op, map[string]string{"sealed": "missing"})
	}
	again, err := BuildManifest(c, m.Parcels, m.Sealed)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if again.Totals != m.Totals {
		return errs.E(op, errs.Invalid, "the manifest's totals do not add up: it says %d parcels, %d items, %d g; its lines make %d, %d, %d g",
			m.Totals.Parcels, m.Totals.Items, m.Totals.WeightGrams, again.Totals.Parcels, again.Totals.Items, again.Totals.WeightGrams)
	}
	if !slices.Equal(again.Parcels, m.Parcels) {
		return errs.E(op, errs.Invalid, "the manifest's lines are not in tracking-number order or not in normal form")
	}
	return nil
}

// Trackings returns the tracking numbers of the manifest, in order.
func (m Manifest) Trackings() []string {
	out := make([]string, len(m.Parcels))
	for i, l := range m.Parcels {
		out[i] = l.Tracking
	}
	return out
}

// ManifestCSVHeader is the header row of the manifest CSV.
var ManifestCSVHeader = []string{"tracking", "recipient_ref", "weight_grams", "items"}

// WriteCSV writes the manifest's lines as CSV with a header row.
func (m Manifest) WriteCSV(w io.Writer) error {
	const op = "consignments.Manifest.WriteCSV"
	cw := csv.NewWriter(w)
	if err := cw.Write(ManifestCSVHeader); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	for _, l := range m.Parcels {
		if err := cw.Write([]string{l.Tracking, l.RecipientRef, strconv.Itoa(l.WeightGrams), strconv.Itoa(l.Items)}); err != nil {
			return errs.WrapKind(op, errs.Internal, err)
		}
	}
	cw.Flush()
	return errs.WrapKind(op, errs.Internal, cw.Error())
}

// Names gives the display names of the parties for printed documents.
type Names map[string]pdf.Party

func (n Names) party(code string) pdf.Party {
	if p, ok := n[code]; ok && p.Name != "" {
		return p
	}
	return pdf.Party{Name: code}
}

// PDF returns the printed manifest (a UPU-style delivery bill) for m,
// dispatched at the given time, with digest the hex SHA-256 of the signed
// manifest (empty before signing).
func (m Manifest) PDF(names Names, dispatched time.Time, digest string) pdf.Manifest {
	lines := make([]pdf.ManifestLine, len(m.Parcels))
	for i, l := range m.Parcels {
		lines[i] = pdf.ManifestLine{Tracking: l.Tracking, RecipientRef: l.RecipientRef, WeightGrams: l.WeightGrams, Items: l.Items}
	}
	if dispatched.IsZero() {
		dispatched = m.Sealed
	}
	return pdf.Manifest{
		Reference: m.Ref, Period: periodName(m.Period),
		From: names.party(m.From), To: names.party(m.To), Via: names.party(m.Via),
		Dispatched: dispatched, Parcels: lines, SHA256: digest,
	}
}

// periodName writes "2026-12" as "December 2026".
func periodName(p string) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return p
	}
	return t.Format("January 2006")
}

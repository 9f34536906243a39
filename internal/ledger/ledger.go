// Package ledger computes the reciprocity ledger (DESIGN.md
// "Reciprocity"): for each direction between the parties and each month,
// parcels sent and delivered, the median days to delivery, parcels that
// could not be delivered, and civilians accepted, refused and repatriated,
// both directions side by side. It writes the ledger as HXL-tagged CSV.
//
// The ledger is computed from plain facts (one per parcel, one per
// decision or repatriation) that the store reads from whatever tables hold
// them; it does no I/O beyond writing to the writer it is given.
package ledger

import (
	"cmp"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"lifeline/internal/errs"
)

// ParcelFact is one parcel sent from party From to party To (the party
// that holds its addressee).
type ParcelFact struct {
	From, To        string
	SentAt          time.Time  // dispatched by the sending party
	DeliveredAt     *time.Time // given to the addressee
	UndeliverableAt *time.Time // found undeliverable
}

// CivilianEvent is what happened to civilians in a direction.
type CivilianEvent string

const (
	CiviliansAccepted    CivilianEvent = "accepted"
	CiviliansRefused     CivilianEvent = "refused"
	CiviliansRepatriated CivilianEvent = "repatriated"
)

// CivilianFact is a decision or a repatriation about Persons civilians who
// would go from party From (where they are) to party To (their home).
type CivilianFact struct {
	From, To string
	Event    CivilianEvent
	At       time.Time
	Persons  int
}

// Row is one direction in one month.
type Row struct {
	Month                string   `json:"month"` // YYYY-MM, UTC
	From                 string   `json:"from"`
	To                   string   `json:"to"`
	ParcelsSent          int      `json:"parcels_sent"`
	ParcelsDelivered     int      `json:"parcels_delivered"`
	MedianDaysToDelivery *float64 `json:"median_days_to_delivery"` // null when nothing was delivered
	ParcelsUndeliverable int      `json:"parcels_undeliverable"`
	CiviliansAccepted    int      `json:"civilians_accepted"`
	CiviliansRefused     int      `json:"civilians_refused"`
	CiviliansRepatriated int      `json:"civilians_repatriated"`
	// Log is what the transparency log's published checkpoint counts for
	// the same month and direction (see Ledger.Back); nil when the ledger
	// is not backed by a checkpoint.
	Log          *LogCounts `json:"log,omitempty"`
	deliveryDays []float64
}

// Month is one month with every direction side by side.
type Month struct {
	Month      string `json:"month"`
	Directions []Row  `json:"directions"`
}

// Direction is a pair of parties, from one to the other.
type Direction struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Ledger is the computed ledger.
type Ledger struct {
	Directions []Direction `json:"directions"`
	Months     []Month     `json:"months"` // oldest first
	// Checkpoint is the transparency-log checkpoint that backs the
	// figures, set by Back; nil when none is published yet.
	Checkpoint *Checkpoint `json:"checkpoint"`
}

// Rows returns every row, month by month, in direction order.
func (l *Ledger) Rows() []Row {
	var rows []Row
	for _, m := range l.Months {
		rows = append(rows, m.Directions...)
	}
	return rows
}

// Builder gathers facts one at a time, so that a store can stream them.
type Builder struct {
	rows map[key]*Row
	dirs map[Direction]bool
}

type key struct {
	month string
	dir   Direction
}

// NewBuilder returns a builder that shows each direction between the
// given parties even in months where nothing moved that way.
func NewBuilder(parties ...string) *Builder {
	b := &Builder{rows: map[key]*Row{}, dirs: map[Direction]bool{}}
	for _, a := range parties {
		for _, c := range parties {
			if a != c {
				b.dirs[Direction{a, c}] = true
			}
		}
	}
	return b
}

// MonthOf is the ledger month of t: YYYY-MM in UTC.
func MonthOf(t time.Time) string { return t.UTC().Format("2006-01") }

func (b *Builder) row(t time.Time, from, to string) *Row {
	d := Direction{from, to}
	b.dirs[d] = true
	k := key{MonthOf(t), d}
	r := b.rows[k]
	if r == nil {
		r = &Row{Month: k.month, From: from, To: to}
		b.rows[k] = r
	}
	return r
}

// AddParcel counts a parcel: sent in the month it was dispatched,
// delivered or undeliverable in the month that happened.
func (b *Builder) AddParcel(p ParcelFact) {
	if !p.SentAt.IsZero() {
		b.row(p.SentAt, p.From, p.To).ParcelsSent++
	}
	if p.DeliveredAt != nil {
		r := b.row(*p.DeliveredAt, p.From, p.To)
		r.ParcelsDelivered++
		if !p.SentAt.IsZero() && !p.DeliveredAt.Before(p.SentAt) {
			r.deliveryDays = append(r.deliveryDays, p.DeliveredAt.Sub(p.SentAt).Hours()/24)
		}
	}
	if p.UndeliverableAt != nil {
		b.row(*p.UndeliverableAt, p.From, p.To).ParcelsUndeliverable++
	}
}

// AddCivilians counts a decision or repatriation in the month it happened.
func (b *Builder) AddCivilians(c CivilianFact) {
	r := b.row(c.At, c.From, c.To)
	switch c.Event {
	case CiviliansAccepted:
		r.CiviliansAccepted += c.Persons
	case CiviliansRefused:
		r.CiviliansRefused += c.Persons
	case CiviliansRepatriated:
		r.CiviliansRepatriated += c.Persons
	}
}

// Ledger returns the ledger of what was added: every month with a fact, and
// in each month every direction, zero where nothing moved.
func (b *Builder) Ledger() *Ledger {
	l := &Ledger{}
	for d := range b.dirs {
		l.Directions = append(l.Directions, d)
	}
	slices.SortFunc(l.Directions, func(a, c Direction) int {
		return cmp.Or(cmp.Compare(a.From, c.From), cmp.Compare(a.To, c.To))
	})
	months := map[string]bool{}
	for k := range b.rows {
		months[k.month] = true
	}
	for m := range months {
		mo := Month{Month: m}
		for _, d := range l.Directions {
			r := b.rows[key{m, d}]
			if r == nil {
				r = &Row{Month: m, From: d.From, To: d.To}
			}
			row := *r
			row.MedianDaysToDelivery = median(r.deliveryDays)
			row.deliveryDays = nil
			mo.Directions = append(mo.Directions, row)
		}
		l.Months = append(l.Months, mo)
	}
	slices.SortFunc(l.Months, func(a, c Month) int { return cmp.Compare(a.Month, c.Month) })
	return l
}

// Inputs are the facts of a ledger at once.
type Inputs struct {
	Parties   []string // shown in every month, both ways, even when nothing moved
	Parcels   []ParcelFact
	Civilians []CivilianFact
}

// Compute computes the ledger of in.
func Compute(in Inputs) *Ledger {
	b := NewBuilder(in.Parties...)
	for _, p := range in.Parcels {
		b.AddParcel(p)
	}
	for _, c := range in.Civilians {
		b.AddCivilians(c)
	}
	return b.Ledger()
}

// median returns the median of xs rounded to a tenth of a day, or nil.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	m = math.Round(m*10) / 10
	return &m
}

// Column is one column of the CSV: its header and its HXL hashtag.
type Column struct {
	Header string
	Tag    string
	value  func(r Row) string
}

func itoa(n int) string { return strconv.Itoa(n) }

// Columns are the CSV columns in order. Counts are tagged #affected (what a
// party sent, or the people a decision concerned) and #reached (what
// arrived, or the people who got home).
var Columns = []Column{
	{"Month", "#date+month", func(r Row) string { return r.Month }},
	{"From party", "#org+from", func(r Row) string { return r.From }},
	{"To party", "#org+to", func(r Row) string { return r.To }},
	{"Parcels sent", "#affected+parcels+sent", func(r Row) string { return itoa(r.ParcelsSent) }},
	{"Parcels delivered", "#reached+parcels+delivered", func(r Row) string { return itoa(r.ParcelsDelivered) }},
	{"Median days to delivery", "#indicator+num+days_to_delivery+median", func(r Row) string {
		if r.MedianDaysToDelivery == nil {
			return ""
		}
		return strconv.FormatFloat(*r.MedianDaysToDelivery, 'f', 1, 64)
	}},
	{"Parcels undeliverable", "#affected+parcels+undeliverable", func(r Row) string { return itoa(r.ParcelsUndeliverable) }},
	{"Civilians accepted", "#affected+civilians+accepted", func(r Row) string { return itoa(r.CiviliansAccepted) }},
	{"Civilians refused", "#affected+civilians+refused", func(r Row) string { return itoa(r.CiviliansRefused) }},
	{"Civilians repatriated", "#reached+civilians+repatriated", func(r Row) string { return itoa(r.CiviliansRepatriated) }},
}

// WriteHXL writes the ledger as CSV with the HXL hashtag row directly under
// the header row, one row per month and direction.
func WriteHXL(w io.Writer, l *Ledger) error {
	const op = "ledger.WriteHXL"
	cw := csv.NewWriter(w)
	head := make([]string, len(Columns))
	tags := make([]string, len(Columns))
	for i, c := range Columns {
		head[i], tags[i] = c.Header, c.Tag
	}
	if err := cw.Write(head); err != nil {
		return errs.Wrap(op, err)
	}
	if err := cw.Write(tags); err != nil {
		return errs.Wrap(op, err)
	}
	rec := make([]string, len(Columns))
	for _, r := range l.Rows() {
		for i, c := range Columns {
			rec[i] = c.value(r)
		}
		if err := cw.Write(rec); err != nil {
			return errs.Wrap(op, err)
		}
	}
	cw.Flush()
	return errs.Wrap(op, cw.Error())
}

package ledger

import (
	"cmp"
	"slices"

	"lifeline/internal/tlog"
)

// CheckpointPath is where a node serves its latest published checkpoint.
const CheckpointPath = "/log/checkpoint"

// VerifyCommand is how a reader recounts the ledger's figures from the log,
// offline, against the checkpoint that backs them.
const VerifyCommand = "lifeline verify audit --url NODE_URL --key NODE_KEY"

// Checkpoint names the transparency-log checkpoint that backs the ledger:
// the log's origin, its size in entries and its root hash (base64, as in
// the signed checkpoint served at URL).
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Hash   string `json:"hash"`
	URL    string `json:"url"`    // the signed checkpoint with its cosignatures
	Verify string `json:"verify"` // the command that recounts the figures
}

// LogCounts are the figures of one row that the log holds entries for, as
// the log counts them: parcels delivered (entries of type delivered by the
// receiving party about the sender), and civilians accepted, refused (by
// their home party, about the party hosting them) and repatriated
// (received by their home party from the other).
type LogCounts struct {
	ParcelsDelivered     int `json:"parcels_delivered"`
	CiviliansAccepted    int `json:"civilians_accepted"`
	CiviliansRefused     int `json:"civilians_refused"`
	CiviliansRepatriated int `json:"civilians_repatriated"`
}

// Agrees reports whether the log counts what the row shows.
func (r Row) Agrees() bool {
	if r.Log == nil {
		return false
	}
	return *r.Log == LogCounts{r.ParcelsDelivered, r.CiviliansAccepted, r.CiviliansRefused, r.CiviliansRepatriated}
}

// logField says which figure of a row a log statistic counts, or nil.
func logField(s tlog.Stat, c *LogCounts) *int {
	switch {
	case s.Type == tlog.Delivered && s.Unit == "parcel":
		return &c.ParcelsDelivered
	case s.Type == tlog.Accepted && s.Unit == "civilian":
		return &c.CiviliansAccepted
	case s.Type == tlog.AcceptanceRefused && s.Unit == "civilian":
		return &c.CiviliansRefused
	case s.Type == tlog.Repatriated && s.Unit == "civilian":
		return &c.CiviliansRepatriated
	}
	return nil
}

// Back sets the checkpoint that backs the ledger and, on every row, the
// log's own counts from stats (the statistics recounted from that
// checkpoint's entries). Each logged figure is counted in the direction
// From → To of the row whose To is the entry's acting party and whose From
// is its other party: the receiving party logs deliveries and
// repatriations, the home party its acceptances and refusals. A month or
// direction that only the log has gets a row too, with the ledger's
// figures at zero, so that no logged count goes unseen.
func (l *Ledger) Back(cp Checkpoint, stats []tlog.Stat) {
	if cp.URL == "" {
		cp.URL = CheckpointPath
	}
	if cp.Verify == "" {
		cp.Verify = VerifyCommand
	}
	l.Checkpoint = &cp
	counts := map[key]*LogCounts{}
	for _, s := range stats {
		if s.Peer == "" || s.Month == "" {
			continue
		}
		k := key{s.Month, Direction{From: s.Peer, To: s.Party}}
		c := counts[k]
		if c == nil {
			c = &LogCounts{}
		}
		if f := logField(s, c); f != nil {
			*f += s.Count
			counts[k] = c
		}
	}
	rows := map[key]Row{}
	dirs := map[Direction]bool{}
	for _, d := range l.Directions {
		dirs[d] = true
	}
	for _, r := range l.Rows() {
		rows[key{r.Month, Direction{r.From, r.To}}] = r
	}
	for k := range counts {
		if _, ok := rows[k]; !ok {
			rows[k] = Row{Month: k.month, From: k.dir.From, To: k.dir.To}
		}
		if !dirs[k.dir] {
			dirs[k.dir] = true
			l.Directions = append(l.Directions, k.dir)
		}
	}
	slices.SortFunc(l.Directions, func(a, c Direction) int {
		return cmp.Or(cmp.Compare(a.From, c.From), cmp.Compare(a.To, c.To))
	})
	months := map[string]bool{}
	for k := range rows {
		months[k.month] = true
	}
	l.Months = l.Months[:0]
	for m := range months {
		mo := Month{Month: m}
		for _, d := range l.Directions {
			r, ok := rows[key{m, d}]
			if !ok {
				r = Row{Month: m, From: d.From, To: d.To}
			}
			lc := LogCounts{}
			if c := counts[key{m, d}]; c != nil {
				lc = *c
			}
			r.Log = &lc
			mo.Directions = append(mo.Directions, r)
		}
		l.Months = append(l.Months, mo)
	}
	slices.SortFunc(l.Months, func(a, c Month) int { return cmp.Compare(a.Month, c.Month) })
}

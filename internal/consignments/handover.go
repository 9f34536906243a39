package consignments

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
	"lifeline/internal/pdf"
	"lifeline/internal/s10"
)

// Scan is one parcel scanned by the intermediary at the exchange point.
type Scan struct {
	Tracking string    `json:"tracking"`
	Damaged  bool      `json:"damaged"`
	Expected bool      `json:"expected"` // on the manifest
	UserID   int64     `json:"user_id"`
	At       time.Time `json:"at"`
}

// ScanOutcome says what a scan was.
type ScanOutcome string

const (
	ScanExpected  ScanOutcome = "expected"  // on the manifest, first scan
	ScanDamaged   ScanOutcome = "damaged"   // on the manifest (or extra) and marked damaged
	ScanExtra     ScanOutcome = "extra"     // not on the manifest and in no other consignment
	ScanDuplicate ScanOutcome = "duplicate" // scanned before; nothing changes
)

// OK reports whether the outcome is good news for the person scanning (a
// green light): an expected parcel in good condition, or a repeat of one.
func (o ScanOutcome) OK() bool { return o == ScanExpected || o == ScanDuplicate }

// ScanInput is what the store knows about a scanned tracking number.
type ScanInput struct {
	Tracking string
	Damaged  bool
	// OnManifest is true when the parcel is on this consignment's manifest.
	OnManifest bool
	// OtherRef is the reference of the consignment the parcel belongs to
	// when that is another one; empty when it is this one or none.
	OtherRef string
	// Previous is the earlier scan of the same parcel at this handover, if any.
	Previous *Scan
}

// ClassifyScan decides what a scan at the handover of consignment c is. It
// refuses a scan when the consignment is not waiting for its handover (a
// second handover), a tracking number that is not an S10 identifier, and a
// parcel that belongs to another consignment. It returns the scan to record,
// or nil when nothing changes.
func ClassifyScan(c Consignment, in ScanInput, user int64, at time.Time) (ScanOutcome, *Scan, error) {
	const op = "consignments.ClassifyScan"
	if err := CanScan(c); err != nil {
		return "", nil, errs.Wrap(op, err)
	}
	id := s10.Normalize(in.Tracking)
	if err := s10.Validate(id); err != nil {
		return "", nil, errs.Fields(op, map[string]string{"tracking": errs.MessageOf(err)})
	}
	if in.OtherRef != "" && in.OtherRef != c.Ref {
		return "", nil, errs.E(op, errs.Conflict, "parcel %s belongs to consignment %s, not to %s: put it aside", id, in.OtherRef, c.Ref)
	}
	if p := in.Previous; p != nil {
		if in.Damaged && !p.Damaged {
			s := *p
			s.Damaged, s.UserID, s.At = true, user, at.UTC()
			return ScanDamaged, &s, nil
		}
		return ScanDuplicate, nil, nil
	}
	s := &Scan{Tracking: id, Damaged: in.Damaged, Expected: in.OnManifest, UserID: user, At: at.UTC()}
	switch {
	case in.Damaged:
		return ScanDamaged, s, nil
	case in.OnManifest:
		return ScanExpected, s, nil
	}
	return ScanExtra, s, nil
}

// CanScan reports whether parcels of c may be scanned for its handover.
func CanScan(c Consignment) error {
	const op = "consignments.CanScan"
	switch {
	case c.State == Dispatched:
		return nil
	case c.State.AtLeast(HandedOver):
		return errs.E(op, errs.Conflict, "consignment %s was already handed over; a second handover is refused", c.Ref)
	}
	return errs.E(op, errs.Conflict, "consignment %s is %s; only a dispatched consignment can be handed over", c.Ref, label(c.State))
}

// Counts are the running counts of a handover and the receipt lines of
// RCV-1: remaining = shipped − received − cancelled.
type Counts struct {
	Expected  int `json:"expected"` // shipped: parcels on the manifest
	Scanned   int `json:"scanned"`  // every distinct parcel scanned, extra ones included
	Received  int `json:"received"` // parcels on the manifest that were scanned
	Missing   int `json:"missing"`
	Extra     int `json:"extra"`
	Damaged   int `json:"damaged"`
	Cancelled int `json:"cancelled"` // missing parcels written off by a confirmed discrepancy note
	Remaining int `json:"remaining"`
}

// Reconciliation compares the manifest with the scans.
type Reconciliation struct {
	Counts
	Missing []string `json:"missing_parcels"`
	Extra   []string `json:"extra_parcels"`
	Damaged []string `json:"damaged_parcels"`
}

// Discrepant reports whether anything differs from the manifest.
func (r Reconciliation) Discrepant() bool {
	return len(r.Missing)+len(r.Extra)+len(r.Damaged) > 0
}

// Reconcile compares the tracking numbers expected on the manifest with the
// scans. When written off is true, the missing parcels count as cancelled
// (a confirmed discrepancy note wrote them off).
func Reconcile(expected []string, scans []Scan, writtenOff bool) Reconciliation {
	want := make(map[string]bool, len(expected))
	for _, t := range expected {
		want[t] = true
	}
	seen := make(map[string]bool, len(scans))
	r := Reconciliation{Missing: []string{}, Extra: []string{}, Damaged: []string{}}
	for _, s := range scans {
		if seen[s.Tracking] {
			continue
		}
		seen[s.Tracking] = true
		r.Scanned++
		if want[s.Tracking] {
			r.Received++
		} else {
			r.Extra = append(r.Extra, s.Tracking)
		}
		if s.Damaged {
			r.Damaged = append(r.Damaged, s.Tracking)
		}
	}
	for t := range want {
		if !seen[t] {
			r.Missing = append(r.Missing, t)
		}
	}
	slices.Sort(r.Missing)
	slices.Sort(r.Extra)
	slices.Sort(r.Damaged)
	r.Expected = len(want)
	r.Counts.Missing = len(r.Missing)
	r.Counts.Extra = len(r.Extra)
	r.Counts.Damaged = len(r.Damaged)
	if writtenOff {
		r.Cancelled = len(r.Missing)
	}
	r.Remaining = r.Expected - r.Received - r.Cancelled
	return r
}

// Note is a discrepancy note (RCV-3, a UPU verification note): it keeps the
// original quantities and needs two different people to confirm it.
type Note struct {
	ID        int64     `json:"id"`
	Ref       string    `json:"ref"`
	Text      string    `json:"text"`
	Expected  int       `json:"expected"`
	Scanned   int       `json:"scanned"`
	Missing   []string  `json:"missing_parcels"`
	Extra     []string  `json:"extra_parcels"`
	Damaged   []string  `json:"damaged_parcels"`
	AuthorID  int64     `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	// Confirmations, in order; two by different users confirm the note.
	Confirmations []Confirmation `json:"confirmations"`
	// Reply is the dispatching side's answer to the confirmed note; nil
	// while none was given (see Note.Answer).
	Reply *Reply `json:"reply,omitempty"`
}

// Confirmation is one person's confirmation of a note.
type Confirmation struct {
	UserID int64     `json:"user_id"`
	At     time.Time `json:"at"`
}

// ConfirmationsNeeded is the number of different people who confirm a note.
const ConfirmationsNeeded = 2

// NewNote writes a discrepancy note about reconciliation r of consignment c.
func NewNote(c Consignment, r Reconciliation, text string, author int64, at time.Time) (Note, error) {
	const op = "consignments.NewNote"
	if err := CanScan(c); err != nil {
		return Note{}, errs.Wrap(op, err)
	}
	text = strings.TrimSpace(text)
	f := map[string]string{}
	if text == "" {
		f["text"] = "say what was found and what was done"
	} else if utf8.RuneCountInString(text) > 2000 {
		f["text"] = "at most 2000 characters"
	}
	if len(f) > 0 {
		return Note{}, errs.Fields(op, f)
	}
	if !r.Discrepant() {
		return Note{}, errs.E(op, errs.Conflict, "every parcel of %s was scanned in good condition: there is no discrepancy to note", c.Ref)
	}
	return Note{
		Ref: c.Ref, Text: text, Expected: r.Expected, Scanned: r.Scanned,
		Missing: slices.Clone(r.Missing), Extra: slices.Clone(r.Extra), Damaged: slices.Clone(r.Damaged),
		AuthorID: author, CreatedAt: at.UTC(), Confirmations: []Confirmation{},
	}, nil
}

// Confirm records user's confirmation of n. The same user confirming twice
// is refused, and so is a third confirmation.
func (n *Note) Confirm(user int64, at time.Time) error {
	const op = "consignments.Note.Confirm"
	if user == 0 {
		return errs.E(op, errs.Forbidden, "a note is confirmed by a named user")
	}
	for _, c := range n.Confirmations {
		if c.UserID == user {
			return errs.E(op, errs.Conflict, "you have already confirmed this note; a second, different person must confirm it")
		}
	}
	if n.Confirmed() {
		return errs.E(op, errs.Conflict, "the note is already confirmed by two people")
	}
	n.Confirmations = append(n.Confirmations, Confirmation{UserID: user, At: at.UTC()})
	return nil
}

// Confirmed reports whether two different people confirmed n.
func (n *Note) Confirmed() bool {
	users := map[int64]bool{}
	for _, c := range n.Confirmations {
		users[c.UserID] = true
	}
	return len(users) >= ConfirmationsNeeded
}

// Matches reports whether n describes reconciliation r: the scans did not
// change since the note was written.
func (n *Note) Matches(r Reconciliation) bool {
	return n.Expected == r.Expected && n.Scanned == r.Scanned &&
		slices.Equal(n.Missing, r.Missing) && slices.Equal(n.Extra, r.Extra) && slices.Equal(n.Damaged, r.Damaged)
}

// CanCompleteHandover reports whether the handover of c may be completed
// with reconciliation r and note (nil when none): a discrepancy needs a note
// that describes the current scans and is confirmed by two people.
func CanCompleteHandover(c Consignment, r Reconciliation, note *Note) error {
	const op = "consignments.CanCompleteHandover"
	if err := CanScan(c); err != nil {
		return errs.Wrap(op, err)
	}
	if !r.Discrepant() {
		return nil
	}
	if note == nil {
		return errs.E(op, errs.Conflict, "%d missing, %d extra and %d damaged parcels: write a discrepancy note and have two people confirm it",
			len(r.Missing), len(r.Extra), len(r.Damaged))
	}
	if !note.Matches(r) {
		return errs.E(op, errs.Conflict, "the scans changed after the discrepancy note was written: write a new note")
	}
	if !note.Confirmed() {
		return errs.E(op, errs.Conflict, "the discrepancy note needs confirmations by two different people (%d so far)", len(note.Confirmations))
	}
	return nil
}

// HandoverStates returns the parcel states after the handover: scanned
// parcels are handed over, missing ones are missing.
func HandoverStates(r Reconciliation, expected []string) map[string]ParcelState {
	out := make(map[string]ParcelState, len(expected))
	for _, t := range expected {
		out[t] = ParcelHandedOver
	}
	for _, t := range r.Missing {
		out[t] = ParcelMissing
	}
	return out
}

// Receipt is the handover receipt: what the intermediary received from the
// sending party and handed to the receiving party. The intermediary signs it,
// then the receiving party countersigns it.
type Receipt struct {
	Ref            string    `json:"ref"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	Via            string    `json:"via"`
	Place          string    `json:"place,omitempty"`
	Date           time.Time `json:"date"`
	ManifestDigest string    `json:"manifest_digest"`
	Shipped        int       `json:"shipped"`
	Received       int       `json:"received"`
	Cancelled      int       `json:"cancelled"`
	Damaged        int       `json:"damaged"`
	Remaining      int       `json:"remaining"`
	Extra          int       `json:"extra"`
	MissingList    []string  `json:"missing_parcels"`
	ExtraList      []string  `json:"extra_parcels"`
	DamagedList    []string  `json:"damaged_parcels"`
	Note           string    `json:"note,omitempty"`
	Confirmations  int       `json:"note_confirmations,omitempty"`
}

// BuildReceipt builds the handover receipt of c from the final
// reconciliation (missing parcels written off when a note confirmed them)
// and the note, if any. manifestDigest is the digest of the signed manifest
// the handover was checked against.
func BuildReceipt(c Consignment, manifestDigest string, r Reconciliation, note *Note, at time.Time) (Receipt, error) {
	const op = "consignments.BuildReceipt"
	if err := CanCompleteHandover(c, r, note); err != nil {
		return Receipt{}, errs.Wrap(op, err)
	}
	if !hexDigest(manifestDigest) {
		return Receipt{}, errs.E(op, errs.Invalid, "the manifest digest must be 64 hex digits")
	}
	rc := Receipt{
		Ref: c.Ref, From: c.From, To: c.To, Via: c.Via, Place: c.Place, Date: at.UTC().Truncate(time.Second),
		ManifestDigest: manifestDigest,
		Shipped:        r.Expected, Received: r.Received, Damaged: r.Counts.Damaged, Extra: r.Counts.Extra,
		MissingList: r.Missing, ExtraList: r.Extra, DamagedList: r.Damaged,
	}
	if note != nil && r.Discrepant() {
		rc.Note = note.Text
		rc.Confirmations = len(note.Confirmations)
		rc.Cancelled = len(r.Missing)
	}
	rc.Remaining = rc.Shipped - rc.Received - rc.Cancelled
	return rc, nil
}

// Check validates a receipt received from another node against the
// consignment it is about.
func (rc Receipt) Check(c Consignment) error {
	const op = "consignments.Receipt.Check"
	switch {
	case rc.Ref != c.Ref || rc.From != c.From || rc.To != c.To || rc.Via != c.Via:
		return errs.E(op, errs.Invalid, "the receipt names %s from %s to %s via %s; the consignment here is %s from %s to %s via %s",
			rc.Ref, rc.From, rc.To, rc.Via, c.Ref, c.From, c.To, c.Via)
	case rc.Date.IsZero():
		return errs.E(op, errs.Invalid, "the receipt has no date")
	case c.DispatchedAt != nil && rc.Date.Before(c.DispatchedAt.Truncate(time.Second)):
		return errs.E(op, errs.Invalid, "the receipt is dated before the dispatch of the consignment")
	case rc.Shipped != rc.Received+len(rc.MissingList):
		return errs.E(op, errs.Invalid, "the receipt's counts do not add up: %d shipped, %d received, %d missing", rc.Shipped, rc.Received, len(rc.MissingList))
	case rc.Remaining != rc.Shipped-rc.Received-rc.Cancelled || rc.Remaining < 0:
		return errs.E(op, errs.Invalid, "the receipt's remaining count is not shipped − received − cancelled")
	case rc.Damaged != len(rc.DamagedList) || rc.Extra != len(rc.ExtraList):
		return errs.E(op, errs.Invalid, "the receipt's damaged or extra counts differ from its lists")
	}
	for _, l := range [][]string{rc.MissingList, rc.ExtraList, rc.DamagedList} {
		for _, t := range l {
			if s10.Validate(t) != nil {
				return errs.E(op, errs.Invalid, "the receipt lists %q, which is not a tracking number", t)
			}
		}
	}
	return nil
}

// PDF returns the printed handover receipt with the given signatures.
func (rc Receipt) PDF(names Names, sigs []pdf.Signature) pdf.HandoverReceipt {
	return pdf.HandoverReceipt{
		Reference: rc.Ref, Date: rc.Date, Place: rc.Place,
		From: names.party(rc.From), To: names.party(rc.To), Via: names.party(rc.Via),
		Expected: rc.Shipped, Scanned: rc.Received + rc.Extra,
		Missing: rc.MissingList, Extra: rc.ExtraList, Damaged: rc.DamagedList,
		Note: rc.Note, Signatures: sigs,
	}
}

func hexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

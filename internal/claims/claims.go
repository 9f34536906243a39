// Package claims holds public claims that parties make ("six citizens were
// refused") and the rules that check them against signed records
// (DESIGN.md "Civilians and repatriation"). A claim links to the cases,
// operations or consignments it is about; it is verified only when signed
// records linked to it back it.
//
// It does no I/O: the store gathers the evidence, this package judges it.
package claims

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Status is how far a claim is checked.
type Status string

const (
	Unverified   Status = "unverified"
	Corroborated Status = "corroborated" // the intermediary confirms it
	Contradicted Status = "contradicted" // the intermediary or signed records say otherwise
	Verified     Status = "verified"     // signed records linked to it back it
)

// Statuses lists the statuses in display order.
var Statuses = []Status{Unverified, Corroborated, Contradicted, Verified}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

var next = map[Status][]Status{
	Unverified:   {Corroborated, Contradicted, Verified},
	Corroborated: {Contradicted, Verified},
	Contradicted: {Verified}, // signed records that turn up later decide
}

// CanMoveTo reports whether a claim may move from s to t.
func (s Status) CanMoveTo(t Status) bool { return slices.Contains(next[s], t) }

// Subject is what a claim asserts, which decides what evidence counts.
type Subject string

const (
	SubjectRefusal      Subject = "refusal"      // people were refused by a party
	SubjectRepatriation Subject = "repatriation" // people were repatriated
	SubjectDelivery     Subject = "delivery"     // parcels were delivered
	SubjectOther        Subject = "other"        // anything else: never verified by records alone
)

// Subjects lists the subjects in display order.
var Subjects = []Subject{SubjectRefusal, SubjectRepatriation, SubjectDelivery, SubjectOther}

// LinkKind is the kind of record a claim links to.
type LinkKind string

const (
	LinkCase        LinkKind = "case"
	LinkOperation   LinkKind = "operation"
	LinkConsignment LinkKind = "consignment"
)

// LinkKinds lists the kinds of link.
var LinkKinds = []LinkKind{LinkCase, LinkOperation, LinkConsignment}

// Link names one record a claim is about.
type Link struct {
	Kind LinkKind `json:"kind"`
	ID   int64    `json:"id"`
}

func (l Link) String() string { return fmt.Sprintf("%s %d", l.Kind, l.ID) }

// Claim is a statement a party made in public.
type Claim struct {
	ID        int64     `json:"id"`
	Statement string    `json:"statement"`
	Party     string    `json:"party"`   // who made it
	MadeOn    time.Time `json:"made_on"` // the day it was made
	Source    string    `json:"source"`  // where: a press briefing, a post, a letter
	Subject   Subject   `json:"subject"`
	Count     int       `json:"count,omitempty"` // the number it states, 0 when none
	Links     []Link    `json:"links"`

	Status     Status `json:"status"`
	StatusNote string `json:"status_note,omitempty"`
	// Checkpoint is the published log checkpoint whose entries backed the
	// claim when it was verified.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	StatusBy   string      `json:"status_by,omitempty"` // the party that set the status
	StatusAt   *time.Time  `json:"status_at,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	Version    int         `json:"version"`
}

// MaxLinks is how many records one claim links to at most.
const MaxLinks = 200

// Normalize trims the claim's text.
func (c *Claim) Normalize() {
	c.Statement = strings.TrimSpace(c.Statement)
	c.Source = strings.TrimSpace(c.Source)
	c.Party = strings.TrimSpace(c.Party)
	if c.Status == "" {
		c.Status = Unverified
	}
	if c.Subject == "" {
		c.Subject = SubjectOther
	}
}

// Validate checks the fields a user sets. Whether each link names a record
// that exists is the store's to check.
func (c *Claim) Validate(now time.Time) error {
	f := map[string]string{}
	if c.Statement == "" {
		f["statement"] = "required: what the party said"
	} else if utf8.RuneCountInString(c.Statement) > 2000 {
		f["statement"] = "at most 2000 characters"
	}
	if c.Party == "" {
		f["party"] = "required: who made the claim"
	}
	if c.MadeOn.IsZero() {
		f["made_on"] = "required: when the claim was made"
	} else if c.MadeOn.After(now) {
		f["made_on"] = "cannot be in the future"
	}
	if c.Source == "" {
		f["source"] = "required: where the claim was made"
	} else if utf8.RuneCountInString(c.Source) > 500 {
		f["source"] = "at most 500 characters"
	}
	if !slices.Contains(Subjects, c.Subject) {
		f["subject"] = "must be refusal, repatriation, delivery or other"
	}
	if c.Count < 0 {
		f["count"] = "cannot be negative"
	}
	if len(c.Links) > MaxLinks {
		f["links"] = "at most 200 links"
	}
	seen := map[Link]bool{}
	for _, l := range c.Links {
		switch {
		case !slices.Contains(LinkKinds, l.Kind):
			f["links"] = "a link is to a case, an operation or a consignment"
		case l.ID <= 0:
			f["links"] = "a link names a record by its id"
		case seen[l]:
			f["links"] = l.String() + " is linked twice"
		}
		seen[l] = true
	}
	if len(f) > 0 {
		return errs.Fields("claims.Claim.Validate", f)
	}
	return nil
}

// Linked reports whether the claim links to l.
func (c *Claim) Linked(l Link) bool { return slices.Contains(c.Links, l) }

// EvidenceKind is a kind of record that can back or contradict a claim.
type EvidenceKind string

const (
	EvRefusal      EvidenceKind = "refusal"               // a case's recorded refusal
	EvAcceptance   EvidenceKind = "acceptance"            // a case's recorded acceptance
	EvRoster       EvidenceKind = "repatriation_roster"   // an operation's roster
	EvOutcomes     EvidenceKind = "repatriation_outcomes" // an operation's outcomes; Count is those handed over
	EvHandover     EvidenceKind = "handover_receipt"      // a consignment's handover receipt; Count is parcels received
	EvDelivery     EvidenceKind = "delivery_report"       // a consignment's delivery report; Count is parcels delivered
	EvIntermediary EvidenceKind = "intermediary"          // the intermediary's own statement
)

// Evidence is one record the store found for a claim's links.
type Evidence struct {
	Kind    EvidenceKind `json:"kind"`
	Link    Link         `json:"link"`
	Signed  bool         `json:"signed"` // signed by every party its kind needs
	Signers []string     `json:"signers,omitempty"`
	Count   int          `json:"count"` // how many people or parcels it records
	At      time.Time    `json:"at"`
	Summary string       `json:"summary"`
	Digest  string       `json:"digest,omitempty"` // of the signed document, when there is one
}

// backs lists the kinds of evidence that back a claim of each subject.
var backs = map[Subject][]EvidenceKind{
	SubjectRefusal:      {EvRefusal},
	SubjectRepatriation: {EvOutcomes},
	SubjectDelivery:     {EvDelivery},
}

// against lists the kinds of evidence that speak against a claim.
var against = map[Subject][]EvidenceKind{
	SubjectRefusal: {EvAcceptance},
}

// Checkpoint names a published checkpoint of a node's transparency log:
// anyone can recount a number from the entries it covers (`lifeline verify
// audit`).
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Hash   string `json:"hash"` // base64, as in the checkpoint
}

// LogCount is what the transparency log counts for a claim: the entries of
// the claim's event type about the records it links to, in a published
// checkpoint.
type LogCount struct {
	Type       string     `json:"type"`    // the log event type counted
	Entries    int        `json:"entries"` // entries found
	Count      int        `json:"count"`   // the sum of their counts
	Checkpoint Checkpoint `json:"checkpoint"`
}

// LogType returns the transparency-log event type that counts what a claim
// of subject s asserts, or "" when the log counts nothing of the kind.
func LogType(s Subject) string {
	switch s {
	case SubjectRefusal:
		return "acceptance_refused"
	case SubjectRepatriation:
		return "repatriated"
	case SubjectDelivery:
		return "delivered"
	}
	return ""
}

// Assessment is what the evidence says about a claim.
type Assessment struct {
	Backing []Evidence `json:"backing"` // signed records of the kind the claim asserts
	Against []Evidence `json:"against"` // signed records that say otherwise
	Other   []Evidence `json:"other"`   // records that do not count: unsigned, or of another kind
	Counted int        `json:"counted"` // what the backing records count together
	// Verifiable is true when the claim may be marked verified.
	Verifiable bool `json:"verifiable"`
	// Disagrees is true when signed records count something else than the claim.
	Disagrees bool   `json:"disagrees"`
	Reason    string `json:"reason"`
	// Log is what the transparency log counts for the claim, when the node
	// keeps a log with a published checkpoint.
	Log *LogCount `json:"log,omitempty"`
}

// Assess judges the evidence for a claim. Only evidence about records the
// claim links to counts; a claim is verifiable when signed records of the
// kind it asserts back it, none speaks against it, when it states a number
// the records count exactly that number, and the transparency log's
// published checkpoint (lc, nil when there is none) counts the same.
func Assess(c *Claim, evidence []Evidence, lc *LogCount) Assessment {
	a := Assessment{Log: lc}
	for _, e := range evidence {
		switch {
		case !c.Linked(e.Link):
			continue
		case e.Signed && slices.Contains(backs[c.Subject], e.Kind):
			a.Backing = append(a.Backing, e)
			a.Counted += e.Count
		case e.Signed && slices.Contains(against[c.Subject], e.Kind):
			a.Against = append(a.Against, e)
		default:
			a.Other = append(a.Other, e)
		}
	}
	switch {
	case c.Subject == SubjectOther:
		a.Reason = "a claim of this kind is not verified by records alone; the intermediary can corroborate it"
	case len(c.Links) == 0:
		a.Reason = "the claim links to no record"
	case len(a.Against) > 0:
		a.Reason = fmt.Sprintf("%d signed records say otherwise", len(a.Against))
		a.Disagrees = true
	case len(a.Backing) == 0:
		a.Reason = fmt.Sprintf("no signed %s record linked to the claim backs it", kindsText(backs[c.Subject]))
	case c.Count > 0 && a.Counted != c.Count:
		a.Reason = fmt.Sprintf("the signed records count %d, the claim says %d", a.Counted, c.Count)
		a.Disagrees = true
	case lc == nil || lc.Checkpoint.Size == 0:
		a.Reason = fmt.Sprintf("%d signed records back the claim, but no published checkpoint of the transparency log backs the count yet", len(a.Backing))
	case lc.Count != a.Counted:
		a.Reason = fmt.Sprintf("the transparency log counts %d %s in checkpoint %d, the signed records %d", lc.Count,
			strings.ReplaceAll(lc.Type, "_", " "), lc.Checkpoint.Size, a.Counted)
		a.Disagrees = true
	default:
		a.Verifiable = true
		a.Reason = fmt.Sprintf("%d signed records back the claim", len(a.Backing))
		if c.Count > 0 {
			a.Reason += fmt.Sprintf(", counting %d as it says", a.Counted)
		}
		a.Reason += fmt.Sprintf("; the transparency log counts the same in checkpoint %d", lc.Checkpoint.Size)
	}
	return a
}

func kindsText(ks []EvidenceKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = strings.ReplaceAll(string(k), "_", " ")
	}
	return strings.Join(s, " or ")
}

// Decider is who sets a claim's status.
type Decider struct {
	Party        string
	Intermediary bool
}

// SetStatus moves the claim to status to, judged on the evidence and the
// log's count lc: verified only when [Assess] finds it verifiable, keeping
// the checkpoint that backs it; corroborated only by the
// intermediary, with a note; contradicted by the intermediary with a note,
// or by anyone when signed records disagree with it. On error nothing
// changes.
func (c *Claim) SetStatus(to Status, by Decider, note string, at time.Time, evidence []Evidence, lc *LogCount) error {
	const op = "claims.Claim.SetStatus"
	note = strings.TrimSpace(note)
	if !to.Valid() {
		return errs.Fields(op, map[string]string{"status": "must be unverified, corroborated, contradicted or verified"})
	}
	if to == c.Status {
		return errs.E(op, errs.Conflict, "the claim is already %s", c.Status)
	}
	if !c.Status.CanMoveTo(to) {
		return errs.E(op, errs.Conflict, "a %s claim cannot become %s", c.Status, to)
	}
	if utf8.RuneCountInString(note) > 2000 {
		return errs.Fields(op, map[string]string{"note": "at most 2000 characters"})
	}
	a := Assess(c, evidence, lc)
	switch to {
	case Verified:
		if !a.Verifiable {
			return errs.E(op, errs.Conflict, "the claim cannot be verified: %s", a.Reason)
		}
	case Corroborated:
		if !by.Intermediary {
			return errs.E(op, errs.Forbidden, "only the intermediary corroborates a claim")
		}
		if note == "" {
			return errs.Fields(op, map[string]string{"note": "required: what the intermediary confirms"})
		}
	case Contradicted:
		switch {
		case a.Disagrees:
			if note == "" {
				note = a.Reason
			}
		case !by.Intermediary:
			return errs.E(op, errs.Forbidden, "a claim is contradicted by the intermediary or by signed records that disagree with it; none do")
		case note == "":
			return errs.Fields(op, map[string]string{"note": "required: what contradicts the claim"})
		}
	}
	if to == Verified && note == "" {
		note = a.Reason
	}
	t := at
	c.Status, c.StatusNote, c.StatusBy, c.StatusAt = to, note, by.Party, &t
	if to == Verified {
		cp := lc.Checkpoint
		c.Checkpoint = &cp
	}
	return nil
}

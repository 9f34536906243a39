package cases

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/gowebpki/jcs"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

// KindRefusal is the kind of signed document that records a refusal.
const KindRefusal = sign.KindCaseRefusal

// RefusalDocument is a case's refusal as a party signs it: who refused the
// return of how many people, when, why and on what source. It names people
// by their registry ids only.
type RefusalDocument struct {
	Case      int64   `json:"case"`
	Party     string  `json:"party"`      // the refusing (home) party
	HostParty string  `json:"host_party"` // the party on whose side the people are
	DecidedOn string  `json:"decided_on"` // YYYY-MM-DD
	Reason    string  `json:"reason"`
	Source    string  `json:"source"`
	Count     int     `json:"count"`
	PersonIDs []int64 `json:"person_ids"`
}

// RefusalRef is the reference of a case's refusal bundle.
func RefusalRef(caseID int64) string { return "case-" + strconv.FormatInt(caseID, 10) + "/refusal" }

// RefusalDocument returns the case's refusal to sign; a case that was
// never refused has none.
func (c *Case) RefusalDocument() (RefusalDocument, error) {
	if c.Refusal == nil {
		return RefusalDocument{}, errs.E("cases.Case.RefusalDocument", errs.Conflict, "case %d records no refusal to sign", c.ID)
	}
	ids := c.PersonIDs()
	return RefusalDocument{Case: c.ID, Party: c.Refusal.Party, HostParty: c.HostParty, DecidedOn: c.Refusal.At.UTC().Format(time.DateOnly),
		Reason: c.Refusal.Reason, Source: c.Refusal.Source, Count: len(ids), PersonIDs: ids}, nil
}

// CanSignRefusal reports whether party may sign the case's refusal: the
// refusing party, the party hosting the people, or an intermediary (which
// passed the request and the answer on).
func (c *Case) CanSignRefusal(party string, intermediary bool) error {
	const op = "cases.Case.CanSignRefusal"
	if c.Refusal == nil {
		return errs.E(op, errs.Conflict, "case %d records no refusal to sign", c.ID)
	}
	if !intermediary && party != c.Refusal.Party && party != c.HostParty {
		return errs.E(op, errs.Forbidden, "party %s neither refused case %d nor hosts it: it cannot sign the refusal", party, c.ID)
	}
	return nil
}

// refusalHeader is the header of the refusal bundle signed first by
// signer: to the other party of the case.
func (c *Case) refusalHeader(signer string, created time.Time) sign.Header {
	to := c.HostParty
	if signer == c.HostParty {
		to = c.Party
	}
	var cc []string
	for _, p := range []string{c.Party, c.HostParty} {
		if p != signer && p != to && !slices.Contains(cc, p) {
			cc = append(cc, p)
		}
	}
	return sign.Header{Kind: KindRefusal, From: signer, To: to, Cc: cc, Ref: RefusalRef(c.ID), Seq: 1, Created: created}
}

// NewRefusalBundle signs the case's refusal with k, the key of signer.
func (c *Case) NewRefusalBundle(k *sign.Key, signer string, created time.Time) (*sign.Bundle, error) {
	doc, err := c.RefusalDocument()
	if err != nil {
		return nil, err
	}
	return sign.NewBundle(k, c.refusalHeader(signer, created), doc)
}

// SignRefusalBundle adds k's signature (of party self) to the refusal
// bundle b, after checking the signatures already on it against trust and
// that it carries the case's refusal as recorded.
func (c *Case) SignRefusalBundle(b *sign.Bundle, k *sign.Key, trust sign.TrustSet, self string) error {
	const op = "cases.Case.SignRefusalBundle"
	d, v, err := VerifyRefusal(b, trust, c.HostParty)
	if err != nil {
		return err
	}
	if err := c.MatchesRefusal(d); err != nil {
		return err
	}
	if v.SignedBy(self) {
		return errs.E(op, errs.Conflict, "party %s has already signed the refusal of case %d", self, c.ID)
	}
	return b.Countersign(k)
}

// MatchesRefusal checks that a signed refusal is the case's refusal as
// recorded now.
func (c *Case) MatchesRefusal(d *RefusalDocument) error {
	const op = "cases.Case.MatchesRefusal"
	want, err := c.RefusalDocument()
	if err != nil {
		return err
	}
	a, err := canonical(want)
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	b, err := canonical(d)
	if err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	if !bytes.Equal(a, b) {
		return errs.E(op, errs.Conflict, "the signed refusal differs from the refusal recorded on case %d", c.ID)
	}
	return nil
}

// VerifyRefusal verifies a refusal bundle for the node of party self
// against trust and returns its document.
func VerifyRefusal(b *sign.Bundle, trust sign.TrustSet, self string) (*RefusalDocument, *sign.Verified, error) {
	const op = "cases.VerifyRefusal"
	if b.Kind != KindRefusal {
		return nil, nil, errs.E(op, errs.Invalid, "the bundle holds a %s, not a case refusal", b.Kind)
	}
	v, err := b.Verify(trust, self, nil)
	if err != nil {
		return nil, nil, err
	}
	var d RefusalDocument
	if err := v.Decode(&d); err != nil {
		return nil, nil, err
	}
	if d.Count != len(d.PersonIDs) || d.Count == 0 {
		return nil, nil, errs.E(op, errs.Invalid, "the refusal counts %d people and lists %d", d.Count, len(d.PersonIDs))
	}
	if v.Ref != RefusalRef(d.Case) {
		return nil, nil, errs.E(op, errs.Invalid, "the bundle is about %s, its refusal about case %d", v.Ref, d.Case)
	}
	return &d, v, nil
}

func canonical(doc any) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(raw)
}

package store

import (
	"bytes"
	"context"
	"strings"

	"lifeline/internal/cases"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/sign"
)

// SignCaseRefusal signs the refusal recorded on a case for party, with its
// key from keys: the refusing party, the party hosting the people, or an
// intermediary. The first signature makes the bundle (stored as the case's
// case_refusal document); each other party countersigns it after checking
// the signatures already there and that it carries the refusal as recorded.
// A signed refusal is what lets a claim about it be verified.
func (tx *Tx) SignCaseRefusal(ctx context.Context, a Actor, caseID int64, party string, keys Keys) (*SignedDocument, error) {
	const op = "store.SignCaseRefusal"
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	p, err := partyOf(ctx, tx, party)
	if err != nil {
		return nil, errs.Fields(op, map[string]string{"party": "no such party"})
	}
	if err := c.CanSignRefusal(party, p.Kind == registry.Intermediary); err != nil {
		return nil, err
	}
	k, err := keys.Key(party)
	if err != nil {
		return nil, err
	}
	d, err := signedDocument(ctx, tx, "case", c.ID, cases.KindRefusal)
	var b *sign.Bundle
	switch {
	case errs.Is(err, errs.NotFound):
		if b, err = c.NewRefusalBundle(k, party, tx.now); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if b, err = sign.ReadBundle(bytes.NewReader(d.Bundle)); err != nil {
			return nil, err
		}
		trust := sign.TrustSet{}
		for _, s := range d.Signers {
			sk, err := keys.Key(s)
			if err != nil {
				return nil, err
			}
			trust.Add(s, sk.Public())
		}
		if err := c.SignRefusalBundle(b, k, trust, party); err != nil {
			return nil, err
		}
	}
	data, err := b.Marshal()
	if err != nil {
		return nil, err
	}
	var signers []string
	if d != nil {
		signers = d.Signers
	}
	signers = append(signers, party)
	trust := sign.TrustSet{}
	for _, s := range signers {
		sk, err := keys.Key(s)
		if err != nil {
			return nil, err
		}
		trust.Add(s, sk.Public())
	}
	_, v, err := cases.VerifyRefusal(b, trust, c.HostParty)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if d == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO signed_documents (entity, entity_id, kind, ref, seq, bundle, digest, signers, created_at, updated_at)
			VALUES ('case', $1, $2, $3, $4, $5, $6, $7, $8, $8)`, c.ID, cases.KindRefusal, v.Ref, v.Seq, string(data), v.Digest(), strings.Join(signers, ","), tx.now)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE signed_documents SET bundle = $1, signers = $2, updated_at = $3 WHERE entity = 'case' AND entity_id = $4 AND kind = $5`,
			string(data), strings.Join(signers, ","), tx.now, c.ID, cases.KindRefusal)
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	if err := tx.Event(ctx, a, "case", c.ID, "case.refusal_signed", map[string]any{"party": party, "digest": v.Digest()}); err != nil {
		return nil, err
	}
	return signedDocument(ctx, tx, "case", c.ID, cases.KindRefusal)
}

// CaseRefusalDocument returns the signed refusal of a case.
func (db *DB) CaseRefusalDocument(ctx context.Context, caseID int64) (*SignedDocument, error) {
	return signedDocument(ctx, db.read, "case", caseID, cases.KindRefusal)
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"lifeline/internal/cases"
	"lifeline/internal/claims"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/sign"
	"lifeline/internal/tlog"
)

// evidenceTrust returns the keys a claim's signed records are checked
// against: the keys this node holds for the parties it hosts and the keys
// of other parties it trusts.
func evidenceTrust(ctx context.Context, q DBTX) (sign.TrustSet, error) {
	const op = "store.ClaimEvidence"
	t, err := heldTrust(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT party_code, public_key FROM party_keys`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var party, pub string
		if err := rows.Scan(&party, &pub); err != nil {
			return nil, mapErr(op, err)
		}
		k, err := sign.ParsePublicKey(pub)
		if err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
		t.Add(party, k)
	}
	return t, mapErr(op, rows.Err())
}

// signedRefusalEvidence marks the refusal evidence of case link l in ev as
// signed when the case's signed refusal verifies against trust and is the
// refusal on record.
func signedRefusalEvidence(ctx context.Context, q DBTX, l claims.Link, trust sign.TrustSet, ev []claims.Evidence) error {
	d, err := signedDocument(ctx, q, "case", l.ID, cases.KindRefusal)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c, err := loadCase(ctx, q, l.ID)
	if err != nil {
		return err
	}
	b, err := sign.ReadBundle(bytes.NewReader(d.Bundle))
	var doc *cases.RefusalDocument
	var v *sign.Verified
	if err == nil {
		doc, v, err = cases.VerifyRefusal(b, trust, c.HostParty)
	}
	if err == nil {
		err = c.MatchesRefusal(doc)
	}
	for i := range ev {
		e := &ev[i]
		if e.Link != l || e.Kind != claims.EvRefusal {
			continue
		}
		e.Signers = d.Signers
		if err != nil {
			e.Summary = strings.TrimSuffix(e.Summary, "; not signed by any party") + "; its signed refusal does not count: " + errs.MessageOf(err)
			continue
		}
		e.Signed, e.Digest, e.Count = true, v.Digest(), doc.Count
		e.Summary = strings.TrimSuffix(e.Summary, "; not signed by any party") + "; signed by " + strings.Join(d.Signers, ", ")
	}
	return nil
}

// consignmentEvidence gathers the handover receipt and the delivery report
// of consignment link l, each verified against trust.
func consignmentEvidence(ctx context.Context, q DBTX, l claims.Link, trust sign.TrustSet) ([]claims.Evidence, error) {
	const op = "store.ClaimEvidence"
	var ref string
	err := q.QueryRowContext(ctx, `SELECT ref FROM consignments WHERE id = $1`, l.ID).Scan(&ref)
	if err == sql.ErrNoRows {
		return nil, errs.E(op, errs.NotFound, "no consignment %d", l.ID)
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	var out []claims.Evidence
	for _, kind := range []string{sign.KindHandoverReceipt, sign.KindDeliveryReport} {
		row, err := bundleRow(ctx, q, ref, kind)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		e := claims.Evidence{Kind: claims.EvidenceKind(kind), Link: l, Signers: row.signers, Digest: row.digest}
		b, err := sign.ReadBundle(strings.NewReader(row.body))
		var v *sign.Verified
		if err == nil {
			v, err = consignments.VerifyBundle(b, trust, "")
		}
		if err != nil {
			e.Summary = fmt.Sprintf("%s of consignment %s does not count: %s", strings.ReplaceAll(kind, "_", " "), ref, errs.MessageOf(err))
			out = append(out, e)
			continue
		}
		e.Signed, e.At = true, v.Created
		if kind == sign.KindHandoverReceipt {
			var rc consignments.Receipt
			if err := v.Decode(&rc); err != nil {
				return nil, err
			}
			e.Count = rc.Received
			e.Summary = fmt.Sprintf("handover receipt of consignment %s: %d parcels received, signed by %s", ref, rc.Received, strings.Join(row.signers, ", "))
		} else {
			var rp consignments.Report
			if err := v.Decode(&rp); err != nil {
				return nil, err
			}
			e.Count = rp.Counts.Delivered
			e.Summary = fmt.Sprintf("delivery report of consignment %s: %d parcels delivered, signed by %s", ref, rp.Counts.Delivered, strings.Join(row.signers, ", "))
		}
		out = append(out, e)
	}
	return out, nil
}

// ClaimLogRefs returns the identifiers the records a claim links to go by
// in the transparency log: cases as CaseLogRef, operations and consignments
// by their references.
func (db *DB) ClaimLogRefs(ctx context.Context, c *claims.Claim) ([]string, error) {
	const op = "store.ClaimLogRefs"
	var out []string
	for _, l := range c.Links {
		var ref string
		var err error
		switch l.Kind {
		case claims.LinkCase:
			out = append(out, CaseLogRef(l.ID))
			continue
		case claims.LinkOperation:
			err = db.read.QueryRowContext(ctx, `SELECT ref FROM operations WHERE id = $1`, l.ID).Scan(&ref)
		case claims.LinkConsignment:
			err = db.read.QueryRowContext(ctx, `SELECT ref FROM consignments WHERE id = $1`, l.ID).Scan(&ref)
		}
		if err == sql.ErrNoRows {
			return nil, errs.E(op, errs.NotFound, "%s does not exist", l)
		}
		if err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, ref)
	}
	return out, nil
}

// LogCount sums the entries of type typ about refs (by their pseudonyms in
// l) among the first size entries of the log: what a checkpoint of that
// size says about those records.
func (db *DB) LogCount(ctx context.Context, l *tlog.Log, size int64, typ string, refs []string) (entries, count int, err error) {
	const op = "store.LogCount"
	want := map[string]bool{}
	for _, r := range refs {
		want[l.Pseudonym(r)] = true
	}
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM tlog_entries WHERE idx < $1 ORDER BY idx`, size)
	if err != nil {
		return 0, 0, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return 0, 0, mapErr(op, err)
		}
		e, err := tlog.ParseEntry(data)
		if err != nil {
			return 0, 0, errs.Wrap(op, err)
		}
		if e.Type == typ && want[e.Ref] {
			entries++
			count += e.Count
		}
	}
	return entries, count, mapErr(op, rows.Err())
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"lifeline/internal/claims"
	"lifeline/internal/errs"
	"lifeline/internal/repatriation"
	"lifeline/internal/sign"
)

// ---- claims and their evidence

const claimCols = `id, statement, party, made_on, source, subject, stated_count, status, status_note, status_by, status_at, version, created_at,
	log_origin, log_size, log_hash`

func scanClaim(s interface{ Scan(...any) error }) (*claims.Claim, error) {
	var c claims.Claim
	var at sql.NullTime
	var cp claims.Checkpoint
	err := s.Scan(&c.ID, &c.Statement, &c.Party, &c.MadeOn, &c.Source, &c.Subject, &c.Count, &c.Status, &c.StatusNote, &c.StatusBy, &at,
		&c.Version, &c.CreatedAt, &cp.Origin, &cp.Size, &cp.Hash)
	if err != nil {
		return nil, err
	}
	if cp.Size > 0 {
		c.Checkpoint = &cp
	}
	if at.Valid {
		t := at.Time.UTC()
		c.StatusAt = &t
	}
	c.MadeOn, c.CreatedAt, c.Links = c.MadeOn.UTC(), c.CreatedAt.UTC(), []claims.Link{}
	return &c, nil
}

func loadLinks(ctx context.Context, q DBTX, c *claims.Claim) error {
	rows, err := q.QueryContext(ctx, `SELECT kind, target_id FROM claim_links WHERE claim_id = $1 ORDER BY kind, target_id`, c.ID)
	if err != nil {
		return mapErr("store.loadLinks", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l claims.Link
		if err := rows.Scan(&l.Kind, &l.ID); err != nil {
			return mapErr("store.loadLinks", err)
		}
		c.Links = append(c.Links, l)
	}
	return mapErr("store.loadLinks", rows.Err())
}

func loadClaim(ctx context.Context, q DBTX, id int64) (*claims.Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimCols+` FROM claims WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.E("store.Claim", errs.NotFound, "no such claim")
	}
	if err != nil {
		return nil, mapErr("store.Claim", err)
	}
	return c, loadLinks(ctx, q, c)
}

// Claim returns one claim with its links.
func (db *DB) Claim(ctx context.Context, id int64) (*claims.Claim, error) {
	return loadClaim(ctx, db.read, id)
}

// Claims lists claims, newest first, with their links. Claims are public
// statements: every reader of cases sees them all.
func (db *DB) Claims(ctx context.Context, limit int) ([]*claims.Claim, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+claimCols+` FROM claims ORDER BY made_on DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, mapErr("store.Claims", err)
	}
	var out []*claims.Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			rows.Close()
			return nil, mapErr("store.Claims", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("store.Claims", err)
	}
	for _, c := range out {
		if err := loadLinks(ctx, db.read, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tableExists reports whether a table is in the schema: consignments are
// another feature's tables and may not be there.
func tableExists(ctx context.Context, q DBTX, d Dialect, name string) (bool, error) {
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if d == Postgres {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var n int
	if err := q.QueryRowContext(ctx, query, name).Scan(&n); err != nil {
		return false, mapErr("store.tableExists", err)
	}
	return n > 0, nil
}

// checkLinks refuses a link to a record that does not exist.
func (tx *Tx) checkLinks(ctx context.Context, links []claims.Link) error {
	const op = "store.CreateClaim"
	tables := map[claims.LinkKind]string{claims.LinkCase: "cases", claims.LinkOperation: "operations", claims.LinkConsignment: "consignments"}
	for _, l := range links {
		table := tables[l.Kind]
		ok, err := tableExists(ctx, tx, tx.db.Dialect, table)
		if err != nil {
			return err
		}
		n := 0
		if ok {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1`, l.ID).Scan(&n); err != nil {
				return mapErr(op, err)
			}
		}
		if n == 0 {
			return errs.Fields(op, map[string]string{"links": fmt.Sprintf("%s %d does not exist", l.Kind, l.ID)})
		}
	}
	return nil
}

// CreateClaim validates and inserts a claim, unverified, with its links;
// a link to a record that does not exist is refused.
func (tx *Tx) CreateClaim(ctx context.Context, a Actor, c *claims.Claim) error {
	const op = "store.CreateClaim"
	c.Normalize()
	c.Status, c.StatusNote, c.StatusBy, c.StatusAt = claims.Unverified, "", "", nil
	c.MadeOn = c.MadeOn.UTC()
	if err := c.Validate(tx.now); err != nil {
		return err
	}
	if _, err := partyOf(ctx, tx, c.Party); err != nil {
		return errs.Fields(op, map[string]string{"party": "no such party"})
	}
	if err := tx.checkLinks(ctx, c.Links); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO claims (statement, party, made_on, source, subject, stated_count, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id`,
		c.Statement, c.Party, c.MadeOn, c.Source, c.Subject, c.Count, c.Status, tx.now).Scan(&c.ID)
	if err != nil {
		return mapErr(op, err)
	}
	for _, l := range c.Links {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claim_links (claim_id, kind, target_id) VALUES ($1, $2, $3)`, c.ID, l.Kind, l.ID); err != nil {
			return mapErr(op, err)
		}
	}
	c.Version, c.CreatedAt = 1, tx.now
	if c.Links == nil {
		c.Links = []claims.Link{}
	}
	return tx.Event(ctx, a, "claim", c.ID, "claim.created", map[string]any{"party": c.Party, "subject": c.Subject, "links": len(c.Links)})
}

// ClaimEvidence gathers the records about a claim's links: the refusals and
// acceptances recorded on its cases (a refusal counts as signed once a
// party signed it, SignCaseRefusal), the signed roster and outcomes of its
// operations, and the handover receipts and delivery reports of its
// consignments, each verified against the keys this node trusts.
func (db *DB) ClaimEvidence(ctx context.Context, c *claims.Claim) ([]claims.Evidence, error) {
	return claimEvidence(ctx, db.read, c)
}

func claimEvidence(ctx context.Context, q DBTX, c *claims.Claim) ([]claims.Evidence, error) {
	const op = "store.ClaimEvidence"
	out := []claims.Evidence{}
	var trust sign.TrustSet
	for _, l := range c.Links {
		switch l.Kind {
		case claims.LinkCase:
			rows, err := q.QueryContext(ctx, `SELECT type, party, decided_at, reason, source, persons FROM case_events
				WHERE case_id = $1 AND type IN ('accepted', 'refused') ORDER BY id`, l.ID)
			if err != nil {
				return nil, mapErr(op, err)
			}
			for rows.Next() {
				var typ, party, reason, source string
				var at sql.NullTime
				var n int
				if err := rows.Scan(&typ, &party, &at, &reason, &source, &n); err != nil {
					rows.Close()
					return nil, mapErr(op, err)
				}
				e := claims.Evidence{Kind: claims.EvRefusal, Link: l, Count: n, At: at.Time.UTC(),
					Summary: fmt.Sprintf("refused by %s: %s (source: %s); not signed by any party", party, reason, source)}
				if typ == "accepted" {
					e.Kind, e.Summary = claims.EvAcceptance, fmt.Sprintf("accepted by %s (source: %s)", party, source)
				}
				out = append(out, e)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, mapErr(op, err)
			}
			if trust == nil {
				var err error
				if trust, err = evidenceTrust(ctx, q); err != nil {
					return nil, err
				}
			}
			if err := signedRefusalEvidence(ctx, q, l, trust, out); err != nil {
				return nil, err
			}
		case claims.LinkOperation:
			o, err := loadOperation(ctx, q, l.ID)
			if err != nil {
				return nil, err
			}
			for _, kind := range []string{repatriation.KindRoster, repatriation.KindOutcomes} {
				d, err := signedDocument(ctx, q, "operation", l.ID, kind)
				if errs.Is(err, errs.NotFound) {
					continue
				}
				if err != nil {
					return nil, err
				}
				if trust == nil {
					if trust, err = evidenceTrust(ctx, q); err != nil {
						return nil, err
					}
				}
				out = append(out, operationEvidence(l, o, d, trust))
			}
		case claims.LinkConsignment:
			if trust == nil {
				var err error
				if trust, err = evidenceTrust(ctx, q); err != nil {
					return nil, err
				}
			}
			ev, err := consignmentEvidence(ctx, q, l, trust)
			if err != nil {
				return nil, err
			}
			out = append(out, ev...)
		}
	}
	return out, nil
}

// operationEvidence verifies a stored roster or outcomes bundle: it counts
// as signed only when its signatures verify and both parties and the
// intermediary signed it.
func operationEvidence(l claims.Link, o *repatriation.Operation, d *SignedDocument, trust sign.TrustSet) claims.Evidence {
	e := claims.Evidence{Kind: claims.EvidenceKind(d.Kind), Link: l, At: d.Updated, Digest: d.Digest, Signers: d.Signers}
	b, err := sign.ReadBundle(bytes.NewReader(d.Bundle))
	if err != nil {
		e.Summary = "the stored bundle cannot be read: " + errs.MessageOf(err)
		return e
	}
	var doc struct {
		Count      int `json:"count"`
		HandedOver int `json:"handed_over"`
	}
	if d.Kind == repatriation.KindRoster {
		rd, v, err := repatriation.VerifyRoster(b, trust, o.To)
		if err == nil {
			doc.Count, e.Signed, e.Digest = rd.Count, true, v.Digest()
		} else {
			e.Summary = errs.MessageOf(err)
		}
	} else {
		od, v, err := repatriation.VerifyOutcomes(b, trust, o.To)
		if err == nil {
			doc.HandedOver, e.Signed, e.Digest = od.HandedOver, true, v.Digest()
		} else {
			e.Summary = errs.MessageOf(err)
		}
	}
	if !e.Signed {
		e.Summary = "signed by " + strings.Join(d.Signers, ", ") + " only; " + e.Summary
		return e
	}
	if d.Kind == repatriation.KindRoster {
		e.Count, e.Summary = doc.Count, "roster of operation "+o.Ref+": "+strconv.Itoa(doc.Count)+" people, signed by "+strings.Join(d.Signers, ", ")
	} else {
		e.Count, e.Summary = doc.HandedOver, "outcomes of operation "+o.Ref+": "+strconv.Itoa(doc.HandedOver)+" handed over, signed by "+strings.Join(d.Signers, ", ")
	}
	return e
}

// SetClaimStatus moves a claim to a new status, judged by the claims
// package on the evidence gathered in the same transaction.
//
// lc is what the transparency log counts for the claim in a published
// checkpoint (app.App.ClaimLogCount gathers it outside the transaction;
// nil when the node has published nothing): a claim is verified only when
// it agrees, and the checkpoint is kept with the claim.
func (tx *Tx) SetClaimStatus(ctx context.Context, a Actor, id int64, version int, to claims.Status, by claims.Decider, note string, lc *claims.LogCount) (*claims.Claim, error) {
	const op = "store.SetClaimStatus"
	c, err := loadClaim(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != c.Version {
		return nil, errs.E(op, errs.Conflict, "the claim was changed by someone else; reload it")
	}
	ev, err := claimEvidence(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	if err := c.SetStatus(to, by, note, tx.now, ev, lc); err != nil {
		return nil, err
	}
	var cp claims.Checkpoint
	if c.Checkpoint != nil {
		cp = *c.Checkpoint
	}
	res, err := tx.ExecContext(ctx, `UPDATE claims SET status = $1, status_note = $2, status_by = $3, status_at = $4, version = version + 1, updated_at = $4,
		log_origin = $7, log_size = $8, log_hash = $9
		WHERE id = $5 AND version = $6`, c.Status, c.StatusNote, c.StatusBy, tx.now, c.ID, c.Version, cp.Origin, cp.Size, cp.Hash)
	if err != nil {
		return nil, mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errs.E(op, errs.Conflict, "the claim was changed by someone else; reload it")
	}
	c.Version++
	data := map[string]any{"by": by.Party}
	if c.Checkpoint != nil {
		data["log_size"], data["log_hash"] = c.Checkpoint.Size, c.Checkpoint.Hash
	}
	return c, tx.Event(ctx, a, "claim", c.ID, "claim."+string(to), data)
}

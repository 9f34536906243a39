package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func appendSigner(signers []string, p string) []string {
	out := append(slices.Clone(signers), p)
	slices.Sort(out)
	return slices.Compact(out)
}

type storedBundle struct {
	id      int64
	ref     string
	kind    string
	seq     int64
	digest  string
	signers []string
	origin  string
	body    string
}

func scanStoredBundle(s interface{ Scan(...any) error }) (*storedBundle, error) {
	var b storedBundle
	var signers string
	if err := s.Scan(&b.id, &b.ref, &b.kind, &b.seq, &b.digest, &signers, &b.origin, &b.body); err != nil {
		return nil, err
	}
	if signers != "" {
		b.signers = strings.Split(signers, ",")
	}
	return &b, nil
}

const bundleCols = `id, ref, kind, seq, digest, signers, origin, body`

// bundleRow returns the latest stored bundle of a reference, of the given
// kind ("" for any).
func bundleRow(ctx context.Context, q DBTX, ref, kind string) (*storedBundle, error) {
	b, err := scanStoredBundle(q.QueryRowContext(ctx, `SELECT `+bundleCols+` FROM bundles_applied WHERE ref = $1 AND ($2 = '' OR kind = $2)
		ORDER BY seq DESC LIMIT 1`, ref, kind))
	if err == sql.ErrNoRows {
		what := "signed document"
		if kind != "" {
			what = strings.ReplaceAll(kind, "_", " ")
		}
		return nil, errs.E("store.Bundle", errs.NotFound, "consignment %s has no %s here", ref, what)
	}
	return b, mapErr("store.Bundle", err)
}

func bundleHistory(ctx context.Context, q DBTX, ref string) ([]consignments.Applied, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+bundleCols+` FROM bundles_applied WHERE ref = $1 ORDER BY seq`, ref)
	if err != nil {
		return nil, mapErr("store.bundleHistory", err)
	}
	defer rows.Close()
	var out []consignments.Applied
	for rows.Next() {
		b, err := scanStoredBundle(rows)
		if err != nil {
			return nil, mapErr("store.bundleHistory", err)
		}
		out = append(out, consignments.Applied{Digest: b.digest, Kind: b.kind, Seq: b.seq, Signers: b.signers})
	}
	return out, mapErr("store.bundleHistory", rows.Err())
}

func (tx *Tx) insertBundle(ctx context.Context, b *sign.Bundle, digest string, signers []string, origin string) error {
	body, err := b.Marshal()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bundles_applied (ref, kind, seq, digest, signers, origin, body, applied_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, b.Ref, b.Kind, b.Seq, digest, strings.Join(signers, ","), origin, string(body), tx.now)
	return mapErr("store.insertBundle", err)
}

func (tx *Tx) updateBundle(ctx context.Context, id int64, b *sign.Bundle, signers []string) error {
	body, err := b.Marshal()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE bundles_applied SET body = $1, signers = $2, updated_at = $3 WHERE id = $4`,
		string(body), strings.Join(signers, ","), tx.now, id)
	return mapErr("store.updateBundle", err)
}

// signStep signs doc as the step of the given kind of consignment c with
// the key of the party that signs that step, and keeps the bundle. It
// returns the bundle.
func (tx *Tx) signStep(ctx context.Context, keys Keys, c *Consignment, kind string, seq int64, doc any) (*sign.Bundle, error) {
	const op = "store.signStep"
	h, err := consignments.StepHeader(c.Consignment, kind, seq, tx.now)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		return nil, errs.E(op, errs.Internal, "this node has no signing key")
	}
	key, err := keys.Key(h.From)
	if err != nil {
		return nil, err
	}
	b, err := sign.NewBundle(key, h, doc)
	if err != nil {
		return nil, err
	}
	trust := sign.TrustSet{}
	trust.Add(h.From, key.Public())
	v, err := b.Verify(trust, h.From, nil)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := tx.insertBundle(ctx, b, v.Digest(), []string{h.From}, "local"); err != nil {
		return nil, err
	}
	return b, nil
}

// SealConsignment fixes the manifest of a draft consignment and signs it
// with the sending party's key from keys (step 1).
func (tx *Tx) SealConsignment(ctx context.Context, a Actor, keys Keys, ref string) (*sign.Bundle, error) {
	c, err := tx.consignmentFor(ctx, a, ref, consignments.StepPrepare)
	if err != nil {
		return nil, err
	}
	if err := c.State.CanMoveTo(consignments.Sealed); err != nil {
		return nil, err
	}
	ls, err := consignmentLines(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	m, err := consignments.BuildManifest(c.Consignment, manifestLines(ls), tx.now)
	if err != nil {
		return nil, err
	}
	b, err := tx.signStep(ctx, keys, c, sign.KindManifest, 0, m)
	if err != nil {
		return nil, err
	}
	row, err := bundleRow(ctx, tx, c.Ref, sign.KindManifest)
	if err != nil {
		return nil, err
	}
	c.ManifestDigest = row.digest
	if err := c.Move(consignments.Sealed, tx.now); err != nil {
		return nil, err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return nil, err
	}
	return b, tx.EventRef(ctx, a, "consignment", c.Ref, "sealed", map[string]any{"parcels": m.Totals.Parcels, "items": m.Totals.Items,
		"weight_grams": m.Totals.WeightGrams, "digest": c.ManifestDigest})
}

// ExportBundle returns the latest signed document of a consignment (kind
// "" for the latest of any kind) with all its signatures.
func (db *DB) ExportBundle(ctx context.Context, ref, kind string) (*sign.Bundle, error) {
	row, err := bundleRow(ctx, db.read, strings.ToUpper(strings.TrimSpace(ref)), kind)
	if err != nil {
		return nil, err
	}
	return sign.ReadBundle(strings.NewReader(row.body))
}

// statement is the signed payload of a bundle, read back from a bundle
// this node keeps.
type statement struct {
	Kind     string          `json:"kind"`
	From     string          `json:"from"`
	To       string          `json:"to"`
	Cc       []string        `json:"cc,omitempty"`
	Ref      string          `json:"ref"`
	Seq      int64           `json:"seq"`
	Created  time.Time       `json:"created"`
	Document json.RawMessage `json:"document"`
}

// decodeStored decodes the document of a bundle this node keeps.
func decodeStored(body string, dst any) (*sign.Bundle, error) {
	const op = "store.decodeStored"
	b, err := sign.ReadBundle(strings.NewReader(body))
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var st statement
	if err := sign.DecodePayload(b.Envelope, &st); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := json.Unmarshal(st.Document, dst); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return b, nil
}

// Manifest returns the signed manifest of a consignment and its bundle.
func (db *DB) Manifest(ctx context.Context, ref string) (consignments.Manifest, *sign.Bundle, error) {
	var m consignments.Manifest
	row, err := bundleRow(ctx, db.read, ref, sign.KindManifest)
	if err != nil {
		return m, nil, err
	}
	b, err := decodeStored(row.body, &m)
	return m, b, err
}

// Receipt returns the handover receipt of a consignment and its bundle.
func (db *DB) Receipt(ctx context.Context, ref string) (consignments.Receipt, *sign.Bundle, error) {
	var rc consignments.Receipt
	row, err := bundleRow(ctx, db.read, ref, sign.KindHandoverReceipt)
	if err != nil {
		return rc, nil, err
	}
	b, err := decodeStored(row.body, &rc)
	return rc, b, err
}

// BundleInfo describes a signed document this node keeps.
type BundleInfo struct {
	Ref     string   `json:"ref"`
	Kind    string   `json:"kind"`
	Seq     int64    `json:"seq"`
	Digest  string   `json:"digest"`
	Signers []string `json:"signers"`
	Origin  string   `json:"origin"`
}

// BundleInfos lists the signed documents of a consignment, in step order.
func (db *DB) BundleInfos(ctx context.Context, ref string) ([]BundleInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+bundleCols+` FROM bundles_applied WHERE ref = $1 ORDER BY seq`, ref)
	if err != nil {
		return nil, mapErr("store.BundleInfos", err)
	}
	defer rows.Close()
	var out []BundleInfo
	for rows.Next() {
		b, err := scanStoredBundle(rows)
		if err != nil {
			return nil, mapErr("store.BundleInfos", err)
		}
		out = append(out, BundleInfo{Ref: b.ref, Kind: b.kind, Seq: b.seq, Digest: b.digest, Signers: b.signers, Origin: b.origin})
	}
	return out, mapErr("store.BundleInfos", rows.Err())
}

// ---- trust

// PartyKey is a public key this node trusts to speak for a party.
type PartyKey struct {
	KeyID     string         `json:"key_id"`
	Party     string         `json:"party"`
	Key       sign.PublicKey `json:"public_key"`
	CreatedAt time.Time      `json:"created_at"`
}

// TrustKey trusts key to speak for party. Trusting the same key again for
// the same party changes nothing; for another party it is refused.
func (tx *Tx) TrustKey(ctx context.Context, a Actor, party string, key sign.PublicKey) error {
	const op = "store.TrustKey"
	if key.IsZero() {
		return errs.Fields(op, map[string]string{"key": "no public key"})
	}
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM parties WHERE code = $1`, party).Scan(&kind); err != nil {
		return errs.E(op, errs.NotFound, "no party %s here: add the party first", party)
	}
	var have string
	err := tx.QueryRowContext(ctx, `SELECT party_code FROM party_keys WHERE key_id = $1`, key.ID()).Scan(&have)
	switch {
	case err == nil && have == party:
		return nil
	case err == nil:
		return errs.E(op, errs.Conflict, "key %s is already trusted for %s; one key speaks for one party", key.ID(), have)
	case err != sql.ErrNoRows:
		return mapErr(op, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO party_keys (key_id, party_code, public_key, created_at) VALUES ($1, $2, $3, $4)`,
		key.ID(), party, key.String(), tx.now); err != nil {
		return mapErr(op, err)
	}
	return tx.EventRef(ctx, a, "party", party, "key_trusted", map[string]any{"key_id": key.ID()})
}

// PartyKeys lists the keys this node trusts.
func (db *DB) PartyKeys(ctx context.Context) ([]PartyKey, error) {
	const op = "store.PartyKeys"
	rows, err := db.read.QueryContext(ctx, `SELECT key_id, party_code, public_key, created_at FROM party_keys ORDER BY party_code, created_at`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []PartyKey
	for rows.Next() {
		var k PartyKey
		var pub string
		if err := rows.Scan(&k.KeyID, &k.Party, &pub, &k.CreatedAt); err != nil {
			return nil, mapErr(op, err)
		}
		if k.Key, err = sign.ParsePublicKey(pub); err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		out = append(out, k)
	}
	return out, mapErr(op, rows.Err())
}

// TrustSet returns the keys this node trusts, by key id.
func (db *DB) TrustSet(ctx context.Context) (sign.TrustSet, error) {
	ks, err := db.PartyKeys(ctx)
	if err != nil {
		return nil, err
	}
	t := sign.TrustSet{}
	for _, k := range ks {
		t.Add(k.Party, k.Key)
	}
	return t, nil
}

// ---- import

// ImportBundle applies a signed bundle to this node, the node of party self
// (empty on a node that serves every party: then the bundle's recipient).
// It refuses unknown signers, bad signatures, changed bytes, a bundle meant
// for another node and a step out of order, each with its own message, and
// applies nothing then. Importing the same bundle twice changes nothing.
func (tx *Tx) ImportBundle(ctx context.Context, a Actor, self string, trust sign.TrustSet, b *sign.Bundle) (*consignments.ImportResult, error) {
	const op = "store.ImportBundle"
	if b == nil {
		return nil, errs.E(op, errs.Invalid, "no bundle")
	}
	if self == "" {
		self = b.To
	}
	v, err := b.Verify(trust, self, nil)
	if err != nil {
		return nil, err
	}
	local, err := tx.lockConsignment(ctx, v.Ref)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	var lc *consignments.Consignment
	if local != nil {
		lc = &local.Consignment
	}
	hist, err := bundleHistory(ctx, tx, v.Ref)
	if err != nil {
		return nil, err
	}
	plan, err := consignments.PlanImport(self, lc, hist, v)
	if err != nil {
		return nil, err
	}
	res := &consignments.ImportResult{Ref: v.Ref, Kind: v.Kind, Seq: v.Seq, From: v.From, Digest: v.Digest(),
		Signers: consignments.SignerParties(v), Plan: plan, Changed: plan != consignments.PlanNothing}
	switch plan {
	case consignments.PlanNothing:
	case consignments.PlanCreate:
		local, err = tx.importManifest(ctx, a, v)
	case consignments.PlanHandover, consignments.PlanHandRecv:
		err = tx.importReceipt(ctx, a, local, v, plan == consignments.PlanHandRecv)
	case consignments.PlanReceipted:
		err = tx.importCountersign(ctx, a, local, v)
	case consignments.PlanDeliveries:
		err = tx.importReport(ctx, a, local, v)
	default:
		err = errs.E(op, errs.Internal, "unknown import plan %q", plan)
	}
	if err != nil {
		return nil, err
	}
	switch plan {
	case consignments.PlanNothing:
	case consignments.PlanReceipted:
		row, err := bundleRow(ctx, tx, v.Ref, sign.KindHandoverReceipt)
		if err != nil {
			return nil, err
		}
		if err := tx.updateBundle(ctx, row.id, b, consignments.SignerParties(v)); err != nil {
			return nil, err
		}
	default:
		if err := tx.insertBundle(ctx, b, v.Digest(), consignments.SignerParties(v), "imported"); err != nil {
			return nil, err
		}
	}
	if local != nil {
		res.State = local.State
	}
	if res.Changed {
		if err := tx.EventRef(ctx, a, "consignment", v.Ref, "bundle_imported", map[string]any{"kind": v.Kind, "seq": v.Seq, "digest": res.Digest, "plan": plan}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (tx *Tx) importManifest(ctx context.Context, a Actor, v *sign.Verified) (*Consignment, error) {
	const op = "store.importManifest"
	var m consignments.Manifest
	if err := v.Decode(&m); err != nil {
		return nil, err
	}
	c := &Consignment{Consignment: m.Consignment(), Origin: "imported", ManifestDigest: v.Digest()}
	c.CreatedAt = tx.now
	dispatched := v.Created.UTC()
	c.State, c.DispatchedAt = consignments.Dispatched, &dispatched
	if err := tx.insertConsignment(ctx, c); err != nil {
		return nil, err
	}
	for i, l := range m.Parcels {
		var pid sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id FROM parcels WHERE tracking = $1`, l.Tracking).Scan(&pid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, mapErr(op, err)
		}
		var parcel any
		if pid.Valid {
			parcel = pid.Int64
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consignment_parcels (consignment_id, tracking, parcel_id, recipient_ref, weight_grams, items, state,
			position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'dispatched', $7, $8)`, c.ID, l.Tracking, parcel, l.RecipientRef, l.WeightGrams, l.Items, i+1, tx.now); err != nil {
			return nil, mapErr(op, err)
		}
	}
	c.Parcels = len(m.Parcels)
	return c, nil
}

func (tx *Tx) importReceipt(ctx context.Context, a Actor, c *Consignment, v *sign.Verified, countersigned bool) error {
	const op = "store.importReceipt"
	var rc consignments.Receipt
	if err := v.Decode(&rc); err != nil {
		return err
	}
	if err := rc.Check(c.Consignment); err != nil {
		return err
	}
	if rc.ManifestDigest != c.ManifestDigest {
		return errs.E(op, errs.Invalid, "the receipt is about another manifest of %s than the one here", c.Ref)
	}
	ls, err := consignmentLines(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	missing := map[string]bool{}
	for _, t := range rc.MissingList {
		missing[t] = true
	}
	for t := range missing {
		if !slices.ContainsFunc(ls, func(l ConsignmentLine) bool { return l.Tracking == t }) {
			return errs.E(op, errs.Invalid, "the receipt says parcel %s is missing, but it is not on the manifest of %s", t, c.Ref)
		}
	}
	if len(ls)-len(missing) != rc.Received {
		return errs.E(op, errs.Invalid, "the receipt counts %d parcels received; the manifest less the missing ones makes %d", rc.Received, len(ls)-len(missing))
	}
	for _, l := range ls {
		to := consignments.ParcelHandedOver
		if missing[l.Tracking] {
			to = consignments.ParcelMissing
		}
		if _, err := tx.moveLines(ctx, a, c, consignments.ParcelDispatched, to, lineSel{tracking: l.Tracking}); err != nil {
			return err
		}
	}
	if c.Place == "" {
		c.Place = rc.Place
	}
	if err := c.Move(consignments.HandedOver, rc.Date); err != nil {
		return err
	}
	if err := tx.saveConsignment(ctx, c); err != nil {
		return err
	}
	if countersigned {
		return tx.receive(ctx, a, c, false)
	}
	return nil
}

func (tx *Tx) importCountersign(ctx context.Context, a Actor, c *Consignment, v *sign.Verified) error {
	if !v.SignedBy(c.To) {
		return errs.E("store.importCountersign", errs.Invalid, "the receipt is not countersigned by %s", c.To)
	}
	return tx.receive(ctx, a, c, false)
}

func (tx *Tx) importReport(ctx context.Context, a Actor, c *Consignment, v *sign.Verified) error {
	const op = "store.importReport"
	var r consignments.Report
	if err := v.Decode(&r); err != nil {
		return err
	}
	ls, err := consignmentLines(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	expected := make([]string, len(ls))
	for i, l := range ls {
		expected[i] = l.Tracking
	}
	if err := r.Check(c.Consignment, expected); err != nil {
		return err
	}
	states := lineStates(ls)
	latest, err := latestDeliveries(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, l := range r.Lines {
		cur, want := states[l.Tracking], consignments.ParcelState(l.State)
		path, err := consignments.PathTo(cur, want)
		if err != nil {
			return errs.E(op, errs.Conflict, "parcel %s is %s here; the report says %s, which cannot follow", l.Tracking, cur, want)
		}
		if err := tx.moveLine(ctx, a, c, l.Tracking, cur, path, string(l.Reason)); err != nil {
			return err
		}
		if l.Outcome == "" {
			continue
		}
		at, _ := time.Parse("2006-01-02", l.Date)
		d := consignments.Delivery{Tracking: l.Tracking, Outcome: l.Outcome, At: at.Add(12 * time.Hour), AckKind: l.AckKind, AckRef: l.AckRef, Reason: l.Reason, Action: l.Action}
		if prev, ok := latest[l.Tracking]; ok && sameOutcome(prev, d) {
			continue
		}
		if err := tx.insertDelivery(ctx, c, d, "imported"); err != nil {
			return err
		}
	}
	return tx.maybeClose(ctx, a, c)
}

func sameOutcome(a, b consignments.Delivery) bool {
	return a.Outcome == b.Outcome && a.AckKind == b.AckKind && a.AckRef == b.AckRef && a.Reason == b.Reason && a.Action == b.Action &&
		a.At.UTC().Format("2006-01-02") == b.At.UTC().Format("2006-01-02")
}

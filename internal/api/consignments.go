package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/pdf"
	"lifeline/internal/sign"
	"lifeline/internal/store"
)

func (a *API) consignmentRoutes() []httpx.Route {
	const c = "/api/v1/consignments/{ref}"
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/consignments", Perm: auth.PersonsRead, Summary: "list consignments in scope (?state=)", Handler: a.listConsignments},
		{Method: "POST", Pattern: "/api/v1/consignments", Perm: auth.Consignments, Summary: "create a draft consignment from the caller's party", Handler: a.createConsignment},
		{Method: "GET", Pattern: c, Perm: auth.PersonsRead, Summary: "a consignment with its running counts and signed documents", Handler: a.getConsignment},
		{Method: "GET", Pattern: c + "/parcels", Perm: auth.PersonsRead, Summary: "the parcels of a consignment with their states", Handler: a.consignmentParcels},
		{Method: "POST", Pattern: c + "/parcels", Perm: auth.Consignments, Summary: "add sealed parcels by tracking number (one scan or many), or every sealed parcel with all=true", Handler: a.addConsignmentParcels},
		{Method: "POST", Pattern: c + "/seal", Perm: auth.Consignments, Summary: "seal: fix and sign the manifest", Handler: a.sealConsignment},
		{Method: "GET", Pattern: c + "/manifest.pdf", Perm: auth.PersonsRead, Summary: "the manifest as PDF", Handler: a.manifestPDF},
		{Method: "GET", Pattern: c + "/manifest.csv", Perm: auth.PersonsRead, Summary: "the manifest as CSV", Handler: a.manifestCSV},
		{Method: "POST", Pattern: c + "/dispatch", Perm: auth.Consignments, Summary: "dispatch a sealed consignment", Handler: a.dispatchConsignment},
		{Method: "POST", Pattern: c + "/scans", Perm: auth.Handover, Summary: "scan one parcel at the handover; answers with the running counts", Handler: a.scanParcel},
		{Method: "GET", Pattern: c + "/reconciliation", Perm: auth.PersonsRead, Summary: "expected against scanned: missing, extra, damaged, and the discrepancy note", Handler: a.reconciliation},
		{Method: "POST", Pattern: c + "/notes", Perm: auth.Handover, Summary: "write the discrepancy note about the current scans", Handler: a.addNote},
		{Method: "POST", Pattern: c + "/notes/{id}/confirm", Perm: auth.Handover, Summary: "confirm the discrepancy note (two different people)", Handler: a.confirmNote},
		{Method: "POST", Pattern: c + "/notes/{id}/reply", Perm: auth.Consignments, Summary: "the sending party's reply to the confirmed discrepancy note (once)", Handler: a.replyNote},
		{Method: "POST", Pattern: c + "/handover", Perm: auth.Handover, Summary: "complete the handover: the intermediary signs the receipt", Handler: a.completeHandover},
		{Method: "GET", Pattern: c + "/receipt.pdf", Perm: auth.PersonsRead, Summary: "the handover receipt as PDF", Handler: a.receiptPDF},
		{Method: "POST", Pattern: c + "/countersign", Perm: auth.Consignments, Summary: "the receiving party countersigns the receipt", Handler: a.countersign},
		{Method: "GET", Pattern: c + "/deliveries", Perm: auth.PersonsRead, Summary: "the delivery records of a consignment", Handler: a.listDeliveries},
		{Method: "POST", Pattern: c + "/deliveries", Perm: auth.Delivery, Summary: "record one delivery: delivered with proof, or undeliverable with reason and action", Handler: a.recordDelivery},
		{Method: "POST", Pattern: c + "/deliveries.csv", Perm: auth.Delivery, Summary: "record deliveries in bulk from CSV (text/csv); all or nothing", Handler: a.recordDeliveriesCSV},
		{Method: "POST", Pattern: "/api/v1/deliveries", Perm: auth.Delivery, Summary: "record the delivery of a scanned parcel, wherever its consignment", Handler: a.recordDeliveryByTracking},
		{Method: "POST", Pattern: c + "/returns", Perm: auth.Consignments, Summary: "make the return consignment of the undeliverable parcels", Handler: a.createReturn},
		{Method: "POST", Pattern: c + "/report", Perm: auth.Consignments, Summary: "sign the cumulative delivery report", Handler: a.deliveryReport},
		{Method: "GET", Pattern: c + "/events.csv", Perm: auth.PersonsRead, Summary: "parcel events with UPU codes (EMA, EMC, EMD, EMH, EMI) as CSV", Handler: a.upuEvents},
		{Method: "GET", Pattern: c + "/bundle", Perm: auth.PersonsRead, Summary: "the latest signed document (?kind=manifest|handover_receipt|delivery_report) as a bundle file", Handler: a.consignmentBundle},
		{Method: "POST", Pattern: "/api/v1/bundles", Perm: auth.Consignments, Summary: "import a signed bundle pushed by another node; idempotent", Handler: a.importBundle},
		{Method: "GET", Pattern: "/api/v1/node/key", Perm: auth.Public, Summary: "this node's public signing key and the party it signs for", Handler: a.nodeKey},
		{Method: "GET", Pattern: "/api/v1/party-keys", Perm: auth.PersonsRead, Summary: "the public keys this node trusts, by party", Handler: a.listPartyKeys},
		{Method: "POST", Pattern: "/api/v1/party-keys", Perm: auth.UsersAdmin, Summary: "trust a public key to speak for a party", Handler: a.trustPartyKey},
	}
}

// NodeKey is this node's public key as it publishes it.
type NodeKey struct {
	Party     string `json:"party"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
}

func (a *API) nodeKey(w http.ResponseWriter, r *http.Request) {
	if a.app.Key == nil {
		httpx.WriteError(w, r, errs.E("api.nodeKey", errs.NotFound, "this node has no signing key"))
		return
	}
	httpx.WriteJSON(w, 200, NodeKey{Party: a.app.Party, KeyID: a.app.Key.ID(), PublicKey: a.app.Key.Public().String()})
}

func (a *API) listPartyKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := a.app.DB.PartyKeys(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[store.PartyKey]{Items: orEmpty(ks)})
}

// TrustInput is the body of POST /party-keys.
type TrustInput struct {
	Party     string `json:"party"`
	PublicKey string `json:"public_key"` // "lifeline-ed25519 <base64>"
}

func (a *API) trustPartyKey(w http.ResponseWriter, r *http.Request) {
	var in TrustInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	key, err := sign.ParsePublicKey(in.PublicKey)
	if err != nil {
		httpx.WriteError(w, r, errs.Fields("api.trustPartyKey", map[string]string{"public_key": errs.MessageOf(err)}))
		return
	}
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		return tx.TrustKey(r.Context(), Actor(r), strings.ToUpper(strings.TrimSpace(in.Party)), key)
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 201, store.PartyKey{KeyID: key.ID(), Party: strings.ToUpper(strings.TrimSpace(in.Party)), Key: key})
}

// ConsignmentView is a consignment as the API shows it.
type ConsignmentView struct {
	*store.Consignment
	Counts  *consignments.Counts `json:"counts,omitempty"`
	Bundles []store.BundleInfo   `json:"bundles"`
}

func (a *API) consignmentView(ctx context.Context, c *store.Consignment) (ConsignmentView, error) {
	v := ConsignmentView{Consignment: c, Bundles: []store.BundleInfo{}}
	if c.State.AtLeast(consignments.Dispatched) {
		n, err := a.app.DB.HandoverCounts(ctx, c)
		if err != nil {
			return v, err
		}
		v.Counts = &n
	}
	bs, err := a.app.DB.BundleInfos(ctx, c.Ref)
	if err != nil {
		return v, err
	}
	v.Bundles = orEmpty(bs)
	return v, nil
}

// keys returns the signing keys of this node inside tx.
func (a *API) keys(ctx context.Context, tx *store.Tx) store.Keys {
	return tx.NodeKeys(ctx, a.app.Party, a.app.Key)
}

func (a *API) visibleConsignment(r *http.Request) (*store.Consignment, error) {
	c, err := a.app.DB.ConsignmentHead(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if !c.Sees(httpx.Principal(r).Scope()) {
		return nil, errs.E("api.consignment", errs.NotFound, "no consignment %s", r.PathValue("ref"))
	}
	return c, nil
}

func (a *API) listConsignments(w http.ResponseWriter, r *http.Request) {
	st := consignments.State(r.URL.Query().Get("state"))
	if st != "" && !st.Valid() {
		httpx.WriteError(w, r, errs.Fields("api.listConsignments", map[string]string{"state": "unknown state"}))
		return
	}
	cs, err := a.app.DB.Consignments(r.Context(), store.ConsignmentFilter{Scope: httpx.Principal(r).Scope(), State: st, Ref: r.URL.Query().Get("ref")})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[*store.Consignment]{Items: orEmpty(cs)})
}

// ConsignmentInput is the body of POST /consignments.
type ConsignmentInput struct {
	Ref    string `json:"ref"`
	To     string `json:"to"`
	Via    string `json:"via"`
	Period string `json:"period"`
	Target int    `json:"target"`
	Place  string `json:"place"`
}

// CreateConsignment creates a draft consignment from p's party; an empty
// Via names the intermediary.
func (a *API) CreateConsignment(ctx context.Context, p *auth.Principal, in ConsignmentInput) (*store.Consignment, error) {
	if in.Via == "" {
		ps, err := a.app.DB.Parties(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range ps {
			if x.Kind == "intermediary" {
				in.Via = x.Code
			}
		}
	}
	var c *store.Consignment
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.CreateConsignment(ctx, actorOf(p), &consignments.Consignment{Ref: in.Ref, From: p.Party, To: in.To, Via: in.Via,
			Period: in.Period, Target: in.Target, Place: in.Place})
		return err
	})
	return c, err
}

func actorOf(p *auth.Principal) store.Actor {
	return store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
}

func (a *API) createConsignment(w http.ResponseWriter, r *http.Request) {
	var in ConsignmentInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.CreateConsignment(r.Context(), httpx.Principal(r), in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	a.writeConsignment(w, r, 201, c.Ref)
}

func (a *API) writeConsignment(w http.ResponseWriter, r *http.Request, st int, ref string) {
	c, err := a.app.DB.Consignment(r.Context(), ref)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.consignmentView(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, st, v)
}

func (a *API) getConsignment(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	a.writeConsignment(w, r, 200, c.Ref)
}

func (a *API) consignmentParcels(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ls, err := a.app.DB.ConsignmentLines(r.Context(), c.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[store.ConsignmentLine]{Items: orEmpty(ls)})
}

// ParcelsInput is the body of POST /consignments/{ref}/parcels.
type ParcelsInput struct {
	Tracking  string   `json:"tracking"`  // one scanned parcel
	Trackings []string `json:"trackings"` // many
	All       bool     `json:"all"`       // every sealed parcel for the receiving party on no consignment
}

// AddParcels adds parcels to a draft consignment, all or none, and returns
// how many were added.
func (a *API) AddParcels(ctx context.Context, p *auth.Principal, ref string, in ParcelsInput) (int, error) {
	ts := in.Trackings
	if in.Tracking != "" {
		ts = append(ts, in.Tracking)
	}
	if in.All {
		c, err := a.app.DB.Consignment(ctx, ref)
		if err != nil {
			return 0, err
		}
		more, err := a.app.DB.SealableParcels(ctx, c.From, c.To, consignments.MaxParcels-c.Parcels)
		if err != nil {
			return 0, err
		}
		ts = append(ts, more...)
		if len(ts) == 0 {
			return 0, errs.E("api.AddParcels", errs.Conflict, "there is no sealed parcel for %s waiting for a consignment", c.To)
		}
	}
	var n int
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		ls, err := tx.AddParcels(ctx, actorOf(p), ref, ts)
		n = len(ls)
		return err
	})
	return n, err
}

func (a *API) addConsignmentParcels(w http.ResponseWriter, r *http.Request) {
	var in ParcelsInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	n, err := a.AddParcels(r.Context(), httpx.Principal(r), c.Ref, in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err = a.app.DB.Consignment(r.Context(), c.Ref)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, map[string]any{"added": n, "parcels": c.Parcels, "target": c.Target})
}

// Step runs one step on a consignment in a transaction, with the node's
// keys: seal, dispatch, handover, countersign, return, report.
func (a *API) Step(ctx context.Context, p *auth.Principal, ref, step string) (*sign.Bundle, string, error) {
	act := actorOf(p)
	var b *sign.Bundle
	out := ref
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		switch step {
		case "seal":
			b, err = tx.SealConsignment(ctx, act, a.keys(ctx, tx), ref)
		case "dispatch":
			_, err = tx.DispatchConsignment(ctx, act, ref)
		case "handover":
			b, err = tx.CompleteHandover(ctx, act, a.keys(ctx, tx), ref)
		case "countersign":
			b, err = tx.CountersignReceipt(ctx, act, a.keys(ctx, tx), ref)
		case "returns":
			var c *store.Consignment
			if c, err = tx.CreateReturn(ctx, act, ref); err == nil {
				out = c.Ref
			}
		case "report":
			b, err = tx.MakeDeliveryReport(ctx, act, a.keys(ctx, tx), ref)
		default:
			err = errs.E("api.Step", errs.NotFound, "no such step")
		}
		return err
	})
	return b, out, err
}

func (a *API) step(name string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := a.visibleConsignment(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		_, ref, err := a.Step(r.Context(), httpx.Principal(r), c.Ref, name)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a.writeConsignment(w, r, status, ref)
	}
}

func (a *API) sealConsignment(w http.ResponseWriter, r *http.Request) { a.step("seal", 200)(w, r) }
func (a *API) dispatchConsignment(w http.ResponseWriter, r *http.Request) {
	a.step("dispatch", 200)(w, r)
}
func (a *API) completeHandover(w http.ResponseWriter, r *http.Request) { a.step("handover", 200)(w, r) }
func (a *API) countersign(w http.ResponseWriter, r *http.Request)      { a.step("countersign", 200)(w, r) }
func (a *API) createReturn(w http.ResponseWriter, r *http.Request)     { a.step("returns", 201)(w, r) }
func (a *API) deliveryReport(w http.ResponseWriter, r *http.Request)   { a.step("report", 200)(w, r) }

// PartyNames returns the display names of the parties for printed documents.
func (a *API) PartyNames(ctx context.Context) (consignments.Names, error) {
	ps, err := a.app.DB.Parties(ctx)
	if err != nil {
		return nil, err
	}
	n := consignments.Names{}
	for _, p := range ps {
		n[p.Code] = pdf.Party{Name: p.Name}
	}
	return n, nil
}

// ManifestPDF prints the signed manifest of consignment c.
func (a *API) ManifestPDF(ctx context.Context, c *store.Consignment) ([]byte, error) {
	m, _, err := a.app.DB.Manifest(ctx, c.Ref)
	if err != nil {
		return nil, err
	}
	names, err := a.PartyNames(ctx)
	if err != nil {
		return nil, err
	}
	var at time.Time
	if c.DispatchedAt != nil {
		at = *c.DispatchedAt
	}
	var buf bytes.Buffer
	if err := pdf.WriteManifest(&buf, m.PDF(names, at, c.ManifestDigest)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (a *API) manifestPDF(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	b, err := a.ManifestPDF(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	writePDF(w, "manifest-"+c.Ref+".pdf", b)
}

func (a *API) manifestCSV(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	m, _, err := a.app.DB.Manifest(r.Context(), c.Ref)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := m.WriteCSV(&buf); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	writeCSV(w, "manifest-"+c.Ref+".csv", buf.Bytes())
}

func writeCSV(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// ReceiptPDF prints the handover receipt of c with its signatures.
func (a *API) ReceiptPDF(ctx context.Context, c *store.Consignment) ([]byte, error) {
	rc, b, err := a.app.DB.Receipt(ctx, c.Ref)
	if err != nil {
		return nil, err
	}
	names, err := a.PartyNames(ctx)
	if err != nil {
		return nil, err
	}
	trust, err := a.app.DB.NodeTrust(ctx, a.app.Party, a.app.Key)
	if err != nil {
		return nil, err
	}
	var sigs []pdf.Signature
	for _, s := range b.Envelope.Signatures {
		party := "?"
		if tk, ok := trust[s.KeyID]; ok {
			party = tk.Party
		}
		role := map[string]string{c.Via: "intermediary", c.To: "receiving party"}[party]
		if role == "" {
			role = "signatory"
		}
		name := party
		if n, ok := names[party]; ok && n.Name != "" {
			name = n.Name
		}
		sigs = append(sigs, pdf.Signature{Role: role, Name: name, Party: party, KeyID: s.KeyID, Time: rc.Date})
	}
	var buf bytes.Buffer
	if err := pdf.WriteHandoverReceipt(&buf, rc.PDF(names, sigs)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (a *API) receiptPDF(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	b, err := a.ReceiptPDF(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	writePDF(w, "receipt-"+c.Ref+".pdf", b)
}

// ScanInput is the body of POST /consignments/{ref}/scans.
type ScanInput struct {
	Tracking string `json:"tracking"`
	Damaged  bool   `json:"damaged"`
}

// Scan records one parcel scanned at the handover of ref.
func (a *API) Scan(ctx context.Context, p *auth.Principal, ref string, in ScanInput) (*store.ScanResult, error) {
	var res *store.ScanResult
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ScanHandover(ctx, actorOf(p), ref, in.Tracking, in.Damaged)
		return err
	})
	return res, err
}

func (a *API) scanParcel(w http.ResponseWriter, r *http.Request) {
	var in ScanInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	// The scan's transaction reads the consignment and checks who may
	// scan it (one read for each scan of a handheld scanner, not two).
	res, err := a.Scan(r.Context(), httpx.Principal(r), r.PathValue("ref"), in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, res)
}

// ReconciliationView is the reconciliation of a handover with its note.
type ReconciliationView struct {
	consignments.Reconciliation
	Note *consignments.Note `json:"note,omitempty"`
}

// Reconciliation returns the reconciliation of c and its latest note.
func (a *API) Reconciliation(ctx context.Context, c *store.Consignment) (ReconciliationView, error) {
	rec, err := a.app.DB.Reconciliation(ctx, c)
	if err != nil {
		return ReconciliationView{}, err
	}
	v := ReconciliationView{Reconciliation: rec}
	n, err := a.app.DB.LatestNote(ctx, c)
	switch {
	case err == nil:
		v.Note = n
	case !errs.Is(err, errs.NotFound):
		return v, err
	}
	return v, nil
}

func (a *API) reconciliation(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.Reconciliation(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, v)
}

func (a *API) addNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var n *consignments.Note
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.AddNote(r.Context(), Actor(r), c.Ref, in.Text)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 201, n)
}

func (a *API) confirmNote(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var n *consignments.Note
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.ConfirmNote(r.Context(), Actor(r), c.Ref, id)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, n)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ds, err := a.app.DB.Deliveries(r.Context(), c.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[consignments.Delivery]{Items: orEmpty(ds)})
}

// DeliveryResult is the answer to a recorded delivery.
type DeliveryResult struct {
	Ref      string                   `json:"ref"`
	Tracking string                   `json:"tracking"`
	State    consignments.ParcelState `json:"state"`
}

// RecordDelivery records one delivery in consignment ref ("" to find it by
// the parcel's tracking number).
func (a *API) RecordDelivery(ctx context.Context, p *auth.Principal, ref string, d consignments.Delivery) (*DeliveryResult, error) {
	if ref == "" {
		var err error
		if ref, err = a.app.DB.ConsignmentOf(ctx, d.Tracking); err != nil {
			return nil, err
		}
	}
	if d.At.IsZero() {
		d.At = a.app.Now()
	}
	var st consignments.ParcelState
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		st, err = tx.RecordDelivery(ctx, actorOf(p), ref, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.Normalize()
	return &DeliveryResult{Ref: ref, Tracking: d.Tracking, State: st}, nil
}

func (a *API) recordDelivery(w http.ResponseWriter, r *http.Request) {
	var d consignments.Delivery
	if err := httpx.DecodeJSON(r, &d); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := a.RecordDelivery(r.Context(), httpx.Principal(r), c.Ref, d)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 201, res)
}

func (a *API) recordDeliveryByTracking(w http.ResponseWriter, r *http.Request) {
	var d consignments.Delivery
	if err := httpx.DecodeJSON(r, &d); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := a.RecordDelivery(r.Context(), httpx.Principal(r), "", d)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 201, res)
}

// MaxDeliveryCSV is the largest bulk delivery file accepted.
const MaxDeliveryCSV = 8 << 20

// RecordDeliveriesCSV records the deliveries of a CSV file in consignment
// ref, all or none, and counts the parcels by their state afterwards.
func (a *API) RecordDeliveriesCSV(ctx context.Context, p *auth.Principal, ref string, csv []byte) (map[consignments.ParcelState]int, error) {
	ds, err := consignments.ParseDeliveryCSV(bytes.NewReader(csv), p.UserID)
	if err != nil {
		return nil, err
	}
	var out map[consignments.ParcelState]int
	err = a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.RecordDeliveries(ctx, actorOf(p), ref, ds)
		return err
	})
	return out, err
}

func (a *API) recordDeliveriesCSV(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/csv") && !strings.HasPrefix(ct, "text/plain") {
		httpx.WriteError(w, r, errs.E("api.recordDeliveriesCSV", errs.Invalid, "send the file as text/csv"))
		return
	}
	body, err := readAll(w, r, MaxDeliveryCSV)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	counts, err := a.RecordDeliveriesCSV(r.Context(), httpx.Principal(r), c.Ref, body)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	httpx.WriteJSON(w, 201, map[string]any{"recorded": total, "states": counts})
}

func readAll(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		return nil, errs.E("api.readAll", errs.TooLarge, "the body is larger than %d MiB", limit>>20)
	}
	return buf.Bytes(), nil
}

func (a *API) upuEvents(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ev, err := a.app.DB.ConsignmentUPU(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := consignments.WriteUPUCSV(&buf, ev); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	writeCSV(w, "events-"+c.Ref+".csv", buf.Bytes())
}

func (a *API) consignmentBundle(w http.ResponseWriter, r *http.Request) {
	c, err := a.visibleConsignment(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && kind != sign.KindManifest && kind != sign.KindHandoverReceipt && kind != sign.KindDeliveryReport {
		httpx.WriteError(w, r, errs.Fields("api.consignmentBundle", map[string]string{"kind": "manifest, handover_receipt or delivery_report"}))
		return
	}
	b, err := a.app.DB.ExportBundle(r.Context(), c.Ref, kind)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	data, err := b.Marshal()
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+BundleFileName(c.Ref, b.Kind+"-"+strconv.FormatInt(b.Seq, 10))+`"`)
	w.WriteHeader(200)
	w.Write(data)
}

// ImportBundle applies a bundle pushed by another node to this node.
func (a *API) ImportBundle(ctx context.Context, p *auth.Principal, data []byte) (*consignments.ImportResult, error) {
	b, err := sign.ReadBundle(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	trust, err := a.app.DB.NodeTrust(ctx, a.app.Party, a.app.Key)
	if err != nil {
		return nil, err
	}
	var res *consignments.ImportResult
	err = a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ImportBundle(ctx, actorOf(p), a.app.Party, trust, b)
		return err
	})
	return res, err
}

func (a *API) importBundle(w http.ResponseWriter, r *http.Request) {
	data, err := readAll(w, r, sign.MaxBundleSize+1)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := a.ImportBundle(r.Context(), httpx.Principal(r), data)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	st := 200
	if res.Changed {
		st = 201
	}
	httpx.WriteJSON(w, st, res)
}

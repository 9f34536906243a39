package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/blob"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/parcels"
	"lifeline/internal/pdf"
	"lifeline/internal/store"
)

func (a *API) mailRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/api/v1/senders", Perm: auth.MailIntake, Summary: "register a family member who sends mail", Handler: a.createSender},
		{Method: "GET", Pattern: "/api/v1/senders/{id}", Perm: auth.MailIntake, Summary: "get a family member", Handler: a.getSender},
		{Method: "POST", Pattern: "/api/v1/items", Perm: auth.MailIntake, Summary: "take in an item: JSON, or multipart/form-data with an \"item\" JSON field and \"scan\" files; answers the tracking number and the PIN, once", Handler: a.createItem},
		{Method: "POST", Pattern: "/api/v1/replies", Perm: auth.MailIntake, Summary: "register a detained person's reply on the holding side (JSON or multipart like items; in_reply_to names the family's item)", Handler: a.createReply},
		{Method: "POST", Pattern: "/api/v1/items/packet", Perm: auth.MailIntake, Summary: "take in a packet: several items one family member brings at once for one person, all or none; answers each item's tracking number and PIN, once", Handler: a.createPacket},
		{Method: "GET", Pattern: "/api/v1/items", Perm: auth.MailIntake, Summary: "list items the caller's party sends or receives", Handler: a.listItems},
		{Method: "GET", Pattern: "/api/v1/items/{id}", Perm: auth.MailIntake, Summary: "get an item with its scans, screenings and timeline", Handler: a.getItem},
		{Method: "POST", Pattern: "/api/v1/items/{id}/scans", Perm: auth.MailIntake, Summary: "add scans (multipart \"scan\" files, or one JPEG, PNG or PDF body) to an item waiting for screening", Handler: a.addScans},
		{Method: "POST", Pattern: "/api/v1/items/{id}/receipt", Perm: auth.MailIntake, Summary: "the sender's receipt slip as PDF; send the PIN given at intake", Handler: a.receiptSlip},
		{Method: "GET", Pattern: "/api/v1/screening/queue", Perm: auth.MailScreen, Summary: "items waiting for the caller's side's screening, longest waiting first, overdue flagged", Handler: a.screeningQueue},
		{Method: "GET", Pattern: "/api/v1/screening/items/{id}", Perm: auth.MailScreen, Summary: "an item to screen, with its scans and earlier screenings", Handler: a.screeningItem},
		{Method: "GET", Pattern: "/api/v1/screening/items/{id}/scans/{scan}", Perm: auth.MailScreen, Summary: "a scan's content (every view is recorded); ?thumb=1 for the thumbnail", Handler: a.scanContent},
		{Method: "POST", Pattern: "/api/v1/screening/items/{id}", Perm: auth.MailScreen, Summary: "record the caller's side's screening decision: JSON, or multipart with a \"decision\" field and a \"redacted\" scan", Handler: a.screenItem},
		{Method: "POST", Pattern: "/api/v1/screening/decisions", Perm: auth.MailScreen, Summary: "record the caller's side's decisions on a page of the queue (up to 200 items, no redactions) in one transaction: all or none", Handler: a.screenItems},
		{Method: "GET", Pattern: "/api/v1/packing/queue", Perm: auth.MailPack, Summary: "screened items in no parcel, by recipient", Handler: a.packingQueue},
		{Method: "GET", Pattern: "/api/v1/parcels", Perm: auth.MailPack, Summary: "list parcels the caller's party sends or receives; ?status=, ?flagged=true", Handler: a.listParcels},
		{Method: "POST", Pattern: "/api/v1/parcels", Perm: auth.MailPack, Summary: "open (or reuse) the parcel for a recipient and pack items into it; with weight_grams, seal it too (all or nothing)", Handler: a.createParcel},
		{Method: "GET", Pattern: "/api/v1/parcels/{id}", Perm: auth.MailPack, Summary: "get a parcel with its items, events and redirect offer", Handler: a.getParcel},
		{Method: "POST", Pattern: "/api/v1/parcels/{id}/items", Perm: auth.MailPack, Summary: "pack more items into an open parcel", Handler: a.packItems},
		{Method: "POST", Pattern: "/api/v1/parcels/{id}/seal", Perm: auth.MailPack, Summary: "seal a parcel with its weight", Handler: a.sealParcel},
		{Method: "POST", Pattern: "/api/v1/parcels/{id}/redirect", Perm: auth.MailPack, Summary: "send a flagged parcel to its addressee's new facility", Handler: a.redirectParcel},
		{Method: "POST", Pattern: "/api/v1/parcels/{id}/return", Perm: auth.MailPack, Summary: "return a flagged parcel to the sender", Handler: a.returnParcel},
		{Method: "GET", Pattern: "/api/v1/parcels/{id}/label.pdf", Perm: auth.MailPack, Summary: "the parcel's label as PDF", Handler: a.parcelPDF(false)},
		{Method: "GET", Pattern: "/api/v1/parcels/{id}/packing-list.pdf", Perm: auth.MailPack, Summary: "the parcel's packing list as PDF", Handler: a.parcelPDF(true)},
		{Method: "GET", Pattern: "/api/v1/labels.pdf", Perm: auth.MailPack, Summary: "labels on A4 sheets for ?ids=1,2,3 or every parcel of ?status=sealed", Handler: a.batchPDF(false)},
		{Method: "GET", Pattern: "/api/v1/packing-lists.pdf", Perm: auth.MailPack, Summary: "packing lists for ?ids=1,2,3 or every parcel of ?status=sealed", Handler: a.batchPDF(true)},
		{Method: "GET", Pattern: "/api/v1/mail/settings", Perm: auth.Authenticated, Summary: "the caller's party's mail settings: S10 numbering and screening limit", Handler: a.getMailSettings},
		{Method: "PUT", Pattern: "/api/v1/mail/settings", Perm: auth.UsersAdmin, Summary: "set the caller's party's mail settings", Handler: a.putMailSettings},
		{Method: "GET", Pattern: "/api/v1/mail/quotas", Perm: auth.Authenticated, Summary: "the caller's party's monthly quotas", Handler: a.getQuotas},
		{Method: "PUT", Pattern: "/api/v1/mail/quotas", Perm: auth.UsersAdmin, Summary: "set a monthly quota of the caller's party (never below 2 letters and 4 cards)", Handler: a.putQuota},
		{Method: "GET", Pattern: "/api/v1/mail/backlog", Perm: auth.Aggregates, Summary: "screening backlog, overdue items and parcels of the caller's party", Handler: a.mailBacklog},
		{Method: "POST", Pattern: "/api/v1/track", Perm: auth.Public, Summary: "public tracking: tracking number and PIN give the status timeline only; rate limited", Handler: a.track},
	}
}

// Blobs returns where a node keeps scans. Until the node configuration
// names a backend, scans live in the database (--blobs db), which needs no
// setting and commits with the rows that refer to them.
func Blobs(a *app.App) blob.Backend {
	if a.Blobs == nil {
		return blob.Table{}
	}
	return a.Blobs
}

// MailLimits are the upload limits of scans.
func MailLimits() blob.Limits { return blob.DefaultLimits() }

// ---- uploads

// upload is a request that may carry scans: a JSON object and files.
type upload struct {
	meta  []byte
	scans []*blob.Scan
}

// readUpload reads a JSON body, a multipart/form-data body (a JSON field
// named field and files named "scan" or "redacted"), or one raw scan
// (Content-Type image/jpeg, image/png or application/pdf). Every file is
// checked by blob.Prepare as it streams in; nothing larger than the limit
// is ever held in memory.
func readUpload(r *http.Request, field string) (*upload, error) {
	const op = "api.readUpload"
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	u := &upload{}
	switch {
	case ct == "multipart/form-data":
		if params["boundary"] == "" {
			return nil, errs.E(op, errs.Invalid, "the multipart body has no boundary")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "the body is not valid multipart/form-data")
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, bodyErr(op, err)
			}
			switch {
			case part.FileName() != "" || part.FormName() == "scan" || part.FormName() == "redacted":
				if len(u.scans) == store.MaxScans {
					return nil, errs.Fields(op, map[string]string{"scan": "at most 20 scans an item"})
				}
				sc, err := blob.Prepare(part, MailLimits())
				if err != nil {
					return nil, scanErr(err, part.FileName())
				}
				u.scans = append(u.scans, sc)
			case part.FormName() == field:
				b, err := io.ReadAll(io.LimitReader(part, httpx.MaxJSONBody+1))
				if err != nil {
					return nil, bodyErr(op, err)
				}
				if len(b) > httpx.MaxJSONBody {
					return nil, errs.E(op, errs.TooLarge, "the %s field is too large", field)
				}
				u.meta = b
			default:
				return nil, errs.Fields(op, map[string]string{part.FormName(): "unknown field"})
			}
		}
		if u.meta == nil {
			return nil, errs.Fields(op, map[string]string{field: "required: a JSON object"})
		}
	case ct == "application/json" || ct == "":
		b, err := io.ReadAll(io.LimitReader(r.Body, httpx.MaxJSONBody+1))
		if err != nil {
			return nil, bodyErr(op, err)
		}
		if len(b) > httpx.MaxJSONBody {
			return nil, errs.E(op, errs.TooLarge, "the body is larger than %d bytes", httpx.MaxJSONBody)
		}
		u.meta = b
	default:
		return nil, errs.E(op, errs.Invalid, "send JSON or multipart/form-data")
	}
	return u, nil
}

// readScanBody reads the scans of a request: multipart files, or one raw
// file as the body.
func readScanBody(r *http.Request) ([]*blob.Scan, error) {
	const op = "api.readScanBody"
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		u, err := readUploadFiles(r)
		if err != nil {
			return nil, err
		}
		return u, nil
	}
	if ct != string(blob.JPEG) && ct != string(blob.PNG) && ct != string(blob.PDF) && ct != "application/octet-stream" {
		return nil, errs.E(op, errs.Invalid, "send the scan as image/jpeg, image/png, application/pdf or multipart/form-data")
	}
	sc, err := blob.Prepare(r.Body, MailLimits())
	if err != nil {
		return nil, scanErr(err, "")
	}
	return []*blob.Scan{sc}, nil
}

func readUploadFiles(r *http.Request) ([]*blob.Scan, error) {
	const op = "api.readUploadFiles"
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the body is not valid multipart/form-data")
	}
	var out []*blob.Scan
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bodyErr(op, err)
		}
		if part.FileName() == "" && part.FormName() != "scan" {
			return nil, errs.Fields(op, map[string]string{part.FormName(): "unknown field; send the files as scan"})
		}
		if len(out) == store.MaxScans {
			return nil, errs.Fields(op, map[string]string{"scan": "at most 20 scans an item"})
		}
		sc, err := blob.Prepare(part, MailLimits())
		if err != nil {
			return nil, scanErr(err, part.FileName())
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, errs.Fields(op, map[string]string{"scan": "no file was sent"})
	}
	return out, nil
}

func bodyErr(op string, err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errs.E(op, errs.TooLarge, "the upload is larger than %d MB", big.Limit>>20)
	}
	return &errs.Error{Op: op, Kind: errs.Invalid, Message: "the upload could not be read", Err: err}
}

// scanErr names the file in a scan's error; the name is the sender's own
// and is echoed only to them.
func scanErr(err error, name string) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errs.E("api.scan", errs.TooLarge, "the upload is larger than %d MB", big.Limit>>20)
	}
	if name == "" {
		return err
	}
	return &errs.Error{Op: "api.scan", Kind: errs.KindOf(err), Message: name + ": " + errs.MessageOf(err), Err: err}
}

func decodeMeta(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errs.E("api.decode", errs.Invalid, "the body is empty; a JSON object is required")
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errs.Fields("api.decode", map[string]string{name: "unknown field"})
		}
		return errs.E("api.decode", errs.Invalid, "the JSON is not valid: %s", err.Error())
	}
	return nil
}

// putScans stores the blobs of scans in the transaction and returns the
// scan rows, and the keys newly written to a folder backend (to remove if
// the transaction fails).
func putScans(ctx context.Context, be blob.Backend, tx *store.Tx, scans []*blob.Scan) ([]store.Scan, []string, error) {
	var rows []store.Scan
	var created []string
	put := func(key string, data []byte) error {
		ok, err := be.Put(ctx, tx, key, data)
		if ok && be.Name() == "dir" {
			created = append(created, key)
		}
		return err
	}
	for _, s := range scans {
		if err := put(s.Key, s.Data); err != nil {
			return nil, created, err
		}
		if s.Thumb != nil {
			if err := put(s.ThumbKey, s.Thumb); err != nil {
				return nil, created, err
			}
		}
		rows = append(rows, store.Scan{Key: s.Key, Type: string(s.Type), Size: int64(len(s.Data)), Width: s.Width, Height: s.Height, ThumbKey: s.ThumbKey})
	}
	return rows, created, nil
}

// dropCreated removes folder blobs written by a transaction that failed.
func dropCreated(ctx context.Context, be blob.Backend, keys []string) {
	for _, k := range keys {
		be.Delete(ctx, nil, k)
	}
}

// ---- senders and intake

func (a *API) createSender(w http.ResponseWriter, r *http.Request) {
	var s correspondence.Sender
	if err := httpx.DecodeJSON(r, &s); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	s.ID, s.Party = 0, Actor(r).Party
	err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.CreateSender(r.Context(), Actor(r), &s) })
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, s)
}

// visibleSender returns a sender the caller's party may use: one it
// registered (the intermediary sees all).
func (a *API) visibleSender(r *http.Request, id int64) (*correspondence.Sender, error) {
	s, err := a.app.DB.Sender(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if sc := httpx.Principal(r).Scope(); sc != "" && s.Party != sc {
		return nil, errs.E("api.sender", errs.NotFound, "no such sender")
	}
	return s, nil
}

func (a *API) getSender(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var s *correspondence.Sender
		if s, err = a.visibleSender(r, id); err == nil {
			httpx.WriteJSON(w, 200, s)
			return
		}
	}
	httpx.WriteError(w, r, err)
}

// ItemInput is the body of an intake.
type ItemInput struct {
	PersonID  int64                  `json:"person_id"`
	SenderID  int64                  `json:"sender_id,omitempty"`
	Sender    *correspondence.Sender `json:"sender,omitempty"`      // a new family member, instead of sender_id
	InReplyTo string                 `json:"in_reply_to,omitempty"` // replies: the tracking number of the family's item
	Kind      correspondence.Kind    `json:"kind"`
	Language  string                 `json:"language,omitempty"`
	Pages     int                    `json:"pages,omitempty"`
}

// Intake is the answer to an intake: the item and its PIN, shown once.
type Intake struct {
	Item  *correspondence.Item `json:"item"`
	PIN   string               `json:"pin"`
	Scans []store.Scan         `json:"scans"`
}

func (a *API) createItem(w http.ResponseWriter, r *http.Request) {
	a.intake(w, r, correspondence.ToDetainee)
}

func (a *API) createReply(w http.ResponseWriter, r *http.Request) {
	a.intake(w, r, correspondence.Reply)
}

func (a *API) intake(w http.ResponseWriter, r *http.Request, dir correspondence.Direction) {
	u, err := readUpload(r, "item")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in ItemInput
	if err := decodeMeta(u.meta, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := a.TakeIn(r.Context(), httpx.Principal(r), dir, in, u.scans)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, res)
}

// TakeIn takes in an item for principal p: the person must be within the
// party's reach, the sender known to the party (or new), the scans already
// checked. Everything is stored in one transaction, or nothing is.
// reachOf checks, inside a transaction, that a person is within p's reach.
func reachOf(p *auth.Principal, op string) store.Reach {
	return func(ps store.PersonSides) error {
		if ps.PartyCode == "" || !p.SeesPerson(ps.PartyCode, ps.HoldingParty) {
			return errs.Fields(op, map[string]string{"person_id": "no such person within your party's reach"})
		}
		return nil
	}
}

// checkIntake checks what an intake names for principal p: the person
// within the party's reach, the sender known to the party (or new, or for
// a reply the family member the reply answers, set in in.SenderID).
func (a *API) checkIntake(ctx context.Context, p *auth.Principal, dir correspondence.Direction, in *ItemInput) error {
	const op = "api.TakeIn"
	if p.Intermediary {
		return errs.E(op, errs.Conflict, "mail is taken in at a party's collection point")
	}
	person, err := a.app.DB.PersonParties(ctx, in.PersonID)
	if err != nil || !p.SeesPerson(person.PartyCode, person.HoldingParty) {
		return errs.Fields(op, map[string]string{"person_id": "no such person within your party's reach"})
	}
	return a.checkSender(ctx, p, dir, in)
}

// checkSender checks the family member an intake names: known to the
// party (or new, or for a reply the one the reply answers, set in
// in.SenderID).
func (a *API) checkSender(ctx context.Context, p *auth.Principal, dir correspondence.Direction, in *ItemInput) error {
	const op = "api.TakeIn"
	if dir == correspondence.Reply && in.InReplyTo != "" && in.SenderID == 0 && in.Sender == nil {
		t, err := correspondence.ParseTracking(in.InReplyTo)
		if err != nil {
			return errs.Fields(op, map[string]string{"in_reply_to": errs.FieldsOf(err)["tracking"]})
		}
		orig, err := a.app.DB.ItemByTracking(ctx, t)
		if err != nil || orig.PersonID != in.PersonID || orig.Direction != correspondence.ToDetainee {
			return errs.Fields(op, map[string]string{"in_reply_to": "no item to this person has this tracking number"})
		}
		in.SenderID = orig.SenderID
	} else if in.SenderID != 0 {
		s, err := a.app.DB.Sender(ctx, in.SenderID)
		// A party uses the family members it registered, and for
		// replies those who wrote to the people it holds.
		if err != nil || (p.Scope() != "" && s.Party != p.Scope() && dir != correspondence.Reply) {
			return errs.Fields(op, map[string]string{"sender_id": "no such sender"})
		}
	} else if in.Sender == nil {
		return errs.Fields(op, map[string]string{"sender": "name the family member: sender_id, or sender with name, relationship and contact"})
	}
	return nil
}

func (a *API) TakeIn(ctx context.Context, p *auth.Principal, dir correspondence.Direction, in ItemInput, scans []*blob.Scan) (*Intake, error) {
	if err := a.checkIntake(ctx, p, dir, &in); err != nil {
		return nil, err
	}
	pin, err := correspondence.NewPIN()
	if err != nil {
		return nil, err
	}
	hash, err := correspondence.HashPIN(pin)
	if err != nil {
		return nil, err
	}
	actor := store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
	be := Blobs(a.app)
	it := &correspondence.Item{Kind: in.Kind, Direction: dir, PersonID: in.PersonID, SenderID: in.SenderID, Language: in.Language, Pages: in.Pages}
	var rows []store.Scan
	var created []string
	err = a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		if it.SenderID == 0 {
			s := *in.Sender
			s.ID, s.Party = 0, p.Party
			if err := tx.CreateSender(ctx, actor, &s); err != nil {
				return err
			}
			it.SenderID = s.ID
		}
		var err error
		if rows, created, err = putScans(ctx, be, tx, scans); err != nil {
			return err
		}
		return tx.CreateItem(ctx, actor, it, hash, rows)
	})
	if err != nil {
		dropCreated(ctx, be, created)
		return nil, err
	}
	return &Intake{Item: it, PIN: pin, Scans: orEmpty(rows)}, nil
}

// PacketInput is the body of a packet intake: the items one family member
// brings at once for one person, each taken in as an item of its own.
type PacketInput struct {
	PersonID int64                  `json:"person_id"`
	SenderID int64                  `json:"sender_id,omitempty"`
	Sender   *correspondence.Sender `json:"sender,omitempty"` // a new family member, instead of sender_id
	Items    []PacketItem           `json:"items"`
}

// PacketItem is one item of a packet.
type PacketItem struct {
	Kind     correspondence.Kind `json:"kind"`
	Language string              `json:"language,omitempty"`
	Pages    int                 `json:"pages,omitempty"`
}

// Packet is the answer to a packet intake: the family member and every
// item with its tracking number and PIN, shown once.
type Packet struct {
	SenderID int64     `json:"sender_id"`
	Items    []*Intake `json:"items"`
}

func (a *API) createPacket(w http.ResponseWriter, r *http.Request) {
	var in PacketInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := a.TakePacket(r.Context(), httpx.Principal(r), in, nil)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, res)
}

// TakePacket takes in a packet for principal p with the checks of TakeIn,
// in one transaction: every item is stored, or none is. scans[i], when
// given, are item i's scans, already checked; the JSON API takes none
// (they are added to each item afterwards, POST /api/v1/items/{id}/scans).
func (a *API) TakePacket(ctx context.Context, p *auth.Principal, in PacketInput, scans [][]*blob.Scan) (*Packet, error) {
	const op = "api.TakePacket"
	switch {
	case len(in.Items) == 0:
		return nil, errs.Fields(op, map[string]string{"items": "name at least one item"})
	case len(in.Items) > store.MaxPacket:
		return nil, errs.Fields(op, map[string]string{"items": fmt.Sprintf("at most %d items in one packet", store.MaxPacket)})
	}
	if p.Intermediary {
		return nil, errs.E(op, errs.Conflict, "mail is taken in at a party's collection point")
	}
	// The person's reach is checked in the transaction, which reads them.
	one := ItemInput{PersonID: in.PersonID, SenderID: in.SenderID, Sender: in.Sender}
	if err := a.checkSender(ctx, p, correspondence.ToDetainee, &one); err != nil {
		return nil, err
	}
	out := &Packet{Items: make([]*Intake, len(in.Items))}
	its := make([]*correspondence.Item, len(in.Items))
	hashes := make([]string, len(in.Items))
	for i, pi := range in.Items {
		pin, err := correspondence.NewPIN()
		if err != nil {
			return nil, err
		}
		if hashes[i], err = correspondence.HashPIN(pin); err != nil {
			return nil, err
		}
		its[i] = &correspondence.Item{Kind: pi.Kind, Direction: correspondence.ToDetainee, PersonID: in.PersonID, SenderID: in.SenderID,
			Language: pi.Language, Pages: pi.Pages}
		out.Items[i] = &Intake{Item: its[i], PIN: pin, Scans: []store.Scan{}}
	}
	actor := store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
	be := Blobs(a.app)
	var created []string
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		rows := make([][]store.Scan, len(scans))
		for i, sc := range scans {
			var made []string
			var err error
			rows[i], made, err = putScans(ctx, be, tx, sc)
			created = append(created, made...)
			if err != nil {
				return err
			}
			if i < len(out.Items) {
				out.Items[i].Scans = orEmpty(rows[i])
			}
		}
		var sender *correspondence.Sender // a new family member, stored with the items
		if in.SenderID == 0 {
			s := *in.Sender
			s.ID, s.Party = 0, p.Party
			sender = &s
		}
		if err := tx.CreateItems(ctx, actor, reachOf(p, op), sender, its, hashes, rows); err != nil {
			return err
		}
		out.SenderID = its[0].SenderID
		return nil
	})
	if err != nil {
		dropCreated(ctx, be, created)
		return nil, err
	}
	return out, nil
}

// visibleItem returns an item the caller's party sends or receives.
func (a *API) visibleItem(r *http.Request) (*correspondence.Item, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	it, err := a.app.DB.Item(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s := httpx.Principal(r).Scope(); s != "" && it.OriginParty != s && it.DestParty != s {
		return nil, errs.E("api.item", errs.NotFound, "no such item")
	}
	return it, nil
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := store.DecodeCursor(q.Get("cursor"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	f := store.ItemFilter{Scope: httpx.Principal(r).Scope(), Status: correspondence.Status(q.Get("status")), Direction: correspondence.Direction(q.Get("direction")),
		Kind: correspondence.Kind(q.Get("kind")), After: after, Limit: limit}
	if v := q.Get("person_id"); v != "" {
		f.PersonID, _ = strconv.ParseInt(v, 10, 64)
	}
	if t := q.Get("tracking"); t != "" {
		n, err := correspondence.ParseTracking(t)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		it, err := a.app.DB.ItemByTracking(r.Context(), n)
		items := []*correspondence.Item{}
		if err == nil && (f.Scope == "" || it.OriginParty == f.Scope || it.DestParty == f.Scope) {
			items = append(items, it)
		}
		httpx.WriteJSON(w, 200, Page[*correspondence.Item]{Items: items})
		return
	}
	items, next, err := a.app.DB.Items(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[*correspondence.Item]{Items: items, NextCursor: next})
}

// ItemView is an item with what staff see of it.
type ItemView struct {
	Item       *correspondence.Item       `json:"item"`
	Scans      []store.Scan               `json:"scans"`
	Screenings []correspondence.Screening `json:"screenings"`
	Timeline   []store.TrackStep          `json:"timeline"`
}

// ItemView gathers what staff see of an item.
func (a *API) ItemView(ctx context.Context, it *correspondence.Item) (*ItemView, error) {
	v := &ItemView{Item: it}
	var err error
	if v.Scans, err = a.app.DB.Scans(ctx, it.ID); err != nil {
		return nil, err
	}
	if v.Screenings, err = a.app.DB.Screenings(ctx, it.ID); err != nil {
		return nil, err
	}
	if v.Timeline, err = a.app.DB.ItemTimeline(ctx, it.ID); err != nil {
		return nil, err
	}
	return v, nil
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.ItemView(r.Context(), it)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, v)
}

func (a *API) addScans(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if it.OriginParty != Actor(r).Party {
		httpx.WriteError(w, r, errs.E("api.addScans", errs.NotFound, "no such item"))
		return
	}
	scans, err := readScanBody(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ctx := r.Context()
	be := Blobs(a.app)
	var rows []store.Scan
	var created []string
	err = a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if rows, created, err = putScans(ctx, be, tx, scans); err != nil {
			return err
		}
		return tx.AddScans(ctx, Actor(r), it.ID, rows)
	})
	if err != nil {
		dropCreated(ctx, be, created)
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, Page[store.Scan]{Items: rows})
}

// ReceiptSlip returns the sender's receipt slip of an item, when pin is
// its PIN.
func (a *API) ReceiptSlip(ctx context.Context, it *correspondence.Item, pin string) (pdf.ReceiptSlip, error) {
	if !correspondence.CheckPIN(it.PINHash, pin) {
		return pdf.ReceiptSlip{}, errs.Fields("api.ReceiptSlip", map[string]string{"pin": "not the PIN given at intake"})
	}
	office := ""
	if p, err := a.app.DB.Party(ctx, it.OriginParty); err == nil {
		office = p.Name
	}
	kind := string(it.Kind)
	switch it.Kind {
	case correspondence.CaptureCard:
		kind = string(correspondence.Card)
	case correspondence.Complaint:
		kind = string(correspondence.Letter)
	}
	return pdf.ReceiptSlip{Tracking: it.Tracking, PIN: pin, Date: it.ReceivedAt, Kind: kind, Office: office}, nil
}

func (a *API) receiptSlip(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in struct {
		PIN string `json:"pin"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	slip, err := a.ReceiptSlip(r.Context(), it, in.PIN)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := pdf.WriteReceiptSlip(&b, slip); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	writePDF(w, "receipt-"+it.Tracking+".pdf", b.Bytes())
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// ---- screening

func (a *API) screeningQueue(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	q, err := a.app.DB.ScreeningQueue(r.Context(), Actor(r).Party, limit, a.app.Now())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[store.QueueEntry]{Items: q})
}

func (a *API) screeningItem(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.ItemView(r.Context(), it)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, v)
}

// ScanContent returns a scan of a visible item (or its thumbnail) and
// records the view in the access log: every view of a scan, the original
// kept beside a redaction included, is on record (SCR-3).
func (a *API) ScanContent(ctx context.Context, p *auth.Principal, it *correspondence.Item, scanID int64, thumb bool) (string, []byte, error) {
	scans, err := a.app.DB.Scans(ctx, it.ID)
	if err != nil {
		return "", nil, err
	}
	for _, s := range scans {
		if s.ID != scanID {
			continue
		}
		key, typ, action := s.Key, s.Type, "view_"+s.Role
		if thumb {
			if s.ThumbKey == "" {
				return "", nil, errs.E("api.ScanContent", errs.NotFound, "a PDF has no thumbnail")
			}
			key, typ, action = s.ThumbKey, string(blob.JPEG), action+"_thumbnail"
		}
		if err := a.app.DB.RecordAccess(ctx, store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}, "item_scan", s.ID, action); err != nil {
			return "", nil, err
		}
		b, err := Blobs(a.app).Get(ctx, a.app.DB.Read(), key)
		return typ, b, err
	}
	return "", nil, errs.E("api.ScanContent", errs.NotFound, "no such scan")
}

func (a *API) scanContent(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	sid, err := strconv.ParseInt(r.PathValue("scan"), 10, 64)
	if err != nil {
		httpx.WriteError(w, r, errs.E("api.scan", errs.NotFound, "no such scan"))
		return
	}
	typ, b, err := a.ScanContent(r.Context(), httpx.Principal(r), it, sid, r.URL.Query().Get("thumb") == "1")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", "inline")
	w.Write(b)
}

// Screen records p's side's decision on an item; a second pass by the same
// side is refused and the attempt audited.
func (a *API) Screen(ctx context.Context, p *auth.Principal, itemID int64, d correspondence.Decision, redacted *blob.Scan) (*correspondence.Screening, error) {
	actor := store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
	be := Blobs(a.app)
	var sc *correspondence.Screening
	var created []string
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var row *store.Scan
		if redacted != nil {
			rows, c, err := putScans(ctx, be, tx, []*blob.Scan{redacted})
			created = c
			if err != nil {
				return err
			}
			row = &rows[0]
		}
		var err error
		sc, err = tx.ScreenItem(ctx, actor, itemID, d, row)
		return err
	})
	if err != nil {
		dropCreated(ctx, be, created)
		if errs.Is(err, correspondence.ErrScreenedTwice) && strings.Contains(errs.MessageOf(err), "second examination") {
			if aerr := a.app.DB.AuditRefusedScreening(ctx, actor, itemID); aerr != nil {
				return nil, aerr
			}
		}
		return nil, err
	}
	return sc, nil
}

func (a *API) screenItem(w http.ResponseWriter, r *http.Request) {
	it, err := a.visibleItem(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := readUpload(r, "decision")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var d correspondence.Decision
	if err := decodeMeta(u.meta, &d); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var red *blob.Scan
	switch len(u.scans) {
	case 0:
	case 1:
		red = u.scans[0]
	default:
		httpx.WriteError(w, r, errs.Fields("api.screen", map[string]string{"redacted": "one redacted scan a decision"}))
		return
	}
	sc, err := a.Screen(r.Context(), httpx.Principal(r), it.ID, d, red)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, sc)
}

// MaxScreeningBatch is the most decisions one request records: a page of
// the screening queue.
const MaxScreeningBatch = 200

// ScreenBatch records p's side's decisions on several items in one
// transaction, all or none, each as Screen records one. Redactions bring a
// scan and go one by one. When the refusal is a second examination by the
// same side, the attempt is audited.
func (a *API) ScreenBatch(ctx context.Context, p *auth.Principal, ds []store.ItemDecision) ([]*correspondence.Screening, error) {
	const op = "api.ScreenBatch"
	if len(ds) == 0 || len(ds) > MaxScreeningBatch {
		return nil, errs.Fields(op, map[string]string{"decisions": fmt.Sprintf("1 to %d decisions", MaxScreeningBatch)})
	}
	actor := store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
	var out []*correspondence.Screening
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ScreenItems(ctx, actor, p.Scope(), ds)
		return err
	})
	if err != nil {
		var ee *store.EntryError
		if errs.Is(err, correspondence.ErrScreenedTwice) && strings.Contains(errs.MessageOf(err), "second examination") && errors.As(err, &ee) {
			if aerr := a.app.DB.AuditRefusedScreening(ctx, actor, ee.ID); aerr != nil {
				return nil, aerr
			}
		}
		return nil, err
	}
	return out, nil
}

func (a *API) screenItems(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Decisions []store.ItemDecision `json:"decisions"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out, err := a.ScreenBatch(r.Context(), httpx.Principal(r), in.Decisions)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, Page[*correspondence.Screening]{Items: out})
}

// ---- packing and parcels

func (a *API) packingQueue(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	g, err := a.app.DB.PackingQueue(r.Context(), Actor(r).Party, limit)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[store.PackingGroup]{Items: g})
}

func (a *API) visibleParcel(r *http.Request) (*parcels.Parcel, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := a.app.DB.Parcel(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s := httpx.Principal(r).Scope(); s != "" && p.FromParty != s && p.ToParty != s {
		return nil, errs.E("api.parcel", errs.NotFound, "no such parcel")
	}
	return p, nil
}

func (a *API) listParcels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := store.DecodeCursor(q.Get("cursor"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	f := store.ParcelFilter{Scope: httpx.Principal(r).Scope(), Status: parcels.Status(q.Get("status")), Flagged: q.Get("flagged") == "true", After: after, Limit: limit}
	if t := q.Get("tracking"); t != "" {
		n, err := correspondence.ParseTracking(t)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		p, err := a.app.DB.ParcelByTracking(r.Context(), n)
		out := []*parcels.Parcel{}
		if err == nil && (f.Scope == "" || p.FromParty == f.Scope || p.ToParty == f.Scope) {
			out = append(out, p)
		}
		httpx.WriteJSON(w, 200, Page[*parcels.Parcel]{Items: out})
		return
	}
	ps, next, err := a.app.DB.Parcels(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[*parcels.Parcel]{Items: ps, NextCursor: next})
}

// ParcelView is a parcel with its items, events and what may be done when
// it is flagged.
type ParcelView struct {
	Parcel *parcels.Parcel        `json:"parcel"`
	Items  []*correspondence.Item `json:"items"`
	Events []store.ParcelEvent    `json:"events"`
	Offer  parcels.Offer          `json:"offer"`
}

// ParcelView gathers a parcel's page.
func (a *API) ParcelView(ctx context.Context, p *parcels.Parcel) (*ParcelView, error) {
	v := &ParcelView{Parcel: p}
	var err error
	if v.Items, _, err = a.app.DB.Items(ctx, store.ItemFilter{ParcelID: p.ID, Limit: parcels.MaxItems}); err != nil {
		return nil, err
	}
	if v.Events, err = a.app.DB.ParcelEvents(ctx, p.ID); err != nil {
		return nil, err
	}
	if p.Flag != parcels.NoFlag {
		person, err := a.app.DB.Person(ctx, p.PersonID)
		if err != nil {
			return nil, err
		}
		v.Offer = parcels.OfferFor(*p, p.Flag, person.FacilityID)
	}
	return v, nil
}

func (a *API) getParcel(w http.ResponseWriter, r *http.Request) {
	p, err := a.visibleParcel(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.ParcelView(r.Context(), p)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, v)
}

// PackInput names a recipient and the items to pack for them, and the
// weight when the packer seals the parcel there and then.
type PackInput struct {
	PersonID    int64                    `json:"person_id"`
	Direction   correspondence.Direction `json:"direction,omitempty"`
	SenderID    int64                    `json:"sender_id,omitempty"`
	ItemIDs     []int64                  `json:"item_ids"`
	WeightGrams *int                     `json:"weight_grams,omitempty"`
}

// Pack opens (or reuses) the caller's parcel for a recipient and packs
// the items into it; with a weight it seals the parcel too, in the same
// transaction: all or nothing.
func (a *API) Pack(ctx context.Context, p *auth.Principal, in PackInput) (*parcels.Parcel, error) {
	if in.Direction == "" {
		in.Direction = correspondence.ToDetainee
	}
	if len(in.ItemIDs) == 0 {
		return nil, errs.Fields("api.Pack", map[string]string{"item_ids": "name at least one item"})
	}
	actor := store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
	var out *parcels.Parcel
	err := a.app.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.PackParcel(ctx, actor, reachOf(p, "api.Pack"), in.PersonID, in.Direction, in.SenderID, in.ItemIDs, in.WeightGrams)
		return err
	})
	return out, err
}

func (a *API) createParcel(w http.ResponseWriter, r *http.Request) {
	var in PackInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Pack(r.Context(), httpx.Principal(r), in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (a *API) packItems(w http.ResponseWriter, r *http.Request) {
	p, err := a.visibleParcel(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in struct {
		ItemIDs []int64 `json:"item_ids"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if len(in.ItemIDs) == 0 {
		httpx.WriteError(w, r, errs.Fields("api.packItems", map[string]string{"item_ids": "name at least one item"}))
		return
	}
	var out *parcels.Parcel
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		if err := tx.PackItems(r.Context(), Actor(r), p.ID, in.ItemIDs); err != nil {
			return err
		}
		out, err = tx.Parcel(r.Context(), p.ID)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, out)
}

func (a *API) sealParcel(w http.ResponseWriter, r *http.Request) {
	p, err := a.visibleParcel(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in struct {
		WeightGrams int `json:"weight_grams"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var out *parcels.Parcel
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		out, err = tx.SealParcel(r.Context(), Actor(r), p.ID, in.WeightGrams)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, out)
}

func (a *API) redirectParcel(w http.ResponseWriter, r *http.Request) {
	a.parcelAction(w, r, func(tx *store.Tx, id int64) (*parcels.Parcel, error) {
		return tx.RedirectParcel(r.Context(), Actor(r), id)
	})
}

func (a *API) returnParcel(w http.ResponseWriter, r *http.Request) {
	a.parcelAction(w, r, func(tx *store.Tx, id int64) (*parcels.Parcel, error) {
		return tx.ReturnParcel(r.Context(), Actor(r), id)
	})
}

func (a *API) parcelAction(w http.ResponseWriter, r *http.Request, fn func(tx *store.Tx, id int64) (*parcels.Parcel, error)) {
	p, err := a.visibleParcel(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var out *parcels.Parcel
	err = a.app.DB.Tx(r.Context(), func(tx *store.Tx) error {
		out, err = fn(tx, p.ID)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, out)
}

// ---- labels and packing lists

// ParcelPDF writes the label or packing list of each parcel: one parcel on
// one page, several on label sheets or one list after another.
func (a *API) ParcelPDF(ctx context.Context, ids []int64, packing bool) ([]byte, error) {
	prints, err := a.app.DB.ParcelPrints(ctx, ids)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	switch {
	case packing && len(prints) == 1:
		err = pdf.WritePackingList(&b, prints[0].PackingList())
	case packing:
		lists := make([]pdf.PackingList, len(prints))
		for i, p := range prints {
			lists[i] = p.PackingList()
		}
		err = pdf.WritePackingLists(&b, lists)
	case len(prints) == 1:
		err = pdf.WriteLabel(&b, prints[0].Label())
	default:
		labels := make([]pdf.Label, len(prints))
		for i, p := range prints {
			labels[i] = p.Label()
		}
		err = pdf.WriteLabelSheets(&b, labels)
	}
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (a *API) parcelPDF(packing bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.visibleParcel(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		b, err := a.ParcelPDF(r.Context(), []int64{p.ID}, packing)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		name := "label-"
		if packing {
			name = "packing-list-"
		}
		writePDF(w, name+p.Tracking+".pdf", b)
	}
}

// MaxBatch is the most parcels one batch PDF holds.
const MaxBatch = 5000

// BatchIDs returns the parcels of a batch: the ids listed (each visible
// to the caller), or every parcel of the caller's party in a status.
func (a *API) BatchIDs(ctx context.Context, p *auth.Principal, ids string, status string) ([]int64, error) {
	const op = "api.BatchIDs"
	var out []int64
	if ids != "" {
		for _, s := range strings.Split(ids, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				return nil, errs.Fields(op, map[string]string{"ids": "a comma-separated list of parcel ids"})
			}
			out = append(out, id)
		}
		if len(out) > MaxBatch {
			return nil, errs.Fields(op, map[string]string{"ids": "at most 5000 parcels a batch"})
		}
		ps, _, err := a.app.DB.Parcels(ctx, store.ParcelFilter{Scope: p.Scope(), IDs: out, Limit: len(out)})
		if err != nil {
			return nil, err
		}
		if len(ps) != len(out) {
			return nil, errs.E(op, errs.NotFound, "some of these parcels do not exist")
		}
		return out, nil
	}
	if status == "" {
		return nil, errs.Fields(op, map[string]string{"ids": "name the parcels (ids) or a status"})
	}
	var after int64
	for {
		ps, next, err := a.app.DB.Parcels(ctx, store.ParcelFilter{From: p.Party, Status: parcels.Status(status), After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, pc := range ps {
			out = append(out, pc.ID)
		}
		if next == "" || len(out) >= MaxBatch {
			break
		}
		after = ps[len(ps)-1].ID
	}
	if len(out) == 0 {
		return nil, errs.E(op, errs.NotFound, "no parcels of yours are %s", status)
	}
	return out[:min(len(out), MaxBatch)], nil
}

func (a *API) batchPDF(packing bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ids, err := a.BatchIDs(r.Context(), httpx.Principal(r), q.Get("ids"), q.Get("status"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		b, err := a.ParcelPDF(r.Context(), ids, packing)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		name := "labels.pdf"
		if packing {
			name = "packing-lists.pdf"
		}
		writePDF(w, name, b)
	}
}

// ---- settings, quotas, backlog

func (a *API) getMailSettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.app.DB.MailSettings(r.Context(), Actor(r).Party)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, s)
}

func (a *API) putMailSettings(w http.ResponseWriter, r *http.Request) {
	var s store.MailSettings
	if err := httpx.DecodeJSON(r, &s); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	s.Party = Actor(r).Party
	if err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.SetMailSettings(r.Context(), Actor(r), s) }); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	a.getMailSettings(w, r)
}

func (a *API) getQuotas(w http.ResponseWriter, r *http.Request) {
	qs, err := a.app.DB.Quotas(r.Context(), Actor(r).Party)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[correspondence.Quota]{Items: qs})
}

func (a *API) putQuota(w http.ResponseWriter, r *http.Request) {
	var q correspondence.Quota
	if err := httpx.DecodeJSON(r, &q); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q.Party = Actor(r).Party
	if err := a.app.DB.Tx(r.Context(), func(tx *store.Tx) error { return tx.SetQuota(r.Context(), Actor(r), q) }); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, q)
}

func (a *API) mailBacklog(w http.ResponseWriter, r *http.Request) {
	b, err := a.app.DB.MailBacklog(r.Context(), Actor(r).Party, a.app.Now())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, b)
}

// ---- public tracking

// TrackClient is how the tracking page names a client in its attempt
// records: a hash of the address it connects from, never the address.
func TrackClient(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	s := sha256.Sum256([]byte("lifeline-track:" + host))
	return hex.EncodeToString(s[:16])
}

// Track checks a tracking number and PIN for the public page and returns
// the item's timeline. A malformed number is refused before anything is
// looked up; a wrong PIN answers exactly like an unknown number.
func (a *API) Track(ctx context.Context, client, tracking, pin string) ([]store.TrackStep, error) {
	t, err := correspondence.ParseTracking(tracking)
	if err != nil {
		return nil, err
	}
	return a.app.DB.Track(ctx, client, t, strings.TrimSpace(pin), store.DefaultTrackLimits())
}

func (a *API) track(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tracking string `json:"tracking"`
		PIN      string `json:"pin"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	steps, err := a.Track(r.Context(), TrackClient(r), in.Tracking, in.PIN)
	if err != nil {
		if errs.Is(err, errs.RateLimited) {
			w.Header().Set("Retry-After", "900")
		}
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, map[string]any{"timeline": steps})
}

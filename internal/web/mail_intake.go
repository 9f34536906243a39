package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/blob"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/parcels"
	"lifeline/internal/pdf"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

type mailHomePage struct {
	Backlog   store.MailBacklog
	Statuses  []statusCount
	Parcels   []statusCount
	CanIntake bool
	CanScreen bool
	CanPack   bool
}

type statusCount struct {
	Key   string
	Count int
}

func (u *UI) mailHome(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	b, err := u.db.MailBacklog(r.Context(), p.Party, u.app.Now())
	if err != nil {
		Error(w, r, err)
		return
	}
	d := mailHomePage{Backlog: b, CanIntake: p.Can(auth.MailIntake), CanScreen: p.Can(auth.MailScreen), CanPack: p.Can(auth.MailPack)}
	for _, s := range correspondence.Statuses {
		d.Statuses = append(d.Statuses, statusCount{string(s), b.Items[s]})
	}
	for _, s := range parcels.Statuses {
		if n := b.Parcels[string(s)]; n > 0 {
			d.Parcels = append(d.Parcels, statusCount{string(s), n})
		}
	}
	render(w, r, http.StatusOK, "mail_home", printer(r).T("mail.title"), d)
}

type mailIntakePage struct {
	Form       *Form
	Query      string
	Candidates []*registry.Person
	Person     *registry.Person
	Kinds      []Option
	Extra      []extraItem   // the packet's further items, beyond the first
	Done       []*api.Intake // what was taken in: one item, or a packet's
	Searched   bool
	Why        map[int64]string // why each candidate matched the name
	Reply      bool             // the person is held by the user's party: the form registers their reply
}

// extraItem is one more item of a packet on the intake form.
type extraItem struct {
	N           int // its number in the packet: the form's item is 1
	Kind, Pages string
}

// extraRows is how many more items the intake form offers: with the
// first, a packet of five (a letter, photographs, a drawing).
const extraRows = 4

// extraItems reads the packet's further items from the form, blanks
// kept so that the form shows them again as typed.
func extraItems(f *Form) []extraItem {
	kinds, pages := f.Values["extra_kind"], f.Values["extra_pages"]
	out := newExtra()
	for i := range out {
		if i < len(kinds) {
			out[i].Kind = kinds[i]
		}
		if i < len(pages) {
			out[i].Pages = pages[i]
		}
	}
	return out
}

func newExtra() []extraItem {
	out := make([]extraItem, extraRows)
	for i := range out {
		out[i].N = i + 2
	}
	return out
}

// replyHere reports whether p's party holds person, so that the intake
// form registers the person's reply to their family (issue 3, 8).
func replyHere(p *auth.Principal, person *registry.Person) bool {
	return person != nil && person.HoldingParty == p.Party && person.PartyCode != p.Party
}

func (u *UI) intakeKinds(r *http.Request, reply bool) []Option {
	pr := printer(r)
	var out []Option
	kinds := correspondence.IntakeKinds
	if reply {
		kinds = []correspondence.Kind{correspondence.Letter, correspondence.Card, correspondence.CaptureCard, correspondence.Drawing,
			correspondence.Photograph, correspondence.LegalDocument, correspondence.Complaint}
	}
	for _, k := range kinds {
		out = append(out, Option{string(k), pr.T("mail_kind." + string(k))})
	}
	return out
}

// mailIntakeShow finds the recipient by name (?q=), then shows the item
// form for the one chosen (?person=).
func (u *UI) mailIntakeShow(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("q") != "" {
		// Names never travel in URLs: the search is a POST.
		http.Redirect(w, r, "/mail/intake", http.StatusSeeOther)
		return
	}
	u.renderMailIntake(w, r, r.URL.Query())
}

// mailIntakeFind finds the recipient from any spelling of the name, in
// either script, through the search index.
func (u *UI) mailIntakeFind(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.mailIntakeFind", errs.Invalid, err))
		return
	}
	u.renderMailIntake(w, r, url.Values{"q": {strings.TrimSpace(r.PostForm.Get("q"))}})
}

func (u *UI) renderMailIntake(w http.ResponseWriter, r *http.Request, q url.Values) {
	p := httpx.Principal(r)
	d := mailIntakePage{Form: newForm(url.Values{"pages": {"1"}}), Query: q.Get("q"), Kinds: u.intakeKinds(r, false), Extra: newExtra()}
	if id, err := strconv.ParseInt(q.Get("person"), 10, 64); err == nil && id > 0 {
		person, err := u.db.Person(r.Context(), id)
		if err != nil || !p.SeesPerson(person.PartyCode, person.HoldingParty) {
			Error(w, r, errs.E("web.mailIntake", errs.NotFound, "no such person"))
			return
		}
		d.Person, d.Reply = person, replyHere(p, person)
		d.Kinds = u.intakeKinds(r, d.Reply)
		d.Form.Values.Set("person_id", strconv.FormatInt(id, 10))
	} else if d.Query != "" {
		ps, why, err := u.findPersons(r, d.Query, 20)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.Candidates, d.Why, d.Searched = ps, why, true
	}
	render(w, r, http.StatusOK, "mail_intake", printer(r).T("mail.intake_title"), d)
}

// mailIntakeSubmit takes in the item. The server has parsed the
// multipart form already (for the CSRF field); the files are checked by
// blob.Prepare one by one.
func (u *UI) mailIntakeSubmit(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	pr := printer(r)
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		Error(w, r, errs.E("web.mailIntake", errs.Invalid, "the upload could not be read"))
		return
	}
	vals := r.PostForm
	if r.MultipartForm != nil {
		vals = url.Values(r.MultipartForm.Value)
	}
	f := newForm(vals)
	d := mailIntakePage{Form: f, Extra: extraItems(f)}
	id, _ := strconv.ParseInt(f.Get("person_id"), 10, 64)
	if person, err := u.db.Person(r.Context(), id); err == nil && p.SeesPerson(person.PartyCode, person.HoldingParty) {
		d.Person, d.Reply = person, replyHere(p, person)
	}
	d.Kinds = u.intakeKinds(r, d.Reply)
	var scans []*blob.Scan
	var err error
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["scan"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			file, ferr := fh.Open()
			if ferr != nil {
				err = errs.E("web.mailIntake", errs.Invalid, "the upload could not be read")
				break
			}
			sc, perr := blob.Prepare(file, api.MailLimits())
			file.Close()
			if perr != nil {
				err = &errs.Error{Op: "web.mailIntake", Kind: errs.KindOf(perr), Message: fh.Filename + ": " + message(pr, errs.MessageOf(perr)), Err: perr}
				break
			}
			scans = append(scans, sc)
		}
	}
	if err == nil {
		pages, _ := strconv.Atoi(f.Get("pages"))
		in := api.ItemInput{PersonID: id, Kind: correspondence.Kind(f.Get("kind")), Language: f.Get("language"), Pages: pages,
			Sender: &correspondence.Sender{Name: f.Get("sender_name"), Relationship: f.Get("sender_relationship"), Contact: f.Get("sender_contact")}}
		dir := correspondence.ToDetainee
		if d.Reply {
			dir = correspondence.Reply
			if in.InReplyTo = f.Get("in_reply_to"); in.InReplyTo != "" {
				in.Sender = nil
			}
		}
		var more []api.PacketItem
		for _, x := range d.Extra {
			if x.Kind != "" && dir == correspondence.ToDetainee {
				n, _ := strconv.Atoi(x.Pages)
				more = append(more, api.PacketItem{Kind: correspondence.Kind(x.Kind), Pages: n})
			}
		}
		if len(more) == 0 {
			var done *api.Intake
			if done, err = u.mailAPI().TakeIn(r.Context(), p, dir, in, scans); err == nil {
				d.Done = []*api.Intake{done}
			}
		} else {
			// A packet: the first item with its scans, then the others,
			// all taken in or none.
			pk := api.PacketInput{PersonID: id, Sender: in.Sender,
				Items: append([]api.PacketItem{{Kind: in.Kind, Language: in.Language, Pages: in.Pages}}, more...)}
			var res *api.Packet
			if res, err = u.mailAPI().TakePacket(r.Context(), p, pk, [][]*blob.Scan{scans}); err == nil {
				d.Done = res.Items
			}
		}
	}
	if err != nil {
		if fm := errs.FieldsOf(err); fm != nil {
			m := map[string]string{}
			for k, v := range fm {
				// A packet's first item is the form's item; the others
				// are its extra rows.
				if rest, ok := strings.CutPrefix(k, "items.0."); ok {
					k = rest
				} else if rest, ok := strings.CutPrefix(k, "items."); ok {
					n, _, _ := strings.Cut(rest, ".")
					i, _ := strconv.Atoi(n)
					m["extra"] = pr.T("mail.packet_item", i+1) + ": " + message(pr, v)
					continue
				}
				m[strings.ReplaceAll(k, ".", "_")] = v
			}
			err = &errs.Error{Op: "web.mailIntake", Kind: errs.KindOf(err), Message: errs.MessageOf(err), Fields: m, Err: err}
		}
		f.setErr(pr, err, "kind", "language", "pages", "sender_name", "sender_relationship", "sender_contact", "in_reply_to", "extra")
		st, _ := httpx.Detail(r, err)
		render(w, r, st, "mail_intake", pr.T("mail.intake_title"), d)
		return
	}
	render(w, r, http.StatusCreated, "mail_intake", pr.T("mail.intake_done"), d)
}

// mailReceipt writes the receipt slip; the form carries the PIN shown at
// intake, which is never stored.
func (u *UI) mailReceipt(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		Error(w, r, err)
		return
	}
	it, err := u.db.Item(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	if s := httpx.Principal(r).Scope(); s != "" && it.OriginParty != s && it.DestParty != s {
		Error(w, r, errs.E("web.mailReceipt", errs.NotFound, "not found"))
		return
	}
	slip, err := u.mailAPI().ReceiptSlip(r.Context(), it, r.PostFormValue("pin"))
	if err != nil {
		Error(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := pdf.WriteReceiptSlip(&b, slip); err != nil {
		Error(w, r, err)
		return
	}
	sendPDF(w, "receipt-"+it.Tracking, b.Bytes())
}

// sendPDF writes a PDF download named base + ".pdf".
func sendPDF(w http.ResponseWriter, base string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+base+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	w.Write(b)
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"lifeline/internal/api"
	"lifeline/internal/blob"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

type mailQueuePage struct {
	Queue   []store.QueueEntry
	Overdue int
	Limit   int
}

func (u *UI) mailQueue(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	q, err := u.db.ScreeningQueue(r.Context(), p.Party, 200, u.app.Now())
	if err != nil {
		Error(w, r, err)
		return
	}
	s, err := u.db.MailSettings(r.Context(), p.Party)
	if err != nil {
		Error(w, r, err)
		return
	}
	d := mailQueuePage{Queue: q, Limit: s.LimitHours}
	for _, e := range q {
		if e.Overdue {
			d.Overdue++
		}
	}
	render(w, r, http.StatusOK, "mail_screening", printer(r).T("mail.screening_title"), d)
}

type mailScreenPage struct {
	Form      *Form
	View      *api.ItemView
	Side      correspondence.Side
	CanDecide bool
	Reasons   []Option
}

// visibleMailItem loads the item of the path, NotFound outside the
// caller's scope.
func (u *UI) visibleMailItem(r *http.Request) (*correspondence.Item, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	it, err := u.db.Item(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s := httpx.Principal(r).Scope(); s != "" && it.OriginParty != s && it.DestParty != s {
		return nil, errs.E("web.mailItem", errs.NotFound, "not found")
	}
	return it, nil
}

func (u *UI) mailScreenPage(r *http.Request, it *correspondence.Item, f *Form) (*mailScreenPage, error) {
	pr := printer(r)
	v, err := u.mailAPI().ItemView(r.Context(), it)
	if err != nil {
		return nil, err
	}
	d := &mailScreenPage{Form: f, View: v}
	if side, err := correspondence.SideOf(*it, httpx.Principal(r).Party); err == nil {
		d.Side = side
		d.CanDecide = correspondence.CanScreen(*it, side, v.Screenings) == nil
	}
	d.Reasons = append(d.Reasons, Option{"", ""})
	for _, rs := range correspondence.Reasons {
		d.Reasons = append(d.Reasons, Option{string(rs), pr.T("screen_reason." + string(rs))})
	}
	return d, nil
}

func (u *UI) mailScreenShow(w http.ResponseWriter, r *http.Request) {
	it, err := u.visibleMailItem(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	d, err := u.mailScreenPage(r, it, newForm(url.Values{"outcome": {"approved"}}))
	if err != nil {
		Error(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "mail_screen", it.Tracking, d)
}

func (u *UI) mailScreenSubmit(w http.ResponseWriter, r *http.Request) {
	pr := printer(r)
	it, err := u.visibleMailItem(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		Error(w, r, errs.E("web.mailScreen", errs.Invalid, "the upload could not be read"))
		return
	}
	vals := r.PostForm
	if r.MultipartForm != nil {
		vals = url.Values(r.MultipartForm.Value)
	}
	f := newForm(vals)
	dec := correspondence.Decision{Outcome: correspondence.Outcome(f.Get("outcome")), Reason: correspondence.Reason(f.Get("reason")), Note: f.Get("note")}
	var red *blob.Scan
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["redacted"] {
			if fh.Filename == "" && fh.Size == 0 {
				continue
			}
			file, ferr := fh.Open()
			if ferr == nil {
				red, err = blob.Prepare(file, api.MailLimits())
				file.Close()
			} else {
				err = errs.E("web.mailScreen", errs.Invalid, "the upload could not be read")
			}
			break
		}
	}
	if err == nil {
		_, err = u.mailAPI().Screen(r.Context(), httpx.Principal(r), it.ID, dec, red)
	}
	if err != nil {
		f.setErr(pr, err, "outcome", "reason", "note", "redacted_scan")
		if msg := f.Errors["redacted_scan"]; msg != "" {
			f.Errors["redacted"] = msg
		}
		d, perr := u.mailScreenPage(r, it, f)
		if perr != nil {
			Error(w, r, perr)
			return
		}
		st, _ := httpx.Detail(r, err)
		render(w, r, st, "mail_screen", it.Tracking, d)
		return
	}
	http.Redirect(w, r, "/mail/screening?done="+strconv.FormatInt(it.ID, 10), http.StatusSeeOther)
}

// mailScan sends a scan or its thumbnail; views of a scan are recorded.
func (u *UI) mailScan(w http.ResponseWriter, r *http.Request) {
	it, err := u.visibleMailItem(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	sid, err := pathInt(r, "scan")
	if err != nil {
		Error(w, r, err)
		return
	}
	typ, b, err := u.mailAPI().ScanContent(r.Context(), httpx.Principal(r), it, sid, r.URL.Query().Get("thumb") == "1")
	if err != nil {
		Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", "inline")
	w.Write(b)
}

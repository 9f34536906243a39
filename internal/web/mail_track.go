package web

import (
	"net/http"

	"lifeline/internal/api"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

type trackPage struct {
	Form     *Form
	Timeline []store.TrackStep
	Shown    bool
}

// trackShow is the public tracking form. The number and the PIN are
// posted, never put in the address: no personal data in URLs or logs.
func (u *UI) trackShow(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, "mail_track", printer(r).T("track.title"), trackPage{Form: newForm(nil)})
}

// trackSubmit shows the status timeline only: never a facility, a place
// or anything about the recipient. A wrong PIN answers exactly like an
// unknown number; too many failures answer 429 for a while.
func (u *UI) trackSubmit(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	pr := printer(r)
	f := newForm(r.PostForm)
	d := trackPage{Form: f}
	steps, err := u.mailAPI().Track(r.Context(), api.TrackClient(r), f.Get("tracking"), f.Get("pin"))
	if err != nil {
		if errs.Is(err, errs.RateLimited) {
			w.Header().Set("Retry-After", "900")
		}
		f.setErr(pr, err, "tracking", "pin")
		st, _ := httpx.Detail(r, err)
		f.Values.Del("pin")
		render(w, r, st, "mail_track", pr.T("track.title"), d)
		return
	}
	f.Values.Del("pin")
	d.Timeline, d.Shown = steps, true
	render(w, r, http.StatusOK, "mail_track", pr.T("track.title"), d)
}

package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"lifeline/internal/api"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/store"
)

type loginPage struct {
	Form *Form
	Next string
}

func (u *UI) loginShow(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if httpx.Principal(r) != nil {
		redirect(w, r, next)
		return
	}
	f := newForm(nil)
	render(w, r, http.StatusOK, "login", printer(r).T("login.title"), loginPage{Form: f, Next: next})
}

func (u *UI) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.login", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	next := localPath(f.Get("next"))
	pr := printer(r)
	name, pw := f.Get("name"), f.Raw("password")
	if name == "" {
		f.fail(pr, "name", "msg.required")
	}
	if pw == "" {
		f.fail(pr, "password", "msg.required")
	}
	if f.Invalid() {
		f.Values.Del("password")
		render(w, r, http.StatusUnprocessableEntity, "login", pr.T("login.title"), loginPage{Form: f, Next: next})
		return
	}
	p, err := u.db.Login(r.Context(), api.TrackClient(r), name, pw)
	if err != nil {
		if !errs.Is(err, errs.Unauthenticated) && !errs.Is(err, errs.RateLimited) {
			Error(w, r, err)
			return
		}
		// Logged without the name: an audit line, no personal data.
		slog.Warn("login failed", "request_id", httpx.RequestID(r), "reason", string(errs.KindOf(err)))
		f.setErr(pr, err)
		f.Values.Del("password")
		st, _ := httpx.Detail(r, err)
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "900")
		}
		render(w, r, st, "login", pr.T("login.title"), loginPage{Form: f, Next: next})
		return
	}
	id, _, err := u.db.CreateSession(r.Context(), p.UserID)
	if err != nil {
		Error(w, r, err)
		return
	}
	if old, err := r.Cookie(httpx.SessionCookie); err == nil && old.Value != "" {
		u.db.DeleteSession(r.Context(), old.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: u.app.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(store.SessionTTL / time.Second)})
	if i18n.Supported(p.Lang) {
		u.setLangCookie(w, p.Lang)
	}
	redirect(w, r, next)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" {
		if err := u.db.DeleteSession(r.Context(), c.Value); err != nil {
			Error(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: u.app.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	redirect(w, r, "/login")
}

// setLangCookie remembers a language for a year.
func (u *UI) setLangCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", HttpOnly: true, Secure: u.app.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
}

// langSubmit switches the language: stored in the user's setting when
// logged in, and in the lang cookie always.
func (u *UI) langSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.lang", errs.Invalid, err))
		return
	}
	lang := strings.TrimSpace(r.PostForm.Get("lang"))
	if !i18n.Supported(lang) {
		Error(w, r, errs.Fields("web.lang", map[string]string{"lang": "must be en, ru or uk"}))
		return
	}
	if p := httpx.Principal(r); p != nil {
		if err := u.db.SetUserLang(r.Context(), p.UserID, lang); err != nil {
			Error(w, r, err)
			return
		}
	}
	u.setLangCookie(w, lang)
	redirect(w, r, localPath(r.PostForm.Get("next")))
}

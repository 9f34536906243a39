// Package web is the server-rendered HTML user interface.
//
// Every route is listed in routes.go, one function per feature area. Pages
// are html/template files under templates/, parsed once at start-up: files
// whose names start with "_" (the layout and the form partials) are shared
// by every page, every other file is one page that defines "content". A
// handler fills one typed struct for its page and calls render, which
// executes the page into a buffer and writes it only when that succeeded.
// Text comes from the catalogs of package i18n, in the language of the
// user's setting, the "lang" cookie or the browser's Accept-Language.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// UI is the HTML user interface of a node.
type UI struct {
	app *app.App
	db  *store.DB
}

// New returns the UI of a.
func New(a *app.App) *UI { return &UI{app: a, db: a.DB} }

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template set per page, by file name without
// ".html". It is built once, from embedded files, at start-up.
var pages = mustParsePages()

var funcs = template.FuncMap{
	"date":  formatDate,
	"asset": assetURL,
	"list":  func(s ...string) []string { return s },
	"join":  strings.Join,
}

func mustParsePages() map[string]*template.Template {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	var shared, own []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			shared = append(shared, f)
		} else {
			own = append(own, f)
		}
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, shared...))
	out := map[string]*template.Template{}
	for _, f := range own {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, f))
		out[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return out
}

// formatDate shows a time as YYYY-MM-DD (UTC); nil and zero show nothing.
func formatDate(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	case *time.Time:
		if t == nil || t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	return ""
}

// LangCookie remembers the language of an anonymous visitor.
const LangCookie = "lang"

// langOf picks the language of a request: the user's setting, the lang
// cookie, then the browser's Accept-Language; English when nothing fits.
func langOf(r *http.Request) string {
	if p := httpx.Principal(r); p != nil && i18n.Supported(p.Lang) {
		return p.Lang
	}
	if c, err := r.Cookie(LangCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// printer returns the translator for a request.
func printer(r *http.Request) *i18n.Printer { return i18n.New(langOf(r)) }

// NavLink is one entry of the navigation bar.
type NavLink struct {
	Href   string
	Label  string
	Active bool
}

// Page is what the layout renders around every page's own Data.
type Page struct {
	Title string
	User  *auth.Principal
	CSRF  string
	Lang  string
	Langs []string
	Path  string // the request path, without the query
	Nav   []NavLink
	Data  any
	p     *i18n.Printer
}

func newPage(r *http.Request, title string, data any) *Page {
	pr := printer(r)
	pg := &Page{Title: title, User: httpx.Principal(r), CSRF: httpx.CSRF(r), Lang: pr.Lang(), Langs: i18n.Langs(),
		Path: r.URL.Path, Data: data, p: pr}
	if pg.User != nil {
		for _, e := range navEntries {
			if pg.User.Can(e.Perm) {
				active := e.Href == r.URL.Path || (e.Href != "/" && strings.HasPrefix(r.URL.Path, e.Href+"/"))
				pg.Nav = append(pg.Nav, NavLink{Href: e.Href, Label: pr.T(e.Key), Active: active})
			}
		}
	}
	return pg
}

// T translates key.
func (pg *Page) T(key string, args ...any) string { return pg.p.T(key, args...) }

// N translates key with the plural form for n.
func (pg *Page) N(key string, n int, args ...any) string { return pg.p.N(key, n, args...) }

// Category, Status, Event, Role, Kind and Sex translate domain values.
func (pg *Page) Category(c registry.Category) string { return pg.p.T("category." + string(c)) }
func (pg *Page) Status(s registry.Status) string     { return pg.p.T("status." + string(s)) }
func (pg *Page) Event(t registry.EventType) string   { return pg.p.T("event." + string(t)) }
func (pg *Page) Role(r auth.Role) string             { return pg.p.T("role." + string(r)) }
func (pg *Page) Kind(k registry.FacilityKind) string { return pg.p.T("facility_kind." + string(k)) }
func (pg *Page) Sex(s string) string {
	if s == "" {
		return ""
	}
	return pg.p.T("sex." + s)
}

// LangName is the name of a language in that language.
func (pg *Page) LangName(code string) string { return i18n.New(code).T("lang.name") }

// render executes page name with data into a buffer and writes it with
// status st; a template failure becomes an internal error page instead.
func render(w http.ResponseWriter, r *http.Request, st int, name, title string, data any) {
	t, ok := pages[name]
	pg := newPage(r, title, data)
	var buf bytes.Buffer
	var err error
	if !ok {
		err = errs.E("web.render", errs.Internal, "no page template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", pg)
	}
	if err != nil {
		httpx.Report(r, err)
		if name != "error" {
			Error(w, r, errs.WrapKind("web.render", errs.Internal, err))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("internal error; the request id is " + httpx.RequestID(r) + "\n"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", pg.Lang)
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(st)
	w.Write(buf.Bytes())
}

// redirect answers a form with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath returns next when it is a path on this server, else "/".
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// pathID reads the {id} of a route; a malformed id is an unknown one.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E("web.pathID", errs.NotFound, "not found")
	}
	return id, nil
}

// actor is the store actor of the request's principal.
func actor(r *http.Request) store.Actor {
	p := httpx.Principal(r)
	if p == nil {
		return store.Actor{Name: "anonymous"}
	}
	return store.Actor{UserID: p.UserID, Name: p.Name, Party: p.Party}
}

// errorPage is the data of the error page.
type errorPage struct {
	Status    int
	Heading   string
	Message   string
	Fields    []string
	ShowLogin bool
	LoginNext string
}

// Error writes an error page with the status httpx.Detail gives err.
// Internal errors are logged there, once; their detail is never shown.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	st, d := httpx.Detail(r, err)
	pr := printer(r)
	pg := errorPage{Status: st, Heading: pr.T("error." + d.Code)}
	switch d.Code {
	case string(errs.Internal):
		pg.Message = pr.T("error.internal_text", httpx.RequestID(r))
	case string(errs.NotFound):
		pg.Message = pr.T("error.not_found_text")
	default:
		pg.Message = message(pr, d.Message)
		for _, f := range sortedKeys(d.Fields) {
			pg.Fields = append(pg.Fields, f+": "+message(pr, d.Fields[f]))
		}
	}
	if errs.Is(err, errs.Unauthenticated) {
		pg.ShowLogin = true
		if r.Method == http.MethodGet {
			pg.LoginNext = r.URL.Path
		}
	}
	render(w, r, st, "error", pg.Heading, pg)
}

// NotFound writes the 404 page.
func NotFound(w http.ResponseWriter, r *http.Request) {
	Error(w, r, errs.E("web.NotFound", errs.NotFound, "not found"))
}

// Package server assembles the route tables of the UI and the API into one
// HTTP handler, with the middleware every request passes through:
// recovery, request id, access log, metrics, security headers, body limit,
// authentication, CSRF for the UI, and the permission of each route.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lifeline/internal/api"
	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/web"
)

// MaxBody limits every request body; upload routes set their own lower
// limits inside.
const MaxBody = 64 << 20

// Server is the HTTP face of a node.
type Server struct {
	app     *app.App
	routes  []httpx.Route
	handler http.Handler
	mux     *http.ServeMux
	reg     *prometheus.Registry
	reqs    *prometheus.CounterVec
	dur     *prometheus.HistogramVec
	tokens  *tokenCache
}

// New builds the server of a.
func New(a *app.App) *Server {
	s := &Server{app: a, reg: prometheus.NewRegistry(), tokens: newTokenCache(TokenCacheTTL, 4096)}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lifeline_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	s.dur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lifeline_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"route"})
	s.reg.MustRegister(s.reqs, s.dur)

	s.routes = append(s.routes, s.opsRoutes()...)
	s.routes = append(s.routes, s.logRoutes()...)
	s.routes = append(s.routes, api.New(a).Routes()...)
	s.routes = append(s.routes, web.New(a).Routes()...)

	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	mux.Handle("/", http.HandlerFunc(s.notFound))
	s.mux = mux
	s.handler = s.middleware(mux)
	return s
}

// Routes lists every route the server answers.
func (s *Server) Routes() []httpx.Route { return s.routes }

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) opsRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/healthz", Perm: auth.Public, API: true, Summary: "liveness", Handler: func(w http.ResponseWriter, r *http.Request) {
			httpx.WriteJSON(w, 200, map[string]string{"status": "ok"})
		}},
		{Method: "GET", Pattern: "/readyz", Perm: auth.Public, API: true, Summary: "readiness: the database answers", Handler: func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := s.app.DB.Ping(ctx); err != nil {
				httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
				return
			}
			httpx.WriteJSON(w, 200, map[string]string{"status": "ready"})
		}},
		{Method: "GET", Pattern: "/metrics", Perm: auth.Public, API: true, Summary: "Prometheus metrics (no personal data)", Handler: promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}).ServeHTTP},
	}
}

// notFound answers what no route takes: 405 with the Allow header when
// the path exists with other methods, 404 otherwise.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		err := errs.E("server", errs.NotAllowed, "this address answers %s", strings.Join(allow, ", "))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			httpx.WriteError(w, r, err)
		} else {
			web.Error(w, r, err)
		}
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		httpx.WriteError(w, r, errs.E("server", errs.NotFound, "no such endpoint"))
		return
	}
	web.NotFound(w, r)
}

// allowed lists the methods a route takes at r's path.
func (s *Server) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return out
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(st int) {
	if w.status == 0 {
		w.status = st
	}
	w.ResponseWriter.WriteHeader(st)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps every request: recover, request id, security headers,
// body limit, access log and metrics. The log holds no query strings,
// which could carry personal data.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		r = r.WithContext(httpx.WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		h := sw.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.app.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(sw, r.Body, MaxBody)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.Error("panic", "request_id", id, "route", r.Pattern, "panic", p)
				if sw.status == 0 {
					httpx.WriteError(sw, r, errs.E("server", errs.Internal, "internal error"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			st := sw.status
			if st == 0 {
				st = 200
			}
			d := time.Since(start)
			s.reqs.WithLabelValues(route, strconv.Itoa(st)).Inc()
			s.dur.WithLabelValues(route).Observe(d.Seconds())
			s.app.Log.Info("http", "request_id", id, "method", r.Method, "route", route, "status", st, "ms", d.Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// guard authenticates the caller and checks the route's permission and,
// for UI forms, the CSRF token.
func (s *Server) guard(rt httpx.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var p *auth.Principal
		if rt.API {
			if h := r.Header.Get("Authorization"); h != "" {
				tok, ok := strings.CutPrefix(h, "Bearer ")
				if !ok {
					s.deny(w, r, rt, errs.E("server", errs.Unauthenticated, "use Authorization: Bearer TOKEN"))
					return
				}
				var err error
				if p, err = s.tokenPrincipal(ctx, strings.TrimSpace(tok)); err != nil {
					s.deny(w, r, rt, err)
					return
				}
			}
		} else if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" {
			sp, csrf, err := s.app.DB.Session(ctx, c.Value)
			if err == nil {
				p = sp
				ctx = httpx.WithCSRF(ctx, csrf)
			}
		}
		if !rt.API && p == nil {
			ctx = s.preSession(w, r, ctx)
		}
		if rt.Perm != auth.Public {
			if p == nil {
				s.deny(w, r, rt, errs.E("server", errs.Unauthenticated, "you need to log in"))
				return
			}
			if !p.Can(rt.Perm) {
				s.deny(w, r, rt, errs.E("server", errs.Forbidden, "your role may not do this"))
				return
			}
		}
		if !rt.API && r.Method != http.MethodGet && r.Method != http.MethodHead {
			// A session's token, or before logging in the pre-session
			// cookie's: a form another site makes carries neither.
			want := httpx.CSRF(r.WithContext(ctx))
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf")
			}
			if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				s.deny(w, r, rt, errs.E("server", errs.Forbidden, "the form has expired; reload the page and try again"))
				return
			}
		}
		rt.Handler(w, r.WithContext(httpx.WithPrincipal(ctx, p)))
	})
}

// preSession gives a browser that is not logged in its CSRF token: the
// pre-session cookie's, set on its first page when it has none.
func (s *Server) preSession(w http.ResponseWriter, r *http.Request, ctx context.Context) context.Context {
	if c, err := r.Cookie(httpx.PreSessionCookie); err == nil && len(c.Value) >= 32 {
		return httpx.WithCSRF(ctx, c.Value)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return ctx // a form without the cookie: refused
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: httpx.PreSessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.app.Secure,
		SameSite: http.SameSiteStrictMode})
	return httpx.WithCSRF(ctx, tok)
}

func (s *Server) deny(w http.ResponseWriter, r *http.Request, rt httpx.Route, err error) {
	if rt.API {
		if errs.Is(err, errs.Unauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="lifeline"`)
		}
		httpx.WriteError(w, r, err)
		return
	}
	if errs.Is(err, errs.Unauthenticated) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return
	}
	web.Error(w, r, err)
}

// Serve serves on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of scans over slow links
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.app.Log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return <-done
	}
	return err
}

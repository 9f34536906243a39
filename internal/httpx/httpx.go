// Package httpx holds what the HTML UI and the REST API share: the route
// type, the principal in a request's context, JSON in and out, and the one
// function that turns an error into a response.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
)

// Route is one entry of a package's route table.
type Route struct {
	Method  string // GET, POST, PUT, PATCH, DELETE
	Pattern string // a net/http ServeMux pattern path, e.g. /api/v1/persons/{id}
	Perm    auth.Perm
	API     bool // JSON errors and bearer tokens; otherwise the HTML UI with sessions and CSRF
	Summary string
	Handler http.HandlerFunc
}

// SessionCookie is the name of the UI session cookie.
const SessionCookie = "lifeline_session"

// PreSessionCookie holds the CSRF token of a browser that is not logged
// in: the forms it may send (log in, track an item, choose a language)
// carry the same token, which another site can neither read nor set.
const PreSessionCookie = "lifeline_pre"

type ctxKey int

const (
	principalKey ctxKey = iota
	csrfKey
	requestIDKey
)

// WithPrincipal returns ctx carrying the authenticated caller.
func WithPrincipal(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// Principal returns the caller, or nil when anonymous.
func Principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey).(*auth.Principal)
	return p
}

// WithCSRF returns ctx carrying the session's CSRF token.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey, token)
}

// CSRF returns the session's CSRF token, for forms.
func CSRF(r *http.Request) string {
	s, _ := r.Context().Value(csrfKey).(string)
	return s
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id.
func RequestID(r *http.Request) string {
	s, _ := r.Context().Value(requestIDKey).(string)
	return s
}

// Status maps an error kind to an HTTP status.
func Status(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.RateLimited:
		return http.StatusTooManyRequests
	case errs.NotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON error format of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Report logs an internal error once, at the boundary, without user data.
func Report(r *http.Request, err error) {
	slog.Error("request failed", "request_id", RequestID(r), "method", r.Method, "route", r.Pattern, "err", err.Error())
}

// Detail returns the public description of err; internal errors are
// logged here.
func Detail(r *http.Request, err error) (int, ErrorDetail) {
	k := errs.KindOf(err)
	if k == errs.Other {
		k = errs.Internal
	}
	st := Status(k)
	if st == http.StatusInternalServerError {
		Report(r, err)
		return st, ErrorDetail{Code: string(errs.Internal), Message: "internal error; the request id is " + RequestID(r)}
	}
	return st, ErrorDetail{Code: string(k), Message: errs.MessageOf(err), Fields: errs.FieldsOf(err)}
}

// WriteError writes err in the API's error format.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	st, d := Detail(r, err)
	WriteJSON(w, st, ErrorBody{Error: d})
}

// WriteJSON writes v as JSON with status st.
func WriteJSON(w http.ResponseWriter, st int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"code":"internal","message":"cannot encode the response"}}`)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(st)
	w.Write(append(b, '\n'))
}

// MaxJSONBody is the largest JSON request body accepted.
const MaxJSONBody = 1 << 20

// DecodeJSON reads one JSON object from the request into v, refusing
// unknown fields, trailing data and bodies over MaxJSONBody, with a clear
// message for each.
func DecodeJSON(r *http.Request, v any) error {
	const op = "httpx.DecodeJSON"
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.E(op, errs.Invalid, "the body must be JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxJSONBody))
	if err != nil {
		return jsonError(op, err)
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '{' {
		return errs.E(op, errs.Invalid, "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(op, err)
	}
	if dec.More() {
		return errs.E(op, errs.Invalid, "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(op, errs.Invalid, "the body holds data after the JSON object")
	}
	return nil
}

func jsonError(op string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return errs.E(op, errs.TooLarge, "the body is larger than %d bytes", big.Limit)
	case errors.Is(err, io.EOF):
		return errs.E(op, errs.Invalid, "the body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(op, errs.Invalid, "the JSON body ends too early")
	case errors.As(err, &syn):
		return errs.E(op, errs.Invalid, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		f := typ.Field
		if f == "" {
			f = "body"
		}
		return errs.Fields(op, map[string]string{f: fmt.Sprintf("must be %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Fields(op, map[string]string{name: "unknown field"})
	}
	return errs.E(op, errs.Invalid, "the body is not valid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint32", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
}

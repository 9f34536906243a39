package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"lifeline/internal/errs"
	"lifeline/internal/httpx"
)

// capture keeps a copy of a response so that it can be replayed.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(st int) {
	if c.status == 0 {
		c.status = st
	}
	c.ResponseWriter.WriteHeader(st)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = 200
	}
	if c.body.Len() < 1<<20 {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// idempotent honours an Idempotency-Key header on POST: the first request
// with a key runs; a repeat with the same body gets the stored response;
// a repeat with another body is refused; a repeat while the first still
// runs gets a conflict. Failed requests release the key.
func (a *API) idempotent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		p := httpx.Principal(r)
		if key == "" || p == nil {
			next(w, r)
			return
		}
		if len(key) > 200 {
			httpx.WriteError(w, r, errs.Fields("api.idempotent", map[string]string{"Idempotency-Key": "at most 200 characters"}))
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			httpx.WriteError(w, r, errs.E("api.idempotent", errs.TooLarge, "the body is too large"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
		h.Write(body)
		sum := hex.EncodeToString(h.Sum(nil))
		ctx := r.Context()
		prior, err := a.app.DB.ClaimIdempotencyKey(ctx, p.UserID, key, sum)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if prior != nil {
			switch {
			case prior.RequestHash != sum:
				httpx.WriteError(w, r, errs.E("api.idempotent", errs.Invalid, "this Idempotency-Key was used for a different request"))
			case prior.Status == 0:
				httpx.WriteError(w, r, errs.E("api.idempotent", errs.Conflict, "a request with this Idempotency-Key is still running"))
			default:
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(prior.Status)
				io.WriteString(w, prior.Body)
			}
			return
		}
		c := &capture{ResponseWriter: w}
		defer func() {
			st := c.status
			if st == 0 {
				st = 200
			}
			if err := a.app.DB.FinishIdempotencyKey(ctx, p.UserID, key, st, c.body.String()); err != nil {
				httpx.Report(r, err)
			}
		}()
		next(c, r)
	}
}

package api

import (
	"net/http"
	"regexp"
	"slices"

	"lifeline/internal/app"
	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/tlog"
)

func (a *API) logRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/log/stats", Perm: auth.Aggregates, Summary: "a statistic recounted from the transparency log (type, party, peer, month, unit), with the checkpoint that backs it", Handler: a.logStats},
	}
}

func init() {
	addSchemas(map[string]any{
		"LogStats": obj(map[string]any{
			"checkpoint": obj(map[string]any{
				"origin":  str("the log"),
				"size":    integer(),
				"hash":    str("the root hash, base64"),
				"signers": map[string]any{"type": "array", "items": str("")},
				"note":    str("the co-signed checkpoint; lifeline verify audit recounts the statistic against it"),
			}, "origin", "size", "hash", "note"),
			"stats": map[string]any{"type": "array", "items": obj(map[string]any{
				"type": enum(tlog.Types...), "party": str("the acting party"), "peer": str("the other party"),
				"unit": str("parcel, civilian, ..."), "month": str("YYYY-MM"), "entries": integer(), "count": integer(),
			}, "type", "party", "month", "entries", "count")},
			"entries": integer(),
			"total":   integer(),
		}, "checkpoint", "stats", "entries", "total"),
	})
}

var (
	monthRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	codeRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

func (a *API) logStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sq := app.StatQuery{Type: q.Get("type"), Party: q.Get("party"), Peer: q.Get("peer"), Month: q.Get("month"), Unit: q.Get("unit")}
	f := map[string]string{}
	if sq.Type != "" && !slices.Contains(tlog.Types, sq.Type) {
		f["type"] = "must be one of the logged event types"
	}
	if sq.Month != "" && !monthRE.MatchString(sq.Month) {
		f["month"] = "must be YYYY-MM"
	}
	for k, v := range map[string]string{"party": sq.Party, "peer": sq.Peer, "unit": sq.Unit} {
		if v != "" && !codeRE.MatchString(v) {
			f[k] = "must be a code of letters, digits, '.', '_' or '-'"
		}
	}
	if len(f) > 0 {
		httpx.WriteError(w, r, errs.Fields("api.logStats", f))
		return
	}
	st, err := a.app.LogStats(r.Context(), sq)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, st)
}

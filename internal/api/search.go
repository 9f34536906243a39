package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/names"
)

func (a *API) searchRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/search/persons", Perm: auth.PersonsRead, Summary: "find persons from any spelling, in either script (q, limit, birth_date, sex, place)", Handler: a.searchPersons},
	}
}

// Hit is one search result.
type Hit struct {
	ID         int64    `json:"id"`
	ExternalID string   `json:"external_id"`
	Name       string   `json:"name"`
	Score      float64  `json:"score"`
	Why        []string `json:"why"`
}

// Hits maps index results to the API's form.
func Hits(rs []names.Result) []Hit {
	out := make([]Hit, len(rs))
	for i, r := range rs {
		out[i] = Hit{ID: r.ID, ExternalID: r.ExternalID, Name: r.Name, Score: r.Score, Why: r.Why}
		if out[i].Why == nil {
			out[i].Why = []string{}
		}
	}
	return out
}

func (a *API) searchPersons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := names.Query{Text: q.Get("q"), BirthDate: q.Get("birth_date"), Sex: q.Get("sex"), Place: q.Get("place"), Limit: 10}
	switch text := strings.TrimSpace(query.Text); {
	case text == "":
		httpx.WriteError(w, r, errs.Fields("api.searchPersons", map[string]string{"q": "required: a name in any script or spelling"}))
		return
	case utf8.RuneCountInString(text) > 200:
		httpx.WriteError(w, r, errs.Fields("api.searchPersons", map[string]string{"q": "at most 200 characters"}))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			httpx.WriteError(w, r, errs.Fields("api.searchPersons", map[string]string{"limit": "must be a number from 1 to 100"}))
			return
		}
		query.Limit = n
	}
	if a.app.Search == nil {
		httpx.WriteError(w, r, errs.E("api.searchPersons", errs.Internal, "the search index is not loaded"))
		return
	}
	rs, err := a.app.Search.Search(query, httpx.Principal(r))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ids := make([]int64, len(rs))
	for i, h := range rs {
		ids[i] = h.ID
	}
	if err := a.app.DB.RecordAccesses(r.Context(), Actor(r), "person", ids, "api.search"); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, 200, Page[Hit]{Items: Hits(rs)})
}

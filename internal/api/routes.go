// Package api is the REST API at /api/v1: JSON in and out, bearer tokens,
// errors as {"error":{"code","message","fields"}}, Idempotency-Key honoured
// on POST, and an OpenAPI 3 document built from the same route table.
package api

import (
	"lifeline/internal/app"
	"lifeline/internal/httpx"
)

// API serves /api/v1.
type API struct {
	app *app.App
}

// New returns the API of a.
func New(a *app.App) *API { return &API{app: a} }

// Routes lists every API route: one function per feature area.
func (a *API) Routes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, a.registryRoutes()...)
	rs = append(rs, a.searchRoutes()...)
	rs = append(rs, a.mailRoutes()...)
	rs = append(rs, a.casesRoutes()...)
	rs = append(rs, a.consignmentRoutes()...)
	rs = append(rs, a.logRoutes()...)
	rs = append(rs, a.openapiRoutes()...)
	for i := range rs {
		rs[i].API = true
		if rs[i].Method == "POST" {
			rs[i].Handler = a.idempotent(rs[i].Handler)
		}
	}
	return rs
}

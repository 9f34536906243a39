package server_test

import "lifeline/internal/auth"

// Family mail (issue 3): intake by clerks, screening by screeners, packing
// by packers, settings and quotas by admins, the backlog for everyone
// logged in, tracking for anyone.
var (
	intake  = []auth.Role{auth.Admin, auth.Clerk}
	screens = []auth.Role{auth.Admin, auth.Screener}
	packs   = []auth.Role{auth.Admin, auth.Packer}
)

func init() {
	addAccess(
		roles("POST /api/v1/senders", intake...),
		roles("GET /api/v1/senders/{id}", intake...),
		roles("POST /api/v1/items", intake...),
		roles("POST /api/v1/items/packet", intake...),
		roles("POST /api/v1/replies", intake...),
		roles("GET /api/v1/items", intake...),
		roles("GET /api/v1/items/{id}", intake...),
		roles("POST /api/v1/items/{id}/scans", intake...),
		roles("POST /api/v1/items/{id}/receipt", intake...),
		roles("GET /api/v1/screening/queue", screens...),
		roles("GET /api/v1/screening/items/{id}", screens...),
		roles("GET /api/v1/screening/items/{id}/scans/{scan}", screens...),
		roles("POST /api/v1/screening/items/{id}", screens...),
		roles("POST /api/v1/screening/decisions", screens...),
		roles("GET /api/v1/packing/queue", packs...),
		roles("GET /api/v1/parcels", packs...),
		roles("POST /api/v1/parcels", packs...),
		roles("GET /api/v1/parcels/{id}", packs...),
		roles("POST /api/v1/parcels/{id}/items", packs...),
		roles("POST /api/v1/parcels/{id}/seal", packs...),
		roles("POST /api/v1/parcels/{id}/redirect", packs...),
		roles("POST /api/v1/parcels/{id}/return", packs...),
		roles("GET /api/v1/parcels/{id}/label.pdf", packs...),
		roles("GET /api/v1/parcels/{id}/packing-list.pdf", packs...),
		roles("GET /api/v1/labels.pdf", packs...),
		roles("GET /api/v1/packing-lists.pdf", packs...),
		row("GET /api/v1/mail/settings", loggedIn),
		roles("PUT /api/v1/mail/settings", onlyAdmin...),
		row("GET /api/v1/mail/quotas", loggedIn),
		roles("PUT /api/v1/mail/quotas", onlyAdmin...),
		row("GET /api/v1/mail/backlog", loggedIn),
		row("POST /api/v1/track", public),

		row("GET /mail", loggedIn),
		roles("GET /mail/intake", intake...),
		roles("POST /mail/intake/find", intake...),
		row("GET /mail/quotas", loggedIn),
		roles("POST /mail/quotas", auth.Admin),
		roles("POST /mail/settings", auth.Admin),
		roles("POST /mail/intake", intake...),
		roles("POST /mail/items/{id}/receipt", intake...),
		roles("GET /mail/screening", screens...),
		roles("GET /mail/screening/{id}", screens...),
		roles("POST /mail/screening/{id}", screens...),
		roles("GET /mail/items/{id}/scans/{scan}", screens...),
		roles("GET /mail/packing", packs...),
		roles("POST /mail/packing", packs...),
		roles("GET /mail/parcels", packs...),
		roles("GET /mail/parcels/{id}", packs...),
		roles("POST /mail/parcels/{id}/seal", packs...),
		roles("POST /mail/parcels/{id}/redirect", packs...),
		roles("POST /mail/parcels/{id}/return", packs...),
		roles("GET /mail/parcels/{id}/label", packs...),
		roles("GET /mail/parcels/{id}/packing-list", packs...),
		roles("GET /mail/labels", packs...),
		roles("GET /mail/packing-lists", packs...),
		row("GET /track", public),
		row("POST /track", public),
	)
}

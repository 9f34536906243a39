package server_test

import "lifeline/internal/auth"

// Consignments (issue 4). Reading a consignment is open to every reader in
// scope (it holds no names); preparing, countersigning, returns and
// reports belong to the parties' logistics, the handover to the
// intermediary's delegates, deliveries to the detaining authority's staff.
// The handlers then check that the caller's party is the one that takes
// the step.
func init() {
	logistics := []auth.Role{auth.Admin, auth.Logistics}
	handover := []auth.Role{auth.Admin, auth.Delegate}
	delivery := []auth.Role{auth.Admin, auth.Facility}
	const c = "/api/v1/consignments/{ref}"
	addAccess(
		roles("GET /api/v1/consignments", readers...),
		roles("POST /api/v1/consignments", logistics...),
		roles("GET "+c, readers...),
		roles("GET "+c+"/parcels", readers...),
		roles("POST "+c+"/parcels", logistics...),
		roles("POST "+c+"/seal", logistics...),
		roles("GET "+c+"/manifest.pdf", readers...),
		roles("GET "+c+"/manifest.csv", readers...),
		roles("POST "+c+"/dispatch", logistics...),
		roles("POST "+c+"/scans", handover...),
		roles("GET "+c+"/reconciliation", readers...),
		roles("POST "+c+"/notes", handover...),
		roles("POST "+c+"/notes/{id}/confirm", handover...),
		roles("POST "+c+"/notes/{id}/reply", logistics...),
		roles("POST "+c+"/handover", handover...),
		roles("GET "+c+"/receipt.pdf", readers...),
		roles("POST "+c+"/countersign", logistics...),
		roles("GET "+c+"/deliveries", readers...),
		roles("POST "+c+"/deliveries", delivery...),
		roles("POST "+c+"/deliveries.csv", delivery...),
		roles("POST /api/v1/deliveries", delivery...),
		roles("POST "+c+"/returns", logistics...),
		roles("POST "+c+"/report", logistics...),
		roles("GET "+c+"/events.csv", readers...),
		roles("GET "+c+"/bundle", readers...),
		roles("POST /api/v1/bundles", logistics...),
		row("GET /api/v1/node/key", public),
		roles("GET /api/v1/party-keys", readers...),
		roles("POST /api/v1/party-keys", auth.Admin),
	)
	const u = "/consignments/{ref}"
	addAccess(
		roles("GET /consignments", readers...),
		roles("POST /consignments", logistics...),
		roles("GET "+u, readers...),
		roles("POST "+u+"/parcels", logistics...),
		roles("POST "+u+"/seal", logistics...),
		roles("POST "+u+"/dispatch", logistics...),
		roles("GET "+u+"/handover", handover...),
		roles("POST "+u+"/scan", handover...),
		roles("POST "+u+"/notes", handover...),
		roles("POST "+u+"/notes/{id}/confirm", handover...),
		roles("POST "+u+"/notes/{id}/reply", logistics...),
		roles("POST "+u+"/handover", handover...),
		roles("POST "+u+"/countersign", logistics...),
		roles("GET "+u+"/deliveries", delivery...),
		roles("POST "+u+"/deliveries", delivery...),
		roles("POST "+u+"/deliveries/csv", delivery...),
		roles("POST "+u+"/returns", logistics...),
		roles("POST "+u+"/report", logistics...),
		roles("GET "+u+"/files/{file}", readers...),
	)
}

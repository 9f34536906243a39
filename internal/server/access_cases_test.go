package server_test

import "lifeline/internal/auth"

// Cases, operations, claims and the ledger (issue 5). Steps of a case or
// an operation that a delegate of the intermediary also takes (hearing a
// wish, signing, outcomes at the crossing, a claim's status) are open to
// every reader of cases; the handler then asks for a caseworker or a
// delegate.
func init() {
	caseReaders := []auth.Role{auth.Admin, auth.Caseworker, auth.Delegate}
	caseWriters := []auth.Role{auth.Admin, auth.Caseworker}
	everyone := []auth.Role{auth.Admin, auth.Registrar, auth.Clerk, auth.Screener, auth.Packer, auth.Logistics, auth.Caseworker, auth.Delegate, auth.Facility, auth.Analyst}
	addAccess(
		roles("GET /api/v1/cases", caseReaders...),
		roles("POST /api/v1/cases", caseWriters...),
		roles("GET /api/v1/cases/{id}", caseReaders...),
		roles("PATCH /api/v1/cases/{id}", caseWriters...),
		roles("POST /api/v1/cases/{id}/transitions", caseWriters...),
		roles("POST /api/v1/cases/{id}/wish", caseReaders...),
		roles("POST /api/v1/cases/{id}/risk", caseWriters...),
		roles("POST /api/v1/cases/{id}/split", caseWriters...),
		roles("GET /api/v1/operations", caseReaders...),
		roles("POST /api/v1/operations", caseWriters...),
		roles("GET /api/v1/operations/{id}", caseReaders...),
		roles("POST /api/v1/operations/{id}/roster", caseWriters...),
		roles("POST /api/v1/operations/{id}/roster/remove", caseWriters...),
		roles("POST /api/v1/operations/{id}/sign", caseReaders...),
		roles("POST /api/v1/cases/{id}/refusal/sign", caseReaders...),
		roles("POST /api/v1/operations/{id}/outcomes", caseReaders...),
		roles("POST /api/v1/operations/{id}/complete", caseReaders...),
		roles("POST /api/v1/operations/{id}/cancel", caseWriters...),
		roles("GET /api/v1/operations/{id}/bundles/{kind}", caseReaders...),
		roles("GET /api/v1/claims", caseReaders...),
		roles("POST /api/v1/claims", caseWriters...),
		roles("GET /api/v1/claims/{id}", caseReaders...),
		roles("POST /api/v1/claims/{id}/status", caseReaders...),
		roles("GET /api/v1/ledger", everyone...),
		roles("GET /api/v1/ledger.csv", everyone...),

		roles("GET /cases", caseReaders...),
		roles("GET /cases/stranded", caseReaders...),
		roles("GET /cases/new", caseWriters...),
		roles("POST /cases", caseWriters...),
		roles("GET /cases/{id}", caseReaders...),
		roles("POST /cases/{id}/transition", caseWriters...),
		roles("POST /cases/{id}/wish", caseReaders...),
		roles("POST /cases/{id}/risk", caseWriters...),
		roles("POST /cases/{id}/split", caseWriters...),
		roles("POST /cases/{id}/refusal/sign", caseReaders...),
		roles("GET /operations", caseReaders...),
		roles("GET /operations/new", caseWriters...),
		roles("POST /operations", caseWriters...),
		roles("GET /operations/{id}", caseReaders...),
		roles("POST /operations/{id}/roster", caseWriters...),
		roles("POST /operations/{id}/sign", caseReaders...),
		roles("POST /operations/{id}/outcome", caseReaders...),
		roles("POST /operations/{id}/complete", caseReaders...),
		roles("POST /operations/{id}/cancel", caseWriters...),
		roles("GET /operations/{id}/bundles/{kind}", caseReaders...),
		roles("GET /claims", caseReaders...),
		roles("GET /claims/new", caseWriters...),
		roles("POST /claims", caseWriters...),
		roles("GET /claims/{id}", caseReaders...),
		roles("POST /claims/{id}/status", caseReaders...),
		roles("GET /ledger", everyone...),
		roles("GET /ledger/hxl", everyone...),
	)
}

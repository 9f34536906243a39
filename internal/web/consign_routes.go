package web

import (
	"net/http"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/consignments"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/store"
)

// consignRoutes: consignments, the handover screen for handheld scanners,
// deliveries and the signed documents.
func (u *UI) consignRoutes() []httpx.Route {
	const c = "/consignments/{ref}"
	return []httpx.Route{
		{Method: "GET", Pattern: "/consignments", Perm: auth.PersonsRead, Summary: "consignments in scope", Handler: u.consignList},
		{Method: "POST", Pattern: "/consignments", Perm: auth.Consignments, Summary: "create a draft consignment", Handler: u.consignCreate},
		{Method: "GET", Pattern: c, Perm: auth.PersonsRead, Summary: "a consignment: parcels, counts, documents and steps", Handler: u.consignShow},
		{Method: "POST", Pattern: c + "/parcels", Perm: auth.Consignments, Summary: "add a scanned parcel, or every sealed parcel", Handler: u.consignAddParcels},
		{Method: "POST", Pattern: c + "/seal", Perm: auth.Consignments, Summary: "seal and sign the manifest", Handler: u.consignStep("seal")},
		{Method: "POST", Pattern: c + "/dispatch", Perm: auth.Consignments, Summary: "dispatch", Handler: u.consignStep("dispatch")},
		{Method: "GET", Pattern: c + "/handover", Perm: auth.Handover, Summary: "the handover screen for a handheld scanner", Handler: u.consignScanShow},
		{Method: "POST", Pattern: c + "/scan", Perm: auth.Handover, Summary: "scan one parcel (HTML, or JSON for the page's script)", Handler: u.consignScan},
		{Method: "POST", Pattern: c + "/notes", Perm: auth.Handover, Summary: "write the discrepancy note", Handler: u.consignNote},
		{Method: "POST", Pattern: c + "/notes/{id}/confirm", Perm: auth.Handover, Summary: "confirm the discrepancy note", Handler: u.consignConfirm},
		{Method: "POST", Pattern: c + "/notes/{id}/reply", Perm: auth.Consignments, Summary: "the sending party's reply to the confirmed discrepancy note", Handler: u.consignReply},
		{Method: "POST", Pattern: c + "/handover", Perm: auth.Handover, Summary: "complete the handover and sign the receipt", Handler: u.consignStep("handover")},
		{Method: "POST", Pattern: c + "/countersign", Perm: auth.Consignments, Summary: "countersign the receipt", Handler: u.consignStep("countersign")},
		{Method: "GET", Pattern: c + "/deliveries", Perm: auth.Delivery, Summary: "the delivery screen", Handler: u.consignDeliveryShow},
		{Method: "POST", Pattern: c + "/deliveries", Perm: auth.Delivery, Summary: "record one delivery", Handler: u.consignDeliver},
		{Method: "POST", Pattern: c + "/deliveries/csv", Perm: auth.Delivery, Summary: "record deliveries from CSV", Handler: u.consignDeliverCSV},
		{Method: "POST", Pattern: c + "/returns", Perm: auth.Consignments, Summary: "make the return consignment", Handler: u.consignStep("returns")},
		{Method: "POST", Pattern: c + "/report", Perm: auth.Consignments, Summary: "sign the delivery report", Handler: u.consignStep("report")},
		{Method: "GET", Pattern: c + "/files/{file}", Perm: auth.PersonsRead, Summary: "manifest PDF and CSV, receipt PDF, UPU events CSV, signed bundles", Handler: u.consignFile},
	}
}

func init() {
	navEntries = append(navEntries, navEntry{"/consignments", "nav.consignments", auth.PersonsRead})
}

func (u *UI) api() *api.API { return api.New(u.app) }

// visibleConsignment loads the consignment of the path, NotFound outside
// the caller's scope.
func (u *UI) visibleConsignment(r *http.Request) (*store.Consignment, error) {
	c, err := u.db.Consignment(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if !c.Sees(httpx.Principal(r).Scope()) {
		return nil, errs.E("web.consignment", errs.NotFound, "no consignment %s", r.PathValue("ref"))
	}
	return c, nil
}

// takes reports whether the caller's party takes step on c and its role
// has perm.
func takes(p *auth.Principal, c *store.Consignment, step consignments.Step, perm auth.Perm) bool {
	return p.Can(perm) && consignments.CheckParty(c.Consignment, p.Party, step) == nil
}

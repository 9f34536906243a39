package consignments

import (
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
)

// ParcelState is the state of a parcel, shared with the parcel domain:
// open → sealed → dispatched → handed_over → received → delivered →
// acknowledged, with redirected, undeliverable → returned and missing.
type ParcelState = parcels.Status

// The parcel states a consignment moves its parcels through.
const (
	ParcelOpen          = parcels.Open
	ParcelSealed        = parcels.Sealed
	ParcelDispatched    = parcels.Dispatched
	ParcelHandedOver    = parcels.HandedOver
	ParcelReceived      = parcels.Received
	ParcelDelivered     = parcels.Delivered
	ParcelAcknowledged  = parcels.Acknowledged
	ParcelUndeliverable = parcels.Undeliverable
	ParcelRedirected    = parcels.Redirected
	ParcelReturned      = parcels.Returned
	ParcelMissing       = parcels.Missing
)

// AllFinal reports whether every state in states is final, and there is at
// least one: the condition for closing a consignment.
func AllFinal(states []ParcelState) bool {
	if len(states) == 0 {
		return false
	}
	for _, s := range states {
		if !s.Final() {
			return false
		}
	}
	return true
}

// CanClose reports whether a consignment in state c with parcels in the
// given states may close, as an error that says why not.
func CanClose(c State, states []ParcelState) error {
	open := 0
	for _, s := range states {
		if !s.Final() {
			open++
		}
	}
	return CanCloseCount(c, len(states), open)
}

// CanCloseCount is CanClose for a consignment of total parcels of which
// open are not in a final state.
func CanCloseCount(c State, total, open int) error {
	const op = "consignments.CanClose"
	if err := c.CanMoveTo(Closed); err != nil {
		return errs.Wrap(op, err)
	}
	if total == 0 {
		return errs.E(op, errs.Conflict, "the consignment has no parcels")
	}
	if open > 0 {
		return errs.E(op, errs.Conflict, "%d of %d parcels are not yet in a final state", open, total)
	}
	return nil
}

package consignments

import (
	"slices"

	"lifeline/internal/errs"
)

// ParcelState is the state of a parcel, as the parcel domain names it:
// open → sealed → dispatched → handed_over → received → delivered →
// acknowledged, with undeliverable → returned and missing as exits.
type ParcelState string

const (
	ParcelOpen          ParcelState = "open"
	ParcelSealed        ParcelState = "sealed"
	ParcelDispatched    ParcelState = "dispatched"
	ParcelHandedOver    ParcelState = "handed_over"
	ParcelReceived      ParcelState = "received"
	ParcelDelivered     ParcelState = "delivered"
	ParcelAcknowledged  ParcelState = "acknowledged"
	ParcelUndeliverable ParcelState = "undeliverable"
	ParcelReturned      ParcelState = "returned"
	ParcelMissing       ParcelState = "missing"
)

// Final reports whether a parcel in state s needs nothing more from its
// consignment: acknowledged by its addressee, returned, or lost at handover.
func (s ParcelState) Final() bool {
	return s == ParcelAcknowledged || s == ParcelReturned || s == ParcelMissing
}

// Arrived reports whether a parcel in state s reached the receiving party.
func (s ParcelState) Arrived() bool {
	return slices.Contains([]ParcelState{ParcelReceived, ParcelDelivered, ParcelAcknowledged, ParcelUndeliverable, ParcelReturned}, s)
}

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
	const op = "consignments.CanClose"
	if err := c.CanMoveTo(Closed); err != nil {
		return errs.Wrap(op, err)
	}
	open := 0
	for _, s := range states {
		if !s.Final() {
			open++
		}
	}
	if len(states) == 0 {
		return errs.E(op, errs.Conflict, "the consignment has no parcels")
	}
	if open > 0 {
		return errs.E(op, errs.Conflict, "%d of %d parcels are not yet in a final state", open, len(states))
	}
	return nil
}

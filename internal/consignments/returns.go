package consignments

import (
	"slices"
	"time"

	"lifeline/internal/errs"
)

// ReceiptStates returns the parcel states once the receiving party has
// countersigned the receipt: every parcel handed over is received, and a
// returned parcel is back with its sender.
func ReceiptStates(c Consignment, states map[string]ParcelState) map[string]ParcelState {
	out := make(map[string]ParcelState, len(states))
	for t, s := range states {
		if s == ParcelHandedOver {
			s = ParcelReceived
			if c.Kind == Return {
				s = ParcelReturned
			}
		}
		out[t] = s
	}
	return out
}

// NewReturn makes the n-th return consignment for the undeliverable parcels
// of orig, at time at: from the receiving party back to the sender, through
// the same intermediary. lines are orig's manifest lines and states their
// states; the parcels to return are those undeliverable (whose action was
// "returned"). It returns the consignment and the lines it carries.
func NewReturn(orig Consignment, lines []Line, states map[string]ParcelState, n int, at time.Time) (Consignment, []Line, error) {
	const op = "consignments.NewReturn"
	if orig.Kind != Outbound {
		return Consignment{}, nil, errs.E(op, errs.Conflict, "%s is itself a return consignment; its parcels go no further", orig.Ref)
	}
	if orig.State != Receipted {
		return Consignment{}, nil, errs.E(op, errs.Conflict, "consignment %s is %s; parcels are returned from a received consignment", orig.Ref, label(orig.State))
	}
	var back []Line
	for _, l := range lines {
		if states[l.Tracking] == ParcelUndeliverable {
			back = append(back, l)
		}
	}
	if len(back) == 0 {
		return Consignment{}, nil, errs.E(op, errs.Conflict, "consignment %s has no undeliverable parcel waiting to go back", orig.Ref)
	}
	slices.SortFunc(back, func(a, b Line) int {
		switch {
		case a.Tracking < b.Tracking:
			return -1
		case a.Tracking > b.Tracking:
			return 1
		}
		return 0
	})
	r := Consignment{
		Ref: MakeRef(orig.To, orig.From, orig.Period, Return, n), Kind: Return, ReturnOf: orig.Ref,
		From: orig.To, To: orig.From, Via: orig.Via, Period: orig.Period, Target: len(back),
		State: Draft, CreatedAt: at.UTC(),
	}
	if err := r.Validate(); err != nil {
		return Consignment{}, nil, errs.Wrap(op, err)
	}
	return r, back, nil
}

// Redirects lists the deliveries that send a parcel on to the addressee's
// new facility (GC III 48, EVT-3).
func Redirects(ds []Delivery) []Delivery {
	var out []Delivery
	for _, d := range ds {
		if d.Outcome == Undeliverable && d.Action == ActionRedirected {
			out = append(out, d)
		}
	}
	return out
}

package consignments

import (
	"lifeline/internal/errs"
	"lifeline/internal/parcels"
)

// ParcelInfo is what the store knows about a parcel being added to a
// consignment.
type ParcelInfo struct {
	Tracking  string
	Status    ParcelState
	FromParty string
	ToParty   string
	// OtherRef names another consignment that holds the parcel and is not
	// done with it; empty when none.
	OtherRef string
	// InThis is true when the parcel is already on this consignment.
	InThis bool
}

// CanAdd reports whether parcel p may be added to consignment c: c is a
// draft, p is sealed, goes the same way as c, and is on no other
// consignment.
func CanAdd(c Consignment, p ParcelInfo) error {
	const op = "consignments.CanAdd"
	switch {
	case c.State != Draft:
		return errs.E(op, errs.Conflict, "consignment %s is %s; parcels are added while it is a draft", c.Ref, label(c.State))
	case c.Kind != Outbound:
		return errs.E(op, errs.Conflict, "%s is a return consignment: it carries the parcels it was made with", c.Ref)
	case p.InThis:
		return errs.E(op, errs.Conflict, "parcel %s is already on consignment %s", p.Tracking, c.Ref)
	case p.OtherRef != "":
		return errs.E(op, errs.Conflict, "parcel %s belongs to consignment %s", p.Tracking, p.OtherRef)
	case p.FromParty != c.From || p.ToParty != c.To:
		return errs.E(op, errs.Conflict, "parcel %s goes from %s to %s; consignment %s goes from %s to %s", p.Tracking, p.FromParty, p.ToParty, c.Ref, c.From, c.To)
	case p.Status != ParcelSealed:
		return errs.E(op, errs.Conflict, "parcel %s is %s; only a sealed parcel goes on a consignment", p.Tracking, p.Status)
	}
	return nil
}

// PathTo returns the shortest sequence of parcel states that takes a parcel
// from state from to state to, following the parcel state machine; empty
// when from is to. Importing a delivery report uses it to replay what the
// other party recorded.
func PathTo(from, to ParcelState) ([]ParcelState, error) {
	const op = "consignments.PathTo"
	if from == to {
		return nil, nil
	}
	prev := map[ParcelState]ParcelState{from: ""}
	queue := []ParcelState{from}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range parcels.Statuses {
			if _, seen := prev[t]; seen || s.CanMoveTo(t) != nil {
				continue
			}
			prev[t] = s
			if t == to {
				var path []ParcelState
				for x := t; x != from; x = prev[x] {
					path = append([]ParcelState{x}, path...)
				}
				return path, nil
			}
			queue = append(queue, t)
		}
	}
	return nil, errs.E(op, errs.Conflict, "a parcel that is %s cannot become %s", from, to)
}

// ImportResult says what importing a bundle did.
type ImportResult struct {
	Ref     string   `json:"ref"`
	Kind    string   `json:"kind"`
	Seq     int64    `json:"seq"`
	From    string   `json:"from"`
	Digest  string   `json:"digest"`
	Signers []string `json:"signers"`
	Plan    Plan     `json:"plan"`
	State   State    `json:"state"` // the consignment's state here afterwards
	// Changed is false when the bundle was applied before: nothing changed.
	Changed bool `json:"changed"`
}

package consignments

import "lifeline/internal/errs"

// Step names what a party does to a consignment.
type Step string

const (
	StepPrepare     Step = "prepare"     // create, add parcels, seal, dispatch: the sending party
	StepHandover    Step = "handover"    // scan, note, sign the receipt: the intermediary
	StepConfirm     Step = "confirm"     // confirm the discrepancy note: the intermediary (and the parties present)
	StepCountersign Step = "countersign" // countersign the receipt: the receiving party
	StepDeliver     Step = "deliver"     // deliveries, returns, delivery reports: the receiving party
	StepReply       Step = "reply"       // reply to the confirmed discrepancy note: the sending party
)

// CheckParty reports whether party may take step on c, as a Forbidden error
// that says who may. A party that cannot see c at all gets NotFound, as for
// an unknown reference.
func CheckParty(c Consignment, party string, step Step) error {
	const op = "consignments.CheckParty"
	if !c.Sees(party) || party == "" {
		return errs.E(op, errs.NotFound, "no consignment %s", c.Ref)
	}
	var who, role string
	switch step {
	case StepPrepare:
		who, role = c.From, "the sending party"
	case StepReply:
		if party != c.From {
			return errs.E(op, errs.Forbidden, "only the sending party (%s) replies to the discrepancy note of consignment %s", c.From, c.Ref)
		}
		return nil
	case StepHandover:
		who, role = c.Via, "the intermediary"
	case StepConfirm:
		if party == c.Via || party == c.From || party == c.To {
			return nil
		}
		who, role = c.Via, "the intermediary"
	case StepCountersign, StepDeliver:
		who, role = c.To, "the receiving party"
	default:
		return errs.E(op, errs.Invalid, "unknown step %q", step)
	}
	if party != who {
		return errs.E(op, errs.Forbidden, "only %s (%s) may do this with consignment %s", role, who, c.Ref)
	}
	return nil
}

package consignments

import (
	"slices"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

// Steps of a consignment's signed documents. Each bundle carries the
// consignment reference and a step number; a node accepts the steps of one
// reference only in this order:
//
//	step 1   manifest          by the sending party   → receiving party, copy to the intermediary
//	step 2   handover receipt  by the intermediary    → receiving party, copy to the sender;
//	                           countersigned by the receiving party, it goes back to both
//	step 3+  delivery report   by the receiving party → sending party, copy to the intermediary;
//	                           each report is cumulative and takes the next step number
const (
	SeqManifest    = 1 // the manifest
	SeqReceipt     = 2 // the handover receipt
	SeqFirstReport = 3 // the first delivery report
)

// StepHeader returns the bundle header of a document of the given kind about
// consignment c: who signs it, who it is for, and its step number. seq is
// used only for delivery reports (3 and later).
func StepHeader(c Consignment, kind string, seq int64, created time.Time) (sign.Header, error) {
	const op = "consignments.StepHeader"
	h := sign.Header{Kind: kind, Ref: c.Ref, Created: created}
	switch kind {
	case sign.KindManifest:
		h.From, h.To, h.Cc, h.Seq = c.From, c.To, []string{c.Via}, SeqManifest
	case sign.KindHandoverReceipt:
		h.From, h.To, h.Cc, h.Seq = c.Via, c.To, []string{c.From}, SeqReceipt
	case sign.KindDeliveryReport:
		if seq < SeqFirstReport {
			return sign.Header{}, errs.E(op, errs.Invalid, "a delivery report is step %d or later", SeqFirstReport)
		}
		h.From, h.To, h.Cc, h.Seq = c.To, c.From, []string{c.Via}, seq
	default:
		return sign.Header{}, errs.E(op, errs.Invalid, "a consignment has no document of kind %q", kind)
	}
	return h, nil
}

// RequiredSigners returns the parties that must have signed a document of
// the given kind about c before a node accepts it.
func RequiredSigners(c Consignment, kind string) []string {
	switch kind {
	case sign.KindManifest:
		return []string{c.From}
	case sign.KindHandoverReceipt:
		return []string{c.Via}
	case sign.KindDeliveryReport:
		return []string{c.To}
	}
	return nil
}

// Applied is a bundle a node has already accepted for a reference.
type Applied struct {
	Digest  string   // sign.Verified.Digest
	Kind    string   // document kind
	Seq     int64    // step number
	Signers []string // the parties whose signatures it carried
}

// Plan is what importing a bundle does on this node.
type Plan string

const (
	PlanNothing    Plan = "nothing"   // already applied: importing again changes nothing
	PlanCreate     Plan = "create"    // a manifest: create the consignment here, dispatched
	PlanHandover   Plan = "handover"  // a receipt signed by the intermediary: the consignment is handed over
	PlanReceipted  Plan = "receipted" // a receipt countersigned by the receiving party
	PlanHandRecv   Plan = "handed_over_and_receipted"
	PlanDeliveries Plan = "deliveries" // a delivery report: record the outcomes
)

// ErrOutOfOrder is wrapped by refusals of a step that does not follow the
// state of the consignment here.
var ErrOutOfOrder = sign.ErrOutOfOrder

// PlanImport decides what importing the verified bundle v does on the node of
// party self, given the consignment here (nil when this node does not know
// the reference) and the bundles already applied for its reference. It
// refuses a step out of order, a document signed by the wrong parties or
// sent by the wrong party, and a changed document replayed under a step
// already taken. The bundle's signatures must have been verified already.
func PlanImport(self string, local *Consignment, history []Applied, v *sign.Verified) (Plan, error) {
	const op = "consignments.PlanImport"
	refuse := func(format string, args ...any) error {
		e := errs.E(op, errs.Conflict, format, args...)
		e.Err = sign.ErrOutOfOrder
		return e
	}
	var prev *Applied
	for i := range history {
		if history[i].Digest == v.Digest() {
			prev = &history[i]
		}
	}
	signers := signerParties(v)
	if prev != nil {
		if v.Kind == sign.KindHandoverReceipt && local != nil && !slices.Contains(prev.Signers, local.To) && slices.Contains(signers, local.To) {
			if local.State != HandedOver {
				return "", refuse("consignment %s is %s here; a countersigned receipt cannot apply", local.Ref, label(local.State))
			}
			return PlanReceipted, nil
		}
		return PlanNothing, nil
	}
	var last int64
	for _, a := range history {
		last = max(last, a.Seq)
	}
	if last > v.Seq {
		return "", refuse("step %d (%s) of %s comes too late: step %d is already accepted here", v.Seq, v.Kind, v.Ref, last)
	}
	if last == v.Seq {
		return "", refuse("step %d (%s) of %s differs from the step %d already accepted here: a changed document is refused", v.Seq, v.Kind, v.Ref, last)
	}
	switch v.Kind {
	case sign.KindManifest:
		if v.Seq != SeqManifest {
			return "", refuse("a manifest is step %d, not %d", SeqManifest, v.Seq)
		}
		if local != nil {
			return "", refuse("consignment %s already exists here with another manifest", v.Ref)
		}
		var m Manifest
		if err := v.Decode(&m); err != nil {
			return "", errs.Wrap(op, err)
		}
		if err := m.Check(); err != nil {
			return "", errs.Wrap(op, err)
		}
		c := m.Consignment()
		if c.Ref != v.Ref {
			return "", errs.E(op, errs.Invalid, "the bundle is about %s but its manifest is of %s", v.Ref, c.Ref)
		}
		if self != c.From && self != c.To && self != c.Via {
			return "", errs.E(op, errs.Invalid, "consignment %s goes from %s to %s via %s; this node (%s) takes no part in it", c.Ref, c.From, c.To, c.Via, self)
		}
		if err := checkSides(&c, v); err != nil {
			return "", err
		}
		return PlanCreate, nil
	case sign.KindHandoverReceipt:
		if v.Seq != SeqReceipt {
			return "", refuse("a handover receipt is step %d, not %d", SeqReceipt, v.Seq)
		}
		if local == nil {
			return "", refuse("consignment %s is not known here: import its manifest (step 1) first", v.Ref)
		}
		if err := checkSides(local, v); err != nil {
			return "", err
		}
		if local.State != Dispatched {
			return "", refuse("consignment %s is %s here; a handover receipt follows dispatch (a second handover is refused)", local.Ref, label(local.State))
		}
		if slices.Contains(signers, local.To) {
			return PlanHandRecv, nil
		}
		return PlanHandover, nil
	case sign.KindDeliveryReport:
		if v.Seq < SeqFirstReport {
			return "", refuse("a delivery report is step %d or later, not %d", SeqFirstReport, v.Seq)
		}
		if local == nil {
			return "", refuse("consignment %s is not known here: import its manifest and receipt first", v.Ref)
		}
		if err := checkSides(local, v); err != nil {
			return "", err
		}
		if local.State != Receipted {
			return "", refuse("consignment %s is %s here; a delivery report follows the countersigned receipt", local.Ref, label(local.State))
		}
		return PlanDeliveries, nil
	}
	return "", errs.E(op, errs.Invalid, "a %s is not a consignment document", v.Kind)
}

// checkSides refuses a bundle about local whose sender and recipients are not
// the ones its kind of step has.
func checkSides(local *Consignment, v *sign.Verified) error {
	const op = "consignments.checkSides"
	want, err := StepHeader(*local, v.Kind, max(v.Seq, SeqFirstReport), v.Created)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if v.From != want.From || v.To != want.To || !slices.Equal(v.Cc, want.Cc) {
		return errs.E(op, errs.Invalid, "a %s of %s comes from %s to %s; this one is from %s to %s", v.Kind, local.Ref, want.From, want.To, v.From, v.To)
	}
	for _, p := range RequiredSigners(*local, v.Kind) {
		if !v.SignedBy(p) {
			return errs.E(op, errs.Invalid, "this %s is not signed by %s, whose signature it needs", v.Kind, p)
		}
	}
	return nil
}

func signerParties(v *sign.Verified) []string {
	out := make([]string, 0, len(v.Signers))
	for _, s := range v.Signers {
		out = append(out, s.Party)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SignerParties returns the parties that signed v, sorted.
func SignerParties(v *sign.Verified) []string { return signerParties(v) }

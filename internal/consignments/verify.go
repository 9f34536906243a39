package consignments

import (
	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

// VerifyBundle checks a consignment bundle for people who only hold it (an
// auditor, `lifeline bundle verify`): every signature is by a key in trust
// and verifies, the author signed it, it is meant for self (its recipient
// when self is empty), and its document is well formed (a manifest's lines
// and totals add up). It returns the verified bundle.
func VerifyBundle(b *sign.Bundle, trust sign.TrustSet, self string) (*sign.Verified, error) {
	const op = "consignments.VerifyBundle"
	if b == nil {
		return nil, errs.E(op, errs.Invalid, "no bundle")
	}
	if self == "" {
		self = b.To
	}
	v, err := b.Verify(trust, self, []string{b.From})
	if err != nil {
		return nil, err
	}
	switch v.Kind {
	case sign.KindManifest:
		var m Manifest
		if err := v.Decode(&m); err != nil {
			return nil, err
		}
		if err := m.Check(); err != nil {
			return nil, errs.Wrap(op, err)
		}
		if m.Ref != v.Ref || m.From != v.From || m.To != v.To {
			return nil, errs.E(op, errs.Invalid, "the manifest names %s from %s to %s; its bundle says %s from %s to %s", m.Ref, m.From, m.To, v.Ref, v.From, v.To)
		}
	case sign.KindHandoverReceipt:
		var rc Receipt
		if err := v.Decode(&rc); err != nil {
			return nil, err
		}
		c := Consignment{Ref: rc.Ref, From: rc.From, To: rc.To, Via: rc.Via}
		if err := rc.Check(c); err != nil {
			return nil, errs.Wrap(op, err)
		}
		if rc.Ref != v.Ref || rc.Via != v.From || rc.To != v.To {
			return nil, errs.E(op, errs.Invalid, "the receipt names %s via %s to %s; its bundle says %s from %s to %s", rc.Ref, rc.Via, rc.To, v.Ref, v.From, v.To)
		}
	case sign.KindDeliveryReport:
		var r Report
		if err := v.Decode(&r); err != nil {
			return nil, err
		}
		if r.Ref != v.Ref || r.From != v.From || r.To != v.To {
			return nil, errs.E(op, errs.Invalid, "the report names %s from %s to %s; its bundle says %s from %s to %s", r.Ref, r.From, r.To, v.Ref, v.From, v.To)
		}
		var n ReportCounts
		for _, l := range r.Lines {
			if err := l.check(); err != nil {
				return nil, errs.Wrap(op, err)
			}
			n.add(l)
		}
		if n != r.Counts {
			return nil, errs.E(op, errs.Invalid, "the report's counts do not add up")
		}
	default:
		return nil, errs.E(op, errs.Invalid, "a %s is not a consignment document", v.Kind)
	}
	return v, nil
}

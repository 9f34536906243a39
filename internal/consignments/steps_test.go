package consignments

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

type nodes struct {
	ua, ru, icrc *sign.Key
	trust        sign.TrustSet
}

func testNodes(t *testing.T) nodes {
	t.Helper()
	key := func(b byte) *sign.Key {
		k, err := sign.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	n := nodes{ua: key(1), ru: key(2), icrc: key(3), trust: sign.TrustSet{}}
	n.trust.Add("UA", n.ua.Public())
	n.trust.Add("RU", n.ru.Public())
	n.trust.Add("ICRC", n.icrc.Public())
	return n
}

func bundle(t *testing.T, k *sign.Key, c Consignment, kind string, seq int64, doc any) *sign.Bundle {
	t.Helper()
	h, err := StepHeader(c, kind, seq, t0.Add(time.Duration(seq)*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sign.NewBundle(k, h, doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verified(t *testing.T, b *sign.Bundle, trust sign.TrustSet, self string) *sign.Verified {
	t.Helper()
	v, err := b.Verify(trust, self, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func applied(v *sign.Verified) Applied {
	return Applied{Digest: v.Digest(), Kind: v.Kind, Seq: v.Seq, Signers: SignerParties(v)}
}

func TestStepHeader(t *testing.T) {
	c := december()
	tests := []struct {
		kind           string
		seq            int64
		from, to, cc   string
		wantSeq        int64
		wantSignedBy   string
		wantErrMessage string
	}{
		{sign.KindManifest, 0, "UA", "RU", "ICRC", 1, "UA", ""},
		{sign.KindHandoverReceipt, 0, "ICRC", "RU", "UA", 2, "ICRC", ""},
		{sign.KindDeliveryReport, 3, "RU", "UA", "ICRC", 3, "RU", ""},
		{sign.KindDeliveryReport, 7, "RU", "UA", "ICRC", 7, "RU", ""},
		{sign.KindDeliveryReport, 2, "", "", "", 0, "", "step 3 or later"},
		{sign.KindRepatriationRoster, 1, "", "", "", 0, "", "no document of kind"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			h, err := StepHeader(c, tt.kind, tt.seq, t0)
			if tt.wantErrMessage != "" {
				if err == nil || !strings.Contains(errs.MessageOf(err), tt.wantErrMessage) {
					t.Fatalf("got %v, want an error saying %q", err, tt.wantErrMessage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.From != tt.from || h.To != tt.to || len(h.Cc) != 1 || h.Cc[0] != tt.cc || h.Seq != tt.wantSeq {
				t.Errorf("got %+v", h)
			}
			if got := RequiredSigners(c, tt.kind); len(got) != 1 || got[0] != tt.wantSignedBy {
				t.Errorf("got required signers %v, want [%s]", got, tt.wantSignedBy)
			}
		})
	}
}

// TestPlanImport walks December's consignment through the three nodes and
// tries every step out of order.
func TestPlanImport(t *testing.T) {
	n := testNodes(t)
	c, m := sealedManifest(t, 3)
	manifest := bundle(t, n.ua, c, sign.KindManifest, 0, m)

	// Party B and the intermediary create the consignment from the manifest.
	vm := verified(t, manifest, n.trust, "RU")
	plan, err := PlanImport("RU", nil, nil, vm)
	if err != nil || plan != PlanCreate {
		t.Fatalf("manifest at RU: got %q, %v, want create", plan, err)
	}
	if plan, err := PlanImport("ICRC", nil, nil, verified(t, manifest, n.trust, "ICRC")); err != nil || plan != PlanCreate {
		t.Fatalf("manifest at ICRC: got %q, %v, want create", plan, err)
	}
	local := m.Consignment()
	local.Move(Dispatched, t0.Add(2*time.Hour))
	hist := []Applied{applied(vm)}
	// Twice: nothing.
	if plan, err := PlanImport("RU", &local, hist, vm); err != nil || plan != PlanNothing {
		t.Fatalf("manifest again: got %q, %v, want nothing", plan, err)
	}
	// A different manifest under the same reference: refused.
	m2 := m
	m2.Parcels = m.Parcels[:2]
	m2.Totals = Totals{Parcels: 2, Items: m.Parcels[0].Items + m.Parcels[1].Items, WeightGrams: m.Parcels[0].WeightGrams + m.Parcels[1].WeightGrams}
	other := verified(t, bundle(t, n.ua, c, sign.KindManifest, 0, m2), n.trust, "RU")
	if _, err := PlanImport("RU", &local, hist, other); !errors.Is(err, sign.ErrOutOfOrder) {
		t.Errorf("changed manifest: got %v, want out of order", err)
	}

	// The receipt, signed by the intermediary.
	r := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}, {Tracking: m.Parcels[2].Tracking}}, false)
	rc, err := BuildReceipt(c, vm.Digest(), r, nil, t0.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	receipt := bundle(t, n.icrc, c, sign.KindHandoverReceipt, 0, rc)
	vr := verified(t, receipt, n.trust, "RU")
	// Before the manifest: refused.
	if _, err := PlanImport("RU", nil, nil, vr); !errors.Is(err, sign.ErrOutOfOrder) || !strings.Contains(errs.MessageOf(err), "import its manifest") {
		t.Errorf("receipt before manifest: got %v", err)
	}
	if plan, err := PlanImport("RU", &local, hist, vr); err != nil || plan != PlanHandover {
		t.Fatalf("receipt at RU: got %q, %v, want handover", plan, err)
	}
	// RU countersigns: its node records the receipt with both signatures.
	if err := receipt.Countersign(n.ru); err != nil {
		t.Fatal(err)
	}
	vr2 := verified(t, receipt, n.trust, "ICRC")
	if vr2.Digest() != vr.Digest() {
		t.Fatal("countersigning changed the digest")
	}
	// At the intermediary, which made the receipt: the countersignature applies.
	icrcLocal := local
	icrcLocal.Move(HandedOver, t0.Add(5*time.Hour))
	icrcHist := []Applied{applied(vm), applied(vr)}
	if plan, err := PlanImport("ICRC", &icrcLocal, icrcHist, vr2); err != nil || plan != PlanReceipted {
		t.Fatalf("countersigned receipt at ICRC: got %q, %v, want receipted", plan, err)
	}
	// At the sender, which never saw the first receipt: both at once.
	if plan, err := PlanImport("UA", &local, hist, vr2); err != nil || plan != PlanHandRecv {
		t.Fatalf("countersigned receipt at UA: got %q, %v, want handed over and receipted", plan, err)
	}
	// Once receipted, the same receipt again: nothing.
	recv := icrcLocal
	recv.Move(Receipted, t0.Add(6*time.Hour))
	icrcHist[1].Signers = []string{"ICRC", "RU"}
	if plan, err := PlanImport("ICRC", &recv, icrcHist, vr2); err != nil || plan != PlanNothing {
		t.Fatalf("receipt again: got %q, %v, want nothing", plan, err)
	}
	// The receipt with only the intermediary's signature, after receipt: nothing.
	if plan, err := PlanImport("ICRC", &recv, icrcHist, vr); err != nil || plan != PlanNothing {
		t.Fatalf("older receipt: got %q, %v, want nothing", plan, err)
	}
	// A second, different receipt (a second handover): refused.
	rc2 := rc
	rc2.Date = rc.Date.Add(time.Hour)
	second := verified(t, bundle(t, n.icrc, c, sign.KindHandoverReceipt, 0, rc2), n.trust, "RU")
	if _, err := PlanImport("RU", &recv, icrcHist, second); !errors.Is(err, sign.ErrOutOfOrder) {
		t.Errorf("second handover: got %v, want out of order", err)
	}

	// Delivery reports.
	rep := Report{Ref: c.Ref, From: "RU", To: "UA", Via: "ICRC", Date: t0.Add(50 * time.Hour)}
	report := bundle(t, n.ru, c, sign.KindDeliveryReport, 3, rep)
	vd := verified(t, report, n.trust, "UA")
	if _, err := PlanImport("UA", &local, hist, vd); !errors.Is(err, sign.ErrOutOfOrder) || !strings.Contains(errs.MessageOf(err), "follows the countersigned receipt") {
		t.Errorf("report before receipt: got %v", err)
	}
	uaHist := []Applied{applied(vm), applied(vr2)}
	if plan, err := PlanImport("UA", &recv, uaHist, vd); err != nil || plan != PlanDeliveries {
		t.Fatalf("report: got %q, %v, want deliveries", plan, err)
	}
	uaHist = append(uaHist, applied(vd))
	if plan, err := PlanImport("UA", &recv, uaHist, vd); err != nil || plan != PlanNothing {
		t.Fatalf("report again: got %q, %v, want nothing", plan, err)
	}
	rep4 := rep
	rep4.Date = rep.Date.Add(24 * time.Hour)
	v4 := verified(t, bundle(t, n.ru, c, sign.KindDeliveryReport, 4, rep4), n.trust, "UA")
	if plan, err := PlanImport("UA", &recv, uaHist, v4); err != nil || plan != PlanDeliveries {
		t.Fatalf("report 4: got %q, %v, want deliveries", plan, err)
	}
	uaHist = append(uaHist, applied(v4))
	rep3b := rep
	rep3b.Date = rep.Date.Add(time.Minute)
	v3b := verified(t, bundle(t, n.ru, c, sign.KindDeliveryReport, 3, rep3b), n.trust, "UA")
	if _, err := PlanImport("UA", &recv, uaHist, v3b); !errors.Is(err, sign.ErrOutOfOrder) || !strings.Contains(errs.MessageOf(err), "comes too late") {
		t.Errorf("old step after a newer one: got %v", err)
	}
}

func TestPlanImportRefusesWrongSides(t *testing.T) {
	n := testNodes(t)
	c, m := sealedManifest(t, 2)
	// RU signs a manifest that says it is from UA: trusted key, wrong party.
	forged := verified(t, bundle(t, n.ru, c, sign.KindManifest, 0, m), n.trust, "RU")
	if _, err := PlanImport("RU", nil, nil, forged); err == nil || !strings.Contains(errs.MessageOf(err), "not signed by UA") {
		t.Errorf("manifest signed by the wrong party: got %v", err)
	}
	// A manifest whose bundle names another reference.
	other := c
	other.Ref = "UA-RU-2026-12-02"
	mismatch := verified(t, bundle(t, n.ua, other, sign.KindManifest, 0, m), n.trust, "RU")
	if _, err := PlanImport("RU", nil, nil, mismatch); err == nil || !strings.Contains(errs.MessageOf(err), "its manifest is of") {
		t.Errorf("mismatched reference: got %v", err)
	}
	// A receipt signed by the receiving party alone.
	local := m.Consignment()
	local.Move(Dispatched, t0)
	r := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}}, false)
	rc, err := BuildReceipt(local, strings.Repeat("a", 64), r, nil, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byRU := verified(t, bundle(t, n.ru, c, sign.KindHandoverReceipt, 0, rc), n.trust, "UA")
	if _, err := PlanImport("UA", &local, nil, byRU); err == nil || !strings.Contains(errs.MessageOf(err), "not signed by ICRC") {
		t.Errorf("receipt not signed by the intermediary: got %v", err)
	}
	// A manifest with a broken total, validly signed.
	bad := m
	bad.Totals.Items = 999
	vb := verified(t, bundle(t, n.ua, c, sign.KindManifest, 0, bad), n.trust, "RU")
	if _, err := PlanImport("RU", nil, nil, vb); !errs.Is(err, errs.Invalid) {
		t.Errorf("manifest with bad totals: got %v, want invalid", err)
	}
}

func TestVerifyBundle(t *testing.T) {
	n := testNodes(t)
	c, m := sealedManifest(t, 2)
	b := bundle(t, n.ua, c, sign.KindManifest, 0, m)
	if v, err := VerifyBundle(b, n.trust, ""); err != nil || v.Ref != c.Ref {
		t.Fatalf("good manifest: got %v, %v", v, err)
	}
	untrusted := sign.TrustSet{}
	untrusted.Add("RU", n.ru.Public())
	if _, err := VerifyBundle(b, untrusted, ""); !errors.Is(err, sign.ErrUnknownSigner) {
		t.Errorf("untrusted: got %v", err)
	}
	if _, err := VerifyBundle(b, n.trust, "XX"); !errors.Is(err, sign.ErrWrongRecipient) {
		t.Errorf("another node: got %v", err)
	}
	// Signed by RU in UA's name: the author did not sign.
	forged := bundle(t, n.ru, c, sign.KindManifest, 0, m)
	if _, err := VerifyBundle(forged, n.trust, ""); !errors.Is(err, sign.ErrMissingSignature) {
		t.Errorf("forged author: got %v", err)
	}
	bad := m
	bad.Totals.Parcels = 9
	if _, err := VerifyBundle(bundle(t, n.ua, c, sign.KindManifest, 0, bad), n.trust, ""); err == nil {
		t.Error("bad totals: got nil")
	}
	r := Reconcile(m.Trackings(), []Scan{{Tracking: m.Parcels[0].Tracking}, {Tracking: m.Parcels[1].Tracking}}, false)
	rc, err := BuildReceipt(c, strings.Repeat("a", 64), r, nil, t0.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBundle(bundle(t, n.icrc, c, sign.KindHandoverReceipt, 0, rc), n.trust, ""); err != nil {
		t.Errorf("good receipt: %v", err)
	}
	rep := Report{Ref: c.Ref, From: "RU", To: "UA", Via: "ICRC", Date: t0, Lines: []ReportLine{{Tracking: m.Parcels[0].Tracking, State: "received"}}, Counts: ReportCounts{Parcels: 1, Received: 1}}
	if _, err := VerifyBundle(bundle(t, n.ru, c, sign.KindDeliveryReport, 3, rep), n.trust, ""); err != nil {
		t.Errorf("good report: %v", err)
	}
	rep.Counts.Received = 0
	if _, err := VerifyBundle(bundle(t, n.ru, c, sign.KindDeliveryReport, 3, rep), n.trust, ""); err == nil {
		t.Error("report with bad counts: got nil")
	}
}

package cases

import (
	"testing"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

func testKey(t *testing.T, b byte) *sign.Key {
	t.Helper()
	seed := make([]byte, 32)
	seed[0] = b
	k, err := sign.NewKeyFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRefusalBundle(t *testing.T) {
	c := newCase(Refused)
	c.Refusal = &Decision{Party: "UA", At: t0, Reason: "identity not confirmed", Source: "note verbale 12"}
	ua, icrc, ru := testKey(t, 1), testKey(t, 2), testKey(t, 3)
	trust := sign.TrustSet{}
	trust.Add("UA", ua.Public())
	trust.Add("ICRC", icrc.Public())
	trust.Add("RU", ru.Public())

	b, err := c.NewRefusalBundle(icrc, "ICRC", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignRefusalBundle(b, ua, trust, "UA"); err != nil {
		t.Fatalf("countersign by the refusing party: %v", err)
	}
	d, v, err := VerifyRefusal(b, trust, "RU")
	if err != nil {
		t.Fatal(err)
	}
	if d.Case != 7 || d.Party != "UA" || d.Count != 2 || d.DecidedOn != "2026-11-01" || !v.SignedBy("ICRC") || !v.SignedBy("UA") {
		t.Errorf("got %+v signed by %v, want case 7 refused by UA, 2 people, signed by ICRC and UA", d, v.Signers)
	}
	if err := c.SignRefusalBundle(b, ua, trust, "UA"); !errs.Is(err, errs.Conflict) {
		t.Errorf("signing twice: got %v, want a conflict", err)
	}
	// The refusal on record changed: nobody countersigns the old one.
	c.Refusal.Reason = "another reason"
	if err := c.SignRefusalBundle(b, ru, trust, "RU"); !errs.Is(err, errs.Conflict) {
		t.Errorf("countersigning a stale refusal: got %v, want a conflict", err)
	}
	// An untrusted signer.
	if _, _, err := VerifyRefusal(b, sign.TrustSet{}, "RU"); err == nil {
		t.Error("a refusal signed by untrusted keys verified")
	}
}

func TestCanSignRefusal(t *testing.T) {
	refused := newCase(Refused)
	refused.Refusal = &Decision{Party: "UA", At: t0, Reason: "r", Source: "s"}
	tests := []struct {
		name         string
		c            *Case
		party        string
		intermediary bool
		want         errs.Kind
	}{
		{"refusing party", refused, "UA", false, ""},
		{"host party", refused, "RU", false, ""},
		{"intermediary", refused, "ICRC", true, ""},
		{"another party", refused, "XX", false, errs.Forbidden},
		{"no refusal", newCase(AcceptanceRequested), "UA", false, errs.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.CanSignRefusal(tc.party, tc.intermediary)
			if got := errs.KindOf(err); (err == nil) != (tc.want == "") || (err != nil && got != tc.want) {
				t.Errorf("got %v, want kind %q", err, tc.want)
			}
		})
	}
}

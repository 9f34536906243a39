package claims

import (
	"reflect"
	"testing"
	"time"

	"lifeline/internal/errs"
)

var now = time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC)

func refusalClaim(count int, caseIDs ...int64) *Claim {
	c := &Claim{ID: 1, Statement: "Six of our citizens were refused entry", Party: "RU", MadeOn: now.Add(-48 * time.Hour),
		Source: "press briefing", Subject: SubjectRefusal, Count: count, Status: Unverified}
	for _, id := range caseIDs {
		c.Links = append(c.Links, Link{LinkCase, id})
	}
	return c
}

func refusal(caseID int64, signed bool, n int) Evidence {
	return Evidence{Kind: EvRefusal, Link: Link{LinkCase, caseID}, Signed: signed, Count: n, At: now, Summary: "refusal"}
}

var cp = Checkpoint{Origin: "lifeline/test", Size: 40, Hash: "aGFzaA=="}

// logged is a log count of n in checkpoint cp.
func logged(n int) *LogCount {
	return &LogCount{Type: "acceptance_refused", Entries: 1, Count: n, Checkpoint: cp}
}

// noCheckpoint is the log count of a node that has published nothing.
var noCheckpoint = &LogCount{}

func TestAssess(t *testing.T) {
	opClaim := &Claim{Subject: SubjectRepatriation, Count: 124, Links: []Link{{LinkOperation, 3}}}
	tests := []struct {
		name       string
		claim      *Claim
		ev         []Evidence
		verifiable bool
		disagrees  bool
		counted    int
		lc         *LogCount // nil: the log counts what the records count
	}{
		{"signed refusals matching the count", refusalClaim(6, 1, 2), []Evidence{refusal(1, true, 4), refusal(2, true, 2)}, true, false, 6, nil},
		{"signed refusals short of the count", refusalClaim(6, 1, 2), []Evidence{refusal(1, true, 4)}, false, true, 4, nil},
		{"unsigned refusal records", refusalClaim(6, 1), []Evidence{refusal(1, false, 6)}, false, false, 0, nil},
		{"no evidence", refusalClaim(6, 1), nil, false, false, 0, nil},
		{"evidence about another case", refusalClaim(6, 1), []Evidence{refusal(9, true, 6)}, false, false, 0, nil},
		{"no count stated", refusalClaim(0, 1), []Evidence{refusal(1, true, 3)}, true, false, 3, nil},
		{"a signed acceptance says otherwise", refusalClaim(0, 1), []Evidence{refusal(1, true, 3), {Kind: EvAcceptance, Link: Link{LinkCase, 1}, Signed: true}}, false, true, 3, nil},
		{"no links", refusalClaim(0), []Evidence{refusal(1, true, 3)}, false, false, 0, nil},
		{"signed outcomes with the same count", opClaim, []Evidence{{Kind: EvOutcomes, Link: Link{LinkOperation, 3}, Signed: true, Count: 124}}, true, false, 124, nil},
		{"signed outcomes with another count", opClaim, []Evidence{{Kind: EvOutcomes, Link: Link{LinkOperation, 3}, Signed: true, Count: 120}}, false, true, 120, nil},
		{"a roster is not an outcome", opClaim, []Evidence{{Kind: EvRoster, Link: Link{LinkOperation, 3}, Signed: true, Count: 124}}, false, false, 0, nil},
		{"outcomes not signed by all", opClaim, []Evidence{{Kind: EvOutcomes, Link: Link{LinkOperation, 3}, Signed: false, Count: 124}}, false, false, 0, nil},
		{"other claims", &Claim{Subject: SubjectOther, Links: []Link{{LinkCase, 1}}}, []Evidence{refusal(1, true, 1)}, false, false, 0, nil},
		{"no published checkpoint", refusalClaim(6, 1), []Evidence{refusal(1, true, 6)}, false, false, 6, noCheckpoint},
		{"the log counts otherwise", refusalClaim(6, 1), []Evidence{refusal(1, true, 6)}, false, true, 6, logged(4)},
		{"the log alone, without signed records", refusalClaim(6, 1), []Evidence{refusal(1, false, 6)}, false, false, 0, logged(6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc := tt.lc
			if lc == nil {
				lc = logged(tt.counted)
			}
			a := Assess(tt.claim, tt.ev, lc)
			if a.Verifiable != tt.verifiable || a.Disagrees != tt.disagrees || a.Counted != tt.counted {
				t.Errorf("Assess = verifiable %v, disagrees %v, counted %d (%s); want %v, %v, %d",
					a.Verifiable, a.Disagrees, a.Counted, a.Reason, tt.verifiable, tt.disagrees, tt.counted)
			}
			if a.Reason == "" {
				t.Errorf("Assess gave no reason")
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	ua := Decider{Party: "UA"}
	icrc := Decider{Party: "ICRC", Intermediary: true}
	backed := []Evidence{refusal(1, true, 6)}
	short := []Evidence{refusal(1, true, 5)}
	tests := []struct {
		name string
		from Status
		to   Status
		by   Decider
		note string
		ev   []Evidence
		kind errs.Kind
		lc   *LogCount // nil: the log counts 6
	}{
		{"verified by signed records", Unverified, Verified, ua, "", backed, "", nil},
		{"verified without signed records", Unverified, Verified, icrc, "we saw it", nil, errs.Conflict, nil},
		{"verified with unsigned records", Unverified, Verified, ua, "", []Evidence{refusal(1, false, 6)}, errs.Conflict, nil},
		{"verified with a wrong count", Unverified, Verified, ua, "", short, errs.Conflict, nil},
		{"corroborated by the intermediary", Unverified, Corroborated, icrc, "our delegates heard the refusal", nil, "", nil},
		{"corroborated by a party", Unverified, Corroborated, ua, "trust us", nil, errs.Forbidden, nil},
		{"corroborated without a note", Unverified, Corroborated, icrc, " ", nil, errs.Invalid, nil},
		{"contradicted by the intermediary", Corroborated, Contradicted, icrc, "the six were accepted", nil, "", nil},
		{"contradicted by disagreeing records", Unverified, Contradicted, ua, "", short, "", nil},
		{"contradicted by a party alone", Unverified, Contradicted, ua, "false", nil, errs.Forbidden, nil},
		{"contradicted by the intermediary without a note", Unverified, Contradicted, icrc, "", nil, errs.Invalid, nil},
		{"verified after corroboration", Corroborated, Verified, ua, "", backed, "", nil},
		{"contradicted then verified by records", Contradicted, Verified, ua, "", backed, "", nil},
		{"back to unverified", Corroborated, Unverified, icrc, "", nil, errs.Conflict, nil},
		{"verified is final", Verified, Contradicted, icrc, "x", nil, errs.Conflict, nil},
		{"same status", Unverified, Unverified, icrc, "", nil, errs.Conflict, nil},
		{"unknown status", Unverified, "true", icrc, "", nil, errs.Invalid, nil},
		{"verified with nothing published", Unverified, Verified, ua, "", backed, errs.Conflict, noCheckpoint},
		{"verified against the log's count", Unverified, Verified, ua, "", backed, errs.Conflict, logged(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := refusalClaim(6, 1)
			c.Status = tt.from
			before := *c
			lc := logged(6)
			if tt.lc != nil {
				lc = tt.lc
			}
			err := c.SetStatus(tt.to, tt.by, tt.note, now, tt.ev, lc)
			if got := errs.KindOf(err); got != tt.kind {
				t.Fatalf("error kind = %q (%v), want %q", got, err, tt.kind)
			}
			if tt.kind != "" {
				if !reflect.DeepEqual(*c, before) {
					t.Errorf("a refused change altered the claim")
				}
				return
			}
			if c.Status != tt.to || c.StatusBy != tt.by.Party || c.StatusNote == "" || c.StatusAt == nil {
				t.Errorf("claim = %s by %q note %q; want %s by %q with a note", c.Status, c.StatusBy, c.StatusNote, tt.to, tt.by.Party)
			}
			if (c.Checkpoint != nil) != (tt.to == Verified) || (c.Checkpoint != nil && *c.Checkpoint != cp) {
				t.Errorf("checkpoint = %+v; want %+v kept only when verified", c.Checkpoint, cp)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(c *Claim)
		field string
	}{
		{"valid", func(c *Claim) {}, ""},
		{"no statement", func(c *Claim) { c.Statement = "" }, "statement"},
		{"no party", func(c *Claim) { c.Party = "" }, "party"},
		{"no date", func(c *Claim) { c.MadeOn = time.Time{} }, "made_on"},
		{"future date", func(c *Claim) { c.MadeOn = now.Add(48 * time.Hour) }, "made_on"},
		{"no source", func(c *Claim) { c.Source = "" }, "source"},
		{"bad subject", func(c *Claim) { c.Subject = "rumour" }, "subject"},
		{"negative count", func(c *Claim) { c.Count = -1 }, "count"},
		{"bad link kind", func(c *Claim) { c.Links = []Link{{"person", 1}} }, "links"},
		{"link without id", func(c *Claim) { c.Links = []Link{{LinkCase, 0}} }, "links"},
		{"same link twice", func(c *Claim) { c.Links = []Link{{LinkCase, 1}, {LinkCase, 1}} }, "links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := refusalClaim(6, 1)
			tt.mod(c)
			err := c.Validate(now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if _, ok := errs.FieldsOf(err)[tt.field]; !ok {
				t.Errorf("Validate = %v, want a message for %s", err, tt.field)
			}
		})
	}
}

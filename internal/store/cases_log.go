package store

import (
	"context"
	"strconv"

	"lifeline/internal/cases"
	"lifeline/internal/registry"
	"lifeline/internal/repatriation"
	"lifeline/internal/tlog"
)

// The case and operation steps that carry a claim go to the transparency
// log in the step's transaction (see tlog.go for the table): a refusal or
// an acceptance of a case, and the people an operation handed over or who
// did not travel. Entries name cases, operations and people by internal
// identifiers only, which the log turns into pseudonyms and commitments.

// CaseLogRef is the identifier a case goes by in the log (as its Ref).
func CaseLogRef(id int64) string { return "case-" + strconv.FormatInt(id, 10) }

// PersonLogRef is the identifier a person goes by in the log (as a Subject).
func PersonLogRef(id int64) string { return "person-" + strconv.FormatInt(id, 10) }

// OperationLogRef is the identifier an operation goes by in the log: its
// reference.
func OperationLogRef(o *repatriation.Operation) string { return o.Ref }

func personRefs(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = PersonLogRef(id)
	}
	return out
}

// logCaseDecision appends the acceptance or refusal of c by d.Party, the
// home party, at the request of the party hosting the household.
func (tx *Tx) logCaseDecision(ctx context.Context, c *cases.Case, to cases.State, d *cases.Decision) error {
	typ := tlog.Accepted
	if to == cases.Refused {
		typ = tlog.AcceptanceRefused
	}
	party := c.Party
	if d != nil && d.Party != "" {
		party = d.Party
	}
	ids := c.PersonIDs()
	_, err := tx.AppendLog(ctx, []tlog.Event{{Type: typ, Party: party, Peer: c.HostParty, Day: LogDay(tx.now), Unit: "civilian",
		Count: len(ids), Ref: CaseLogRef(c.ID), Subjects: personRefs(ids)}})
	return err
}

// logOperation appends what a completed operation did: the people handed
// over, as received by the party they returned to, and those who did not
// travel, as reported by the party they stayed with. Civilians count in
// unit "civilian", prisoners of war exchanged on it in unit "pow".
func (tx *Tx) logOperation(ctx context.Context, o *repatriation.Operation) error {
	type group struct {
		outcome repatriation.Outcome
		unit    string
	}
	ids := map[group][]int64{}
	for _, e := range o.Roster {
		unit := "civilian"
		if e.Category == registry.POW {
			unit = "pow"
		}
		g := group{e.Outcome, unit}
		ids[g] = append(ids[g], e.PersonID)
	}
	var es []tlog.Event
	add := func(typ, party, peer string, g group) {
		list := ids[g]
		for len(list) > 0 {
			n := min(len(list), maxLogSubjects)
			es = append(es, tlog.Event{Type: typ, Party: party, Peer: peer, Day: LogDay(tx.now), Unit: g.unit,
				Count: n, Ref: OperationLogRef(o), Subjects: personRefs(list[:n])})
			list = list[n:]
		}
	}
	for _, unit := range []string{"civilian", "pow"} {
		add(tlog.Repatriated, o.To, o.From, group{repatriation.HandedOver, unit})
		add(tlog.DidNotTravel, o.From, o.To, group{repatriation.DidNotTravel, unit})
	}
	_, err := tx.AppendLog(ctx, es)
	return err
}

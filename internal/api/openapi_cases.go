package api

func init() {
	date := map[string]any{"type": "string", "format": "date-time"}
	arr := func(items any) map[string]any { return map[string]any{"type": "array", "items": items} }
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	boolean := map[string]any{"type": "boolean"}
	caseStates := enum("registered", "acceptance_requested", "accepted", "refused", "scheduled", "repatriated", "cancelled", "resettled")
	decision := obj(map[string]any{"party": str("who decided"), "at": date, "reason": str("the stated reason"), "source": str("where it was stated")}, "party", "at")
	addSchemas(map[string]any{
		"Case": obj(map[string]any{
			"id": integer(), "party": str("the home party: where the people would return"), "host_party": str("the party on whose side they are now"),
			"origin": str("where they come from"), "region": str(""), "placement": enum("custody", "accommodation", "private"), "facility_id": integer(),
			"wish":             enum("undecided", "return", "stay"),
			"interview":        obj(map[string]any{"at": date, "by": str(""), "intermediary": boolean, "private": boolean}),
			"persecution_risk": boolean,
			"priorities":       arr(enum("child", "pregnant", "mother_of_infant", "sick_wounded", "elderly", "long_detained")),
			"state":            caseStates, "state_at": date, "registered_at": date, "closed_at": date,
			"acceptance": decision, "refusal": decision, "operation_id": integer(),
			"members":  arr(obj(map[string]any{"person_id": integer(), "name": str(""), "party": str("")}, "person_id")),
			"split_of": integer(), "note": str(""), "version": integer(),
			"days_waiting": integer(), "stranded": boolean,
		}, "party", "host_party", "origin", "placement", "members"),
		"CaseTransition": obj(map[string]any{"to": caseStates, "version": integer(), "party": str("who accepted or refused"), "decided_at": date,
			"reason": str("required for refused, cancelled and resettled"), "source": str("required for refused")}, "to"),
		"Operation": obj(map[string]any{
			"id": integer(), "ref": str(""), "date": date, "crossing_point": str(""), "intermediary": str(""), "from": str("the party the people leave"),
			"to": str("the party they return to"), "note": str(""), "state": enum("planned", "roster_signed", "completed", "closed", "cancelled"),
			"roster": arr(obj(map[string]any{"person_id": integer(), "case_id": integer(), "category": str(""), "name": str(""),
				"outcome": enum("", "handed_over", "did_not_travel"), "reason": str("")}, "person_id")),
			"roster_signers": arr(str("")), "outcome_signers": arr(str("")), "handed_over": integer(), "did_not_travel": integer(), "pending": integer(),
			"version": integer(),
		}, "ref", "date", "crossing_point", "intermediary", "from", "to"),
		"Claim": obj(map[string]any{
			"id": integer(), "statement": str(""), "party": str("who made it"), "made_on": date, "source": str(""),
			"subject": enum("refusal", "repatriation", "delivery", "other"), "count": integer(),
			"links":  arr(obj(map[string]any{"kind": enum("case", "operation", "consignment"), "id": integer()}, "kind", "id")),
			"status": enum("unverified", "corroborated", "contradicted", "verified"), "status_note": str(""), "status_by": str(""),
			"evidence":   arr(obj(map[string]any{"kind": str(""), "link": map[string]any{"type": "object"}, "signed": boolean, "count": integer(), "summary": str("")})),
			"assessment": obj(map[string]any{"verifiable": boolean, "disagrees": boolean, "counted": integer(), "reason": str("")}),
		}, "statement", "party", "made_on", "source"),
		"Ledger": obj(map[string]any{
			"directions": arr(obj(map[string]any{"from": str(""), "to": str("")})),
			"months":     arr(obj(map[string]any{"month": str("YYYY-MM"), "directions": arr(ref("LedgerRow"))})),
			"checkpoint": nullable(obj(map[string]any{
				"origin": str("the log's origin"), "size": integer(), "hash": str("the root hash, base64"),
				"url": str("/log/checkpoint"), "verify": str("the command that recounts the figures"),
			})),
		}),
		"LedgerRow": obj(map[string]any{
			"month": str("YYYY-MM"), "from": str(""), "to": str(""), "parcels_sent": integer(), "parcels_delivered": integer(),
			"median_days_to_delivery": map[string]any{"type": "number", "nullable": true}, "parcels_undeliverable": integer(),
			"civilians_accepted": integer(), "civilians_refused": integer(), "civilians_repatriated": integer(),
			"log": obj(map[string]any{"parcels_delivered": integer(), "civilians_accepted": integer(), "civilians_refused": integer(),
				"civilians_repatriated": integer()}),
		}),
	})
}

// nullable marks a schema as allowing null.
func nullable(s map[string]any) map[string]any {
	s["nullable"] = true
	return s
}

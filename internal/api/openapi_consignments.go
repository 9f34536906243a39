package api

func init() {
	dt := map[string]any{"type": "string", "format": "date-time"}
	arr := func(items map[string]any) map[string]any { return map[string]any{"type": "array", "items": items} }
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	states := enum("draft", "sealed", "dispatched", "handed_over", "receipted", "closed")
	parcelStates := enum("open", "sealed", "dispatched", "handed_over", "received", "delivered", "acknowledged", "undeliverable", "redirected", "returned", "missing")
	counts := obj(map[string]any{"expected": integer(), "scanned": integer(), "received": integer(), "missing": integer(), "extra": integer(),
		"damaged": integer(), "cancelled": integer(), "remaining": integer()})
	addSchemas(map[string]any{
		"ConsignmentInput": obj(map[string]any{"ref": str("empty for the next free reference, e.g. UA-RU-2026-12-01"), "to": str("the receiving party"),
			"via": str("the intermediary; empty for the node's intermediary"), "period": str("YYYY-MM"), "target": integer(), "place": str("the exchange point")}, "to", "period"),
		"Consignment": obj(map[string]any{"id": integer(), "ref": str(""), "kind": enum("outbound", "return"), "from": str(""), "to": str(""), "via": str(""),
			"period": str("YYYY-MM"), "target": integer(), "return_of": str(""), "state": states, "place": str(""), "origin": enum("local", "imported"),
			"manifest_digest": str("hex SHA-256 of the signed manifest"), "parcels": integer(), "created_at": dt, "sealed_at": dt, "dispatched_at": dt,
			"handed_over_at": dt, "receipted_at": dt, "closed_at": dt, "version": integer(), "counts": counts,
			"bundles": arr(obj(map[string]any{"ref": str(""), "kind": enum("manifest", "handover_receipt", "delivery_report"), "seq": integer(),
				"digest": str(""), "signers": arr(str("party code")), "origin": enum("local", "imported")}))}),
		"ConsignmentParcel": obj(map[string]any{"tracking": str("S10"), "recipient_ref": str("a pseudonymous reference, never a name"),
			"weight_grams": integer(), "items": integer(), "state": parcelStates, "parcel_id": integer()}),
		"ParcelsInput": obj(map[string]any{"tracking": str("one scanned parcel"), "trackings": arr(str("")), "all": map[string]any{"type": "boolean"}}),
		"ScanInput":    obj(map[string]any{"tracking": str("S10 as the scanner typed it"), "damaged": map[string]any{"type": "boolean"}}, "tracking"),
		"ScanResult": obj(map[string]any{"tracking": str(""), "outcome": enum("expected", "damaged", "extra", "duplicate"),
			"ok": map[string]any{"type": "boolean", "description": "green light"}, "counts": counts}),
		"DiscrepancyNote": obj(map[string]any{"id": integer(), "ref": str(""), "text": str(""), "expected": integer(), "scanned": integer(),
			"missing_parcels": arr(str("")), "extra_parcels": arr(str("")), "damaged_parcels": arr(str("")), "author_id": integer(), "created_at": dt,
			"confirmations": arr(obj(map[string]any{"user_id": integer(), "at": dt})),
			"reply":         obj(map[string]any{"text": str("the sending party's answer"), "party": str("the sending party"), "user_id": integer(), "at": dt})}),
		"NoteReplyInput": obj(map[string]any{"text": str("the sending party's answer, at most 2000 characters")}, "text"),
		"Delivery": obj(map[string]any{"tracking": str("S10"), "outcome": enum("delivered", "undeliverable"), "at": dt,
			"ack_kind": enum("signed_slip", "representative"), "ack_ref": str("the scanned slip or the attestation's reference"),
			"reason":       enum("transferred", "released", "repatriated", "hospitalised", "deceased", "refused", "unknown"),
			"action":       enum("redirected", "returned", "held"),
			"new_facility": str("facility code of a redirected parcel; default the addressee's current facility"), "note": str("")}, "tracking", "outcome"),
		"ImportResult": obj(map[string]any{"ref": str(""), "kind": str(""), "seq": integer(), "from": str(""), "digest": str(""),
			"signers": arr(str("")), "plan": enum("nothing", "create", "handover", "receipted", "handed_over_and_receipted", "deliveries"),
			"state": states, "changed": map[string]any{"type": "boolean"}}),
		"NodeKey":         obj(map[string]any{"party": str("the party this node signs for; empty on a node that serves every party"), "key_id": str(""), "public_key": str("lifeline-ed25519 <base64>")}),
		"TrustInput":      obj(map[string]any{"party": str("party code"), "public_key": str("lifeline-ed25519 <base64>")}, "party", "public_key"),
		"ConsignmentPage": obj(map[string]any{"items": arr(ref("Consignment")), "next_cursor": str("")}),
	})
	addDocs(map[string]opDoc{
		"POST /api/v1/consignments/{ref}/notes/{id}/reply": {Request: "NoteReplyInput", Response: "DiscrepancyNote"},
	})
}

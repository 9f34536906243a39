package api

func init() {
	dt := map[string]any{"type": "string", "format": "date-time"}
	kinds := enum("letter", "card", "photograph", "drawing", "legal_document", "capture_card", "complaint")
	addSchemas(map[string]any{
		"Sender": obj(map[string]any{"id": integer(), "party": str("the party that registered the family member"), "name": str(""),
			"relationship": str("e.g. mother"), "contact": str("an address, telephone number or e-mail address")}, "name", "relationship", "contact"),
		"ItemInput": obj(map[string]any{"person_id": integer(), "sender_id": integer(), "sender": map[string]any{"$ref": "#/components/schemas/Sender"},
			"in_reply_to": str("replies: the tracking number of the family's item"), "kind": kinds,
			"language": str("ISO 639 code; default the recipient's native language"), "pages": integer()}, "person_id", "kind"),
		"Item": obj(map[string]any{"id": integer(), "tracking": str("S10 tracking number"), "kind": kinds, "direction": enum("to_detainee", "reply"),
			"sender_id": integer(), "person_id": integer(), "origin_party": str("the sending side"), "dest_party": str("the receiving side"),
			"language": str(""), "pages": integer(), "status": enum("received", "approved", "redacted", "rejected", "packed"),
			"parcel_id": integer(), "received_at": dt, "screened_at": dt, "version": integer()}),
		"Intake": obj(map[string]any{"item": map[string]any{"$ref": "#/components/schemas/Item"}, "pin": str("six digits, shown once"),
			"scans": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Scan"}}}),
		"PacketInput": obj(map[string]any{"person_id": integer(), "sender_id": integer(), "sender": map[string]any{"$ref": "#/components/schemas/Sender"},
			"items": map[string]any{"type": "array", "minItems": 1, "maxItems": 50, "items": obj(map[string]any{"kind": kinds,
				"language": str("ISO 639 code; default the recipient's native language"), "pages": integer()}, "kind")}}, "person_id", "items"),
		"Packet": obj(map[string]any{"sender_id": integer(), "items": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Intake"}}}),
		"Scan": obj(map[string]any{"id": integer(), "item_id": integer(), "seq": integer(), "role": enum("original", "redacted"),
			"key": str("SHA-256 of the content"), "media_type": enum("image/jpeg", "image/png", "application/pdf"), "size": integer(),
			"width": integer(), "height": integer(), "thumb_key": str("")}),
		"Decision": obj(map[string]any{"outcome": enum("approved", "redacted", "rejected"),
			"reason": enum("political_military", "money", "prohibited_goods", "illegible_code", "other_security"), "note": str("")}, "outcome"),
		"ItemDecision": obj(map[string]any{"item_id": integer(), "outcome": enum("approved", "rejected"),
			"reason": enum("political_military", "money", "prohibited_goods", "illegible_code", "other_security"), "note": str("")}, "item_id", "outcome"),
		"Decisions": obj(map[string]any{"decisions": map[string]any{"type": "array", "maxItems": 200, "minItems": 1,
			"items": map[string]any{"$ref": "#/components/schemas/ItemDecision"}}}, "decisions"),
		"Screening": obj(map[string]any{"id": integer(), "item_id": integer(), "side": enum("sending", "receiving"), "party": str(""),
			"outcome": enum("approved", "redacted", "rejected"), "reason": str(""), "notice": str("the notice to the sender of a rejected item"),
			"redacted_scan_id": integer(), "screened_at": dt, "waited_seconds": integer()}),
		"Parcel": obj(map[string]any{"id": integer(), "tracking": str("S10 tracking number"), "direction": enum("to_detainee", "reply"),
			"person_id": integer(), "from_party": str(""), "to_party": str(""), "facility_id": integer(),
			"status": enum("open", "sealed", "dispatched", "handed_over", "received", "delivered", "acknowledged", "undeliverable", "redirected", "returned", "missing"),
			"items":  integer(), "weight_grams": integer(), "flag": enum("", "transferred", "released", "repatriated", "died", "undeliverable"),
			"sealed_at": dt, "version": integer()}),
		"PackInput": obj(map[string]any{"person_id": integer(), "direction": enum("to_detainee", "reply"), "sender_id": integer(),
			"item_ids":     map[string]any{"type": "array", "items": integer()},
			"weight_grams": map[string]any{"type": "integer", "description": "seal the parcel with this weight (1 to 30000) in the same request"}}, "person_id", "item_ids"),
		"Quota": obj(map[string]any{"direction": enum("to_detainee", "reply"), "letters": integer(), "cards": integer()}, "direction"),
		"MailSettings": obj(map[string]any{"item_service": str("two letters"), "parcel_service": str("two letters"),
			"country": str("ISO 3166-1 alpha-2"), "screening_limit_hours": integer()}),
		"TrackRequest": obj(map[string]any{"tracking": str("S10 tracking number"), "pin": str("six digits")}, "tracking", "pin"),
		"Timeline": obj(map[string]any{"timeline": map[string]any{"type": "array", "items": obj(map[string]any{"at": dt,
			"code": enum("accepted", "screened", "returned_to_sender", "packed", "posted", "dispatched", "exchanged", "arrived", "delivered", "acknowledged", "undeliverable", "forwarded", "returned", "missing")})}}),
	})
	addDocs(map[string]opDoc{
		"POST /api/v1/screening/decisions": {Request: "Decisions", Response: "Screening", List: true, Status: 201},
		"POST /api/v1/items/packet":        {Request: "PacketInput", Response: "Packet", Status: 201},
	})
}

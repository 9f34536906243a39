package consignments

import (
	"encoding/csv"
	"io"
	"slices"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/parcels"
)

// UPU tracking event codes (EVT-1).
const (
	UPUPosted       = parcels.EMA // posting / collection: the parcel is sealed on a consignment
	UPUDispatched   = parcels.EMC // departure from the outward office of exchange
	UPUArrived      = parcels.EMD // arrival at the inward office of exchange: handed over to the other party
	UPUUnsuccessful = parcels.EMH // unsuccessful (attempted) delivery
	UPUDelivered    = parcels.EMI // final delivery
)

var upuDescriptions = map[string]string{
	UPUPosted:       "Posting/collection",
	UPUDispatched:   "Departure from outward office of exchange",
	UPUArrived:      "Arrival at inward office of exchange",
	UPUUnsuccessful: "Unsuccessful (attempted) delivery",
	UPUDelivered:    "Final delivery",
}

// UPUEvent is one tracking event of a parcel, as exported to postal systems.
type UPUEvent struct {
	Tracking string
	Code     string
	At       time.Time
	Office   string // the party code of the office where it happened
	Reason   Reason // EMH only
	Action   Action // EMH only
}

// LineState is a manifest line and its state in the consignment.
type LineState struct {
	Line
	State ParcelState
}

// UPUEvents derives the tracking events of c's parcels from the consignment's
// times, the parcel states and the delivery records, in time order.
func UPUEvents(c Consignment, lines []LineState, deliveries []Delivery) []UPUEvent {
	var out []UPUEvent
	add := func(t string, code string, at *time.Time, office string) {
		if at != nil {
			out = append(out, UPUEvent{Tracking: t, Code: code, At: at.UTC(), Office: office})
		}
	}
	for _, l := range lines {
		if l.State == ParcelOpen {
			continue
		}
		add(l.Tracking, UPUPosted, c.SealedAt, c.From)
		add(l.Tracking, UPUDispatched, c.DispatchedAt, c.From)
		if l.State != ParcelMissing && l.State != ParcelDispatched {
			add(l.Tracking, UPUArrived, c.HandedOverAt, c.To)
		}
	}
	for _, d := range deliveries {
		e := UPUEvent{Tracking: d.Tracking, At: d.At.UTC(), Office: c.To}
		if d.Outcome == Delivered {
			e.Code = UPUDelivered
		} else {
			e.Code, e.Reason, e.Action = UPUUnsuccessful, d.Reason, d.Action
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b UPUEvent) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		switch {
		case a.Tracking < b.Tracking:
			return -1
		case a.Tracking > b.Tracking:
			return 1
		}
		return 0
	})
	return out
}

// UPUCSVHeader is the header row of the UPU event export.
var UPUCSVHeader = []string{"mail_item_id", "event_code", "event_description", "event_time", "office", "reason", "action"}

// WriteUPUCSV writes events as CSV with a header row; times are RFC 3339 UTC.
func WriteUPUCSV(w io.Writer, events []UPUEvent) error {
	const op = "consignments.WriteUPUCSV"
	cw := csv.NewWriter(w)
	if err := cw.Write(UPUCSVHeader); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	for _, e := range events {
		rec := []string{e.Tracking, e.Code, upuDescriptions[e.Code], e.At.UTC().Format(time.RFC3339), e.Office, string(e.Reason), string(e.Action)}
		if err := cw.Write(rec); err != nil {
			return errs.WrapKind(op, errs.Internal, err)
		}
	}
	cw.Flush()
	return errs.WrapKind(op, errs.Internal, cw.Error())
}

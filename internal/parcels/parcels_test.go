package parcels

import (
	"testing"

	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
	"lifeline/internal/s10"
)

func TestStatusCanMoveTo(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Open, Sealed}: true, {Open, Returned}: true,
		{Sealed, Dispatched}: true, {Sealed, Returned}: true,
		{Dispatched, HandedOver}: true, {Dispatched, Missing}: true,
		{HandedOver, Received}: true, {HandedOver, Redirected}: true, {HandedOver, Undeliverable}: true,
		{Received, Delivered}: true, {Received, Undeliverable}: true, {Received, Redirected}: true,
		{Delivered, Acknowledged}: true,
		{Undeliverable, Returned}: true, {Undeliverable, Redirected}: true,
		{Redirected, Received}: true, {Redirected, Undeliverable}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				err := from.CanMoveTo(to)
				if want := allowed[[2]Status{from, to}]; (err == nil) != want {
					t.Fatalf("got %v, want allowed=%v", err, want)
				}
				if err != nil && !errs.Is(err, errs.Conflict) {
					t.Errorf("got kind %s, want conflict", errs.KindOf(err))
				}
				if from.Final() && err == nil {
					t.Errorf("final status %s moved to %s", from, to)
				}
			})
		}
	}
	if err := Open.CanMoveTo("lost"); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown status: got %v, want invalid", err)
	}
}

func TestUPUCode(t *testing.T) {
	want := map[Status]string{
		Open: "", Sealed: "EMA", Dispatched: "EMC", HandedOver: "EMD", Received: "EMG", Delivered: "EMI",
		Acknowledged: "", Undeliverable: "EMH", Redirected: "EMG", Returned: "", Missing: "",
	}
	for _, s := range Statuses {
		if got := s.UPUCode(); got != want[s] {
			t.Errorf("%s: got %q, want %q", s, got, want[s])
		}
	}
}

func TestCanAdd(t *testing.T) {
	p := Parcel{ID: 1, Status: Open, PersonID: 5, Direction: correspondence.ToDetainee}
	it := correspondence.Item{ID: 9, Tracking: "RR000000019UA", PersonID: 5, Direction: correspondence.ToDetainee, Status: correspondence.Approved}
	tests := []struct {
		name string
		p    func(Parcel) Parcel
		it   func(correspondence.Item) correspondence.Item
		ok   bool
	}{
		{"approved", nil, nil, true},
		{"redacted", nil, func(i correspondence.Item) correspondence.Item { i.Status = correspondence.Redacted; return i }, true},
		{"not screened", nil, func(i correspondence.Item) correspondence.Item { i.Status = correspondence.Received; return i }, false},
		{"rejected", nil, func(i correspondence.Item) correspondence.Item { i.Status = correspondence.Rejected; return i }, false},
		{"in another parcel", nil, func(i correspondence.Item) correspondence.Item { i.ParcelID = 2; return i }, false},
		{"other recipient", nil, func(i correspondence.Item) correspondence.Item { i.PersonID = 6; return i }, false},
		{"reply in a parcel to a detainee", nil, func(i correspondence.Item) correspondence.Item { i.Direction = correspondence.Reply; return i }, false},
		{"sealed parcel", func(p Parcel) Parcel { p.Status = Sealed; return p }, nil, false},
		{"full parcel", func(p Parcel) Parcel { p.Items = MaxItems; return p }, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pp, ii := p, it
			if tc.p != nil {
				pp = tc.p(pp)
			}
			if tc.it != nil {
				ii = tc.it(ii)
			}
			err := CanAdd(pp, ii)
			if (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
	rp := Parcel{Status: Open, PersonID: 5, SenderID: 3, Direction: correspondence.Reply}
	ri := correspondence.Item{PersonID: 5, SenderID: 4, Direction: correspondence.Reply, Status: correspondence.Approved}
	if err := CanAdd(rp, ri); err == nil {
		t.Error("reply to another family member: got no error")
	}
	ri.SenderID = 3
	if err := CanAdd(rp, ri); err != nil {
		t.Errorf("reply to the parcel's family member: %v", err)
	}
}

func TestCanSeal(t *testing.T) {
	tests := []struct {
		name   string
		p      Parcel
		weight int
		kind   errs.Kind
	}{
		{"good", Parcel{Status: Open, Items: 3}, 250, ""},
		{"empty", Parcel{Status: Open}, 250, errs.Conflict},
		{"no weight", Parcel{Status: Open, Items: 1}, 0, errs.Invalid},
		{"too heavy", Parcel{Status: Open, Items: 1}, MaxWeightGrams + 1, errs.Invalid},
		{"already sealed", Parcel{Status: Sealed, Items: 1}, 250, errs.Conflict},
		{"flagged", Parcel{Status: Open, Items: 1, Flag: FlagDied}, 250, errs.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CanSeal(tc.p, tc.weight)
			if tc.kind == "" && err != nil || tc.kind != "" && !errs.Is(err, tc.kind) {
				t.Fatalf("got %v, want kind %q", err, tc.kind)
			}
		})
	}
}

func TestFlagsAndOffers(t *testing.T) {
	flags := map[registry.EventType]Flag{
		registry.Transferred: FlagTransferred, registry.Released: FlagReleased,
		registry.Repatriated: FlagRepatriated, registry.Died: FlagDied,
		registry.Hospitalised: NoFlag, registry.Arrived: NoFlag, registry.CaptureCardSent: NoFlag,
	}
	for ev, want := range flags {
		if got := FlagFor(ev); got != want {
			t.Errorf("FlagFor(%s): got %q, want %q", ev, got, want)
		}
	}
	for _, s := range Statuses {
		if got, want := s.Flaggable(), s == Open || s == Sealed; got != want {
			t.Errorf("%s flaggable: got %v, want %v", s, got, want)
		}
	}
	p := Parcel{Status: Sealed, FacilityID: 10}
	tests := []struct {
		name     string
		flag     Flag
		facility int64
		want     Offer
	}{
		{"transferred", FlagTransferred, 11, Offer{Redirect: true, Return: true, To: 11}},
		{"transferred, new place unknown", FlagTransferred, 0, Offer{Return: true}},
		{"transferred to the same place", FlagTransferred, 10, Offer{Return: true}},
		{"released", FlagReleased, 0, Offer{Return: true}},
		{"repatriated", FlagRepatriated, 0, Offer{Return: true}},
		{"died", FlagDied, 0, Offer{Return: true, Care: true}},
		{"not flagged", NoFlag, 11, Offer{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OfferFor(p, tc.flag, tc.facility); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRedirectAndReturn(t *testing.T) {
	p := Parcel{Status: Sealed, FacilityID: 10, Flag: FlagTransferred}
	got, err := Redirect(p, 11)
	if err != nil {
		t.Fatal(err)
	}
	if got.FacilityID != 11 || got.Flag != NoFlag || got.Status != Sealed {
		t.Errorf("redirected: got %+v, want facility 11, no flag, still sealed", got)
	}
	if _, err := Redirect(Parcel{Status: Sealed, FacilityID: 10, Flag: FlagDied}, 11); !errs.Is(err, errs.Conflict) {
		t.Errorf("redirect after a death: got %v, want conflict", err)
	}
	if _, err := Redirect(Parcel{Status: Dispatched, Flag: FlagTransferred}, 11); !errs.Is(err, errs.Conflict) {
		t.Errorf("redirect a dispatched parcel: got %v, want conflict", err)
	}
	r, err := Return(Parcel{Status: Open, Flag: FlagDied})
	if err != nil || r.Status != Returned || r.Flag != NoFlag {
		t.Errorf("return: got %+v %v, want returned without flag", r, err)
	}
	if _, err := Return(Parcel{Status: Sealed}); !errs.Is(err, errs.Conflict) {
		t.Errorf("return an unflagged parcel: got %v, want conflict", err)
	}
	if _, err := Return(Parcel{Status: Undeliverable}); err != nil {
		t.Errorf("return an undeliverable parcel: %v", err)
	}
	if _, err := Return(Parcel{Status: Delivered}); !errs.Is(err, errs.Conflict) {
		t.Errorf("return a delivered parcel: got %v, want conflict", err)
	}
}

func TestNumbering(t *testing.T) {
	n := Numbering{Service: DefaultParcelService, Country: "UA"}
	id, err := n.Make(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s10.Validate(id); err != nil || id[:2] != "CP" {
		t.Errorf("got %s %v, want a valid CP number", id, err)
	}
	if err := (Numbering{Service: DefaultItemService, Country: "UA"}).Validate(); err != nil {
		t.Errorf("item numbering: %v", err)
	}
}

func TestFlagFromPerson(t *testing.T) {
	p := Parcel{Status: Sealed, Direction: correspondence.ToDetainee, FacilityID: 10}
	tests := []struct {
		name     string
		p        Parcel
		status   registry.Status
		facility int64
		want     Flag
	}{
		{"held where addressed", p, registry.StatusHeld, 10, NoFlag},
		{"moved", p, registry.StatusHeld, 11, FlagTransferred},
		{"in hospital elsewhere", p, registry.StatusHospitalised, 12, FlagTransferred},
		{"released", p, registry.StatusReleased, 0, FlagReleased},
		{"repatriated", p, registry.StatusRepatriated, 0, FlagRepatriated},
		{"died", p, registry.StatusDead, 0, FlagDied},
		{"escaped", p, registry.StatusEscaped, 0, FlagUndeliverable},
		{"already dispatched", Parcel{Status: Dispatched, Direction: correspondence.ToDetainee, FacilityID: 10}, registry.StatusDead, 0, NoFlag},
		{"a reply", Parcel{Status: Open, Direction: correspondence.Reply, FacilityID: 10}, registry.StatusDead, 0, NoFlag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FlagFromPerson(tc.p, tc.status, tc.facility); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

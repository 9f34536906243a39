package web

import (
	"net/http"
	"strconv"
	"time"

	"lifeline/internal/api"
	"lifeline/internal/auth"
	"lifeline/internal/correspondence"
	"lifeline/internal/errs"
	"lifeline/internal/httpx"
	"lifeline/internal/parcels"
	"lifeline/internal/store"
)

// mailRoutes: family mail (issue 3): the mail overview with the screening
// backlog, intake at a collection point, the screening queue of each
// side, packing, parcels with their labels, and public tracking.
func (u *UI) mailRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/mail", Perm: auth.Aggregates, Summary: "family mail: backlog, overdue items, flagged parcels", Handler: u.mailHome},
		{Method: "GET", Pattern: "/mail/intake", Perm: auth.MailIntake, Summary: "intake: find the recipient, then the item form", Handler: u.mailIntakeShow},
		{Method: "POST", Pattern: "/mail/intake", Perm: auth.MailIntake, Summary: "take in an item with its scans", Handler: u.mailIntakeSubmit},
		{Method: "POST", Pattern: "/mail/intake/find", Perm: auth.MailIntake, Summary: "intake: find the recipient from any spelling (POST keeps names out of URLs)", Handler: u.mailIntakeFind},
		{Method: "GET", Pattern: "/mail/quotas", Perm: auth.Authenticated, Summary: "the party's monthly quotas", Handler: u.mailQuotas},
		{Method: "POST", Pattern: "/mail/quotas", Perm: auth.UsersAdmin, Summary: "set a monthly quota (never below 2 letters and 4 cards)", Handler: u.mailQuotaSet},
		{Method: "POST", Pattern: "/mail/settings", Perm: auth.UsersAdmin, Summary: "set the party's mail settings: S10 numbering and screening limit", Handler: u.mailSettingsSet},
		{Method: "POST", Pattern: "/mail/items/{id}/receipt", Perm: auth.MailIntake, Summary: "the sender's receipt slip as PDF", Handler: u.mailReceipt},
		{Method: "GET", Pattern: "/mail/screening", Perm: auth.MailScreen, Summary: "the screening queue of the caller's side", Handler: u.mailQueue},
		{Method: "GET", Pattern: "/mail/screening/{id}", Perm: auth.MailScreen, Summary: "screen one item", Handler: u.mailScreenShow},
		{Method: "POST", Pattern: "/mail/screening/{id}", Perm: auth.MailScreen, Summary: "record the screening decision", Handler: u.mailScreenSubmit},
		{Method: "GET", Pattern: "/mail/items/{id}/scans/{scan}", Perm: auth.MailScreen, Summary: "a scan (views recorded) or its thumbnail", Handler: u.mailScan},
		{Method: "GET", Pattern: "/mail/packing", Perm: auth.MailPack, Summary: "screened mail by recipient, to pack", Handler: u.mailPacking},
		{Method: "POST", Pattern: "/mail/packing", Perm: auth.MailPack, Summary: "pack items into the recipient's parcel", Handler: u.mailPack},
		{Method: "GET", Pattern: "/mail/parcels", Perm: auth.MailPack, Summary: "parcels, with the batch labels", Handler: u.mailParcels},
		{Method: "GET", Pattern: "/mail/parcels/{id}", Perm: auth.MailPack, Summary: "a parcel: items, events, sealing, labels, redirect or return", Handler: u.mailParcelShow},
		{Method: "POST", Pattern: "/mail/parcels/{id}/seal", Perm: auth.MailPack, Summary: "seal a parcel with its weight", Handler: u.mailParcelSeal},
		{Method: "POST", Pattern: "/mail/parcels/{id}/redirect", Perm: auth.MailPack, Summary: "redirect a flagged parcel to the new facility", Handler: u.mailParcelAction(true)},
		{Method: "POST", Pattern: "/mail/parcels/{id}/return", Perm: auth.MailPack, Summary: "return a flagged parcel to the sender", Handler: u.mailParcelAction(false)},
		{Method: "GET", Pattern: "/mail/parcels/{id}/label", Perm: auth.MailPack, Summary: "the parcel's label (PDF)", Handler: u.mailParcelPDF(false)},
		{Method: "GET", Pattern: "/mail/parcels/{id}/packing-list", Perm: auth.MailPack, Summary: "the parcel's packing list (PDF)", Handler: u.mailParcelPDF(true)},
		{Method: "GET", Pattern: "/mail/labels", Perm: auth.MailPack, Summary: "labels of every sealed parcel on A4 sheets (PDF)", Handler: u.mailBatchPDF(false)},
		{Method: "GET", Pattern: "/mail/packing-lists", Perm: auth.MailPack, Summary: "packing lists of every sealed parcel (PDF)", Handler: u.mailBatchPDF(true)},
		{Method: "GET", Pattern: "/track", Perm: auth.Public, Summary: "public tracking form", Handler: u.trackShow},
		{Method: "POST", Pattern: "/track", Perm: auth.Public, Summary: "public tracking: the status timeline only", Handler: u.trackSubmit},
	}
}

func init() {
	navEntries = append(navEntries, navEntry{"/mail", "nav.mail", auth.Aggregates})
	for m, k := range map[string]string{
		"no such person within your party's reach":     "mail.msg_reach",
		"no item matches this tracking number and PIN": "track.not_found",
		"the file is not a JPEG, PNG or PDF":           "mail.msg_file_type",
		"the file is empty":                            "mail.msg_file_empty",
		"a redacted scan is required":                  "mail.msg_redacted_required",
		"must be political_military, money, prohibited_goods, illegible_code or other_security": "mail.msg_reason",
		"say what the other reason is":                                  "mail.msg_other_reason",
		"an empty parcel cannot be sealed":                              "mail.msg_empty_parcel",
		"from 1 to 30000 grams":                                         "mail.msg_weight",
		"required: an address, a telephone number or an e-mail address": "mail.msg_contact",
		"an ISO 639 language code such as uk, ru or en":                 "mail.msg_language",
		"from 1 to 100":                                                 "mail.msg_pages",
		"the recipient's status changed; redirect the parcel or return it to the sender first": "mail.msg_flagged",
	} {
		messageKeys[m] = k
	}
}

// mailAPI is the API's mail workflows, which the pages share.
func (u *UI) mailAPI() *api.API { return api.New(u.app) }

// pathInt parses a path value as a positive id; anything else is NotFound.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E("web.path", errs.NotFound, "not found")
	}
	return id, nil
}

// MailKind, MailStatus, ParcelStatus, Flag, ScreenOutcome, Reason, Side and
// TrackCode translate the mail domain's values.
func (pg *Page) MailKind(k correspondence.Kind) string     { return pg.p.T("mail_kind." + string(k)) }
func (pg *Page) MailStatus(s correspondence.Status) string { return pg.p.T("mail_status." + string(s)) }
func (pg *Page) ParcelStatus(s parcels.Status) string      { return pg.p.T("parcel_status." + string(s)) }
func (pg *Page) Flag(f parcels.Flag) string                { return pg.p.T("parcel_flag." + string(f)) }
func (pg *Page) ScreenOutcome(o correspondence.Outcome) string {
	return pg.p.T("screen_outcome." + string(o))
}
func (pg *Page) Reason(r correspondence.Reason) string        { return pg.p.T("screen_reason." + string(r)) }
func (pg *Page) Side(s correspondence.Side) string            { return pg.p.T("screen_side." + string(s)) }
func (pg *Page) TrackCode(c string) string                    { return pg.p.T("track_step." + c) }
func (pg *Page) Hours(d time.Duration) string                 { return strconv.Itoa(int(d.Hours())) }
func (pg *Page) Stamp(t time.Time) string                     { return t.UTC().Format("2006-01-02 15:04") }
func (pg *Page) ParcelStatusKey(s string) parcels.Status      { return parcels.Status(s) }
func (pg *Page) MailStatusKey(s string) correspondence.Status { return correspondence.Status(s) }

// mailTile is the dashboard's view of the party's mail (SCR-2): the
// screening backlog, the items over the waiting limit and the parcels
// waiting for a redirect or return.
type mailTile struct {
	Backlog   store.MailBacklog
	CanScreen bool
	CanPack   bool
}

// mailTile returns the tile for mail staff and analysts of a state party,
// nil for anyone else.
func (u *UI) mailTile(r *http.Request) (*mailTile, error) {
	p := httpx.Principal(r)
	if p.Intermediary || !(p.Can(auth.MailIntake) || p.Can(auth.MailScreen) || p.Can(auth.MailPack) || p.Role == auth.Analyst) {
		return nil, nil
	}
	b, err := u.db.MailBacklog(r.Context(), p.Party, u.app.Now())
	if err != nil {
		return nil, err
	}
	return &mailTile{Backlog: b, CanScreen: p.Can(auth.MailScreen), CanPack: p.Can(auth.MailPack)}, nil
}

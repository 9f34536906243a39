package correspondence

import (
	"lifeline/internal/errs"
)

// Minimum monthly limits a party may set (GC III 71, COR-3).
const (
	MinLetters = 2
	MinCards   = 4
)

// Quota is a party's monthly limit on the letters and cards of one
// detained person in one direction. Zero means no limit. Outgoing limits
// (replies) are set by the holding party; incoming limits (to_detainee)
// only by the detainee's own party (COR-3).
type Quota struct {
	Party     string    `json:"party"`
	Direction Direction `json:"direction"`
	Letters   int       `json:"letters"` // letters a month; 0 for no limit
	Cards     int       `json:"cards"`   // cards a month; 0 for no limit
}

// QuotaParty is the party whose limit applies to a person's mail in
// direction d: the detainee's own party for mail to them, the holding
// party for their replies (COR-3).
func QuotaParty(d Direction, own, holding string) string {
	if d == Reply {
		return holding
	}
	return own
}

// Validate checks a quota: a limit may never go below 2 letters and
// 4 cards a month.
func (q Quota) Validate() error {
	m := map[string]string{}
	if q.Party == "" {
		m["party"] = "required"
	}
	if !q.Direction.Valid() {
		m["direction"] = "must be to_detainee or reply"
	}
	if q.Letters != 0 && q.Letters < MinLetters {
		m["letters"] = "a limit may not be below 2 letters a month (GC III 71); 0 means no limit"
	}
	if q.Cards != 0 && q.Cards < MinCards {
		m["cards"] = "a limit may not be below 4 cards a month (GC III 71); 0 means no limit"
	}
	if q.Letters < 0 {
		m["letters"] = "must not be negative"
	}
	if q.Cards < 0 {
		m["cards"] = "must not be negative"
	}
	if len(m) > 0 {
		return errs.Fields("correspondence.Quota.Validate", m)
	}
	return nil
}

// Usage counts the items of one person, direction and month that count
// against a quota.
type Usage struct {
	Letters int `json:"letters"`
	Cards   int `json:"cards"`
}

// Add counts one more item of kind k.
func (u Usage) Add(k Kind) Usage {
	switch k {
	case Letter:
		u.Letters++
	case Card:
		u.Cards++
	}
	return u
}

// CheckQuota reports whether one more item of kind k fits in the quota
// given what was already used this month. Only letters and cards are
// limited; capture cards, complaints and legal documents never count, and
// photographs and drawings are enclosures, not letters or cards.
func CheckQuota(q Quota, used Usage, k Kind) error {
	const op = "correspondence.CheckQuota"
	if !k.CountsForQuota() {
		return nil
	}
	switch {
	case k == Letter && q.Letters > 0 && used.Letters >= q.Letters:
		return errs.E(op, errs.Conflict, "the monthly limit of %d letters for this person is reached", q.Letters)
	case k == Card && q.Cards > 0 && used.Cards >= q.Cards:
		return errs.E(op, errs.Conflict, "the monthly limit of %d cards for this person is reached", q.Cards)
	}
	return nil
}

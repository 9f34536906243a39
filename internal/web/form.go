package web

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"lifeline/internal/errs"
	"lifeline/internal/i18n"
)

// Form is a submitted (or prefilled) form: what was typed, and translated
// messages for the fields that are wrong and for the form as a whole.
type Form struct {
	Values url.Values
	Errors map[string]string
	Error  string
}

func newForm(v url.Values) *Form {
	if v == nil {
		v = url.Values{}
	}
	return &Form{Values: v, Errors: map[string]string{}}
}

// Get returns the trimmed value of a field.
func (f *Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Raw returns the value of a field as typed.
func (f *Form) Raw(name string) string { return f.Values.Get(name) }

// Err returns the message of a field, or "".
func (f *Form) Err(name string) string { return f.Errors[name] }

// Invalid reports whether any field or the form has a message.
func (f *Form) Invalid() bool { return len(f.Errors) > 0 || f.Error != "" }

// fail sets a translated message on a field.
func (f *Form) fail(pr *i18n.Printer, field, key string, args ...any) {
	f.Errors[field] = pr.T(key, args...)
}

// setErr puts the messages of err on the form: each field error next to
// its field when the form has that field (one of fields), the rest at the
// top. Messages are translated.
func (f *Form) setErr(pr *i18n.Printer, err error, fields ...string) {
	fm := errs.FieldsOf(err)
	var rest []string
	for _, k := range sortedKeys(fm) {
		if slices.Contains(fields, k) {
			f.Errors[k] = message(pr, fm[k])
		} else {
			rest = append(rest, message(pr, fm[k]))
		}
	}
	switch {
	case len(rest) > 0:
		f.Error = strings.Join(rest, " ")
	case len(fm) == 0:
		f.Error = message(pr, errs.MessageOf(err))
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// messageKeys maps the user-facing English messages of the domain, the
// store and the server to catalog keys, so that they reach the user in
// the user's language.
var messageKeys = map[string]string{
	"required": "msg.required",
	"must be pow, civilian_internee or displaced_civilian":          "msg.category",
	"a name is required (the full name, or surname and given name)": "msg.name_required",
	"at most 64 letters, digits and . _ : / -":                      "msg.external_id",
	"must be m, f or empty":                                         "msg.sex",
	"must be a past date as YYYY-MM-DD, YYYY-MM or YYYY":            "msg.birth_date",
	"required for a prisoner of war (GC III 17)":                    "msg.pow_required",
	"not valid text":                                               "msg.not_text",
	"at most 20 spellings":                                         "msg.latin_count",
	"each spelling at most 300 characters":                         "msg.latin_length",
	"2 to 32 letters, digits, - or _":                              "msg.facility_code",
	"must be one of camp, prison, hospital, accommodation, other":  "msg.facility_kind",
	"unknown event type":                                           "msg.event_type",
	"required for this event":                                      "msg.facility_required",
	"the person is recorded as dead; no further status can follow": "msg.dead",
	"a capture card follows an arrival at a facility":              "msg.card_after_arrival",
	"only a person held at a facility can be transferred":          "msg.transfer_held",
	"the person is already at this facility":                       "msg.same_facility",
	"only a hospitalised person can be discharged":                 "msg.discharge",
	"nothing records that the person was held":                     "msg.not_held",
	"must be the code of a state party":                            "msg.state_party",
	"another person has this external id":                          "msg.external_id_taken",
	"the record was changed by someone else; reload and try again": "msg.changed",
	"the party of a person cannot change":                          "msg.party_fixed",
	"cannot be in the future":                                      "msg.future",
	"no such facility":                                             "msg.no_facility",
	"a facility with this code exists":                             "msg.facility_code_taken",
	"no such party":                                                "msg.no_party",
	"no such person":                                               "msg.no_person",
	"wrong name or password":                                       "msg.wrong_login",
	"you need to log in":                                           "msg.login_needed",
	"your role may not do this":                                    "msg.role_forbidden",
	"the form has expired; reload the page and try again":          "msg.csrf",
	"the session has expired":                                      "msg.session_expired",
	"no session":                                                   "msg.login_needed",
	"some fields are not valid":                                    "msg.fields",
	"the request is not valid":                                     "msg.invalid",
	"not found":                                                    "msg.not_found",
	"the request conflicts with the current state":                 "msg.conflict",
	"you are not allowed to do this":                               "msg.forbidden",
	"the request is too large":                                     "msg.too_large",
	"too many attempts; try again later":                           "msg.rate_limited",
	"too many failed logins; try again in 15 minutes":              "msg.rate_limited",
	"a record with this key already exists":                        "msg.duplicate",
	"a referenced record does not exist":                           "msg.reference",
	"a value is not allowed":                                       "msg.value",
	"this record cannot be changed":                                "msg.immutable",
	"a concurrent change got there first; try again":               "msg.concurrent",
	"not a cursor this server gave out":                            "msg.cursor",
	"the request was cancelled":                                    "msg.cancelled",
	"unknown value":                                                "msg.unknown_value",
	"must be en, ru or uk":                                         "msg.lang",
	"you may edit only your own party's facilities":                "msg.own_facility",
	"choose one of your own facilities":                            "msg.own_facility_choose",
	"cannot be before the person's birth":                          "msg.before_birth",
	"contains characters that are not text (control characters or invalid bytes)":            "msg.not_text",
	"only the party holding the person records their status":                                 "msg.holder_records",
	"a national of another party can be registered only when held at one of your facilities": "msg.register_held",
}

// messagePatterns translates messages that carry a value.
var messagePatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^at most (\d+) characters$`), "msg.max_chars"},
	{regexp.MustCompile(`^cannot be before the last recorded event \((.+)\)$`), "msg.before_last"},
	{regexp.MustCompile(`^the record was changed by someone else since you loaded it \(version (\d+), now (\d+)\); reload and try again$`), "msg.changed_versions"},
}

// message translates a domain message; one it does not know is shown as
// it is rather than lost.
func message(pr *i18n.Printer, m string) string {
	if k, ok := messageKeys[m]; ok {
		return pr.T(k)
	}
	for _, p := range messagePatterns {
		if sm := p.re.FindStringSubmatch(m); sm != nil {
			args := make([]any, len(sm)-1)
			for i, s := range sm[1:] {
				args[i] = s
			}
			return pr.T(p.key, args...)
		}
	}
	return m
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}

// FieldView is what the field partials render.
type FieldView struct {
	Name      string
	Label     string
	Value     string
	Error     string
	Hint      string
	Type      string // input type, or "textarea" or "select"
	Required  bool
	Autofocus bool
	Options   []OptionView
}

// OptionView is an option with its selected state.
type OptionView struct {
	Value    string
	Label    string
	Selected bool
}

// Field describes a form field for the "field" partial. opts are words:
// "required", "textarea", "autofocus", "type=date", "hint=catalog.key".
func (pg *Page) Field(f *Form, name, labelKey string, opts ...string) FieldView {
	fv := FieldView{Name: name, Label: pg.T(labelKey), Value: f.Raw(name), Error: f.Err(name), Type: "text"}
	for _, o := range opts {
		switch k, v, _ := strings.Cut(o, "="); k {
		case "required":
			fv.Required = true
		case "textarea":
			fv.Type = "textarea"
		case "autofocus":
			fv.Autofocus = true
		case "type":
			fv.Type = v
		case "hint":
			fv.Hint = pg.T(v)
		}
	}
	if fv.Error != "" && f.firstError() == name {
		fv.Autofocus = true
	}
	return fv
}

// Select describes a select field with its options.
func (pg *Page) Select(f *Form, name, labelKey string, options []Option, opts ...string) FieldView {
	fv := pg.Field(f, name, labelKey, opts...)
	fv.Type = "select"
	for _, o := range options {
		fv.Options = append(fv.Options, OptionView{Value: o.Value, Label: o.Label, Selected: o.Value == fv.Value})
	}
	return fv
}

// firstError names the field with a message that comes first in the
// form's field order (its Values are unordered, so by the order of
// fieldOrder, then by name).
func (f *Form) firstError() string {
	best, bi := "", len(fieldOrder)+1
	for k := range f.Errors {
		i := slices.Index(fieldOrder, k)
		if i < 0 {
			i = len(fieldOrder)
		}
		if i < bi || (i == bi && k < best) {
			best, bi = k, i
		}
	}
	return best
}

// fieldOrder is the order of fields on the forms, for autofocus.
var fieldOrder = []string{"name", "password", "category", "party", "code", "surname", "given_name", "patronymic", "native_name",
	"latin_names", "sex", "birth_date", "birth_place", "rank", "service_number", "father_name", "mother_maiden_name",
	"inform_person", "correspondence_address", "nationality", "last_residence", "distinguishing_marks", "external_id",
	"intermediary_ref", "kind", "region", "postal_address", "type", "date", "time", "facility_id", "note"}

// AlertView is the message at the top of a form that has errors.
type AlertView struct {
	Error   string
	Summary string
}

// Alert returns the top message of a form, or nil when it has none.
func (pg *Page) Alert(f *Form) *AlertView {
	if f == nil || !f.Invalid() {
		return nil
	}
	a := &AlertView{Error: f.Error}
	if n := len(f.Errors); n > 0 {
		a.Summary = pg.N("form.errors", n)
	}
	return a
}

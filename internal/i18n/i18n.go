// Package i18n holds the message catalogs of the user interface in
// English, Russian and Ukrainian, and picks a language for a request.
//
// A catalog is an embedded JSON object from message key to text, in
// catalogs/LANG.json; a feature area may keep its own keys in
// catalogs/AREA.LANG.json (a key may live in one file only). A text is
// a fmt format ("Edit %s"); a plural text is an object of CLDR plural forms
// ("one", "few", "many", "other") chosen by a count. A key missing from a
// catalog falls back to English and then to the key itself; a test checks
// that no key is missing.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// The supported languages, English first: it is the fallback.
const (
	English   = "en"
	Russian   = "ru"
	Ukrainian = "uk"
)

// Langs lists the supported language codes in display order.
func Langs() []string { return []string{English, Russian, Ukrainian} }

// Supported reports whether code is a supported language.
func Supported(code string) bool {
	return code == English || code == Russian || code == Ukrainian
}

//go:embed catalogs/*.json
var catalogFS embed.FS

// message is one catalog entry: a text, or plural forms.
type message struct {
	text   string
	plural map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &m.text); err == nil {
		return nil
	}
	m.plural = map[string]string{}
	if err := json.Unmarshal(b, &m.plural); err != nil {
		return fmt.Errorf("a message is a string or an object of plural forms: %w", err)
	}
	if m.plural["other"] == "" {
		return fmt.Errorf("a plural message needs an \"other\" form")
	}
	return nil
}

type catalog map[string]message

// catalogs is parsed once from the embedded files; it never changes.
var catalogs = mustLoad()

func mustLoad() map[string]catalog {
	files, err := fs.Glob(catalogFS, "catalogs/*.json")
	if err != nil {
		panic("i18n: " + err.Error())
	}
	out := map[string]catalog{}
	for _, l := range Langs() {
		out[l] = catalog{}
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".json")
		lang := name[strings.LastIndex(name, ".")+1:]
		if !Supported(lang) {
			panic("i18n: catalog " + f + " is not named LANG.json or AREA.LANG.json")
		}
		b, err := catalogFS.ReadFile(f)
		if err != nil {
			panic("i18n: " + err.Error())
		}
		var c catalog
		if err := json.Unmarshal(b, &c); err != nil {
			panic("i18n: catalog " + f + ": " + err.Error())
		}
		for k, m := range c {
			if _, dup := out[lang][k]; dup {
				panic("i18n: key " + k + " is in two " + lang + " catalogs")
			}
			out[lang][k] = m
		}
	}
	return out
}

// Keys lists the keys of a language's catalog, sorted.
func Keys(lang string) []string {
	var ks []string
	for k := range catalogs[lang] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Forms returns the texts of a key in a language: one text, or each plural
// form by name. ok is false when the catalog lacks the key.
func Forms(lang, key string) (forms map[string]string, ok bool) {
	m, ok := catalogs[lang][key]
	if !ok {
		return nil, false
	}
	if m.plural != nil {
		return m.plural, true
	}
	return map[string]string{"": m.text}, true
}

// Printer translates messages into one language.
type Printer struct {
	lang string
	cat  catalog
}

// New returns the printer for lang; an unsupported language gets English.
func New(lang string) *Printer {
	if !Supported(lang) {
		lang = English
	}
	return &Printer{lang: lang, cat: catalogs[lang]}
}

// Lang returns the printer's language code.
func (p *Printer) Lang() string { return p.lang }

func (p *Printer) lookup(key string) (message, bool) {
	if m, ok := p.cat[key]; ok {
		return m, true
	}
	m, ok := catalogs[English][key]
	return m, ok
}

// Has reports whether key is in the printer's catalog or in English.
func (p *Printer) Has(key string) bool {
	_, ok := p.lookup(key)
	return ok
}

// T returns the text of key, formatted with args when there are any.
func (p *Printer) T(key string, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	s := m.text
	if m.plural != nil {
		s = m.plural["other"]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// N returns the plural form of key for the count n, formatted with n and
// then args.
func (p *Printer) N(key string, n int, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return key
	}
	s := m.text
	if m.plural != nil {
		s = m.plural[PluralForm(p.lang, n)]
		if s == "" {
			s = m.plural["other"]
		}
	}
	return fmt.Sprintf(s, append([]any{n}, args...)...)
}

// PluralForm returns the CLDR plural category of the integer n in lang:
// "one" or "other" in English; "one", "few" or "many" in Russian and
// Ukrainian.
func PluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch lang {
	case Russian, Ukrainian:
		d, dd := n%10, n%100
		switch {
		case d == 1 && dd != 11:
			return "one"
		case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
			return "few"
		default:
			return "many"
		}
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// PluralForms lists the plural categories a plural message needs in lang.
func PluralForms(lang string) []string {
	if lang == Russian || lang == Ukrainian {
		return []string{"one", "few", "many", "other"}
	}
	return []string{"one", "other"}
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Russian, language.Ukrainian})

// Match picks the supported language that best fits an Accept-Language
// header, or English.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return English
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return Langs()[i]
}

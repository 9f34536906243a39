// Package translit romanizes Ukrainian and Russian text under four published
// standards, so that a name written in Cyrillic can be found from any Latin
// spelling of it and the other way round.
//
// The schemes are implemented from the standards' own tables and rules:
//
//   - KMU2010: the Ukrainian national romanization, Cabinet of Ministers of
//     Ukraine resolution No. 55 of 27 January 2010.
//   - ICAO9303: the Cyrillic table of ICAO Doc 9303 part 3, as used in Russian
//     passports since 2013.
//   - GOST779B: GOST 7.79-2000 system B (ASCII only, with the grave-accent
//     convention for ъ, ы, ь, э).
//   - BGNPCGN: the BGN/PCGN 1947 system for Russian, with its middle-dot
//     separators.
//
// Text is normalized first (NFC, apostrophes unified), so decomposed input
// such as и + U+0306 is read as й. Characters a scheme does not cover pass
// through unchanged.
package translit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"lifeline/internal/errs"
)

// Scheme names a romanization standard.
type Scheme string

// The supported schemes.
const (
	KMU2010  Scheme = "kmu2010"
	ICAO9303 Scheme = "icao9303"
	GOST779B Scheme = "gost779b"
	BGNPCGN  Scheme = "bgnpcgn"
)

// Schemes returns every supported scheme, in a fixed order.
func Schemes() []Scheme {
	return []Scheme{KMU2010, ICAO9303, GOST779B, BGNPCGN}
}

// ParseScheme returns the scheme called name (case and surrounding space
// ignored). An unknown name is an Invalid error that lists the valid ones.
func ParseScheme(name string) (Scheme, error) {
	const op = "translit.ParseScheme"
	n := strings.ToLower(strings.TrimSpace(name))
	valid := make([]string, 0, 4)
	for _, s := range Schemes() {
		if string(s) == n {
			return s, nil
		}
		valid = append(valid, string(s))
	}
	return "", errs.E(op, errs.Invalid, "unknown transliteration scheme %q (valid: %s)", name, strings.Join(valid, ", "))
}

// Apostrophe is the single apostrophe code point Normalize leaves in text:
// U+2019 RIGHT SINGLE QUOTATION MARK.
const Apostrophe = '\u2019'

// Normalize returns text in Unicode NFC with the three apostrophe code points
// used in Ukrainian (U+0027, U+02BC, U+2019) unified to U+2019. Nothing else
// is changed, except that bytes that are not valid UTF-8 become U+FFFD.
func Normalize(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
	}
	if strings.ContainsAny(text, "'\u02BC") {
		text = strings.Map(func(r rune) rune {
			if r == '\'' || r == '\u02BC' {
				return Apostrophe
			}
			return r
		}, text)
	}
	return text
}

// Translit normalizes text and romanizes it under scheme s. Characters the
// scheme does not cover, including every non-Cyrillic character, are copied
// unchanged. An unknown scheme romanizes nothing: the result is Normalize(text).
func Translit(s Scheme, text string) string {
	text = Normalize(text)
	r := rulesFor(s)
	if r == nil || !needsWork(r, text) {
		return text
	}
	return r.apply(text)
}

// IsCyrillic reports whether r belongs to the Cyrillic script.
func IsCyrillic(r rune) bool {
	return unicode.Is(unicode.Cyrillic, r)
}

// Script classifies the letters of text: "cyrillic" when all are Cyrillic,
// "latin" when all are Latin, "mixed" for any other combination (including
// letters of a third script), and "" when text has no letters. Letters that
// belong to no particular script, such as U+02BC, are ignored.
func Script(text string) string {
	var cyr, lat, other bool
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr = true
		case unicode.Is(unicode.Latin, r):
			lat = true
		case unicode.Is(unicode.Common, r), unicode.Is(unicode.Inherited, r):
		default:
			other = true
		}
	}
	switch {
	case cyr && !lat && !other:
		return "cyrillic"
	case lat && !cyr && !other:
		return "latin"
	case cyr || lat || other:
		return "mixed"
	}
	return ""
}

// needsWork reports whether text holds anything r would change.
func needsWork(r *rules, text string) bool {
	for _, c := range text {
		if c >= utf8.RuneSelf && (IsCyrillic(c) || (r.dropApostrophe && c == Apostrophe)) {
			return true
		}
	}
	return false
}

// Package names finds persons by name across the Cyrillic and Latin scripts.
//
// Every name token is reduced to a canonical key: Cyrillic is spelled in
// Latin with one fixed table, then the differences between the usual
// romanizations (Ukrainian KMU 2010, ICAO 9303, GOST 7.79 B, BGN/PCGN and
// older or foreign spellings) are folded away, so that «Щербак»,
// "Shcherbak", "Scherbak" and "Ščerbak" share the key "werbak". Given names
// are grouped with their Russian and Ukrainian forms and diminutives,
// surnames are related to their male and female forms, and up to two edits
// are forgiven. The package does no I/O.
package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxKeyLen bounds a key; longer tokens are cut.
const maxKeyLen = 40

// cyrLatin spells each lowercase Cyrillic letter in plain Latin before
// folding. One table for Russian, Ukrainian and Belarusian letters.
var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e",
	'є': "ie", 'ж': "zh", 'з': "z", 'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'к': "k",
	'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ў': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "i", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

// cyrTable is cyrLatin by code point from U+0400, for speed.
var cyrTable = func() (t [0x100]string) {
	for r, s := range cyrLatin {
		t[r-0x400] = s
	}
	return t
}()

// latinSpecial spells Latin letters whose plain form would lose a sound.
var latinSpecial = map[rune]string{
	'š': "sh", 'č': "ch", 'ž': "zh", 'ß': "ss", 'ł': "l", 'ø': "o", 'æ': "ae",
	'œ': "oe", 'đ': "d", 'ħ': "h", 'ı': "i",
}

// latinPlain maps accented Latin letters (up to U+024F) to their base
// letter, computed once from the Unicode decompositions.
var latinPlain = func() [0x250]byte {
	var t [0x250]byte
	for r := rune(0); r < 0x250; r++ {
		if r < 0x80 {
			if r >= 'a' && r <= 'z' {
				t[r] = byte(r)
			}
			continue
		}
		d := norm.NFD.String(string(unicode.ToLower(r)))
		if b := d[0]; b >= 'a' && b <= 'z' {
			t[r] = b
		}
	}
	return t
}()

// isApostrophe reports the marks that sit inside names ("Мар'яна",
// "Solov'yov", "Il`ya") and are dropped from keys.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', 'ʹ', '‘', 'ʻ', '"', '″':
		return true
	}
	return false
}

// Key returns the canonical key of one name token: lowercase ASCII over a
// folded alphabet (w for ш and щ, j for ж, q for ч, c for ц, g for г, ґ, х
// and h, i for и, і, ї, й, ы, y and j). It returns "" when the token holds no
// letters.
func Key(token string) string {
	var raw [96]byte
	var out [maxKeyLen]byte
	return string(appendKey(out[:0], spell(raw[:0], token)))
}

// spell writes token in plain lowercase Latin letters.
func spell(dst []byte, token string) []byte {
	for _, r := range token {
		if len(dst) >= cap(dst)-4 {
			break
		}
		r = unicode.ToLower(r)
		switch {
		case r >= 'a' && r <= 'z':
			dst = append(dst, byte(r))
		case r < 0x80:
		case r >= 0x400 && r <= 0x4ff:
			dst = append(dst, cyrTable[r-0x400]...)
		default:
			if s, ok := latinSpecial[r]; ok {
				dst = append(dst, s...)
			} else if r < 0x250 && latinPlain[r] != 0 {
				dst = append(dst, latinPlain[r])
			}
		}
	}
	return dst
}

// rules fold multi-letter spellings; longest first at each position.
var rules = []struct {
	from string
	to   byte
}{
	{"shch", 'w'}, {"szcz", 'w'}, {"tsch", 'q'},
	{"shh", 'w'}, {"sch", 'w'}, {"tch", 'q'},
	{"sh", 'w'}, {"sz", 'w'}, {"zh", 'j'}, {"ch", 'q'}, {"kh", 'g'}, {"gh", 'g'},
	{"ck", 'k'}, {"cz", 'c'}, {"ts", 'c'}, {"tz", 'c'}, {"ph", 'f'}, {"ou", 'u'},
}

// rulesByFirst holds the rules by their first letter, longest first.
var rulesByFirst = func() (t [256][]int) {
	for i, r := range rules {
		t[r.from[0]] = append(t[r.from[0]], i)
	}
	return t
}()

// single folds one plain letter.
var single = func() [256]byte {
	var t [256]byte
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
	}
	t['h'], t['x'] = 'g', 'g'
	t['y'], t['j'] = 'i', 'i'
	t['w'] = 'v'
	t['q'] = 'k'
	return t
}()

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// appendKey folds the plain spelling s into a key.
func appendKey(dst []byte, s []byte) []byte {
	var buf [96]byte
	codes := buf[:0]
	for i := 0; i < len(s); {
		matched := false
		for _, ri := range rulesByFirst[s[i]] {
			r := &rules[ri]
			if len(s)-i >= len(r.from) && string(s[i:i+len(r.from)]) == r.from {
				codes = append(codes, r.to)
				i += len(r.from)
				matched = true
				break
			}
		}
		if !matched {
			codes = append(codes, single[s[i]])
			i++
		}
	}
	codes = collapse(codes)
	// A glide before e is dropped (Yelena, Sergeyev, Andriienko); "io"
	// after a consonant is ё (Fyodor, Solovyov).
	w := 0
	for i := 0; i < len(codes); i++ {
		c := codes[i]
		if c == 'i' && i+1 < len(codes) {
			if codes[i+1] == 'e' {
				continue
			}
			if codes[i+1] == 'o' && i > 0 && !isVowel(codes[i-1]) {
				codes[i+1] = 'e'
				continue
			}
		}
		codes[w] = c
		w++
	}
	codes = collapse(codes[:w])
	if len(codes) > maxKeyLen {
		codes = codes[:maxKeyLen]
	}
	return append(dst, codes...)
}

// collapse squeezes runs of one code into one.
func collapse(b []byte) []byte {
	w := 0
	for i := 0; i < len(b); i++ {
		if w > 0 && b[w-1] == b[i] {
			continue
		}
		b[w] = b[i]
		w++
	}
	return b[:w]
}

// token is one word of a name as written, with its key.
type token struct {
	text string
	key  string
}

// isNameRune reports letters; combining marks stay with their letter.
func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// splitWords cuts text into words of letters and inner apostrophes. Invalid
// UTF-8 and every other character separate words.
func splitWords(text string) []string {
	var words []string
	start := -1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		inWord := r != utf8.RuneError && (isNameRune(r) || (start >= 0 && isApostrophe(r)))
		if inWord && start < 0 {
			start = i
		}
		if !inWord && start >= 0 {
			words = append(words, strings.TrimRightFunc(text[start:i], isApostrophe))
			start = -1
		}
		i += size
	}
	if start >= 0 {
		words = append(words, strings.TrimRightFunc(text[start:], isApostrophe))
	}
	return words
}

// tokens splits text into words and keys them, dropping words without a key
// and repeated keys.
func tokens(text string) []token {
	words := splitWords(text)
	out := make([]token, 0, len(words))
	for _, w := range words {
		k := Key(w)
		if k == "" {
			continue
		}
		dup := false
		for _, t := range out {
			if t.key == k {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, token{text: w, key: k})
		}
	}
	return out
}

package translit

import (
	"strings"
	"unicode"
)

// rules is one scheme: how a lowercase Cyrillic letter is written in
// context, and what separator, if any, goes between two letters.
type rules struct {
	// table maps each lowercase letter the scheme covers to its usual
	// lowercase romanization.
	table map[rune]string
	// fast holds table for the Cyrillic block U+0400..U+04FF, where every
	// covered letter lies; has marks its entries.
	fast [0x100]string
	has  [0x100]bool
	// context, when set, returns the romanization of rs[i] (lowercase c)
	// where its neighbours change it, and false where the table applies.
	context func(rs []rune, i int, c rune) (string, bool)
	// sep returns the separator written between the adjacent letters p and
	// c (both lowercase), or "".
	sep func(p, c rune) string
	// dropApostrophe drops an apostrophe next to a Cyrillic letter.
	dropApostrophe bool
}

func init() {
	for _, r := range []*rules{&kmuRules, &icaoRules, &gostRules, &bgnRules} {
		for c, s := range r.table {
			if c < 0x400 || c > 0x4FF {
				panic("translit: table letter outside U+0400..U+04FF")
			}
			r.fast[c-0x400], r.has[c-0x400] = s, true
		}
	}
}

// lookup returns the usual romanization of the lowercase letter c.
func (r *rules) lookup(c rune) (string, bool) {
	if c < 0x400 || c > 0x4FF {
		return "", false
	}
	return r.fast[c-0x400], r.has[c-0x400]
}

// isMark reports whether c is a nonspacing combining mark.
func isMark(c rune) bool {
	return c >= 0x300 && unicode.Is(unicode.Mn, c)
}

func rulesFor(s Scheme) *rules {
	switch s {
	case KMU2010:
		return &kmuRules
	case ICAO9303:
		return &icaoRules
	case GOST779B:
		return &gostRules
	case BGNPCGN:
		return &bgnRules
	}
	return nil
}

// apply romanizes normalized text.
func (r *rules) apply(text string) string {
	rs := r.stripMarks([]rune(text))
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for i, ch := range rs {
		if ch == Apostrophe && r.dropApostrophe && (isCyrLetter(at(rs, i-1)) || isCyrLetter(at(rs, i+1))) {
			continue
		}
		c := unicode.ToLower(ch)
		out, ok := r.lookup(c)
		if !ok {
			b.WriteRune(ch)
			continue
		}
		if r.context != nil {
			if s, ok := r.context(rs, i, c); ok {
				out = s
			}
		}
		if r.sep != nil && i > 0 {
			b.WriteString(r.sep(unicode.ToLower(rs[i-1]), c))
		}
		if unicode.IsUpper(ch) && out != "" {
			if allCaps(rs, i) {
				out = strings.ToUpper(out)
			} else {
				out = title(out)
			}
		}
		b.WriteString(out)
	}
	return b.String()
}

// stripMarks removes combining marks (such as a stress accent, U+0301) that
// still follow a letter the scheme romanizes after NFC: they belong to the
// Cyrillic letter and have no place in its Latin spelling.
func (r *rules) stripMarks(rs []rune) []rune {
	out := rs[:0]
	after := false
	for _, ch := range rs {
		if after && isMark(ch) {
			continue
		}
		out = append(out, ch)
		_, after = r.lookup(unicode.ToLower(ch))
	}
	return out
}

// at returns rs[i], or 0 outside rs.
func at(rs []rune, i int) rune {
	if i < 0 || i >= len(rs) {
		return 0
	}
	return rs[i]
}

// lowerAt returns the lowercase of rs[i], or 0 outside rs.
func lowerAt(rs []rune, i int) rune {
	return unicode.ToLower(at(rs, i))
}

func isCyrLetter(r rune) bool {
	return r != 0 && unicode.IsLetter(r) && IsCyrillic(r)
}

// wordInitial reports whether rs[i] starts a word: it follows no letter, or
// follows an apostrophe that itself follows no letter. An apostrophe inside a
// word (Мар’їне) does not start a new one; a hyphen or a space does.
func wordInitial(rs []rune, i int) bool {
	p := at(rs, i-1)
	if p == Apostrophe {
		p = at(rs, i-2)
	}
	return p == 0 || !(unicode.IsLetter(p) || isMark(p))
}

// allCaps reports whether the uppercase letter rs[i] is written in an
// all-caps word: the next letter of its word is uppercase or, when it is the
// last letter, the one before it is. A capital that is a word on its own
// (an initial, the Ukrainian conjunction Є) takes the case of the nearest
// word of two or more letters, looking back first; with none it is title
// case.
func allCaps(rs []rune, i int) bool {
	if up, ok := neighbourCase(rs, i, 1); ok {
		return up
	}
	if up, ok := neighbourCase(rs, i, -1); ok {
		return up
	}
	for _, step := range []int{-1, 1} {
		if up, ok := wordCase(rs, i, step); ok {
			return up
		}
	}
	return false
}

// caseReach bounds how far wordCase looks, so that text made of many
// one-letter words stays linear.
const caseReach = 64

// wordCase finds, in direction step, the nearest word beyond rs[i]'s that
// has two cased letters side by side, skipping one-letter words, and
// reports whether both letters are uppercase; ok is false if there is none.
func wordCase(rs []rune, i, step int) (upper, ok bool) {
	for j, n := i+step, 0; j >= 0 && j < len(rs) && n < caseReach; j, n = j+step, n+1 {
		c := rs[j]
		if !unicode.IsUpper(c) && !unicode.IsLower(c) {
			continue
		}
		if up, ok := neighbourCase(rs, j, step); ok {
			return up && unicode.IsUpper(c), true
		}
	}
	return false, false
}

// neighbourCase looks from rs[i] in direction step, across apostrophes and
// combining marks, for a cased letter of the same word: it reports whether
// that letter is uppercase, and false for ok when there is none.
func neighbourCase(rs []rune, i, step int) (upper, ok bool) {
	for j := i + step; j >= 0 && j < len(rs); j += step {
		c := rs[j]
		switch {
		case c == Apostrophe || isMark(c):
			continue
		case unicode.IsUpper(c):
			return true, true
		case unicode.IsLower(c):
			return false, true
		}
		return false, false
	}
	return false, false
}

// title uppercases the first character of s.
func title(s string) string {
	for i, r := range s {
		u := unicode.ToUpper(r)
		if u == r {
			return s
		}
		return string(u) + s[i+len(string(r)):]
	}
	return s
}

package translit

import "strings"

// KMU 2010 (resolution No. 55). Є, Ї, Й, Ю, Я have a form for the start of a
// word; зг is written zgh; the soft sign and the apostrophe are dropped.
var kmuTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e",
	'є': "ie", 'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch",
	'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu", 'я': "ia",
}

var kmuInitial = map[rune]string{
	'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya",
}

var kmuRules = rules{
	table: kmuTable,
	context: func(rs []rune, i int, c rune) (string, bool) {
		if s, ok := kmuInitial[c]; ok && wordInitial(rs, i) {
			return s, true
		}
		if c == 'г' && lowerAt(rs, i-1) == 'з' {
			return "gh", true
		}
		return "", false
	},
	dropApostrophe: true,
}

// ICAO Doc 9303, part 3: one table, no context. Besides the Russian letters
// it holds the other Cyrillic letters of the same ICAO table that a Russian
// record may contain (Ukrainian and Belarusian names).
var icaoTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
	'ґ': "g", 'є': "ie", 'і': "i", 'ї': "i", 'ў': "u",
}

var icaoRules = rules{table: icaoTable}

// GOST 7.79-2000 system B, Russian table, with the four pre-1918 letters the
// standard also lists. ц is c before е, и, й, ы (and і), cz elsewhere.
var gostTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "j", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "x", 'ц': "cz", 'ч': "ch", 'ш': "sh", 'щ': "shh",
	'ъ': "``", 'ы': "y`", 'ь': "`", 'э': "e`", 'ю': "yu", 'я': "ya",
	'і': "i`", 'ѣ': "ye", 'ѳ': "fh", 'ѵ': "yh",
}

var gostRules = rules{
	table: gostTable,
	context: func(rs []rune, i int, c rune) (string, bool) {
		if c == 'ц' {
			switch lowerAt(rs, i+1) {
			case 'е', 'и', 'й', 'ы', 'і':
				return "c", true
			}
		}
		return "", false
	},
}

// BGN/PCGN 1947 for Russian. е and ё are ye and yë at the start of a word and
// after a vowel, й, ъ or ь. A middle dot separates тс (t·s, not ц), шч
// (sh·ch, not щ), й or ы before а, у, ы, э, ы after a vowel, and э after a
// consonant.
var bgnTable = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "ë",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "\u201D", 'ы': "y", 'ь': "\u2019", 'э': "e", 'ю': "yu", 'я': "ya",
}

const (
	ruVowels     = "аеёиоуыэюя"
	ruConsonants = "бвгджзклмнпрстфхцчшщ"
	middleDot    = "\u00B7"
)

var bgnRules = rules{
	table: bgnTable,
	context: func(rs []rune, i int, c rune) (string, bool) {
		if c == 'е' || c == 'ё' {
			p := lowerAt(rs, i-1)
			if wordInitial(rs, i) || strings.ContainsRune(ruVowels, p) || p == 'й' || p == 'ъ' || p == 'ь' {
				if c == 'е' {
					return "ye", true
				}
				return "yë", true
			}
		}
		return "", false
	},
	sep: func(p, c rune) string {
		switch {
		case p == 'т' && c == 'с', p == 'ш' && c == 'ч':
			return middleDot
		case (p == 'й' || p == 'ы') && strings.ContainsRune("ауыэ", c):
			return middleDot
		case c == 'ы' && strings.ContainsRune(ruVowels, p):
			return middleDot
		case c == 'э' && strings.ContainsRune(ruConsonants, p):
			return middleDot
		}
		return ""
	},
}

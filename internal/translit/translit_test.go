package translit

import (
	"strings"
	"testing"
	"unicode/utf8"

	"lifeline/internal/errs"
)

func TestTranslit(t *testing.T) {
	tests := []struct {
		name   string
		scheme Scheme
		in     string
		want   string
	}{
		{"empty kmu", KMU2010, "", ""},
		{"empty bgn", BGNPCGN, "", ""},
		{"digits and punctuation", KMU2010, "Київ 2022, вул. Шевченка 5-А!", "Kyiv 2022, vul. Shevchenka 5-A!"},
		{"digits and punctuation icao", ICAO9303, "Москва, ул. Тверская 13/1 (кв. 7)", "Moskva, ul. Tverskaia 13/1 (kv. 7)"},
		{"all caps shch", KMU2010, "ЩУКА", "SHCHUKA"},
		{"title shch", KMU2010, "Щука", "Shchuka"},
		{"lone capital is title", KMU2010, "Щ.", "Shch."},
		{"all caps last letter", KMU2010, "ГАЩ", "HASHCH"},
		{"caps word inside title text", KMU2010, "Олег ЮЩЕНКО", "Oleh YUSHCHENKO"},
		{"lone capital in caps text", KMU2010, "ТАРАС Є ПОЕТ", "TARAS YE POET"},
		{"lone capital in title text", KMU2010, "Тарас Є поет", "Taras Ye poet"},
		{"lone capital before caps word", KMU2010, "Щ. ЮЩЕНКО", "SHCH. YUSHCHENKO"},
		{"initials in title text", KMU2010, "Т. Щ. Шевченко", "T. Shch. Shevchenko"},
		{"caps surname then initials", KMU2010, "ШЕВЧЕНКО Щ. Ю.", "SHEVCHENKO SHCH. YU."},
		{"lone capital alone", BGNPCGN, "Щ", "Shch"},
		{"capital before lowercase in caps text", KMU2010, "ЮЩЕНКО Юрій", "YUSHCHENKO Yurii"},
		{"word initial capital before lower", KMU2010, "Юлія", "Yuliia"},
		{"word initial after hyphen", KMU2010, "Козаченко-Юрченко", "Kozachenko-Yurchenko"},
		{"yi inside word", KMU2010, "Їжакевич", "Yizhakevych"},
		{"zgh all caps", KMU2010, "ЗГАРДА", "ZGHARDA"},
		{"zgh inside", KMU2010, "розгін", "rozghin"},
		{"z and h apart", KMU2010, "з горба", "z horba"},
		{"apostrophe U+0027", KMU2010, "Знам'янка", "Znamianka"},
		{"apostrophe U+02BC", KMU2010, "Знамʼянка", "Znamianka"},
		{"apostrophe U+2019", KMU2010, "Знам’янка", "Znamianka"},
		{"apostrophe after yi not initial", KMU2010, "Мар'їне", "Marine"},
		{"decomposed short i", KMU2010, "Андрі\u0438\u0306", "Andrii"},
		{"decomposed capital short i", KMU2010, "\u0418\u0306осип", "Yosyp"},
		{"decomposed yi", KMU2010, "Киі\u0308в", "Kyiv"},
		{"soft sign dropped", KMU2010, "Тернопіль", "Ternopil"},
		{"latin passthrough", KMU2010, "John Smith, 1984", "John Smith, 1984"},
		{"latin apostrophe is unified only", KMU2010, "O'Brien", "O’Brien"},
		{"mixed scripts", KMU2010, "Олег Smith", "Oleh Smith"},
		{"russian letters outside kmu pass", KMU2010, "Артём", "Artёm"},
		{"icao hard sign", ICAO9303, "Ян Разъездной", "Ian Razieezdnoi"},
		{"icao yo", ICAO9303, "Артём", "Artem"},
		{"icao caps", ICAO9303, "ЮЛИЯ ЩЕГЛОВА", "IULIIA SHCHEGLOVA"},
		{"icao stress mark dropped", ICAO9303, "Ива\u0301нов", "Ivanov"},
		{"icao ukrainian letters", ICAO9303, "Ґалаґан Євгенія Їжак", "Galagan Ievgeniia Izhak"},
		{"gost c before y`", GOST779B, "Цыганков", "Cy`gankov"},
		{"gost c before i", GOST779B, "Цирк", "Cirk"},
		{"gost c before e", GOST779B, "Целиков", "Celikov"},
		{"gost c before j", GOST779B, "Цйу", "Cju"},
		{"gost cz elsewhere", GOST779B, "Царёв", "Czaryov"},
		{"gost cz at end", GOST779B, "Кузнец", "Kuznecz"},
		{"gost cz caps", GOST779B, "ЦАРЬ", "CZAR`"},
		{"gost c caps", GOST779B, "ЦИРК", "CIRK"},
		{"gost hard sign", GOST779B, "Съезд", "S``ezd"},
		{"gost e grave", GOST779B, "Эдуард", "E`duard"},
		{"gost shh", GOST779B, "Щукин", "Shhukin"},
		{"gost pre-reform", GOST779B, "мѣра", "myera"},
		{"bgn ye initial", BGNPCGN, "Елизово", "Yelizovo"},
		{"bgn ye after vowel", BGNPCGN, "Чапаевск", "Chapayevsk"},
		{"bgn ye after soft sign", BGNPCGN, "Юрьев", "Yur’yev"},
		{"bgn yo initial", BGNPCGN, "Ёдва", "Yëdva"},
		{"bgn yo decomposed", BGNPCGN, "Е\u0308два", "Yëdva"},
		{"bgn yo after consonant", BGNPCGN, "Озёрный", "Ozërnyy"},
		{"bgn yo after soft sign", BGNPCGN, "Воробьёво", "Vorob’yëvo"},
		{"bgn yo after short i", BGNPCGN, "Айёган", "Ayyëgan"},
		{"bgn yo after i", BGNPCGN, "Змииёвка", "Zmiiyëvka"},
		{"bgn dot e after consonant", BGNPCGN, "Улан-Удэ", "Ulan-Ud·e"},
		{"bgn e after vowel", BGNPCGN, "Руэм", "Ruem"},
		{"bgn dot y after vowel and y before vowel", BGNPCGN, "Тыайа", "Ty·ay·a"},
		{"bgn dot short i before y", BGNPCGN, "Сайылык", "Say·ylyk"},
		{"bgn dot sh ch", BGNPCGN, "Ташчишма", "Tash·chishma"},
		{"bgn dot t s", BGNPCGN, "Вяртсиля", "Vyart·silya"},
		{"bgn ts is one letter", BGNPCGN, "Цна", "Tsna"},
		{"bgn caps signs", BGNPCGN, "ОБЪЕЗД", "OB”YEZD"},
		{"bgn sentence", BGNPCGN, "Юлия, съешь ещё этих мягких французских булок из Йошкар-Олы, да выпей алтайского чаю",
			"Yuliya, s”yesh’ yeshchë etikh myagkikh frantsuzskikh bulok iz Yoshkar-Oly, da vypey altayskogo chayu"},
		{"gost sentence", GOST779B, "Юлия, съешь ещё этих мягких французских булок из Йошкар-Олы, да выпей алтайского чаю",
			"Yuliya, s``esh` eshhyo e`tix myagkix franczuzskix bulok iz Joshkar-Oly`, da vy`pej altajskogo chayu"},
		{"icao sentence", ICAO9303, "Юлия, съешь ещё этих мягких французских булок из Йошкар-Олы, да выпей алтайского чаю",
			"Iuliia, sieesh eshche etikh miagkikh frantsuzskikh bulok iz Ioshkar-Oly, da vypei altaiskogo chaiu"},
		{"unknown scheme leaves text", Scheme("iso9"), "Київ", "Київ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Translit(tt.scheme, tt.in); got != tt.want {
				t.Errorf("Translit(%s, %q) = %q, want %q", tt.scheme, tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii apostrophe", "Мар'їне", "Мар’їне"},
		{"modifier apostrophe", "Марʼїне", "Мар’їне"},
		{"typographic apostrophe kept", "Мар’їне", "Мар’їне"},
		{"short i composed", "\u0438\u0306", "й"},
		{"yo composed", "\u0435\u0308", "ё"},
		{"stress mark kept", "а\u0301", "а\u0301"},
		{"other quotes untouched", "‘a’ `b` «c»", "‘a’ `b` «c»"},
		{"latin untouched", "Zoë", "Zoë"},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseScheme(t *testing.T) {
	for _, s := range Schemes() {
		t.Run(string(s), func(t *testing.T) {
			for _, name := range []string{string(s), strings.ToUpper(string(s)), " " + string(s) + "\n"} {
				got, err := ParseScheme(name)
				if err != nil || got != s {
					t.Errorf("ParseScheme(%q) = %q, %v, want %q, nil", name, got, err, s)
				}
			}
		})
	}
	for _, name := range []string{"", "iso9", "kmu", "gost779"} {
		t.Run("invalid "+name, func(t *testing.T) {
			_, err := ParseScheme(name)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseScheme(%q) error = %v, want kind %s", name, err, errs.Invalid)
			}
			msg := errs.MessageOf(err)
			for _, s := range Schemes() {
				if !strings.Contains(msg, string(s)) {
					t.Errorf("message %q does not list %q", msg, s)
				}
			}
		})
	}
}

func TestSchemes(t *testing.T) {
	got := Schemes()
	want := []Scheme{KMU2010, ICAO9303, GOST779B, BGNPCGN}
	if len(got) != len(want) {
		t.Fatalf("got %d schemes, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Schemes()[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestScript(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"123 - 45", ""},
		{"Олег", "cyrillic"},
		{"Знамʼянка", "cyrillic"},
		{"Шевченко Т. Г., 1814", "cyrillic"},
		{"Oleh", "latin"},
		{"O'Brien 2", "latin"},
		{"Oleh Олег", "mixed"},
		{"Ελένη", "mixed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Script(tt.in); got != tt.want {
				t.Errorf("Script(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsCyrillic(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{'Ж', true}, {'ї', true}, {'ґ', true}, {'ѣ', true},
		{'Z', false}, {'1', false}, {'\u2019', false}, {'\u0306', false},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			if got := IsCyrillic(tt.r); got != tt.want {
				t.Errorf("IsCyrillic(%U) = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

// TestEveryLetterRomanized checks that no letter a scheme covers survives in
// its output, in either case.
func TestEveryLetterRomanized(t *testing.T) {
	for _, s := range Schemes() {
		t.Run(string(s), func(t *testing.T) {
			var in strings.Builder
			for c := range rulesFor(s).table {
				in.WriteString(strings.ToUpper(string(c)) + string(c) + " " + string(c) + " ")
			}
			checkNoCoveredLetter(t, s, Translit(s, in.String()))
		})
	}
}

func checkNoCoveredLetter(t *testing.T, s Scheme, out string) {
	t.Helper()
	table := rulesFor(s).table
	for _, r := range out {
		if _, ok := table[r]; ok {
			t.Errorf("%s: output %q still holds %q", s, out, r)
			return
		}
		if _, ok := table[[]rune(strings.ToLower(string(r)))[0]]; ok {
			t.Errorf("%s: output %q still holds %q", s, out, r)
			return
		}
	}
}

func FuzzTranslit(f *testing.F) {
	for _, seed := range []string{
		"", "Київ", "ЗНАМʼЯНКА", "Знам'янка", "и\u0306", "Тыайа", "Улан-Удэ", "ЦАРЬ", "a\xffb",
		"Щ", "ъь’'ʼ", "O'Brien Олег 42", "\u0301\u0301", "ра\u0301дость",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, s := range Schemes() {
			out := Translit(s, in)
			if !utf8.ValidString(out) {
				t.Fatalf("Translit(%s, %q) = %q, not valid UTF-8", s, in, out)
			}
			checkNoCoveredLetter(t, s, out)
		}
		if Script(Normalize(in)) == "latin" && !strings.ContainsRune(Normalize(in), Apostrophe) {
			for _, s := range Schemes() {
				if got, want := Translit(s, in), Normalize(in); got != want {
					t.Fatalf("Translit(%s, %q) = %q, want Latin text unchanged %q", s, in, got, want)
				}
			}
		}
	})
}

func BenchmarkTranslit(b *testing.B) {
	inputs := map[string]string{
		"name":     "Шевченко Тарас Григорович",
		"sentence": "Юлия, съешь ещё этих мягких французских булок из Йошкар-Олы, да выпей алтайского чаю",
		"latin":    "Shevchenko Taras Hryhorovych",
	}
	for _, s := range Schemes() {
		for name, in := range inputs {
			b.Run(string(s)+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					_ = Translit(s, in)
				}
			})
		}
	}
}

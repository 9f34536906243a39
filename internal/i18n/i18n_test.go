package i18n

import (
	"regexp"
	"sort"
	"testing"
)

func TestEveryCatalogHasEveryKey(t *testing.T) {
	all := map[string]bool{}
	for _, l := range Langs() {
		for _, k := range Keys(l) {
			all[k] = true
		}
	}
	if len(all) < 100 {
		t.Fatalf("got %d keys in all, want the whole UI (at least 100)", len(all))
	}
	for _, l := range Langs() {
		for k := range all {
			if _, ok := Forms(l, k); !ok {
				t.Errorf("%s: missing key %q", l, k)
			}
		}
	}
}

var verb = regexp.MustCompile(`%[-+# 0-9.\[\]]*[a-zA-Z%]`)

func verbs(s string) []string {
	v := verb.FindAllString(s, -1)
	sort.Strings(v)
	return v
}

// Every translation takes the same arguments as the English text, every
// plural message has the forms its language needs, and nothing is empty.
func TestTranslationsAgree(t *testing.T) {
	for _, k := range Keys(English) {
		en, _ := Forms(English, k)
		_, enPlural := en[""]
		enPlural = !enPlural
		want := verbs(en[firstKey(en)])
		for _, l := range Langs() {
			forms, ok := Forms(l, k)
			if !ok {
				continue
			}
			_, single := forms[""]
			if single == enPlural {
				t.Errorf("%s %s: plural in one language and not in another", l, k)
				continue
			}
			if enPlural {
				for _, f := range PluralForms(l) {
					if forms[f] == "" {
						t.Errorf("%s %s: missing plural form %q", l, k, f)
					}
				}
			}
			for f, s := range forms {
				if s == "" {
					t.Errorf("%s %s %s: empty", l, k, f)
				}
				if got := verbs(s); !equal(got, want) {
					t.Errorf("%s %s %s: got verbs %v, want %v as in English", l, k, f, got, want)
				}
			}
		}
	}
}

func firstKey(m map[string]string) string {
	if _, ok := m[""]; ok {
		return ""
	}
	return "other"
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The Russian and Ukrainian catalogs are translations, not copies.
func TestTranslated(t *testing.T) {
	same := map[string]bool{"app.name": true}
	for _, l := range []string{Russian, Ukrainian} {
		n := 0
		for _, k := range Keys(English) {
			en, _ := Forms(English, k)
			tr, _ := Forms(l, k)
			if en[firstKey(en)] == tr[firstKey(tr)] && !same[k] {
				t.Errorf("%s %s: same text as English: %q", l, k, en[firstKey(en)])
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no keys", l)
		}
	}
}

func TestPluralForm(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{English, 0, "other"}, {English, 1, "one"}, {English, 2, "other"}, {English, 21, "other"},
		{Russian, 1, "one"}, {Russian, 2, "few"}, {Russian, 4, "few"}, {Russian, 5, "many"}, {Russian, 11, "many"},
		{Russian, 12, "many"}, {Russian, 14, "many"}, {Russian, 21, "one"}, {Russian, 22, "few"}, {Russian, 25, "many"},
		{Russian, 0, "many"}, {Russian, 101, "one"}, {Russian, 111, "many"},
		{Ukrainian, 1, "one"}, {Ukrainian, 3, "few"}, {Ukrainian, 7, "many"}, {Ukrainian, 13, "many"}, {Ukrainian, 1000, "many"},
	} {
		if got := PluralForm(tc.lang, tc.n); got != tc.want {
			t.Errorf("PluralForm(%s, %d): got %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestPrinter(t *testing.T) {
	for _, tc := range []struct {
		lang, key string
		n         int
		args      []any
		want      string
	}{
		{English, "nav.persons", -1, nil, "Persons"},
		{Russian, "nav.persons", -1, nil, "Лица"},
		{Ukrainian, "nav.persons", -1, nil, "Особи"},
		{"de", "nav.persons", -1, nil, "Persons"},
		{English, "dashboard.welcome", -1, []any{"anna"}, "Welcome, anna."},
		{English, "form.errors", 1, nil, "1 field needs correcting."},
		{English, "form.errors", 3, nil, "3 fields need correcting."},
		{Russian, "form.errors", 1, nil, "Исправьте 1 поле."},
		{Russian, "form.errors", 3, nil, "Исправьте 3 поля."},
		{Russian, "form.errors", 5, nil, "Исправьте 5 полей."},
		{Ukrainian, "form.errors", 22, nil, "Виправте 22 поля."},
		{Ukrainian, "form.errors", 11, nil, "Виправте 11 полів."},
		{English, "no.such.key", -1, nil, "no.such.key"},
	} {
		p := New(tc.lang)
		var got string
		if tc.n >= 0 {
			got = p.N(tc.key, tc.n, tc.args...)
		} else {
			got = p.T(tc.key, tc.args...)
		}
		if got != tc.want {
			t.Errorf("%s %s %d: got %q, want %q", tc.lang, tc.key, tc.n, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", English},
		{"uk-UA,uk;q=0.9,en;q=0.5", Ukrainian},
		{"ru-RU,ru;q=0.9", Russian},
		{"de-DE,de;q=0.9", English},
		{"fr, ru;q=0.4", Russian},
		{"en-GB", English},
		{"not a header;;;", English},
	} {
		if got := Match(tc.header); got != tc.want {
			t.Errorf("Match(%q): got %q, want %q", tc.header, got, tc.want)
		}
	}
}

package names

import (
	"strings"
	"testing"

	"lifeline/internal/errs"
)

func FuzzKey(f *testing.F) {
	for _, s := range []string{"Щербак", "Shcherbak", "Ščerbak", "Мар'яна", "\xff\xfe", "ЪЬ", strings.Repeat("щ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if len(k) > maxKeyLen {
			t.Fatalf("Key(%q) = %q, longer than %d", s, k, maxKeyLen)
		}
		for i := 0; i < len(k); i++ {
			if k[i] < 'a' || k[i] > 'z' {
				t.Fatalf("Key(%q) = %q, has byte %q outside a-z", s, k, k[i])
			}
			if i > 0 && k[i] == k[i-1] {
				t.Fatalf("Key(%q) = %q, has a repeated code", s, k)
			}
		}
	})
}

func FuzzSearch(f *testing.F) {
	ix := NewIndex()
	ix.Build(corpus)
	for _, s := range []string{"Shcherbak Andrii", "\xff\x00", "Щerbak Андрюша", strings.Repeat("я ", 99), "Иванова-Петрова", "a b c d e f g h i j"} {
		f.Add(s, "1990-04-12", "m")
	}
	f.Fuzz(func(t *testing.T, text, birth, sex string) {
		rs, err := ix.Search(Query{Text: text, BirthDate: birth, Sex: sex})
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Search(%q) error %v, want Invalid or none", text, err)
			}
			return
		}
		if len(rs) > defaultLimit {
			t.Fatalf("Search(%q) gave %d results, over the default limit", text, len(rs))
		}
		for i := 1; i < len(rs); i++ {
			if rs[i].Score > rs[i-1].Score {
				t.Fatalf("Search(%q) results out of order: %v then %v", text, rs[i-1].Score, rs[i].Score)
			}
		}
	})
}

package translit

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// The conformance rows live outside the module, in ../shared/testdata/translit
// relative to the module root (see that directory's README for their origin).

// conformanceDir finds the shared conformance data from the module root.
func conformanceDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the package directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "testdata", "translit")
	if _, err := os.Stat(data); err != nil {
		t.Fatalf("conformance data: %v", err)
	}
	return data
}

// readTSV returns the rows of a TAB-separated file with no header.
func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no rows", path)
	}
	return rows
}

// fileScheme maps each conformance file to its scheme and whether it is a
// letter table.
var fileScheme = map[string]struct {
	scheme  Scheme
	letters bool
}{
	"kmu2010.tsv":             {KMU2010, false},
	"kmu2010-letters.tsv":     {KMU2010, true},
	"ru-icao.tsv":             {ICAO9303, false},
	"ru-icao-letters.tsv":     {ICAO9303, true},
	"ru-gost779b.tsv":         {GOST779B, false},
	"ru-gost779b-letters.tsv": {GOST779B, true},
	"ru-bgnpcgn.tsv":          {BGNPCGN, false},
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tsv files in %s (%v)", dir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		fs, ok := fileScheme[name]
		if !ok {
			t.Errorf("%s: no scheme known for this file", name)
			continue
		}
		rows := readTSV(t, path)
		t.Run(name, func(t *testing.T) {
			for i, row := range rows {
				rowName := fmt.Sprintf("%03d_%s", i+1, row[0])
				switch {
				case !fs.letters:
					if len(row) < 2 {
						t.Fatalf("row %d: got %d columns, want at least 2", i+1, len(row))
					}
					t.Run(rowName, func(t *testing.T) {
						checkTranslit(t, fs.scheme, row[0], row[1])
					})
				case fs.scheme == KMU2010:
					if len(row) < 3 {
						t.Fatalf("row %d: got %d columns, want at least 3", i+1, len(row))
					}
					t.Run(rowName, func(t *testing.T) { checkKMULetter(t, row[0], row[1], row[2]) })
				default:
					t.Run(rowName, func(t *testing.T) { checkRuLetter(t, fs.scheme, row[0], row[1]) })
				}
			}
		})
	}
}

func checkTranslit(t *testing.T, s Scheme, in, want string) {
	t.Helper()
	if got := Translit(s, in); got != want {
		t.Errorf("Translit(%s, %q) = %q, want %q", s, in, got, want)
	}
}

// checkKMULetter checks one row of the KMU letter table. The letter column
// is an upper- and lowercase pair ("Єє"), a lowercase combination ("зг") or
// a list of apostrophe code points; the Latin columns hold the matching
// forms at the start of a word and elsewhere. A word start is tested with
// the letter followed by "а"; elsewhere with "б" before it.
func checkKMULetter(t *testing.T, letter, initial, elsewhere string) {
	t.Helper()
	type form struct{ in, initial, elsewhere string }
	var forms []form
	switch rs := []rune(letter); {
	case strings.Contains(letter, "(apostrophe)"):
		for _, f := range strings.Fields(strings.TrimSpace(strings.Replace(letter, "(apostrophe)", "", 1))) {
			forms = append(forms, form{f, initial, elsewhere})
		}
	case len(rs) == 2 && unicode.IsUpper(rs[0]) && unicode.ToLower(rs[0]) == rs[1]:
		ini, els := strings.Fields(initial), strings.Fields(elsewhere)
		if len(ini) == 0 && len(els) == 0 {
			ini, els = []string{"", ""}, []string{"", ""}
		}
		if len(ini) != 2 || len(els) != 2 {
			t.Fatalf("row %q: want upper and lower forms, got %q and %q", letter, initial, elsewhere)
		}
		forms = append(forms, form{string(rs[0]), ini[0], els[0]}, form{string(rs[1]), ini[1], els[1]})
	default:
		forms = append(forms, form{letter, initial, elsewhere})
	}
	if len(forms) == 0 {
		t.Fatalf("row %q: no letters", letter)
	}
	for _, f := range forms {
		checkTranslit(t, KMU2010, f.in+"а", f.initial+"a")
		checkTranslit(t, KMU2010, "б"+f.in+"а", "b"+f.elsewhere+"a")
		if r := []rune(f.in); IsCyrillic(r[0]) {
			checkTranslit(t, KMU2010, f.in, f.initial)
		}
	}
}

// checkRuLetter checks one row of a Russian letter table: a lowercase letter
// on its own (and as a lone capital, in title case), or a rule row such as
// "ц(+е|и|й|ы)" whose Latin form applies before each listed letter.
func checkRuLetter(t *testing.T, s Scheme, letter, want string) {
	t.Helper()
	if base, rest, ok := strings.Cut(letter, "(+"); ok {
		next := strings.Split(strings.TrimSuffix(rest, ")"), "|")
		for _, n := range next {
			got := Translit(s, base+n)
			tail := Translit(s, n)
			if got != want+tail {
				t.Errorf("Translit(%s, %q) = %q, want %q", s, base+n, got, want+tail)
			}
		}
		return
	}
	checkTranslit(t, s, letter, want)
	checkTranslit(t, s, strings.ToUpper(letter), title(want))
}

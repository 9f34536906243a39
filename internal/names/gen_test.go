package names

import (
	"bytes"
	"encoding/csv"
	"math/rand"
	"strings"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(7, 200), Generate(7, 200)
	for i := range a {
		if a[i].FullName() != b[i].FullName() || a[i].BirthDate != b[i].BirthDate {
			t.Fatalf("person %d differs between runs with one seed: %q, %q", i, a[i].FullName(), b[i].FullName())
		}
	}
}

func TestGenerateFemaleForms(t *testing.T) {
	tests := []struct{ m, lang, f string }{
		{"Иванов", "ru", "Иванова"}, {"Ковальов", "uk", "Ковальова"}, {"Ковальський", "uk", "Ковальська"},
		{"Троицкий", "ru", "Троицкая"}, {"Толстой", "ru", "Толстая"}, {"Білий", "uk", "Біла"},
		{"Шевченко", "uk", "Шевченко"}, {"Коваль", "uk", "Коваль"}, {"Ильин", "ru", "Ильина"},
	}
	for _, tt := range tests {
		if got := feminine(tt.m, tt.lang); got != tt.f {
			t.Errorf("feminine(%q) = %q, want %q", tt.m, got, tt.f)
		}
	}
	pats := []struct{ father, lang, sex, want string }{
		{"Андрей", "ru", "m", "Андреевич"}, {"Юрий", "ru", "f", "Юрьевна"}, {"Пётр", "ru", "m", "Петрович"},
		{"Игорь", "ru", "m", "Игоревич"}, {"Андрій", "uk", "f", "Андріївна"}, {"Петро", "uk", "f", "Петрівна"},
		{"Василь", "uk", "m", "Васильович"}, {"Іван", "uk", "f", "Іванівна"}, {"Микола", "uk", "m", "Миколайович"},
	}
	for _, tt := range pats {
		if got := patronymic(tt.father, tt.lang, tt.sex); got != tt.want {
			t.Errorf("patronymic(%q, %s, %s) = %q, want %q", tt.father, tt.lang, tt.sex, got, tt.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	ps := Generate(1, 50)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ps); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 51; got != want {
		t.Fatalf("rows = %d, want %d", got, want)
	}
	if got, want := strings.Join(rows[0], ","), "external_id,category,surname,given_name,patronymic,full_name,latin_names,sex,birth_date,birth_place,party,rank,service_number"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	for _, r := range rows[1:] {
		if r[10] != "UA" && r[10] != "RU" || r[6] == "" || r[5] == "" {
			t.Errorf("bad row %q", r)
		}
		if (r[1] == "pow") != (r[11] != "" && r[12] != "") {
			t.Errorf("rank and number must be given exactly for prisoners of war: %q", r)
		}
	}
}

// TestRecallOnVariants checks recall@10 over generated persons and every
// kind of variant spelling, with the birth date a clerk would also have.
func TestRecallOnVariants(t *testing.T) {
	n, queries := 20000, 3000
	if testing.Short() {
		n, queries = 5000, 600
	}
	ps := Generate(42, n)
	rs := make([]Record, len(ps))
	for i, p := range ps {
		rs[i] = p.Record(int64(i + 1))
	}
	ix := NewIndex()
	ix.Build(rs)
	rng := rand.New(rand.NewSource(43))
	hits := 0
	var misses []string
	for q := 0; q < queries; q++ {
		i := rng.Intn(n)
		vs := Variants(ps[i], rng)
		text := vs[q%len(vs)]
		res, err := ix.Search(Query{Text: text, BirthDate: ps[i].BirthDate})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		found := false
		for _, r := range res {
			if r.ID == int64(i+1) {
				found = true
				break
			}
		}
		if found {
			hits++
		} else if len(misses) < 30 {
			misses = append(misses, text+" → "+ps[i].FullName()+" | "+strings.Join(ps[i].LatinNames, " | "))
		}
	}
	recall := float64(hits) / float64(queries)
	t.Logf("recall@10 = %.4f over %d queries on %d persons", recall, queries, n)
	if recall < 0.97 {
		t.Errorf("recall@10 = %.4f, want at least 0.97; some misses:\n%s", recall, strings.Join(misses, "\n"))
	}
}

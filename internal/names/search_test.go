package names

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"lifeline/internal/errs"
)

// corpus is a small fixed set of persons with near namesakes.
var corpus = []Record{
	{ID: 1, ExternalID: "UA-1", Names: []string{"Щербак Андрій Петрович", "Shcherbak Andrii Petrovych"}, BirthDate: "1990-04-12", Sex: "m", Place: "Харків"},
	{ID: 2, ExternalID: "RU-2", Names: []string{"Щербаков Андрей Петрович", "Shcherbakov Andrei Petrovich"}, BirthDate: "1985-01-02", Sex: "m", Place: "Курск"},
	{ID: 3, ExternalID: "UA-3", Names: []string{"Щербак Олена Іванівна", "Shcherbak Olena Ivanivna"}, BirthDate: "1992-07-30", Sex: "f", Place: "Полтава"},
	{ID: 4, ExternalID: "RU-4", Names: []string{"Иванова Мария Сергеевна", "Ivanova Mariia Sergeevna"}, BirthDate: "1979-03-03", Sex: "f", Place: "Белгород"},
	{ID: 5, ExternalID: "RU-5", Names: []string{"Иванов Алексей Николаевич", "Ivanov Aleksei Nikolaevich"}, BirthDate: "1975-11-20", Sex: "m", Place: "Москва"},
	{ID: 6, ExternalID: "UA-6", Names: []string{"Ковальська Ірина Богданівна", "Kovalska Iryna Bohdanivna"}, BirthDate: "1988-05-05", Sex: "f", Place: "Львів"},
	{ID: 7, ExternalID: "UA-7", Names: []string{"Шевченко Олександр Миколайович", "Shevchenko Oleksandr Mykolaiovych"}, BirthDate: "1980-02-29", Sex: "m", Place: "Київ"},
	{ID: 8, ExternalID: "UA-8", Names: []string{"Шевченко Олександра Миколаївна", "Shevchenko Oleksandra Mykolaivna"}, BirthDate: "1983-09-01", Sex: "f", Place: "Київ"},
	{ID: 9, ExternalID: "UA-9", Names: []string{"Ковальов Олексій Іванович", "Kovalov Oleksii Ivanovych"}, BirthDate: "1970-06-15", Sex: "m", Place: "Суми"},
	{ID: 10, ExternalID: "RU-10", Names: []string{"Толстая Наталья Юрьевна", "Tolstaia Natalia Iurevna"}, BirthDate: "1966", Sex: "f", Place: "Тула"},
	{ID: 11, ExternalID: "UA-11", Names: []string{"Білий Григорій Степанович", "Bilyi Hryhorii Stepanovych"}, BirthDate: "1959-12", Sex: "m", Place: "Чернігів"},
	{ID: 13, ExternalID: "UA-13", Names: []string{"Ковальова Олена Петрівна", "Kovalova Olena Petrivna"}, Sex: "f"},
	{ID: 14, ExternalID: "UA-14", Names: []string{"Коваль Олена Петрівна", "Koval Olena Petrivna"}, Sex: "f"},
	{ID: 12, ExternalID: "UA-12", Names: []string{"Щербак Андрій Васильович", "Shcherbak Andrii Vasylovych"}, BirthDate: "2001-08-08", Sex: "m", Place: "Дніпро"},
}

func corpusIndex(t *testing.T) *Index {
	t.Helper()
	ix := NewIndex()
	ix.Build(corpus)
	if got, want := ix.Len(), len(corpus); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	return ix
}

func ids(rs []Result) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestSearchVariants(t *testing.T) {
	ix := corpusIndex(t)
	tests := []struct {
		name  string
		query Query
		want  int64 // the person expected first
	}{
		{"KMU", Query{Text: "Shcherbak Andrii", BirthDate: "1990-04-12"}, 1},
		{"older spelling, swapped order", Query{Text: "Andriy Shcherbak", BirthDate: "1990-04-12"}, 1},
		{"German-like surname, Russian given name", Query{Text: "Scherbak Andrey", BirthDate: "1990-04-12"}, 1},
		{"Cyrillic, Russian form of the given name", Query{Text: "Щербак Андрей", BirthDate: "1990-04-12"}, 1},
		{"diminutive", Query{Text: "Щербак Андрюша", BirthDate: "1990-04-12"}, 1},
		{"typos", Query{Text: "Shcherbakk Andri", BirthDate: "1990-04-12"}, 1},
		{"two typos", Query{Text: "Shcehrbka Andrii", BirthDate: "1990-04-12"}, 1},
		{"GOST 7.79 B", Query{Text: "Shherbak Andrij Petrovich", BirthDate: "1990-04-12"}, 1},
		{"with patronymic, no date", Query{Text: "Щербак Андрій Петрович"}, 1},
		{"other patronymic picks the namesake", Query{Text: "Щербак Андрій Васильович"}, 12},
		{"birth date picks the namesake", Query{Text: "Shcherbak Andrii", BirthDate: "2001-08-08"}, 12},
		{"female form of a -ov surname", Query{Text: "Ivanov Maria", BirthDate: "1979-03-03"}, 4},
		{"male form finds -ova", Query{Text: "Иванова Алексей"}, 5},
		{"Коваль before Ковальова", Query{Text: "Коваль Олена"}, 14},
		{"Ковальова before Коваль", Query{Text: "Ковальова Олена"}, 13},
		{"-ська from -ський", Query{Text: "Kovalskyi Iryna"}, 6},
		{"Russian -ская", Query{Text: "Ковальская Ирина"}, 6},
		{"-ая from -ой", Query{Text: "Толстой Наталья"}, 10},
		{"-ий from -а", Query{Text: "Біла Григорій"}, 11},
		{"Shevchenko male by sex", Query{Text: "Shevchenko Sasha", Sex: "m"}, 7},
		{"Shevchenko female by sex", Query{Text: "Shevchenko Sasha", Sex: "f"}, 8},
		{"Russian form of Oleksii", Query{Text: "Ковалёв Алексей"}, 9},
		{"Lyosha", Query{Text: "Lyosha Ivanov", BirthDate: "1975"}, 5},
		{"foreign spelling", Query{Text: "Gregory Bilyi"}, 11},
		{"BGN", Query{Text: "Shcherbak Andriy Petrovich"}, 1},
		{"ICAO Russian", Query{Text: "SHCHERBAKOV ANDREI"}, 2},
		{"mixed scripts in one word", Query{Text: "Щerbak Андрiй", BirthDate: "1990-04-12"}, 1},
		{"place helps", Query{Text: "Shcherbak Andrii", Place: "Dnipro"}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ix.Search(tt.query)
			if err != nil {
				t.Fatalf("Search(%q) error: %v", tt.query.Text, err)
			}
			if len(rs) == 0 || rs[0].ID != tt.want {
				t.Fatalf("Search(%q) = %v, want %d first", tt.query.Text, ids(rs), tt.want)
			}
			if len(rs[0].Why) == 0 {
				t.Errorf("Search(%q) first result has no explanation", tt.query.Text)
			}
		})
	}
}

func TestSearchSurnameStem(t *testing.T) {
	ix := corpusIndex(t)
	for _, text := range []string{"Коваль Олена", "Koval Olena", "Ковальова Олена", "Kovaliova Olena"} {
		rs, err := ix.Search(Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(rs)
		if len(got) < 2 || !(got[0] == 13 && got[1] == 14 || got[0] == 14 && got[1] == 13) {
			t.Errorf("Search(%q) = %v, want 13 and 14 first", text, got)
		}
	}
}

func TestSearchWhy(t *testing.T) {
	ix := corpusIndex(t)
	tests := []struct {
		query Query
		want  []string
	}{
		{Query{Text: "Shcherbak Andrey", BirthDate: "1990-04-12", Sex: "m"}, []string{
			"surname: Shcherbak = Щербак (translit)",
			"given name: Andrey ~ Андрій (ru/uk form)",
			"birth date matches",
			"sex matches",
		}},
		{Query{Text: "Щербак Андрюша", BirthDate: "1990"}, []string{
			"surname: Щербак = Щербак (exact)",
			"given name: Андрюша ~ Андрій (diminutive)",
			"birth year matches",
		}},
		{Query{Text: "Shcherbakk Andri Petrovych", Place: "Kharkiv"}, []string{
			"surname: Shcherbakk = Щербак (translit)",
			"given name: Andri = Андрій (translit)",
			"patronymic: Petrovych = Петрович (translit)",
			"place: Харків",
		}},
		{Query{Text: "Shcerbk Andrii", BirthDate: "1990-04"}, []string{
			"surname: Shcerbk ~ Щербак (typo, 2 edits)",
			"given name: Andrii = Андрій (translit)",
			"birth year and month match",
		}},
		{Query{Text: "Щербак А. В.", Sex: "m"}, []string{
			"surname: Щербак = Щербак (exact)",
			"given name: А. = Андрій (initial)",
			"patronymic: В. = Васильович (initial)",
			"sex matches",
		}},
		{Query{Text: "Shcherbak Olena", Sex: "m"}, []string{
			"surname: Shcherbak = Щербак (translit)",
			"given name: Olena = Олена (translit)",
			"sex differs",
		}},
		{Query{Text: "Ivanov Mariia"}, []string{
			"surname: Ivanov ~ Иванова (female/male form)",
			"given name: Mariia = Мария (translit)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.query.Text, func(t *testing.T) {
			rs, err := ix.Search(tt.query)
			if err != nil {
				t.Fatalf("Search error: %v", err)
			}
			if len(rs) == 0 {
				t.Fatalf("Search found nothing")
			}
			if got, want := strings.Join(rs[0].Why, "; "), strings.Join(tt.want, "; "); got != want {
				t.Errorf("Why = %q, want %q", got, want)
			}
		})
	}
}

func TestSearchRanking(t *testing.T) {
	ix := corpusIndex(t)
	rs, err := ix.Search(Query{Text: "Shcherbak Andrii", BirthDate: "2001-08-08", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(rs)), "[12 1 2]"; got != want {
		t.Errorf("ranking by birth date = %s, want %s", got, want)
	}
	if len(rs) == 3 && !(rs[0].Score > rs[1].Score && rs[1].Score > rs[2].Score) {
		t.Errorf("scores %v, %v, %v are not strictly falling", rs[0].Score, rs[1].Score, rs[2].Score)
	}
	rs, err = ix.Search(Query{Text: "Shevchenko Oleksandra", Sex: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(rs)), "[7 8]"; got != want {
		t.Errorf("ranking by sex = %s, want %s", got, want)
	}
}

func TestSearchAllow(t *testing.T) {
	ix := corpusIndex(t)
	rs, err := ix.Search(Query{Text: "Shcherbak Andrii", Allow: func(id int64) bool { return id != 1 }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID == 1 {
			t.Fatalf("Search returned person 1 that Allow refuses")
		}
	}
	if len(rs) == 0 || rs[0].ID != 12 {
		t.Errorf("Search with Allow = %v, want 12 first", ids(rs))
	}
}

func TestSearchBadInput(t *testing.T) {
	ix := corpusIndex(t)
	tests := []struct {
		name    string
		text    string
		invalid bool
	}{
		{"empty", "", true},
		{"blank", " \t\n ", true},
		{"10,000 characters", strings.Repeat("Щербак ", 10000/7+1), true},
		{"201 characters", strings.Repeat("a", 201), true},
		{"200 characters", strings.Repeat("a", 200), false},
		{"binary junk", "\x00\xff\xfe\x01\x02\xc3\x28\xa0\xa1", false},
		{"digits and punctuation", "12345 !!! ---", false},
		{"control characters", "\x1b[31m\x07", false},
		{"only signs", "ъ ь ' ’", false},
		{"many words", strings.Repeat("Ива ", 40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ix.Search(Query{Text: tt.text})
			if tt.invalid {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("error = %v, want Invalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want none", err)
			}
			if rs == nil {
				t.Errorf("result is nil, want an empty or filled slice")
			}
		})
	}
	rs, err := ix.Search(Query{Text: "\x00\xff\xfe junk \xc3\x28"})
	if err != nil || len(rs) != 0 {
		t.Errorf("junk query = %v, %v; want no results and no error", ids(rs), err)
	}
}

func TestUpsertDelete(t *testing.T) {
	ix := corpusIndex(t)
	ix.Upsert(Record{ID: 1, ExternalID: "UA-1", Names: []string{"Мельник Тарас"}, Sex: "m"})
	rs, _ := ix.Search(Query{Text: "Shcherbak Andrii Petrovych"})
	if len(rs) > 0 && rs[0].ID == 1 {
		t.Errorf("replaced person still found by the old name")
	}
	rs, _ = ix.Search(Query{Text: "Melnyk Taras"})
	if len(rs) == 0 || rs[0].ID != 1 || rs[0].Name != "Мельник Тарас" {
		t.Fatalf("Search(Melnyk Taras) = %v, want 1 with its new name", rs)
	}
	ix.Delete(1)
	ix.Delete(999)
	if got, want := ix.Len(), len(corpus)-1; got != want {
		t.Errorf("Len() after Delete = %d, want %d", got, want)
	}
	rs, _ = ix.Search(Query{Text: "Melnyk Taras"})
	if len(rs) != 0 {
		t.Errorf("deleted person found: %v", ids(rs))
	}
	ix.Upsert(Record{ID: 100, Names: []string{"Бондар Ольга"}, Sex: "f"})
	rs, _ = ix.Search(Query{Text: "Bondar Olha"})
	if len(rs) == 0 || rs[0].ID != 100 {
		t.Errorf("Search(Bondar Olha) = %v, want 100", ids(rs))
	}
	if ix.Bytes() <= 0 {
		t.Errorf("Bytes() = %d, want positive", ix.Bytes())
	}
}

func TestConcurrentSearchUpsert(t *testing.T) {
	ix := corpusIndex(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := ix.Search(Query{Text: "Shcherbak Andrii"}); err != nil {
					t.Errorf("Search: %v", err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			id := int64(1000 + i%50)
			ix.Upsert(Record{ID: id, Names: []string{fmt.Sprintf("Щербак Андрій %d", i)}})
			if i%3 == 0 {
				ix.Delete(id)
			}
		}
	}()
	wg.Wait()
	rs, err := ix.Search(Query{Text: "Щербак Андрій", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 2 {
		t.Errorf("after concurrent upserts found %d, want at least 2", len(rs))
	}
}

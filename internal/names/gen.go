package names

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand"
	"strings"
	"unicode/utf8"

	"lifeline/internal/translit"
)

// GenPerson is a synthetic person for tests, demos and benchmarks: a
// Russian or Ukrainian name in Cyrillic, its spellings in Latin as documents
// would carry them, and the facts a registry holds.
type GenPerson struct {
	ExternalID string
	Category   string // pow, civilian_internee, displaced_civilian
	Origin     string // "uk" or "ru": the language of the name
	Party      string // "UA" or "RU"
	Surname    string
	GivenName  string
	Patronymic string
	Sex        string // "m" or "f"
	BirthDate  string // YYYY-MM-DD
	BirthPlace string
	LatinNames []string // full names in Latin, as on the person's documents

	group  int32 // given-name group
	father int32 // father's given-name group
}

// FullName is the native name, surname first.
func (p GenPerson) FullName() string {
	return strings.Join(nonEmpty(p.Surname, p.GivenName, p.Patronymic), " ")
}

// Record is p as the index takes it.
func (p GenPerson) Record(id int64) Record {
	return Record{
		ID:         id,
		ExternalID: p.ExternalID,
		Names:      append([]string{p.FullName()}, p.LatinNames...),
		BirthDate:  p.BirthDate,
		Sex:        p.Sex,
		Place:      p.BirthPlace,
	}
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

var surnamesUK = strings.Fields(`Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль
Поліщук Бондар Ткачук Мельник Марченко Лисенко Руденко Савченко Петренко Кравчук Клименко Павленко
Мороз Левченко Харченко Карпенко Гончаренко Мельниченко Кузьменко Тимошенко Литвиненко Ковальчук
Панченко Яковенко Приходько Бойко Білик Гуменюк Головко Гнатюк Вовк Павлюк Зінченко Захарченко
Юрченко Дорошенко Кириленко Остапенко Козак Король Лук'яненко Пономаренко Мирошниченко Ярошенко
Тарасенко Сидоренко Войтенко Щербак Щербина Сорока Гаврилюк Мартинюк Кушнір Гордієнко Дмитренко
Семенко Онищенко Хоменко Андрієнко Ковальов Кравець Гребенюк Назаренко Степаненко Стасюк Процюк
Бабенко Чорновол Костенко Кучер Вакуленко Задорожний Білий Чорний Рудий Довгий Ковальський
Вишневський Лозинський Яворський Підгорний Хмельницький Заєць Ніколенко Гриценко Гринчук Данилюк
Симоненко Березовський Романенко Ляшенко Слободянюк Федоренко Соловйов Грищенко Демченко Кожем'якін
Журавель Іваненко Гайдай Осадчий Швець Мазур Гуцул Кобзар Лемешко Дяченко Нестеренко Кулик Кравців`)

var surnamesRU = strings.Fields(`Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков
Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин
Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв
Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов
Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов
Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов
Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов
Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов
Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов
Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Галкин
Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин
Воронов Аксёнов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов
Толстой Троицкий Вознесенский Успенский Покровский Никольский Островский Щеглов Белый Шубин Зуев`)

// Syllables for less common surnames, so a large registry has a realistic
// long tail of names held by few people.
var (
	synthStart = strings.Fields(`Бо Ва Гри Да Же Зи Ка Ле Ми На Оле Па Ро Са Те Фе Ха Ци Чу Шу Яр Ду Ку Лу Му Ру Ту Гу Бу Ве`)
	synthMid   = strings.Fields(`ш л р н в д х б с т к м`)
	synthUK    = strings.Fields(`енко ук юк чук ський ак ишин ко`)
	synthRU    = strings.Fields(`ов ев ин ский ихин ушкин`)
)

var placesUK = strings.Fields(`Київ Харків Львів Одеса Дніпро Запоріжжя Маріуполь Херсон Миколаїв Суми
Чернігів Полтава Житомир Вінниця Луцьк Рівне Тернопіль Ужгород Чернівці Черкаси Бахмут Краматорськ
Мелітополь Бердянськ Ізюм Куп'янськ Кременчук Ніжин Умань Ковель`)

var placesRU = strings.Fields(`Москва Белгород Курск Воронеж Брянск Смоленск Тула Орёл Липецк Тамбов
Саратов Самара Казань Новосибирск Екатеринбург Пермь Уфа Краснодар Волгоград Омск Челябинск Иркутск
Хабаровск Мурманск Псков Тверь Калуга Рязань Ярославль Кострома`)

// patronymic forms that follow no simple rule: [m, f].
var patronymicRU = map[string][2]string{
	"Пётр": {"Петрович", "Петровна"}, "Павел": {"Павлович", "Павловна"}, "Лев": {"Львович", "Львовна"},
	"Никита": {"Никитич", "Никитична"}, "Илья": {"Ильич", "Ильинична"}, "Фома": {"Фомич", "Фоминична"},
	"Кузьма": {"Кузьмич", "Кузьминична"}, "Лука": {"Лукич", "Лукинична"}, "Савелий": {"Савельевич", "Савельевна"},
	"Ян": {"Янович", "Яновна"}, "Клим": {"Климович", "Климовна"},
}

var patronymicUK = map[string][2]string{
	"Микола": {"Миколайович", "Миколаївна"}, "Ілля": {"Ілліч", "Іллівна"}, "Лука": {"Лукич", "Луківна"},
	"Кузьма": {"Кузьмич", "Кузьмівна"}, "Микита": {"Микитович", "Микитівна"}, "Хома": {"Хомич", "Хомівна"},
	"Лев": {"Львович", "Львівна"}, "Яків": {"Якович", "Яківна"}, "Федір": {"Федорович", "Федорівна"},
	"Гліб": {"Глібович", "Глібівна"}, "Лаврін": {"Лаврінович", "Лаврінівна"}, "Прохір": {"Прохорович", "Прохорівна"},
}

// patronymic builds the patronymic from a father's name in language lang.
func patronymic(father, lang, sex string) string {
	i := 0
	if sex == "f" {
		i = 1
	}
	if lang == "ru" {
		if p, ok := patronymicRU[father]; ok {
			return p[i]
		}
		switch {
		case strings.HasSuffix(father, "ий"):
			return strings.TrimSuffix(father, "ий") + [2]string{"ьевич", "ьевна"}[i]
		case strings.HasSuffix(father, "ей"), strings.HasSuffix(father, "ай"), strings.HasSuffix(father, "ь"):
			b := strings.TrimSuffix(strings.TrimSuffix(father, "й"), "ь")
			return b + [2]string{"евич", "евна"}[i]
		case strings.HasSuffix(father, "а"), strings.HasSuffix(father, "я"):
			return ""
		}
		return strings.ReplaceAll(father, "ё", "е") + [2]string{"ович", "овна"}[i]
	}
	if p, ok := patronymicUK[father]; ok {
		return p[i]
	}
	switch {
	case strings.HasSuffix(father, "ій"):
		return [2]string{father + "ович", strings.TrimSuffix(father, "й") + "ївна"}[i]
	case strings.HasSuffix(father, "о"):
		return strings.TrimSuffix(father, "о") + [2]string{"ович", "івна"}[i]
	case strings.HasSuffix(father, "ь"):
		return [2]string{father + "ович", strings.TrimSuffix(father, "ь") + "івна"}[i]
	case strings.HasSuffix(father, "а"), strings.HasSuffix(father, "я"):
		return ""
	}
	return father + [2]string{"ович", "івна"}[i]
}

// feminine returns the female form of a masculine surname in lang.
func feminine(s, lang string) string {
	switch {
	case strings.HasSuffix(s, "ський"), strings.HasSuffix(s, "цький"):
		return strings.TrimSuffix(s, "ий") + "а"
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case lang == "ru" && (strings.HasSuffix(s, "ой") || strings.HasSuffix(s, "ый") || strings.HasSuffix(s, "ий")):
		return s[:len(s)-len("ой")] + "ая"
	case lang == "uk" && (strings.HasSuffix(s, "ий") || strings.HasSuffix(s, "ій")):
		return s[:len(s)-len("ий")] + "а"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "єв"), strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ін"),
		strings.HasSuffix(s, "ын"), strings.HasSuffix(s, "йов"), strings.HasSuffix(s, "ьов"):
		return s + "а"
	}
	return s
}

// formIn returns the official form of group g in lang ("ru" first form,
// "uk" second).
func formIn(g *nameGroup, lang string) string {
	if lang == "uk" && len(g.forms) > 1 {
		return g.forms[1]
	}
	return g.forms[0]
}

// zipf picks an index below n, the first ones far more often.
func zipf(rng *rand.Rand, n int, s float64) int {
	// Inverse of the continuous approximation of a power law on [1, n+1).
	u := rng.Float64()
	if s == 1 {
		return min(n-1, int(math.Exp(u*math.Log(float64(n+1))))-1)
	}
	a := 1 - s
	x := math.Pow(1+u*(math.Pow(float64(n+1), a)-1), 1/a)
	return min(n-1, max(0, int(x)-1))
}

// Generate returns n synthetic persons, the same for the same seed: half
// Ukrainian, half Russian names, both sexes, with patronymics, correct female
// surname forms, Latin spellings under the standard each side uses, birth
// dates from 1950 to 2007 and birth places.
func Generate(seed int64, n int) []GenPerson {
	rng := rand.New(rand.NewSource(seed))
	t := givenNames()
	var male, female []int32
	for i, g := range t.groups {
		if g.sex == "m" {
			male = append(male, int32(i))
		} else {
			female = append(female, int32(i))
		}
	}
	out := make([]GenPerson, n)
	for i := range out {
		p := &out[i]
		p.Origin, p.Party = "uk", "UA"
		if i%2 == 1 {
			p.Origin, p.Party = "ru", "RU"
		}
		p.Sex = "m"
		if rng.Intn(100) < 30 {
			p.Sex = "f"
		}
		p.ExternalID = fmt.Sprintf("%s-%08d", p.Party, i+1)
		switch r := rng.Intn(100); {
		case r < 70:
			p.Category = "pow"
		case r < 85:
			p.Category = "civilian_internee"
		default:
			p.Category = "displaced_civilian"
		}
		p.Surname = genSurname(rng, p.Origin)
		if p.Sex == "f" {
			p.Surname = feminine(p.Surname, p.Origin)
			p.group = female[zipf(rng, len(female), 0.7)]
		} else {
			p.group = male[zipf(rng, len(male), 0.7)]
		}
		p.GivenName = formIn(&t.groups[p.group], p.Origin)
		for {
			p.father = male[zipf(rng, len(male), 0.7)]
			if p.Patronymic = patronymic(formIn(&t.groups[p.father], p.Origin), p.Origin, p.Sex); p.Patronymic != "" {
				break
			}
		}
		y, m := 1950+rng.Intn(58), 1+rng.Intn(12)
		d := 1 + rng.Intn([]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1])
		p.BirthDate = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		places := placesUK
		if p.Origin == "ru" {
			places = placesRU
		}
		p.BirthPlace = places[zipf(rng, len(places), 0.8)]
		p.LatinNames = latinNames(rng, p)
	}
	return out
}

func genSurname(rng *rand.Rand, lang string) string {
	real, ends := surnamesUK, synthUK
	if lang == "ru" {
		real, ends = surnamesRU, synthRU
	}
	if rng.Intn(100) < 30 {
		return real[zipf(rng, len(real), 0.7)]
	}
	return synthStart[rng.Intn(len(synthStart))] + synthMid[rng.Intn(len(synthMid))] + ends[rng.Intn(len(ends))]
}

// latinNames spells p as its documents would: the passport standard of its
// party, and sometimes an older or other-side spelling too.
func latinNames(rng *rand.Rand, p *GenPerson) []string {
	if p.Origin == "uk" {
		names := []string{translit.Translit(translit.KMU2010, p.FullName())}
		switch rng.Intn(10) {
		case 0, 1:
			if old := oldUkrainian(p.FullName()); old != names[0] {
				names = append(names, old)
			}
		case 2:
			names = append(names, translit.Translit(translit.ICAO9303, otherForm(p)))
		}
		return names
	}
	names := []string{translit.Translit(translit.ICAO9303, p.FullName())}
	if rng.Intn(10) < 3 {
		names = append(names, translit.Translit(translit.BGNPCGN, p.FullName()))
	}
	return names
}

// oldUkrainian spells Ukrainian in the common pre-2010 way: й as y after a
// vowel and ї, є, ю, я with y (Andriy, Serhiy, Kovalskyy).
func oldUkrainian(text string) string {
	s := translit.Translit(translit.KMU2010, text)
	r := strings.NewReplacer("ii ", "iy ", "yi ", "yy ", "ia", "ya", "iu", "yu", "ie", "ye")
	s = r.Replace(s + " ")
	return strings.TrimSpace(s)
}

// otherForm is p's name as the other side would write it: the given name and
// patronymic in the other language.
func otherForm(p *GenPerson) string {
	t := givenNames()
	other := "ru"
	if p.Origin == "ru" {
		other = "uk"
	}
	given := formIn(&t.groups[p.group], other)
	pat := patronymic(formIn(&t.groups[p.father], other), other, p.Sex)
	return strings.Join(nonEmpty(p.Surname, given, pat), " ")
}

// Variants returns query texts a mother or a clerk might type for p: other
// romanizations, the Russian or Ukrainian form of the given name, a
// diminutive, an older or foreign spelling, the other word order, no
// patronymic, and one or two typos. Every variant differs from the record.
func Variants(p GenPerson, rng *rand.Rand) []string {
	t := givenNames()
	g := &t.groups[p.group]
	other := "ru"
	if p.Origin == "ru" {
		other = "uk"
	}
	otherGiven := formIn(g, other)
	otherPat := patronymic(formIn(&t.groups[p.father], other), other, p.Sex)
	pick := func(ss []string) string { return ss[rng.Intn(len(ss))] }
	schemes := translit.Schemes()
	// A scheme, or Cyrillic ("") with the given odds out of 10.
	scheme := func(cyrillic int, from []translit.Scheme) translit.Scheme {
		if rng.Intn(10) < cyrillic {
			return ""
		}
		return from[rng.Intn(len(from))]
	}

	type parts struct{ surname, given, pat string }
	native := parts{p.Surname, p.GivenName, p.Patronymic}
	otherLang := parts{p.Surname, otherGiven, otherPat}
	var vs []string
	add := func(ps parts, scheme translit.Scheme, minTypos int) {
		if p.Sex == "f" && rng.Intn(10) == 0 {
			ps.surname = masculine(ps.surname)
		}
		words := []string{ps.surname, ps.given}
		if ps.pat != "" && rng.Intn(2) == 0 {
			words = append(words, ps.pat)
		}
		if rng.Intn(10) < 4 {
			words[0], words[1] = words[1], words[0]
		}
		text := strings.Join(words, " ")
		if scheme != "" {
			text = translit.Translit(scheme, text)
		}
		typos := minTypos
		switch r := rng.Intn(100); {
		case r < 15:
			typos = max(typos, 2)
		case r < 50:
			typos = max(typos, 1)
		}
		vs = append(vs, addTypos(rng, text, typos))
	}
	add(otherLang, "", 0)                     // Щербак Андрей
	add(native, scheme(0, schemes), 0)        // any romanization
	add(otherLang, scheme(0, schemes[1:]), 0) // the other side's form romanized the Russian way
	dim := native
	if len(g.diminutive) > 0 {
		dim.given = pick(g.diminutive)
	}
	add(dim, scheme(4, schemes), 0) // Андрюша, Sasha
	foreign := native
	if len(g.foreign) > 0 {
		foreign.given = pick(g.foreign)
	}
	add(foreign, scheme(0, schemes), 0) // Andrew, Andriy
	add(native, scheme(2, schemes), 1)  // at least one typo
	return vs
}

// masculine undoes the female ending of a surname, as a clerk might.
func masculine(s string) string {
	switch {
	case strings.HasSuffix(s, "ська"), strings.HasSuffix(s, "цька"):
		return strings.TrimSuffix(s, "а") + "ий"
	case strings.HasSuffix(s, "ская"), strings.HasSuffix(s, "цкая"):
		return strings.TrimSuffix(s, "ая") + "ий"
	case strings.HasSuffix(s, "ова"), strings.HasSuffix(s, "ева"), strings.HasSuffix(s, "ёва"),
		strings.HasSuffix(s, "єва"), strings.HasSuffix(s, "ина"), strings.HasSuffix(s, "іна"), strings.HasSuffix(s, "ына"):
		return strings.TrimSuffix(s, "а")
	}
	return s
}

// addTypos makes n random edits (substitution, deletion, doubling, swap of
// neighbours) inside words of four letters or more, in the word's own script.
func addTypos(rng *rand.Rand, text string, n int) string {
	words := strings.Fields(text)
	for k := 0; k < n; k++ {
		var long []int
		for i, w := range words {
			if utf8.RuneCountInString(w) >= 4 {
				long = append(long, i)
			}
		}
		if len(long) == 0 {
			break
		}
		i := long[rng.Intn(len(long))]
		rs := []rune(words[i])
		j := 1 + rng.Intn(len(rs)-1)
		alphabet := []rune("abcdefghijklmnoprstuvyz")
		if translit.IsCyrillic(rs[j]) {
			alphabet = []rune("абвгдежзиклмнопрстуфхцчшыя")
		}
		switch rng.Intn(4) {
		case 0:
			rs[j] = alphabet[rng.Intn(len(alphabet))]
		case 1:
			rs = append(rs[:j], rs[j+1:]...)
		case 2:
			rs = append(rs[:j+1], rs[j:]...)
		default:
			if j+1 < len(rs) {
				rs[j], rs[j+1] = rs[j+1], rs[j]
			} else {
				rs[j-1], rs[j] = rs[j], rs[j-1]
			}
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

// WriteCSV writes ps with a header: external_id, category, surname,
// given_name, patronymic, full_name, latin_names (semicolon separated), sex,
// birth_date, birth_place, party.
func WriteCSV(w io.Writer, ps []GenPerson) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"external_id", "category", "surname", "given_name", "patronymic", "full_name", "latin_names", "sex", "birth_date", "birth_place", "party", "rank", "service_number"}); err != nil {
		return err
	}
	for _, p := range ps {
		// A prisoner of war carries what GC III 17 asks of him: rank and
		// number (name and birth date are there for everyone).
		rank, number := "", ""
		if p.Category == "pow" {
			rank, number = Rank(p), p.Party+"-"+strings.TrimPrefix(p.ExternalID, p.Party+"-")
		}
		if err := cw.Write([]string{p.ExternalID, p.Category, p.Surname, p.GivenName, p.Patronymic, p.FullName(),
			strings.Join(p.LatinNames, ";"), p.Sex, p.BirthDate, p.BirthPlace, p.Party, rank, number}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

var ranks = map[string][]string{
	"uk": {"солдат", "старший солдат", "молодший сержант", "сержант", "старший сержант", "лейтенант", "старший лейтенант", "капітан"},
	"ru": {"рядовой", "ефрейтор", "младший сержант", "сержант", "старший сержант", "лейтенант", "старший лейтенант", "капитан"},
}

// Rank gives a generated prisoner of war a rank in his own language,
// fixed by his external id.
func Rank(p GenPerson) string {
	rs := ranks[p.Origin]
	if len(rs) == 0 {
		rs = ranks["uk"]
	}
	h := 0
	for _, c := range p.ExternalID {
		h = h*31 + int(c)
	}
	if h < 0 {
		h = -h
	}
	return rs[h%len(rs)]
}

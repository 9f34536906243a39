package pdf

import (
	"fmt"
	"time"

	"lifeline/internal/s10"
)

// Sample data for tests and benchmarks: realistic names in Cyrillic with
// their Ukrainian national romanization, written out by hand.
var (
	surnames = [][2]string{
		{"Щербак", "Shcherbak"}, {"Коваленко", "Kovalenko"}, {"Бондаренко", "Bondarenko"},
		{"Ткаченко", "Tkachenko"}, {"Кравчук", "Kravchuk"}, {"Олійник", "Oliinyk"},
		{"Шевчук", "Shevchuk"}, {"Поліщук", "Polishchuk"}, {"Гнатюк", "Hnatiuk"},
		{"Мельничук", "Melnychuk"}, {"Зайченко", "Zaichenko"}, {"Згурський", "Zghurskyi"},
	}
	givens = [][2]string{
		{"Андрій", "Andrii"}, {"Олексій", "Oleksii"}, {"Юрій", "Yurii"}, {"Євген", "Yevhen"},
		{"Григорій", "Hryhorii"}, {"Ярослав", "Yaroslav"}, {"Іван", "Ivan"}, {"Ґеорґій", "Gheorgii"},
	}
	patronymics = [][2]string{
		{"Петрович", "Petrovych"}, {"Іванович", "Ivanovych"}, {"Олегович", "Olehovych"},
		{"Миколайович", "Mykolaiovych"}, {"Сергійович", "Serhiiovych"},
	}
	facilities = []struct {
		name    string
		address []string
	}{
		{"Учреждение ИК-2", []string{"ул. Лесная, 12", "пос. Заречный", "Ростовская обл., 346000", "Российская Федерация"}},
		{"Исправительная колония № 10", []string{"ул. Заводская, 3", "г. Каменск", "Российская Федерация"}},
		{"СИЗО-1", []string{"пр. Мира, 45", "г. Новочеркасск, 346400"}},
	}
	kinds = []string{"letter", "card", "photograph", "drawing", "legal_document"}
	day   = time.Date(2025, 12, 5, 9, 30, 0, 0, time.UTC)
)

func sampleTracking(service string, n int) string {
	id, err := s10.Make(service, uint32(n), "UA")
	if err != nil {
		panic(err)
	}
	return id
}

func sampleName(i int) Name {
	s, g, p := surnames[i%len(surnames)], givens[(i/3)%len(givens)], patronymics[(i/7)%len(patronymics)]
	return Name{Native: s[0] + " " + g[0] + " " + p[0], Latin: s[1] + " " + g[1] + " " + p[1]}
}

func sampleLabel(i int) Label {
	f := facilities[i%len(facilities)]
	return Label{
		Tracking:     sampleTracking("CP", 1000+i),
		Recipient:    sampleName(i),
		RecipientRef: fmt.Sprintf("UA-POW-%06d", 4200+i),
		Facility:     f.name,
		Address:      f.address,
		Sender:       Party{Name: "Ombudsman of Ukraine", Address: "Instytutska St 21/8, Kyiv 01008, Ukraine"},
		Items:        5,
		WeightGrams:  310 + i%90,
		Date:         day,
	}
}

func samplePackingList(i int) PackingList {
	items := make([]Item, 5)
	for j := range items {
		items[j] = Item{
			Tracking: sampleTracking("RR", 100000+5*i+j),
			Kind:     kinds[(i+j)%len(kinds)],
			Pages:    1 + (i+j)%4,
			Language: []string{"uk", "ru"}[(i+j)%2],
		}
	}
	return PackingList{
		Tracking:     sampleTracking("CP", 1000+i),
		Recipient:    sampleName(i),
		RecipientRef: fmt.Sprintf("UA-POW-%06d", 4200+i),
		Items:        items,
		WeightGrams:  310 + i%90,
		Date:         day,
	}
}

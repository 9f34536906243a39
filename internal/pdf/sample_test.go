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

func sampleReceiptSlip() ReceiptSlip {
	return ReceiptSlip{
		Tracking: sampleTracking("RR", 100000),
		PIN:      "042917",
		Date:     day,
		Kind:     "drawing",
		Office:   "Collection point Kyiv-3, Ombudsman of Ukraine",
		BaseURL:  "https://lifeline.example.org/",
	}
}

func sampleManifest(n int) Manifest {
	lines := make([]ManifestLine, n)
	for i := range lines {
		lines[i] = ManifestLine{
			Tracking:     sampleTracking("CP", 1000+i),
			RecipientRef: fmt.Sprintf("UA-POW-%06d", 4200+i),
			WeightGrams:  310 + i%90,
			Items:        5,
		}
	}
	return Manifest{
		Reference:  "UA-RU-2025-12-001",
		Period:     "December 2025",
		From:       Party{Name: "Ombudsman of Ukraine", Address: "Kyiv"},
		To:         Party{Name: "Уполномоченный по правам человека в Российской Федерации", Address: "Москва"},
		Via:        Party{Name: "Neutral intermediary, Central Tracing Agency", Address: "Geneva"},
		Dispatched: day,
		Parcels:    lines,
		SHA256:     "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
	}
}

func sampleHandover() HandoverReceipt {
	return HandoverReceipt{
		Reference: "UA-RU-2025-12-001",
		Date:      day.Add(50 * time.Hour),
		Place:     "Exchange point 7",
		From:      Party{Name: "Ombudsman of Ukraine"},
		To:        Party{Name: "Уполномоченный по правам человека в Российской Федерации"},
		Via:       Party{Name: "Neutral intermediary"},
		Expected:  2000,
		Scanned:   1999,
		Missing:   []string{sampleTracking("CP", 1007), sampleTracking("CP", 1011)},
		Extra:     []string{sampleTracking("CP", 9999)},
		Damaged:   []string{sampleTracking("CP", 1020)},
		Note:      "Two parcels were not found in bag 14. One parcel from another consignment was found in bag 3 and set aside. Parcel 1020 arrived wet; contents intact.",
		Signatures: []Signature{
			{Role: "intermediary", Name: "M. Keller", Party: "Neutral intermediary", KeyID: "ci-2025-01", Time: day.Add(50*time.Hour + 20*time.Minute)},
			{Role: "receiving party", Name: "Иванов И. И.", Party: "Уполномоченный по правам человека в Российской Федерации", KeyID: "ru-omb-03", Time: day.Add(50*time.Hour + 35*time.Minute)},
		},
	}
}

package names

import "testing"

func TestKeySameForSpellings(t *testing.T) {
	groups := [][]string{
		{"Щербак", "Shcherbak", "Scherbak", "Ščerbak", "Shherbak", "Szczerbak", "SHCHERBAK", "Щербак"},
		{"Андрій", "Andrii", "Andriy", "Andrij", "ANDRIY"},
		{"Андрей", "Andrey", "Andrei", "Andrej"},
		{"Олексій", "Oleksii", "Oleksiy", "Oleksij"},
		{"Григорий", "Hryhorii", "Grigorii", "Grigoriy", "Grigorij", "Григорій"},
		{"Шевченко", "Shevchenko", "Schewtschenko", "Ševčenko"},
		{"Ковальський", "Kovalskyi", "Koval'skiy", "Kovalskii", "Koval`skij", "Ковальский"},
		{"Мария", "Mariia", "Mariya", "Maria", "Марія", "Mar'ya"},
		{"Юлия", "Yuliya", "Iuliia", "Julia", "Yulia", "Юлія"},
		{"Сергеев", "Sergeev", "Sergeyev"},
		{"Фёдор", "Fedor", "Fyodor", "Fiodor", "Федор"},
		{"Цой", "Tsoi", "Tsoy", "Czoj", "Coj"},
		{"Елена", "Yelena", "Elena", "Jelena"},
		{"Харків", "Kharkiv", "Xarkiv", "Harkiv"},
		{"Хмельницкий", "Khmelnitskii", "Xmel`niczkij", "Khmel'nitskiy", "Хмельницький", "Khmelnytskyi"},
	}
	for _, g := range groups {
		want := Key(g[0])
		for _, s := range g[1:] {
			if got := Key(s); got != want {
				t.Errorf("Key(%q) = %q, want %q as Key(%q)", s, got, want, g[0])
			}
		}
	}
}

func TestKeyEmpty(t *testing.T) {
	for _, s := range []string{"", "123", "'''", "\x00\xff", "—", "ъь"} {
		if got := Key(s); got != "" {
			t.Errorf("Key(%q) = %q, want empty", s, got)
		}
	}
}

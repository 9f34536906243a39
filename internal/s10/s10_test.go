package s10

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lifeline/internal/errs"
)

// sharedTestdata returns the path of file in ../shared/testdata/s10,
// resolved from the module root.
func sharedTestdata(t *testing.T, file string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "testdata", "s10", file)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
}

// readTSV returns the rows of a TAB-separated file.
func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", path)
	}
	return rows
}

func TestConformance(t *testing.T) {
	for _, row := range readTSV(t, sharedTestdata(t, "s10.tsv")) {
		if len(row) < 3 {
			t.Fatalf("row %q: got %d columns, want 3", row, len(row))
		}
		id, source := row[0], row[2]
		want, err := strconv.ParseBool(row[1])
		if err != nil {
			t.Fatalf("row %q: %v", row, err)
		}
		t.Run(id, func(t *testing.T) {
			err := Validate(id)
			if got := err == nil; got != want {
				t.Errorf("Validate(%q) = %v, want valid=%v (%s)", id, err, want, source)
			}
			if err != nil && !errs.Is(err, errs.Invalid) {
				t.Errorf("Validate(%q) kind = %q, want %q", id, errs.KindOf(err), errs.Invalid)
			}
			// Rows the source marks "check digit OK" fail for another reason.
			if err != nil && strings.Contains(source, "check digit OK") &&
				strings.HasPrefix(errs.MessageOf(err), "check digit") {
				t.Errorf("Validate(%q) = %v, want a reason other than the check digit", id, err)
			}
		})
	}
}

func TestConformanceCheckDigit(t *testing.T) {
	for _, row := range readTSV(t, sharedTestdata(t, "s10-checkdigit.tsv")) {
		if len(row) < 2 {
			t.Fatalf("row %q: got %d columns, want 3", row, len(row))
		}
		t.Run(row[0], func(t *testing.T) {
			want, err := strconv.Atoi(row[1])
			if err != nil {
				t.Fatal(err)
			}
			got, err := CheckDigit(row[0])
			if err != nil {
				t.Fatalf("CheckDigit(%q): %v", row[0], err)
			}
			if got != want {
				t.Errorf("CheckDigit(%q) = %d, want %d", row[0], got, want)
			}
		})
	}
}

func TestCheckDigitInvalid(t *testing.T) {
	for _, in := range []string{"", "1234567", "123456789", "1234567a", "１２３４５６７８", " 12345678"} {
		t.Run(in, func(t *testing.T) {
			if _, err := CheckDigit(in); !errs.Is(err, errs.Invalid) {
				t.Errorf("CheckDigit(%q) error = %v, want kind invalid", in, err)
			}
		})
	}
}

func TestValidateReasons(t *testing.T) {
	tests := []struct {
		id   string
		want string // message, "" for valid
	}{
		{"RR123456785UA", ""},
		{"rr123456785ua", ""},
		{" RR 1234 5678 5 UA\n", ""},
		{"RR\u00a0123456785UA", ""},
		{"RR123456785", "is 11 characters long, want 13"},
		{"", "is 0 characters long, want 13"},
		{"AB123456789ABC", "is 14 characters long, want 13"},
		{"RR12345678ЯUA", "has characters other than letters A–Z and digits"},
		{"1B123456789AB", `service indicator "1B" must be two letters A–Z`},
		{"RR1234S6785UA", `serial number "1234S678" must be eight digits`},
		{"AB12345678XAB", `check digit "X" must be a digit`},
		{"RR123456785U1", `country code "U1" must be two letters A–Z`},
		{"RR123456789UA", "check digit is 9, want 5"},
		{"EE000000000KR", "check digit is 0, want 5"},
		{"JB123456785UA", "service indicator JB is reserved by S10 (first letter J, K, S, T or W)"},
		{"WA123456785UA", "service indicator WA is reserved by S10 (first letter J, K, S, T or W)"},
		{"OB123456785UA", "service indicator OB is not allocated by S10 (first letter F, I, O, X or Y)"},
		{"RR123456785DD", "country code DD is not an ISO 3166-1 country"},
		{"RR123456785UK", "country code UK is not an ISO 3166-1 country"},
		{"RR123456785XX", "country code XX is not an ISO 3166-1 country"},
		{"RR123456785AX", ""},
		{"HB123456785AD", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			err := Validate(tt.id)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate(%q) = %v, want nil", tt.id, err)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Validate(%q) = %v, want kind invalid", tt.id, err)
			}
			if got := errs.MessageOf(err); got != tt.want {
				t.Errorf("Validate(%q) message = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	got, err := Parse("cv 010000155 ua")
	if err != nil {
		t.Fatal(err)
	}
	want := ID{Service: "CV", Serial: "01000015", Check: 5, Country: "UA"}
	if got != want {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
	if s := got.String(); s != "CV010000155UA" {
		t.Errorf("String() = %q, want %q", s, "CV010000155UA")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EE 123 456 785 KR", "EE123456785KR"},
		{"\trr876543216er\r\n", "RR876543216ER"},
		{"RR\u2009123", "RR123"},
		{"ЯR", "ЯR"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		service string
		serial  uint32
		country string
		want    string // "" when an error is expected
	}{
		{"RR", 12345678, "UA", "RR123456785UA"},
		{"CV", 1000015, "UA", "CV010000155UA"},
		{"AB", 0, "IE", "AB000000005IE"},
		{"AB", 12310000, "IE", "AB123100000IE"},
		{"EE", 47312482, "RU", "EE473124829RU"},
		{"RR", MaxSerial, "UA", "RR999999995UA"},
		{"RR", MaxSerial + 1, "UA", ""},
		{"JJ", 1, "UA", ""},
		{"YB", 1, "UA", ""},
		{"rr", 1, "UA", ""},
		{"R", 1, "UA", ""},
		{"RR", 1, "XX", ""},
		{"RR", 1, "ua", ""},
	}
	for _, tt := range tests {
		t.Run(tt.service+tt.country, func(t *testing.T) {
			got, err := Make(tt.service, tt.serial, tt.country)
			if tt.want == "" {
				if !errs.Is(err, errs.Invalid) {
					t.Errorf("Make(%q, %d, %q) = %q, %v; want an invalid error", tt.service, tt.serial, tt.country, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Make(%q, %d, %q): %v", tt.service, tt.serial, tt.country, err)
			}
			if got != tt.want {
				t.Errorf("Make(%q, %d, %q) = %q, want %q", tt.service, tt.serial, tt.country, got, tt.want)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(Make(...)) = %v, want nil", err)
			}
		})
	}
}

func TestCountries(t *testing.T) {
	if got := len(countries); got != 249 {
		t.Errorf("got %d ISO 3166-1 codes, want 249", got)
	}
	for _, c := range []string{"UA", "RU", "CH", "AX", "SS", "BQ", "CW", "SX", "PS"} {
		if !IsCountry(c) {
			t.Errorf("IsCountry(%q) = false, want true", c)
		}
	}
	for _, c := range []string{"DD", "YU", "CS", "SU", "AN", "UK", "EU", "XK", "AA", "ZZ", "ua", "U"} {
		if IsCountry(c) {
			t.Errorf("IsCountry(%q) = true, want false", c)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"RR123456785UA", "EE 123 456 785 KR", "AB12345678XAB", "", "ЯЯ123456785UA", "rr123456785ua"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := Parse(in)
		if err != nil {
			if !errs.Is(err, errs.Invalid) || errs.MessageOf(err) == "" {
				t.Fatalf("Parse(%q) = %v, want an invalid error with a reason", in, err)
			}
			return
		}
		n := Normalize(in)
		if id.String() != n {
			t.Fatalf("Parse(%q).String() = %q, want %q", in, id.String(), n)
		}
		serial, _ := strconv.ParseUint(id.Serial, 10, 32)
		made, err := Make(id.Service, uint32(serial), id.Country)
		if err != nil || made != n {
			t.Fatalf("Make(%q, %d, %q) = %q, %v; want %q", id.Service, serial, id.Country, made, err, n)
		}
	})
}

func FuzzMake(f *testing.F) {
	f.Add("RR", uint32(12345678), "UA")
	f.Add("JB", uint32(1), "XX")
	f.Fuzz(func(t *testing.T, service string, serial uint32, country string) {
		id, err := Make(service, serial, country)
		if err != nil {
			return
		}
		if err := Validate(id); err != nil {
			t.Fatalf("Validate(Make(%q, %d, %q) = %q) = %v, want nil", service, serial, country, id, err)
		}
	})
}

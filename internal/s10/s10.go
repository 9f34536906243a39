// Package s10 builds and checks UPU S10 item identifiers: a two-letter
// service indicator, an eight-digit serial number, a check digit and the
// ISO 3166-1 alpha-2 code of the issuing country, e.g. RR123456785UA.
package s10

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Len is the length of an S10 identifier.
const Len = 13

// MaxSerial is the largest serial number an identifier can hold.
const MaxSerial = 99_999_999

var weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// ID is an S10 identifier split into its parts.
type ID struct {
	Service string // service indicator, two letters
	Serial  string // serial number, eight digits
	Check   int    // check digit
	Country string // ISO 3166-1 alpha-2 code of the issuing country
}

// String returns the identifier as 13 characters.
func (id ID) String() string {
	return id.Service + id.Serial + string(rune('0'+id.Check)) + id.Country
}

// CheckDigit returns the S10 check digit of an eight-digit serial number:
// the digits weighted 8 6 4 2 3 5 9 7 are summed, C = 11 − sum mod 11, and
// C = 10 becomes 0, C = 11 becomes 5.
func CheckDigit(serial string) (int, error) {
	const op = "s10.CheckDigit"
	if len(serial) != 8 || !allDigits(serial) {
		return 0, errs.E(op, errs.Invalid, "serial number must be eight digits")
	}
	return checkDigit(serial), nil
}

func checkDigit(serial string) int {
	sum := 0
	for i := range 8 {
		sum += int(serial[i]-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 0
	case 11:
		return 5
	default:
		return c
	}
}

// Make builds a valid identifier from a service indicator, a sequence
// number (at most MaxSerial) and a country code.
func Make(service string, serial uint32, country string) (string, error) {
	const op = "s10.Make"
	if serial > MaxSerial {
		return "", errs.E(op, errs.Invalid, "serial number %d is more than eight digits", serial)
	}
	if msg := checkService(service); msg != "" {
		return "", errs.E(op, errs.Invalid, "%s", msg)
	}
	if msg := checkCountry(country); msg != "" {
		return "", errs.E(op, errs.Invalid, "%s", msg)
	}
	s := fmt.Sprintf("%08d", serial)
	return ID{Service: service, Serial: s, Check: checkDigit(s), Country: country}.String(), nil
}

// Normalize returns id as it is checked: white space removed (scanners and
// printed forms group the digits, e.g. "EE 123 456 785 KR") and ASCII
// letters in upper case.
func Normalize(id string) string {
	var b strings.Builder
	b.Grow(len(id))
	for _, r := range id {
		switch {
		case unicode.IsSpace(r):
		case 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Validate reports whether id, once normalized, is a valid S10 identifier.
// The error is errs.Invalid with the first reason found as its message.
func Validate(id string) error {
	_, err := Parse(id)
	return err
}

// Parse normalizes id, checks it and splits it into its parts. The checks
// run in this order: length, characters, check digit, service indicator
// (reserved or not allocated by S10), country (ISO 3166-1).
func Parse(id string) (ID, error) {
	const op = "s10.Validate"
	s := Normalize(id)
	if n := utf8.RuneCountInString(s); n != Len {
		return ID{}, errs.E(op, errs.Invalid, "is %d characters long, want %d", n, Len)
	}
	if len(s) != Len {
		return ID{}, errs.E(op, errs.Invalid, "has characters other than letters A–Z and digits")
	}
	p := ID{Service: s[0:2], Serial: s[2:10], Country: s[11:13]}
	switch {
	case !allLetters(p.Service):
		return ID{}, errs.E(op, errs.Invalid, "service indicator %q must be two letters A–Z", p.Service)
	case !allDigits(p.Serial):
		return ID{}, errs.E(op, errs.Invalid, "serial number %q must be eight digits", p.Serial)
	case !allDigits(s[10:11]):
		return ID{}, errs.E(op, errs.Invalid, "check digit %q must be a digit", s[10:11])
	case !allLetters(p.Country):
		return ID{}, errs.E(op, errs.Invalid, "country code %q must be two letters A–Z", p.Country)
	}
	p.Check = int(s[10] - '0')
	if want := checkDigit(p.Serial); p.Check != want {
		return ID{}, errs.E(op, errs.Invalid, "check digit is %d, want %d", p.Check, want)
	}
	if msg := checkService(p.Service); msg != "" {
		return ID{}, errs.E(op, errs.Invalid, "%s", msg)
	}
	if msg := checkCountry(p.Country); msg != "" {
		return ID{}, errs.E(op, errs.Invalid, "%s", msg)
	}
	return p, nil
}

// checkService returns why service is not a usable S10 service indicator,
// or "". S10 reserves the first letters J, K, S, T and W (never assigned)
// and has not allocated F, I, O, X and Y.
func checkService(service string) string {
	if len(service) != 2 || !allLetters(service) {
		return fmt.Sprintf("service indicator %q must be two letters A–Z", service)
	}
	switch service[0] {
	case 'J', 'K', 'S', 'T', 'W':
		return fmt.Sprintf("service indicator %s is reserved by S10 (first letter J, K, S, T or W)", service)
	case 'F', 'I', 'O', 'X', 'Y':
		return fmt.Sprintf("service indicator %s is not allocated by S10 (first letter F, I, O, X or Y)", service)
	}
	return ""
}

// checkCountry returns why country is not an ISO 3166-1 country code, or "".
func checkCountry(country string) string {
	if len(country) != 2 || !allLetters(country) {
		return fmt.Sprintf("country code %q must be two letters A–Z", country)
	}
	if !countries[country] {
		return fmt.Sprintf("country code %s is not an ISO 3166-1 country", country)
	}
	return ""
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allLetters(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

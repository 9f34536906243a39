package correspondence

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"math/big"
	"strings"

	"lifeline/internal/errs"
	"lifeline/internal/s10"
)

// Numbering makes S10 tracking numbers: a two-letter service indicator, a
// serial from a sequence, the check digit and a country code. Items and
// parcels use different service indicators.
type Numbering struct {
	Service string // e.g. "RR" for items, "CP" for parcels
	Country string // ISO 3166-1 alpha-2 code of the issuing party, e.g. "UA"
}

// Validate checks the numbering by making its first number.
func (n Numbering) Validate() error {
	_, err := s10.Make(n.Service, 1, n.Country)
	return err
}

// Make returns the tracking number with the given serial.
func (n Numbering) Make(serial int64) (string, error) {
	if serial < 1 || serial > s10.MaxSerial {
		return "", errs.E("correspondence.Numbering.Make", errs.Conflict, "the tracking number sequence %s…%s is used up", n.Service, n.Country)
	}
	return s10.Make(n.Service, uint32(serial), n.Country)
}

// ParseTracking normalizes and checks a tracking number typed or scanned by
// someone. The error is errs.Invalid with the reason.
func ParseTracking(id string) (string, error) {
	n := s10.Normalize(id)
	if err := s10.Validate(n); err != nil {
		return "", errs.Fields("correspondence.ParseTracking", map[string]string{"tracking": "the tracking number " + errs.MessageOf(err)})
	}
	return n, nil
}

// PINLen is the number of digits of a tracking PIN.
const PINLen = 6

// NewPIN returns a random six-digit PIN from crypto/rand.
func NewPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", errs.WrapKind("correspondence.NewPIN", errs.Internal, err)
	}
	s := n.String()
	return strings.Repeat("0", PINLen-len(s)) + s, nil
}

// HashPIN returns what is stored for a PIN: "s1$" + hex salt + "$" + hex
// SHA-256(salt, pin). The salt is random, so equal PINs store differently.
func HashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", errs.WrapKind("correspondence.HashPIN", errs.Internal, err)
	}
	return "s1$" + hex.EncodeToString(salt) + "$" + hex.EncodeToString(pinSum(salt, pin)), nil
}

func pinSum(salt []byte, pin string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(pin))
	return h.Sum(nil)
}

// DummyPINHash is a valid hash that no PIN is checked against in earnest:
// a lookup of an unknown tracking number checks the PIN against it, so
// that an unknown number takes as long as a wrong PIN.
const DummyPINHash = "s1$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000"

// CheckPIN reports whether pin matches the stored hash, comparing in
// constant time.
func CheckPIN(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 || parts[0] != "s1" {
		return false
	}
	salt, err1 := hex.DecodeString(parts[1])
	want, err2 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(want) != sha256.Size {
		return false
	}
	ok := subtle.ConstantTimeCompare(pinSum(salt, pin), want) == 1
	return ok && validPIN(pin)
}

func validPIN(pin string) bool {
	return len(pin) == PINLen && strings.Trim(pin, "0123456789") == ""
}

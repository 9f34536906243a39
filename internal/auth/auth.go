// Package auth holds roles, permissions, principals and credentials.
//
// Access is deny by default: a role has exactly the permissions listed in
// rolePerms, and data is scoped by party (Scope).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"lifeline/internal/errs"
)

// Role is a user's role inside a node (DESIGN.md "Who uses it").
type Role string

const (
	Admin      Role = "admin"
	Registrar  Role = "registrar"
	Clerk      Role = "clerk"
	Screener   Role = "screener"
	Packer     Role = "packer"
	Logistics  Role = "logistics"
	Caseworker Role = "caseworker"
	Delegate   Role = "delegate"
	Facility   Role = "facility"
	Analyst    Role = "analyst"
)

// Roles lists every role.
var Roles = []Role{Admin, Registrar, Clerk, Screener, Packer, Logistics, Caseworker, Delegate, Facility, Analyst}

// ParseRole parses a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", errs.E("auth.ParseRole", errs.Invalid, "unknown role %q; roles are %s", s, strings.Join(names, ", "))
}

// Perm is a permission.
type Perm string

const (
	Public         Perm = "public"          // anyone, even anonymous
	Authenticated  Perm = "authenticated"   // any logged-in user
	PersonsRead    Perm = "persons.read"    // read person records in scope
	PersonsWrite   Perm = "persons.write"   // create and edit persons, record status events
	PersonsImport  Perm = "persons.import"  // bulk import and export
	FacilitiesEdit Perm = "facilities.edit" // create and edit facilities
	UsersAdmin     Perm = "users.admin"     // manage users and tokens
	Aggregates     Perm = "aggregates.read" // aggregate reports, no personal data
	MailIntake     Perm = "mail.intake"
	MailScreen     Perm = "mail.screen"
	MailPack       Perm = "mail.pack"
	Consignments   Perm = "consignments"
	Handover       Perm = "handover" // the intermediary's exchange point
	Delivery       Perm = "delivery" // the detaining authority's deliveries
	CasesRead      Perm = "cases.read"
	CasesWrite     Perm = "cases.write"
)

var rolePerms = map[Role][]Perm{
	Admin:      {PersonsRead, PersonsWrite, PersonsImport, FacilitiesEdit, UsersAdmin, Aggregates, MailIntake, MailScreen, MailPack, Consignments, Handover, Delivery, CasesRead, CasesWrite},
	Registrar:  {PersonsRead, PersonsWrite, PersonsImport, Aggregates},
	Clerk:      {PersonsRead, MailIntake, Aggregates},
	Screener:   {MailScreen, Aggregates},
	Packer:     {PersonsRead, MailPack, Aggregates},
	Logistics:  {PersonsRead, Consignments, Aggregates},
	Caseworker: {PersonsRead, CasesRead, CasesWrite, Aggregates},
	Delegate:   {PersonsRead, Handover, CasesRead, Aggregates},
	Facility:   {PersonsRead, Delivery, Aggregates},
	Analyst:    {Aggregates},
}

// Can reports whether role r has permission p.
func (r Role) Can(p Perm) bool {
	if p == Public || p == Authenticated {
		return r != ""
	}
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

// Principal is the authenticated caller.
type Principal struct {
	UserID       int64
	Name         string
	Role         Role
	Party        string
	Intermediary bool // the user belongs to the intermediary, which sees both sides
	Lang         string
}

// Can reports whether the principal has p; nil is anonymous.
func (p *Principal) Can(perm Perm) bool {
	if perm == Public {
		return true
	}
	return p != nil && p.Role.Can(perm)
}

// Scope is the party filter for a principal: empty means every party (the
// intermediary); otherwise the records of that party and those it holds.
func (p *Principal) Scope() string {
	if p == nil {
		return "\x00" // matches nothing
	}
	if p.Intermediary {
		return ""
	}
	return p.Party
}

// SeesPerson reports whether the principal may see a person who belongs to
// party and is held by holding (empty when not held).
func (p *Principal) SeesPerson(party, holding string) bool {
	s := p.Scope()
	return s == "" || s == party || (holding != "" && s == holding)
}

// Argon2id parameters (RFC 9106, second recommended option, lighter memory).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword applies the password policy.
func CheckPassword(pw string) error {
	if len(pw) < 10 {
		return errs.Fields("auth.CheckPassword", map[string]string{"password": "at least 10 characters"})
	}
	if len(pw) > 1024 {
		return errs.Fields("auth.CheckPassword", map[string]string{"password": "at most 1024 characters"})
	}
	return nil
}

// VerifyPassword reports whether pw matches the encoded hash, in constant time.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewSecret returns a random URL-safe secret with the given prefix, for API
// tokens and session ids.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how secrets are stored: SHA-256, hex. Secrets have 256 bits
// of entropy, so a fast hash is enough.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

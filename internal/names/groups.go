package names

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed givennames.txt
var givenNamesText string

// spellingKind says how a spelling belongs to its given-name group.
type spellingKind uint8

const (
	officialForm spellingKind = iota // Андрей, Андрій
	diminutive                       // Андрюша
	foreignForm                      // Andrew, Andrzej
)

// nameGroup is one given name in all its forms.
type nameGroup struct {
	sex        string   // "m" or "f"
	forms      []string // official Cyrillic forms, Russian first, then Ukrainian
	diminutive []string // Cyrillic diminutives
	foreign    []string // Latin foreign and older spellings
}

// groupRef ties a key to one group.
type groupRef struct {
	group int32
	kind  spellingKind
}

// nameTable is the parsed table of given names.
type nameTable struct {
	groups []nameGroup
	byKey  map[string][]groupRef
}

// givenNames parses the embedded table once.
var givenNames = sync.OnceValue(func() *nameTable {
	t := &nameTable{byKey: map[string][]groupRef{}}
	for line := range strings.SplitSeq(givenNamesText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		head := strings.Fields(parts[0])
		g := nameGroup{sex: head[0], forms: head[1:]}
		if len(parts) > 1 {
			g.diminutive = strings.Fields(parts[1])
		}
		if len(parts) > 2 {
			g.foreign = strings.Fields(parts[2])
		}
		id := int32(len(t.groups))
		t.groups = append(t.groups, g)
		t.add(id, officialForm, g.forms)
		t.add(id, diminutive, g.diminutive)
		t.add(id, foreignForm, g.foreign)
	}
	return t
})

func (t *nameTable) add(id int32, kind spellingKind, spellings []string) {
	for _, s := range spellings {
		k := Key(s)
		if k == "" {
			continue
		}
		refs := t.byKey[k]
		found := false
		for i, r := range refs {
			if r.group == id {
				found = true
				if kind < r.kind {
					refs[i].kind = kind
				}
			}
		}
		if !found {
			t.byKey[k] = append(refs, groupRef{group: id, kind: kind})
		}
	}
}

// kindOf reports how key belongs to group g, and whether it does.
func (t *nameTable) kindOf(key string, g int32) (spellingKind, bool) {
	for _, r := range t.byKey[key] {
		if r.group == g {
			return r.kind, true
		}
	}
	return 0, false
}

// mascForm returns the masculine form of a surname key that looks feminine
// (Иванова → ivanov, Ковальська → kovalski, Толстая → tolsti, Біла → bili),
// or "" when the key has no feminine ending.
func mascForm(key string) string {
	n := len(key)
	if n < 4 {
		return ""
	}
	switch {
	case strings.HasSuffix(key, "aia") && n >= 6:
		return key[:n-3] + "i"
	case strings.HasSuffix(key, "ska") || strings.HasSuffix(key, "cka"):
		return key[:n-1] + "i"
	case strings.HasSuffix(key, "ova") || strings.HasSuffix(key, "eva") || strings.HasSuffix(key, "ina"):
		return key[:n-1]
	case key[n-1] == 'a' && !isVowel(key[n-2]) && n >= 5:
		return key[:n-1] + "i"
	}
	return ""
}

// mascForms returns the masculine forms of a feminine surname key: its
// masculine form, and for -ова/-ева also the bare stem when that is not a
// given name (Ковальова → Ковальов and Коваль).
func mascForms(key string) []string {
	m := mascForm(key)
	if m == "" {
		return nil
	}
	if strings.HasSuffix(key, "ova") || strings.HasSuffix(key, "eva") {
		if stem := key[:len(key)-3]; len(stem) >= 4 && len(givenNames().byKey[stem]) == 0 {
			return []string{m, stem}
		}
	}
	return []string{m}
}

// isPatronymicKey reports keys with a patronymic ending (-ович, -івна, -ична).
func isPatronymicKey(key string) bool {
	for _, s := range []string{"viq", "ovna", "evna", "ivna", "iqna", "iniqna"} {
		if strings.HasSuffix(key, s) && len(key) > len(s)+2 {
			return true
		}
	}
	return strings.HasSuffix(key, "iliq") || strings.HasSuffix(key, "itiq")
}

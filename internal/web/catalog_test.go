package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lifeline/internal/auth"
	"lifeline/internal/i18n"
	"lifeline/internal/registry"
)

// usedKey finds catalog keys in templates ({{.T "key"}}, ($.Field f "x"
// "key")) and in Go code (pr.T("key")): any quoted word.word string.
var usedKey = regexp.MustCompile(`"([a-z_]+\.[a-z_]+)"`)

// Every key the templates and handlers use, every domain value and every
// mapped message is in every catalog.
func TestEveryKeyInEveryCatalog(t *testing.T) {
	keys := map[string]string{} // key -> where
	add := func(k, where string) {
		if _, ok := keys[k]; !ok {
			keys[k] = where
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		for _, m := range usedKey.FindAllStringSubmatch(string(b), -1) {
			add(m[1], p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(b), -1) {
			add(m[1], f)
		}
	}
	for _, c := range registry.Categories {
		add("category."+string(c), "registry.Categories")
	}
	for _, s := range registry.Statuses {
		add("status."+string(s), "registry.Statuses")
	}
	for _, e := range registry.EventTypes {
		add("event."+string(e), "registry.EventTypes")
	}
	for _, k := range registry.FacilityKinds {
		add("facility_kind."+string(k), "registry.FacilityKinds")
	}
	for _, r := range auth.Roles {
		add("role."+string(r), "auth.Roles")
	}
	for _, c := range []string{"invalid", "not_found", "conflict", "forbidden", "unauthenticated", "too_large", "rate_limited", "internal"} {
		add("error."+c, "errs kinds")
	}
	for m, k := range messageKeys {
		add(k, "messageKeys["+m+"]")
	}
	for _, p := range messagePatterns {
		add(p.key, "messagePatterns")
	}
	for _, e := range navEntries {
		add(e.Key, "navEntries")
	}
	if len(keys) < 150 {
		t.Fatalf("found %d keys in use; the scan is broken", len(keys))
	}
	for k, where := range keys {
		// Not catalog keys: operation names, permissions, file names.
		if strings.HasPrefix(k, "web.") || auth.Admin.Can(auth.Perm(k)) || strings.HasSuffix(k, ".css") || strings.HasSuffix(k, ".js") || strings.HasSuffix(k, ".html") {
			continue
		}
		for _, l := range i18n.Langs() {
			if _, ok := i18n.Forms(l, k); !ok {
				t.Errorf("%s: key %q (used in %s) is missing", l, k, where)
			}
		}
	}
}

// Every message of the domain that a form can show is translated.
func TestMessagesTranslated(t *testing.T) {
	ru := i18n.New(i18n.Russian)
	for _, tc := range []struct{ in, want string }{
		{"must be a past date as YYYY-MM-DD, YYYY-MM or YYYY", "Дата в прошлом в виде ГГГГ-ММ-ДД, ГГГГ-ММ или ГГГГ."},
		{"at most 100 characters", "Не более 100 символов."},
		{"cannot be before the last recorded event (2026-01-02 10:00)", "Не может быть раньше последнего записанного события (2026-01-02 10:00)."},
		{"the record was changed by someone else since you loaded it (version 2, now 3); reload and try again",
			"Кто-то изменил эту запись после того, как вы её открыли (версия 2, теперь 3). Обновите страницу и повторите."},
		{"a message nobody mapped", "a message nobody mapped"},
	} {
		if got := message(ru, tc.in); got != tc.want {
			t.Errorf("message(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPersonListSearch finds a person from other spellings, in scope only.
func TestPersonListSearch(t *testing.T) {
	fx := newFixture(t)
	aa := fx.login(t, "aa-reg")
	for _, q := range []string{"Scherbak Andrey", "Щербак Андрей", "andriy shcherbak"} {
		body := want(t, aa.get("/persons?q="+urlQuery(q)), http.StatusOK, fx.nameAA)
		if !strings.Contains(body, "surname") {
			t.Errorf("%q: the result does not say why it matched", q)
		}
	}
	// Party AA neither owns nor holds BB's prisoner.
	body := want(t, aa.get("/persons?q="+urlQuery("Ivanov Ivan")), http.StatusOK)
	if strings.Contains(body, fx.nameBB) {
		t.Error("AA found BB's national held by BB")
	}
	want(t, aa.get("/persons?q="+urlQuery(strings.Repeat("Щ", 300))), http.StatusOK, "200")
}

func urlQuery(s string) string { return url.QueryEscape(s) }

package web

import (
	"net/http"
	"strings"

	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// caseFindPage finds the people of a new case from any spelling of their
// names, with their registry ids.
type caseFindPage struct {
	Form    *Form
	Persons []*registry.Person
	Why     map[int64]string
	Done    bool // a search ran
}

func (u *UI) caseFindShow(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, "case_find", printer(r).T("case_find.title"), caseFindPage{Form: newForm(nil)})
}

// caseFind is a POST, so that the names searched stay out of URLs.
func (u *UI) caseFind(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		Error(w, r, errs.WrapKind("web.caseFind", errs.Invalid, err))
		return
	}
	f := newForm(r.PostForm)
	d := caseFindPage{Form: f, Done: true}
	if q := strings.TrimSpace(f.Get("q")); q != "" {
		ps, why, err := u.findPersons(r, q, 20)
		if err != nil {
			Error(w, r, err)
			return
		}
		d.Persons, d.Why = ps, why
	}
	render(w, r, http.StatusOK, "case_find", printer(r).T("case_find.title"), d)
}

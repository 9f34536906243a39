package web

import (
	"lifeline/internal/auth"
	"lifeline/internal/httpx"
)

// navEntry is a navigation link shown to roles with Perm.
type navEntry struct {
	Href string
	Key  string // catalog key of the label
	Perm auth.Perm
}

// navEntries is the navigation bar, in order. A feature area adds its
// line here.
var navEntries = []navEntry{
	{"/", "nav.dashboard", auth.Authenticated},
	{"/persons", "nav.persons", auth.PersonsRead},
	{"/facilities", "nav.facilities", auth.PersonsRead},
}

// Routes lists every route of the UI, one function per feature area.
func (u *UI) Routes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, u.accountRoutes()...)
	rs = append(rs, u.registryRoutes()...)
	rs = append(rs, u.casesRoutes()...)
	rs = append(rs, u.mailRoutes()...)
	rs = append(rs, u.consignRoutes()...)
	return rs
}

// accountRoutes: static files, logging in and out, the language.
func (u *UI) accountRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/static/{file}", Perm: auth.Public, Summary: "static files by content-hashed name", Handler: static},
		{Method: "GET", Pattern: "/login", Perm: auth.Public, Summary: "login form", Handler: u.loginShow},
		{Method: "POST", Pattern: "/login", Perm: auth.Public, Summary: "log in", Handler: u.loginSubmit},
		{Method: "POST", Pattern: "/logout", Perm: auth.Authenticated, Summary: "log out", Handler: u.logout},
		{Method: "POST", Pattern: "/lang", Perm: auth.Public, Summary: "choose the language", Handler: u.langSubmit},
	}
}

// registryRoutes: the dashboard, persons and facilities.
func (u *UI) registryRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/{$}", Perm: auth.Authenticated, Summary: "dashboard", Handler: u.dashboard},
		{Method: "GET", Pattern: "/persons", Perm: auth.PersonsRead, Summary: "persons list with filters", Handler: u.personList},
		{Method: "GET", Pattern: "/persons/new", Perm: auth.PersonsWrite, Summary: "new person form", Handler: u.personNew},
		{Method: "POST", Pattern: "/persons/search", Perm: auth.PersonsRead, Summary: "find persons by name (POST keeps names out of URLs)", Handler: u.personSearch},
		{Method: "GET", Pattern: "/cases/find", Perm: auth.CasesWrite, Summary: "find the people of a new case by name", Handler: u.caseFindShow},
		{Method: "POST", Pattern: "/cases/find", Perm: auth.CasesWrite, Summary: "find the people of a new case from any spelling", Handler: u.caseFind},
		{Method: "POST", Pattern: "/persons", Perm: auth.PersonsWrite, Summary: "create a person", Handler: u.personCreate},
		{Method: "GET", Pattern: "/persons/{id}", Perm: auth.PersonsRead, Summary: "a person and their status history", Handler: u.personShow},
		{Method: "GET", Pattern: "/persons/{id}/edit", Perm: auth.PersonsWrite, Summary: "edit person form", Handler: u.personEdit},
		{Method: "POST", Pattern: "/persons/{id}", Perm: auth.PersonsWrite, Summary: "update a person", Handler: u.personUpdate},
		{Method: "POST", Pattern: "/persons/{id}/status", Perm: auth.PersonsWrite, Summary: "record a status event", Handler: u.personStatus},
		{Method: "GET", Pattern: "/facilities", Perm: auth.PersonsRead, Summary: "facilities list", Handler: u.facilityList},
		{Method: "GET", Pattern: "/facilities/new", Perm: auth.FacilitiesEdit, Summary: "new facility form", Handler: u.facilityNew},
		{Method: "POST", Pattern: "/facilities", Perm: auth.FacilitiesEdit, Summary: "create a facility", Handler: u.facilityCreate},
		{Method: "GET", Pattern: "/facilities/{id}/edit", Perm: auth.FacilitiesEdit, Summary: "edit facility form", Handler: u.facilityEdit},
		{Method: "POST", Pattern: "/facilities/{id}", Perm: auth.FacilitiesEdit, Summary: "update a facility", Handler: u.facilityUpdate},
	}
}

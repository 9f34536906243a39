package server_test

import "lifeline/internal/auth"

// Access rows of the registry's HTML UI.
func init() {
	facilityEditors := []auth.Role{auth.Admin}
	addAccess(
		row("GET /static/{file}", public),
		row("GET /login", public),
		row("POST /login", public),
		row("POST /logout", loggedIn),
		row("POST /lang", public),
		row("GET /{$}", loggedIn),
		roles("GET /persons", readers...),
		roles("GET /persons/new", writers...),
		roles("POST /persons/search", readers...),
		roles("GET /cases/find", auth.Admin, auth.Caseworker),
		roles("POST /cases/find", auth.Admin, auth.Caseworker),
		roles("POST /persons", writers...),
		roles("GET /persons/{id}", readers...),
		roles("GET /persons/{id}/edit", writers...),
		roles("POST /persons/{id}", writers...),
		roles("POST /persons/{id}/status", writers...),
		roles("GET /facilities", readers...),
		roles("GET /facilities/new", facilityEditors...),
		roles("POST /facilities", facilityEditors...),
		roles("GET /facilities/{id}/edit", facilityEditors...),
		roles("POST /facilities/{id}", facilityEditors...),
	)
}

package server_test

func init() {
	addAccess(
		row("GET /log/checkpoint", public),
		row("GET /log/tile/{path...}", public),
		row("GET /log/key", public),
		row("POST /log/witness/add-checkpoint", public),
		row("GET /api/v1/log/stats", loggedIn), // every role reads aggregates
	)
}

// Package app holds what every interface of a running node shares: the
// database, the search index, the node key and the settings.
package app

import (
	"log/slog"
	"time"

	"lifeline/internal/store"
)

// App is one running Lifeline node.
type App struct {
	DB  *store.DB
	Log *slog.Logger
	// Secure marks cookies Secure (set when serving TLS or behind a TLS proxy).
	Secure bool
	// Version is the build's version string.
	Version string
}

// Now returns the current time from the database clock.
func (a *App) Now() time.Time { return a.DB.Now() }

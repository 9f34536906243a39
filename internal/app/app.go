// Package app holds what every interface of a running node shares: the
// database, the search index, the node key and the settings.
package app

import (
	"context"
	"log/slog"
	"time"

	"lifeline/internal/blob"
	"lifeline/internal/search"
	"lifeline/internal/sign"
	"lifeline/internal/store"
	"lifeline/internal/tlog"
)

// App is one running Lifeline node.
type App struct {
	DB  *store.DB
	Log *slog.Logger
	// Secure marks cookies Secure (set when serving TLS or behind a TLS proxy).
	Secure bool
	// Version is the build's version string.
	Version string
	// Search is the cross-script person search, kept current on every write.
	Search *search.Service
	// Key is the node's Ed25519 signing key (nil in tests that sign nothing).
	Key *sign.Key
	// Party is the code of the party this node signs for ("" on a node that
	// serves every party, like the demo).
	Party string
	// Blobs stores scans: a folder in the data directory, or the database.
	// Nil means the database.
	Blobs blob.Backend
	// TLog is the node's transparency log (nil on a node that keeps none);
	// see tlog.go.
	TLog     *tlog.Log
	logStats logStatsCache
}

// StartSearch loads the search index from the database and keeps it
// current after every transaction that changes persons.
func (a *App) StartSearch(ctx context.Context) error {
	a.Search = search.New()
	if err := a.Search.Load(ctx, a.DB); err != nil {
		return err
	}
	a.DB.PersonsChanged = func(ids []int64) {
		if err := a.Search.Refresh(context.Background(), a.DB, ids); err != nil {
			a.Log.Error("search index refresh failed", "err", err.Error())
		}
	}
	return nil
}

// Now returns the current time from the database clock.
func (a *App) Now() time.Time { return a.DB.Now() }

// Package config holds the settings of a node: flags first, then LIFELINE_*
// environment variables, then defaults.
package config

import (
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Config is the configuration every command shares.
type Config struct {
	Data      string // the data directory: the SQLite file, blobs, the node key
	DB        string // a postgres:// URL; empty for SQLite in Data
	LogFormat string // text or json
	KeyFile   string // the node key; default Data/node.key
	Blobs     string // where scans live: dir (default) or db
	Party     string // the party this node signs for; empty on a node that serves all parties
}

// Register adds the shared flags to fs, with defaults from the environment.
func (c *Config) Register(fs *flag.FlagSet, getenv func(string) string) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Data, "data", env("LIFELINE_DATA", "./data"), "data directory (env LIFELINE_DATA)")
	fs.StringVar(&c.DB, "db", env("LIFELINE_DB", ""), "PostgreSQL URL postgres://...; empty for SQLite in the data directory (env LIFELINE_DB)")
	fs.StringVar(&c.LogFormat, "log-format", env("LIFELINE_LOG_FORMAT", "text"), "log format: text or json (env LIFELINE_LOG_FORMAT)")
	fs.StringVar(&c.KeyFile, "key-file", env("LIFELINE_KEY_FILE", ""), "node signing key file; default DATA/node.key (env LIFELINE_KEY_FILE)")
	fs.StringVar(&c.Blobs, "blobs", env("LIFELINE_BLOBS", "dir"), "where scans are stored: dir or db (env LIFELINE_BLOBS)")
	fs.StringVar(&c.Party, "node-party", env("LIFELINE_NODE_PARTY", ""), "the party code this node signs for, in a federated deployment (env LIFELINE_NODE_PARTY)")
}

// Validate checks the values.
func (c *Config) Validate() error {
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if c.Blobs != "dir" && c.Blobs != "db" {
		return fmt.Errorf("--blobs must be dir or db, not %q", c.Blobs)
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db must be a postgres:// URL; leave it empty for SQLite in --data")
	}
	return nil
}

// DSN is what store.Open takes.
func (c *Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.Data, "lifeline.db")
}

// Key returns the node key file path.
func (c *Config) Key() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.Data, "node.key")
}

// String prints the configuration with secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("data=%s db=%s log-format=%s key-file=%s blobs=%s", c.Data, Mask(c.DB), c.LogFormat, c.Key(), c.Blobs)
}

// Mask hides the password of a database URL.
func Mask(dsn string) string {
	if dsn == "" {
		return "(sqlite)"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestPrecedence checks flags over LIFELINE_* variables over defaults.
func TestPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantData string
		wantDSN  string
	}{
		{"defaults", nil, nil, "./data", "data/lifeline.db"},
		{"environment", map[string]string{"LIFELINE_DATA": "/srv/ll"}, nil, "/srv/ll", "/srv/ll/lifeline.db"},
		{"flag over environment", map[string]string{"LIFELINE_DATA": "/srv/ll"}, []string{"--data", "/tmp/x"}, "/tmp/x", "/tmp/x/lifeline.db"},
		{"postgres from the environment", map[string]string{"LIFELINE_DB": "postgres://u:secret@h/db"}, nil, "./data", "postgres://u:secret@h/db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.Register(fs, func(k string) string { return tt.env[k] })
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if c.Data != tt.wantData || c.DSN() != tt.wantDSN {
				t.Fatalf("got data %q dsn %q, want %q %q", c.Data, c.DSN(), tt.wantData, tt.wantDSN)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestValidateAndMask(t *testing.T) {
	for _, c := range []Config{{LogFormat: "xml", Blobs: "dir"}, {LogFormat: "text", Blobs: "s3"}, {LogFormat: "text", Blobs: "dir", DB: "mysql://x"}} {
		if c.Validate() == nil {
			t.Errorf("%+v: got valid, want an error", c)
		}
	}
	c := Config{Data: "d", DB: "postgres://u:secret@h/db", LogFormat: "text", Blobs: "dir"}
	if s := c.String(); strings.Contains(s, "secret") {
		t.Errorf("the password is printed: %s", s)
	}
}

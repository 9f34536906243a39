package tlog

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// Source reads the files of a log by their C2SP tlog-tiles path relative to
// the log's prefix: "checkpoint", "tile/<L>/<N>[.p/<W>]" and
// "tile/entries/<N>[.p/<W>]". A missing file is an errs.NotFound error.
type Source interface {
	ReadFile(ctx context.Context, name string) ([]byte, error)
}

// tileName returns the C2SP tlog-tiles path of t.
func tileName(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if t.L == -1 {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

// parseTileName parses a C2SP tlog-tiles path.
func parseTileName(name string) (tlog.Tile, error) {
	var p string
	switch {
	case strings.HasPrefix(name, "tile/entries/"):
		p = "tile/8/data/" + strings.TrimPrefix(name, "tile/entries/")
	case strings.HasPrefix(name, "tile/"):
		p = "tile/8/" + strings.TrimPrefix(name, "tile/")
	default:
		return tlog.Tile{}, errs.E("tlog.parseTileName", errs.NotFound, "no such log file %q", name)
	}
	t, err := tlog.ParseTilePath(p)
	if err != nil || t.L > 63 {
		return tlog.Tile{}, errs.E("tlog.parseTileName", errs.NotFound, "malformed tile path %q", name)
	}
	return t, nil
}

// dbSource serves a log from its database.
type dbSource struct {
	l  *Log
	db DBTX
}

// Source returns the log's files read straight from db: what Handler serves.
func (l *Log) Source(db DBTX) Source { return dbSource{l, db} }

func (s dbSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	const op = "tlog.ReadFile"
	if name == "checkpoint" {
		return s.l.Published(ctx, s.db)
	}
	t, err := parseTileName(name)
	if err != nil {
		return nil, err
	}
	size, err := Size(ctx, s.db)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if t.L == -1 {
		lo := t.N << TileHeight
		hi := lo + int64(t.W)
		if hi > size {
			return nil, errs.E(op, errs.NotFound, "the log has only %d entries", size)
		}
		return readBundle(ctx, s.db, lo, hi)
	}
	if (t.N<<TileHeight+int64(t.W))<<(TileHeight*t.L) > size {
		return nil, errs.E(op, errs.NotFound, "the log has only %d entries", size)
	}
	data, err := tlog.ReadTileData(t, dbReader{ctx, s.db})
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return data, nil
}

// readBundle returns the entry bundle of entries [lo, hi).
func readBundle(ctx context.Context, db DBTX, lo, hi int64) ([]byte, error) {
	const op = "tlog.readBundle"
	rows, err := db.QueryContext(ctx, `SELECT idx, data FROM tlog_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, lo, hi)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	defer rows.Close()
	var out []byte
	next := lo
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, errs.WrapKind(op, errs.Internal, err)
		}
		if idx != next || len(data) > MaxEntrySize {
			return nil, errs.E(op, errs.Internal, "log entry %d is missing or too large", next)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(data)))
		out = append(out, data...)
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if next != hi {
		return nil, errs.E(op, errs.Internal, "log entry %d is missing", next)
	}
	return out, nil
}

// Handler serves the log under /log/: /log/checkpoint (the latest published
// checkpoint with all its cosignatures), /log/tile/<L>/<N>[.p/<W>] and
// /log/tile/entries/<N>[.p/<W>]. Mount it as mux.Handle("/log/", h).
func (l *Log) Handler(db DBTX) http.Handler {
	src := l.Source(db)
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request, name string) {
		data, err := src.ReadFile(r.Context(), name)
		if err != nil {
			switch errs.KindOf(err) {
			case errs.NotFound:
				http.Error(w, errs.MessageOf(err), http.StatusNotFound)
			case errs.Invalid:
				http.Error(w, errs.MessageOf(err), http.StatusBadRequest)
			default:
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
			return
		}
		if name == "checkpoint" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
			if !strings.Contains(name, ".p/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
		}
		w.Write(data)
	}
	mux.HandleFunc("GET /log/checkpoint", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "checkpoint") })
	mux.HandleFunc("GET /log/tile/", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, strings.TrimPrefix(r.URL.Path, "/log/"))
	})
	return mux
}

// Dir is a log copied to a directory (see Mirror), read offline.
type Dir string

// ReadFile reads name from the directory.
func (d Dir) ReadFile(_ context.Context, name string) ([]byte, error) {
	const op = "tlog.Dir.ReadFile"
	if name != "checkpoint" {
		if _, err := parseTileName(name); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
	if os.IsNotExist(err) {
		return nil, errs.E(op, errs.NotFound, "%s is not in %s", name, string(d))
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return data, nil
}

// URL is a log served over HTTP, e.g. "https://node.example/log/".
type URL struct {
	Base   string
	Client *http.Client // http.DefaultClient if nil
}

// maxFile bounds a fetched file: a full entry bundle of the largest entries.
const maxFile = 256*(MaxEntrySize+2) + 1

// ReadFile fetches name from the server.
func (u URL) ReadFile(ctx context.Context, name string) ([]byte, error) {
	const op = "tlog.URL.ReadFile"
	base, err := url.Parse(strings.TrimSuffix(u.Base, "/") + "/")
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the log URL is not valid: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath(name).String(), nil)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Invalid, err)
	}
	c := u.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errs.E(op, errs.NotFound, "%s: not found on the server", name)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errs.E(op, errs.Internal, "%s: the server answered %s", name, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFile))
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if len(data) == maxFile {
		return nil, errs.E(op, errs.TooLarge, "%s: the file is too large", name)
	}
	return data, nil
}

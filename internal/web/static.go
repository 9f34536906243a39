package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one static file, served under a URL that holds a hash of its
// content, so that it can be cached for a year.
type asset struct {
	url   string
	ctype string
	body  []byte
}

// assets maps a hashed name (app.1a2b3c4d5e.css) to its asset and
// assetsByName a plain name (app.css) to the same. Both are built once at
// start-up.
var assets, assetsByName = mustLoadAssets()

func mustLoadAssets() (map[string]*asset, map[string]*asset) {
	byName, byHashed := map[string]*asset{}, map[string]*asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := &asset{url: "/static/" + hashed, ctype: ct, body: b}
		byName[name], byHashed[hashed] = a, a
		return nil
	})
	if err != nil {
		panic(err)
	}
	return byHashed, byName
}

// assetURL returns the content-hashed URL of a static file.
func assetURL(name string) string {
	if a, ok := assetsByName[name]; ok {
		return a.url
	}
	return "/static/missing/" + name
}

// static serves a static file by its hashed name, cached for a year.
func static(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[r.PathValue("file")]
	if !ok {
		NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

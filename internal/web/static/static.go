// Package static serves Ura's CSS, JavaScript and images from the binary under
// content-hashed URLs (/static/app.3f9a0c1d2e4b.css), so browsers may cache
// them for a year and still fetch a new version the moment it changes.
//
// The files: app.css (the whole design), app.js (small progressive
// enhancements; no page needs it to work) and favicon.svg. No third-party
// script is served: pages are plain HTML forms and links.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed app.css app.js favicon.svg
var files embed.FS

// Prefix is where Handler expects to be mounted: mux.Handle(Prefix, Handler()).
const Prefix = "/static/"

type asset struct {
	name   string // original name, e.g. "app.css"
	hashed string // e.g. "app.3f9a0c1d2e4b.css"
	etag   string
	body   []byte
}

// assets maps both the hashed and the plain name to the file; they are read
// once, so serving never touches shared mutable state.
var assets, hashedNames = mustIndex()

func mustIndex() (map[string]*asset, map[string]string) {
	byURL := make(map[string]*asset)
	hashed := make(map[string]string)
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		a := &asset{name: p, hashed: strings.TrimSuffix(p, ext) + "." + h + ext, etag: `"` + h + `"`, body: body}
		byURL[a.name] = a
		byURL[a.hashed] = a
		hashed[a.name] = a.hashed
		return nil
	})
	if err != nil {
		panic("static: " + err.Error()) // embedded at build time; cannot fail at run time
	}
	return byURL, hashed
}

// Path returns the content-hashed URL of an asset ("app.css" →
// "/static/app.3f9a0c1d2e4b.css"), for templates (.Asset). An unknown name
// gets its plain URL, which answers 404, so a typo shows as a broken asset in
// the browser tests instead of a crashed page.
func Path(name string) string {
	if h, ok := hashedNames[name]; ok {
		return Prefix + h
	}
	return Prefix + name
}

// contentTypes are set explicitly rather than from the system's MIME table,
// which differs between machines; with nosniff a wrong type breaks the page.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".txt":   "text/plain; charset=utf-8",
	".map":   "application/json",
	".woff2": "font/woff2",
}

// Handler serves the assets under Prefix. Hashed URLs are immutable and cached
// for a year; plain names (for tools and old links) must be revalidated.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		a, ok := assets[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok || !strings.HasPrefix(r.URL.Path, Prefix) {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentTypes[path.Ext(a.name)])
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		if strings.HasSuffix(r.URL.Path, a.hashed) {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}

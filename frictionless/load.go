package frictionless

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// openLocation opens a local file or fetches an http(s) URL. The caller
// closes the result.
func openLocation(ctx context.Context, client *http.Client, loc string) (io.ReadCloser, error) {
	if !isURL(loc) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := os.Open(loc)
		if err != nil {
			return nil, fmt.Errorf("frictionless: %w", err)
		}
		return f, nil
	}
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("frictionless: GET %s: %w", redactURL(loc), withoutURL(err))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("frictionless: GET %s: %w", redactURL(loc), withoutURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, fmt.Errorf("frictionless: GET %s: %s", redactURL(loc), resp.Status)
	}
	return resp.Body, nil
}

// withoutURL unwraps a *url.Error, whose message repeats the full URL
// (user info and query included).
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactURL drops user info and the query string (they may hold secrets).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "..."
	}
	return u.String()
}

// baseOf returns the directory (or URL directory) a descriptor at loc
// resolves relative paths against.
func baseOf(loc string) string {
	if isURL(loc) {
		u, err := url.Parse(loc)
		if err != nil {
			return ""
		}
		u.Path = strings.TrimSuffix(path.Dir(u.Path), "/") + "/"
		u.RawQuery, u.Fragment = "", ""
		return u.String()
	}
	return filepath.Dir(loc)
}

// resolve joins a relative path or URL to base; absolute paths and URLs
// are returned as they are.
func resolve(base, p string) string {
	switch {
	case isURL(p) || base == "":
		return p
	case isURL(base):
		b, err := url.Parse(base)
		if err != nil {
			return p
		}
		ref, err := url.Parse(p)
		if err != nil {
			return p
		}
		return b.ResolveReference(ref).String()
	case filepath.IsAbs(p):
		return p
	}
	return filepath.Join(base, filepath.FromSlash(p))
}

// safeRelative reports whether a descriptor path may be followed: a URL,
// or a relative path that does not climb out of the descriptor's folder
// (the spec forbids absolute paths and "..").
func safeRelative(p string) bool {
	if isURL(p) {
		return true
	}
	if p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "\\") || filepath.IsAbs(p) || strings.Contains(p, ":") {
		return false
	}
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return false
		}
	}
	return true
}

// LoadSchema reads and validates a Table Schema from a local path or an
// http(s) URL.
func LoadSchema(ctx context.Context, pathOrURL string) (*Schema, error) {
	rc, err := openLocation(ctx, nil, pathOrURL)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return ReadSchema(rc)
}

package connection

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// systemDirs are never read, whatever the roots say: their files describe
// the running process and the machine (/proc/self/environ holds secrets).
var systemDirs = []string{"/proc", "/sys", "/dev"}

// Path resolves a local path coming from a request to the real path of an
// existing file or directory inside one of the roots:
//
//	NAME:rel/path    rel/path under the root NAME
//	/abs/path        an absolute path inside any root
//	rel/path         rel/path under the root named DefaultName
//
// ".." segments, NUL and control characters, and symlinks leading out of
// the root are refused, as is anything under /proc, /sys or /dev. The
// file is not opened.
func (s *Set) Path(ref string) (string, error) {
	if ref == "" {
		return "", refused("path", ref, "is empty")
	}
	if strings.ContainsFunc(ref, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", refused("path", ref, "contains a control character")
	}
	if strings.Contains(ref, "://") {
		return "", refused("path", ref, "is a URL, not a local path")
	}
	rootName, rel := DefaultName, ref
	if name, rest, ok := strings.Cut(ref, ":"); ok && ValidName(name) {
		rootName, rel = name, rest
	}
	if filepath.IsAbs(ref) {
		return s.absPath(ref)
	}
	if !filepath.IsLocal(rel) {
		return "", refused("path", ref, `must be relative to its root, without ".."`)
	}
	dir, ok := s.Roots[rootName]
	if !ok {
		return "", refused("path", ref, "no file root named "+rootName+" is configured")
	}
	root, err := realRoot(dir)
	if err != nil {
		return "", refused("path", ref, "its root is unusable")
	}
	return inside(ref, root, filepath.Join(root, rel))
}

// absPath finds the root an absolute path lies in.
func (s *Set) absPath(ref string) (string, error) {
	clean := filepath.Clean(ref)
	for _, dir := range s.Roots {
		root, err := realRoot(dir)
		if err != nil {
			continue
		}
		if within(root, clean) {
			return inside(ref, root, clean)
		}
	}
	return "", refused("path", ref, "is not inside a configured file root")
}

// inside resolves symlinks of p and checks that the result is still in root.
func inside(ref, root, p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", notConfigured("path", ref, "does not exist")
	}
	if err != nil {
		return "", refused("path", ref, "cannot be resolved")
	}
	if !within(root, real) || isSystem(real) {
		return "", refused("path", ref, "leads out of its file root")
	}
	return real, nil
}

// realRoot returns a root directory's absolute, symlink-free path.
func realRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if isSystem(real) || real == string(filepath.Separator) {
		return "", errors.New("a file root may not be / or a system directory")
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", errors.New("not a directory")
	}
	return real, nil
}

// within reports whether p is root or below it (both clean and absolute).
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

func isSystem(p string) bool {
	for _, d := range systemDirs {
		if within(d, p) {
			return true
		}
	}
	return false
}

// HTTPURL checks a URL coming from a request that is to be fetched (a Table
// Schema, a remote resource): http or https, without user information, to
// a host in AllowHosts. It returns the URL unchanged.
func (s *Set) HTTPURL(ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", refused("URL", ref, "does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", refused("URL", ref, "want http(s)://")
	}
	if u.User != nil {
		return "", refused("URL", ref, "must not carry user information")
	}
	if !s.hostAllowed(u.Host) {
		return "", refused("URL", ref, "the host is not on the operator's allow-list")
	}
	return ref, nil
}

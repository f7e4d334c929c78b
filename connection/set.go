package connection

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/storage"
)

// DefaultName is the name of the connection used when a conf names none,
// e.g. the embedded defaults' database and bucket.
const DefaultName = "default"

// Set is the operator's connections, by name. Names are shared between
// Databases and CKANSites (both are stores). A Set is read-only once in
// use; it is safe for concurrent use then.
type Set struct {
	// Databases are SQL databases. Default none.
	Databases map[string]Database
	// CKANSites are CKAN sites, usable as stores and by ckan_load.
	// Default none.
	CKANSites map[string]CKANSite
	// Buckets are buckets. Default none.
	Buckets map[string]Bucket
	// Roots are the directories local files may be read from, by name.
	// A path "NAME:rel/path" is read under root NAME; an absolute path
	// must lie inside one of them; a relative path resolves against the
	// root named DefaultName. Default none: no local file may be read.
	Roots map[string]string
	// AllowHosts lists hosts ("db.internal" or "db.internal:5432",
	// case-insensitive) that a raw database URL coming from a request may
	// name instead of a connection. No configured password is ever attached
	// to such a URL, and a URL carrying one is refused. (PostgreSQL's driver
	// still reads PGPASSWORD and ~/.pgpass itself: keep them out of the
	// environment of a service that allows hosts.) Default none.
	AllowHosts []string
}

// Store is a connection that opens a table store: a [Database] or a
// [CKANSite].
type Store interface {
	// OpenStore connects.
	OpenStore(ctx context.Context) (*datastore.Store, error)
	// String describes the connection without secrets.
	String() string
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

// ValidName reports whether s is usable as a connection name: a letter,
// then up to 63 letters, digits, "_", "." or "-".
func ValidName(s string) bool { return namePattern.MatchString(s) }

// Validate checks names, URLs and roots. It does not connect.
func (s *Set) Validate() error {
	var errs []error
	for name := range s.Databases {
		if !ValidName(name) {
			errs = append(errs, fmt.Errorf("connection: database name %q is not valid", printable(name)))
		}
		if _, dup := s.CKANSites[name]; dup {
			errs = append(errs, fmt.Errorf("connection: %q names both a database and a CKAN site", name))
		}
	}
	for name, c := range s.CKANSites {
		if !ValidName(name) {
			errs = append(errs, fmt.Errorf("connection: CKAN site name %q is not valid", printable(name)))
		}
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			errs = append(errs, fmt.Errorf("connection: CKAN site %s: URL must be http(s)://host without user information", name))
		}
		if c.ChunkBytes < 0 || c.ChunkBytes > ckan.DefaultMaxRequestBytes {
			errs = append(errs, fmt.Errorf("connection: CKAN site %s: chunk_bytes %d: want 1..%d", name, c.ChunkBytes, ckan.DefaultMaxRequestBytes))
		}
	}
	for name := range s.Buckets {
		if !ValidName(name) {
			errs = append(errs, fmt.Errorf("connection: bucket name %q is not valid", printable(name)))
		}
	}
	for name, dir := range s.Roots {
		if !ValidName(name) {
			errs = append(errs, fmt.Errorf("connection: root name %q is not valid", printable(name)))
		}
		if _, err := realRoot(dir); err != nil {
			errs = append(errs, fmt.Errorf("connection: root %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Store resolves a store reference from a request: the name of a database
// or CKAN site, or a raw database URL whose host is in AllowHosts. An env:
// reference, a sqlite: URL, a ckan+ URL and every other host are refused.
// Nothing is connected.
func (s *Set) Store(ref string) (Store, error) {
	if ValidName(ref) {
		if d, ok := s.Databases[ref]; ok {
			return d, nil
		}
		if c, ok := s.CKANSites[ref]; ok {
			return c, nil
		}
		return nil, notConfigured("store", ref, "no database or CKAN site has this name")
	}
	if err := s.allowRaw("store", ref); err != nil {
		return nil, err
	}
	return Database{URL: ref}, nil
}

// OpenStore resolves ref (see [Set.Store]) and connects.
func (s *Set) OpenStore(ctx context.Context, ref string) (*datastore.Store, error) {
	c, err := s.Store(ref)
	if err != nil {
		return nil, err
	}
	return c.OpenStore(ctx)
}

// allowRaw checks a raw database URL from a request.
func (s *Set) allowRaw(kind, ref string) error {
	scheme, _, ok := strings.Cut(ref, ":")
	if !ok {
		return refused(kind, ref, "not a connection name")
	}
	switch strings.ToLower(scheme) {
	case "env":
		return refused(kind, ref, "env: references are not accepted from a request; name a connection")
	case "postgres", "postgresql", "mysql", "mariadb":
	default:
		return refused(kind, ref, "name a configured connection (raw URLs are accepted only for postgres:// and mysql:// hosts the operator allowed)")
	}
	u, err := url.Parse(ref)
	if err != nil {
		return refused(kind, ref, "the URL does not parse")
	}
	if _, has := u.User.Password(); has {
		return refused(kind, ref, "a URL from a request must not carry a password")
	}
	if !s.hostAllowed(u.Host) {
		return refused(kind, ref, "the host is not on the operator's allow-list; name a configured connection")
	}
	return nil
}

// hostAllowed reports whether hostport matches an AllowHosts entry: the
// same host and port, or the same host when the entry has no port.
func (s *Set) hostAllowed(hostport string) bool {
	if hostport == "" {
		return false
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	return slices.ContainsFunc(s.AllowHosts, func(a string) bool {
		ah, ap, err := net.SplitHostPort(a)
		if err != nil {
			ah, ap = a, ""
		}
		return strings.EqualFold(ah, host) && (ap == "" || ap == port)
	})
}

// Bucket resolves a bucket name. Buckets are only ever used by name.
func (s *Set) Bucket(name string) (Bucket, error) {
	if !ValidName(name) {
		return Bucket{}, refused("bucket", name, "buckets are used by name only")
	}
	b, ok := s.Buckets[name]
	if !ok {
		return Bucket{}, notConfigured("bucket", name, "no bucket has this name")
	}
	return b, nil
}

// OpenBucket resolves a bucket name and opens it.
func (s *Set) OpenBucket(ctx context.Context, name string) (*storage.Bucket, error) {
	b, err := s.Bucket(name)
	if err != nil {
		return nil, err
	}
	return b.Open(ctx)
}

// CKANSite resolves the name of a CKAN site.
func (s *Set) CKANSite(name string) (CKANSite, error) {
	if !ValidName(name) {
		return CKANSite{}, refused("CKAN site", name, "CKAN sites are used by name only")
	}
	c, ok := s.CKANSites[name]
	if !ok {
		return CKANSite{}, notConfigured("CKAN site", name, "no CKAN site has this name")
	}
	return c, nil
}

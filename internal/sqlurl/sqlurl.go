// Package sqlurl is the one grammar of the database URLs that sqlstore,
// sqlstatus and the command line accept, and the one way they become a
// database/sql connection:
//
//	sqlite:///abs/path/file.db   sqlite:relative/file.db   sqlite::memory:
//	postgres://user:pass@host:5432/db?sslmode=disable       (also postgresql://)
//	mysql://user:pass@host:3306/db?param=value              (MySQL or MariaDB; also mariadb://)
//
// Schemes are case-insensitive; sqlite3: is sqlite:. A SQLite URL's query
// parameters go to the driver after ours (a _pragma of the URL replaces
// ours of the same name); a
// PostgreSQL URL goes to pgx as it is; a MySQL URL's parameters are
// go-sql-driver/mysql's.
//
// # Passwords
//
// The package never reads the environment: [URL.FillPassword] takes the
// password the caller found (DATAFACTORY_DB_PASSWORD, a secret store).
// Errors and [URL.Redacted] never contain a password, and an error about a
// URL names its redacted form only, never the raw text.
//
// # Defaults
//
// Every SQLite file gets the same pragmas, for data and status alike:
// busy_timeout (default 10s: a second writer, in this or another process,
// waits for the lock instead of failing with SQLITE_BUSY), foreign_keys(1)
// (the status schema's references hold), journal_mode(WAL) (readers are
// never blocked by a load or by the status writer, and a write is one
// append to the log), synchronous(NORMAL) (with WAL a crash of the process
// loses nothing committed; only a power cut can lose the last
// transactions, never corrupt the file), and _txlock=immediate (a write
// transaction takes the write lock at BEGIN, so two writers queue on
// busy_timeout rather than deadlock upgrading a read lock, which no
// timeout resolves). An in-memory database gets the same but WAL, which it
// cannot use, and always one connection (each would be its own database).
//
// MySQL connections always parse DATETIME into time.Time in UTC
// (parseTime, loc=UTC, time_zone '+00:00') and run in strict SQL mode, so
// a value too long or out of range is refused instead of silently changed.
// A URL without a host means 127.0.0.1, without a port 3306.
package sqlurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/datafactory/datafactory/internal/sqldialect"
	mysqldrv "github.com/go-sql-driver/mysql"
)

// ErrInvalidURL is matched by every error [Parse] returns.
var ErrInvalidURL = errors.New("invalid database URL")

// DefaultBusyTimeout is how long SQLite waits for another writer's lock
// unless [Options.BusyTimeout] says otherwise.
const DefaultBusyTimeout = 10 * time.Second

// The accepted forms, for error messages.
const wantForms = "want sqlite:, postgres:// or mysql://"

// mysqlDefaultPort is the port of a mysql:// URL that names none.
const mysqlDefaultPort = "3306"

// mysqlDefaultHost is the host of a mysql:// URL that names none.
const mysqlDefaultHost = "127.0.0.1"

// URL is a parsed database URL. Use [Parse] to make one.
type URL struct {
	// Dialect is the database the URL names.
	Dialect sqldialect.Dialect

	// SQLite: the file path as written (empty for memory), the memory
	// flag and the driver parameters of the URL's query.
	path   string
	memory bool
	query  string

	// PostgreSQL and MySQL: the parsed URL; mysql is the driver's
	// configuration built from it (without the password).
	net   *url.URL
	mysql *mysqldrv.Config
}

// Parse parses a database URL. The error matches [ErrInvalidURL] and names
// the URL in its redacted form only.
func Parse(raw string) (*URL, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return nil, fmt.Errorf("%w: no scheme (%s)", ErrInvalidURL, wantForms)
	}
	var (
		u   *URL
		err error
	)
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		u, err = parseSQLite(rest)
	case "postgres", "postgresql":
		u, err = parsePostgres(raw)
	case "mysql", "mariadb":
		u, err = parseMySQL(raw)
	default:
		return nil, fmt.Errorf("%w: unsupported URL scheme %q (%s)", ErrInvalidURL, printableScheme(scheme), wantForms)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrInvalidURL, Redact(raw), err)
	}
	return u, nil
}

// printableScheme returns a scheme fit for an error message: a short word,
// or "?" for anything that may be part of a mistyped URL.
func printableScheme(s string) string {
	if len(s) > 20 || strings.ContainsAny(s, "/@?#%") {
		return "?"
	}
	return s
}

// parseSQLite accepts (after "sqlite:") ///abs/path.db, rel/path.db,
// :memory: and //:memory:, each with an optional ?query of driver
// parameters.
func parseSQLite(rest string) (*URL, error) {
	path, query, _ := strings.Cut(rest, "?")
	if _, err := url.ParseQuery(query); err != nil {
		return nil, errors.New("malformed query parameters")
	}
	u := &URL{Dialect: sqldialect.SQLite, query: query}
	if path == ":memory:" || path == "//:memory:" {
		u.memory = true
		return u, nil
	}
	if p, ok := strings.CutPrefix(path, "//"); ok {
		if p != "" && !strings.HasPrefix(p, "/") {
			return nil, errors.New("want sqlite:///absolute/path, sqlite:relative/path or sqlite::memory: (got a host)")
		}
		path = p
	}
	if path == "" {
		return nil, errors.New("sqlite URL has no path")
	}
	u.path = path
	return u, nil
}

// parseNet parses a postgres:// or mysql:// URL without echoing it: the
// standard library's errors quote the whole URL, password included, and
// even its detail can quote part of one.
func parseNet(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("malformed URL (check the escaping of user, password and path)")
	}
	if u.Opaque != "" {
		return nil, errors.New("want scheme://[user[:password]@]host[:port]/database")
	}
	return u, nil
}

func parsePostgres(raw string) (*URL, error) {
	u, err := parseNet(raw)
	if err != nil {
		return nil, err
	}
	if u.Host == "" && strings.Trim(u.Path, "/") == "" {
		return nil, errors.New("postgres URL names no host and no database")
	}
	return &URL{Dialect: sqldialect.Postgres, net: u}, nil
}

func parseMySQL(raw string) (*URL, error) {
	u, err := parseNet(raw)
	if err != nil {
		return nil, err
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return nil, errors.New("mysql URL must name one database: mysql://user:pass@host:3306/db")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = mysqlDefaultHost
	}
	if port == "" {
		port = mysqlDefaultPort
	}
	dsn := "tcp(" + net.JoinHostPort(host, port) + ")/" + url.PathEscape(db)
	if u.RawQuery != "" {
		dsn += "?" + u.RawQuery
	}
	// The driver parses its own parameters (tls, charset, timeouts, system
	// variables); its error is not echoed, as it may quote them.
	cfg, err := mysqldrv.ParseDSN(dsn)
	if err != nil {
		return nil, errors.New("bad mysql URL parameters")
	}
	cfg.User = u.User.Username()
	return &URL{Dialect: sqldialect.MySQL, net: u, mysql: cfg}, nil
}

// Memory reports whether the URL names an in-memory SQLite database.
func (u *URL) Memory() bool { return u.memory }

// Path is a SQLite URL's file path as written ("" for memory and for other
// databases).
func (u *URL) Path() string { return u.path }

// passwordParams are the query parameters that carry a password (pgx reads
// both from a postgres URL).
var passwordParams = []string{"password", "sslpassword"}

// secrets returns the passwords the URL carries.
func (u *URL) secrets() []string {
	if u.net == nil {
		return nil
	}
	var out []string
	if pw, ok := u.net.User.Password(); ok && pw != "" {
		out = append(out, pw)
	}
	q := u.net.Query()
	for _, k := range passwordParams {
		for _, v := range q[k] {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// HasPassword reports whether the URL carries a password (in its user
// information, or as a password query parameter).
func (u *URL) HasPassword() bool { return len(u.secrets()) > 0 }

// User is the user the URL names ("" for none, and for SQLite).
func (u *URL) User() string {
	if u.net == nil {
		return ""
	}
	return u.net.User.Username()
}

// FillPassword sets password as the URL's password when the URL names a
// user and carries no password of its own; it reports whether it did.
// SQLite URLs, URLs without a user and an empty password are left alone.
func (u *URL) FillPassword(password string) bool {
	if password == "" || u.User() == "" || u.HasPassword() {
		return false
	}
	u.net.User = url.UserPassword(u.net.User.Username(), password)
	return true
}

// String returns the URL with its password: what to hand to the
// connection, never to a log. Use [URL.Redacted] to print it.
func (u *URL) String() string {
	if u.net != nil {
		return u.net.String()
	}
	return u.sqliteString()
}

func (u *URL) sqliteString() string {
	s := "sqlite:" + u.path
	switch {
	case u.memory:
		s = "sqlite::memory:"
	case strings.HasPrefix(u.path, "/"):
		s = "sqlite://" + u.path
	}
	if u.query != "" {
		s += "?" + u.query
	}
	return s
}

// Redacted returns the URL fit for messages: its password and password
// parameters replaced by xxxxx.
func (u *URL) Redacted() string {
	if u.net == nil {
		return u.sqliteString()
	}
	return maskURL(u.net)
}

// maskURL returns u with its passwords replaced by xxxxx.
func maskURL(u *url.URL) string {
	c := *u
	q := c.Query()
	masked := false
	for _, k := range passwordParams {
		if _, ok := q[k]; ok {
			q.Set(k, "xxxxx")
			masked = true
		}
	}
	if masked {
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}

// Redact returns the redacted form of a raw URL that may not parse (for
// messages about a URL that [Parse] refused): a SQLite URL with nothing
// that could be a secret as it is, another URL with its passwords replaced
// by xxxxx when it parses into scheme://…, else only its scheme.
func Redact(raw string) string {
	scheme, _, _ := strings.Cut(raw, ":")
	lower := strings.ToLower(scheme)
	if (lower == "sqlite" || lower == "sqlite3") && !strings.Contains(raw, "@") && !strings.Contains(strings.ToLower(raw), "password") {
		return raw
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && strings.HasPrefix(raw[len(scheme)+1:], "//") {
		return maskURL(u)
	}
	return printableScheme(scheme) + ":(unprintable)"
}

// Scrub returns err, or, should its text contain one of the URL's
// passwords, an error with the same text where each is replaced by xxxxx
// (the chain is lost then, which is the price of not leaking it).
func (u *URL) Scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	leaked := false
	for _, s := range u.secrets() {
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			leaked = true
		}
	}
	if !leaked {
		return err
	}
	return errors.New(msg)
}

// busyTimeoutMillis is the busy_timeout pragma's value for the options.
func busyTimeoutMillis(o *Options) string {
	return strconv.FormatInt(busyTimeout(o).Milliseconds(), 10)
}

// busyTimeout is the options' busy timeout, or the default.
func busyTimeout(o *Options) time.Duration {
	if o != nil && o.BusyTimeout > 0 {
		return o.BusyTimeout
	}
	return DefaultBusyTimeout
}

package sqlstatus

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	mysqldrv "github.com/go-sql-driver/mysql"
)

// Dialect names one of the supported databases.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
)

// target is a parsed store URL: the database/sql driver and its DSN.
type target struct {
	dialect  Dialect
	driver   string
	dsn      string
	memory   bool
	password string
}

// sqlitePragmas are set on every SQLite connection.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// parseURL turns a store URL into a driver name and DSN. It accepts the
// forms the datastore package does: sqlite: (or sqlite3:), postgres:// (or
// postgresql://), mysql:// (or mariadb://); schemes are case-insensitive.
// Errors never contain the URL (it may hold a password).
func parseURL(raw string) (target, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return target{}, errors.New("URL has no scheme: want sqlite:, postgres:// or mysql://")
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return parseSQLite(rest)
	case "postgres", "postgresql":
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" && u.Path == "" {
			return target{}, errors.New("malformed postgres URL")
		}
		pw, _ := u.User.Password()
		return target{dialect: Postgres, driver: "pgx", dsn: raw, password: pw}, nil
	case "mysql", "mariadb":
		dsn, pw, err := mysqlDSN(rest)
		if err != nil {
			return target{}, err
		}
		return target{dialect: MySQL, driver: "mysql", dsn: dsn, password: pw}, nil
	}
	if len(scheme) > 20 || strings.ContainsAny(scheme, "/@?#") {
		scheme = "?"
	}
	return target{}, fmt.Errorf("unsupported URL scheme %q: want sqlite:, postgres:// or mysql://", scheme)
}

// parseSQLite accepts (after "sqlite:") ///abs/path.db, rel/path.db,
// :memory: and //:memory:; query parameters go to the driver after ours.
func parseSQLite(rest string) (target, error) {
	path, query, _ := strings.Cut(rest, "?")
	if path == ":memory:" || path == "//:memory:" {
		return target{dialect: SQLite, driver: "sqlite", dsn: "file::memory:?" + sqlitePragmas, memory: true}, nil
	}
	if p, ok := strings.CutPrefix(path, "//"); ok {
		if p != "" && !strings.HasPrefix(p, "/") {
			return target{}, errors.New("want sqlite:///absolute/path, sqlite:relative/path or sqlite::memory: (got a host)")
		}
		path = p
	}
	if path == "" {
		return target{}, errors.New("sqlite URL has no path")
	}
	dsn := "file:" + path + "?" + sqlitePragmas
	if query != "" {
		dsn += "&" + query
	}
	return target{dialect: SQLite, driver: "sqlite", dsn: dsn}, nil
}

// mysqlDSN converts //user:pass@host:port/db?params (a mysql: URL after
// its scheme) to a go-sql-driver DSN, and returns the password.
func mysqlDSN(rest string) (string, string, error) {
	u, err := url.Parse("mysql:" + rest)
	if err != nil {
		return "", "", errors.New("malformed mysql URL")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return "", "", errors.New("mysql URL must name one database: mysql://user:pass@host:3306/db")
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1:3306"
	} else if u.Port() == "" {
		host += ":3306"
	}
	base := "tcp(" + host + ")/" + db
	if u.RawQuery != "" {
		base += "?" + u.RawQuery
	}
	cfg, err := mysqldrv.ParseDSN(base)
	if err != nil {
		return "", "", errors.New("malformed mysql URL parameters")
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	return cfg.FormatDSN(), cfg.Passwd, nil
}

// scrub removes a password from an error's text, should a driver ever
// include it, keeping the error chain when it does not.
func scrub(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
}

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
	dialect Dialect
	driver  string
	dsn     string
	memory  bool
}

// sqlitePragmas are set on every SQLite connection.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// parseURL turns a store URL into a driver name and DSN. Errors never
// contain the URL (it may hold a password).
func parseURL(raw string) (target, error) {
	switch {
	case raw == "sqlite::memory:":
		return target{dialect: SQLite, driver: "sqlite", dsn: "file::memory:?" + sqlitePragmas, memory: true}, nil
	case strings.HasPrefix(raw, "sqlite://"), strings.HasPrefix(raw, "sqlite:"):
		return parseSQLite(raw)
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return target{}, errors.New("malformed postgres URL")
		}
		return target{dialect: Postgres, driver: "pgx", dsn: raw}, nil
	case strings.HasPrefix(raw, "mysql://"):
		dsn, err := mysqlDSN(raw)
		if err != nil {
			return target{}, err
		}
		return target{dialect: MySQL, driver: "mysql", dsn: dsn}, nil
	}
	scheme, _, _ := strings.Cut(raw, ":")
	if len(scheme) > 20 || strings.ContainsAny(scheme, "/@") {
		scheme = "?"
	}
	return target{}, fmt.Errorf("unsupported URL scheme %q: want sqlite:, postgres:// or mysql://", scheme)
}

// parseSQLite accepts sqlite:///abs/path.db, sqlite://rel/path.db and
// sqlite:path.db; query parameters are passed to the driver after ours.
func parseSQLite(raw string) (target, error) {
	rest := strings.TrimPrefix(raw, "sqlite:")
	rest = strings.TrimPrefix(rest, "//")
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return target{}, errors.New("sqlite URL has no path")
	}
	if path == ":memory:" {
		return target{dialect: SQLite, driver: "sqlite", dsn: "file::memory:?" + sqlitePragmas, memory: true}, nil
	}
	dsn := "file:" + path + "?" + sqlitePragmas
	if query != "" {
		dsn += "&" + query
	}
	return target{dialect: SQLite, driver: "sqlite", dsn: dsn}, nil
}

// mysqlDSN converts mysql://user:pass@host:port/db?params to a
// go-sql-driver DSN.
func mysqlDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("malformed mysql URL")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return "", errors.New("mysql URL must name one database: mysql://user:pass@host:3306/db")
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
		return "", errors.New("malformed mysql URL parameters")
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	return cfg.FormatDSN(), nil
}

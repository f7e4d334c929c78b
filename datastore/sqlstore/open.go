package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/datafactory/datafactory/datastore"
	mysqldrv "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options tunes Open. The zero value (or nil) means defaults.
type Options struct {
	// MaxOpenConns limits the connection pool. Default 0: database/sql's
	// default (unlimited), except for SQLite in memory, which always uses
	// one connection (each connection would be a separate database).
	MaxOpenConns int
	// BusyTimeout is how long SQLite waits for another writer's lock.
	// Default 10s.
	BusyTimeout time.Duration
}

// ErrInvalidURL is returned (wrapped) for a URL Open cannot use. The
// message never contains the URL's password.
var ErrInvalidURL = errors.New("sqlstore: invalid URL")

// Open connects to the database named by a URL and returns a Store:
//
//	sqlite:///abs/path/file.db   sqlite:relative/file.db   sqlite::memory:
//	postgres://user:pass@host:5432/db?sslmode=disable      (also postgresql://)
//	mysql://user:pass@host:3306/db                         (MySQL or MariaDB)
//
// It pings the database before returning. Errors never contain the URL's
// password.
func Open(ctx context.Context, rawURL string, opts *Options) (*datastore.Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.BusyTimeout == 0 {
		o.BusyTimeout = 10 * time.Second
	}
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok {
		return nil, fmt.Errorf("%w: no scheme (want sqlite:, postgres:// or mysql://)", ErrInvalidURL)
	}
	var (
		drv *sqlDriver
		err error
	)
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		drv, err = openSQLite(ctx, rawURL, &o)
	case "postgres", "postgresql":
		drv, err = openPostgres(ctx, rawURL, &o)
	case "mysql", "mariadb":
		drv, err = openMySQL(ctx, rawURL, &o)
	default:
		return nil, fmt.Errorf("%w: unknown scheme %q (want sqlite:, postgres:// or mysql://)", ErrInvalidURL, scheme)
	}
	if err != nil {
		return nil, err
	}
	return datastore.NewStore(drv), nil
}

// parseURL parses a network URL without ever echoing it in an error (the
// standard library's errors quote the whole URL, password included).
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("%w: %v", ErrInvalidURL, ue.Err)
		}
		return nil, ErrInvalidURL
	}
	return u, nil
}

// connectError reports a failed open or ping, naming the redacted URL.
func connectError(what string, u *url.URL, err error) error {
	return fmt.Errorf("sqlstore: connect to %s %s: %w", what, u.Redacted(), scrub(err, u))
}

// scrub removes the URL's password from an error's text, should a driver
// ever include it, keeping the error chain when it does not.
func scrub(err error, u *url.URL) error {
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// openDB opens and pings a database/sql pool.
func openDB(ctx context.Context, driverName, dsn string, o *Options) (*sqlx.DB, error) {
	db, err := sqlx.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	if o.MaxOpenConns > 0 {
		db.SetMaxOpenConns(o.MaxOpenConns)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// mysqlConfig converts a mysql:// URL to a go-sql-driver config.
func mysqlConfig(u *url.URL) (*mysqldrv.Config, error) {
	cfg := mysqldrv.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Hostname() + ":3306"
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" {
		return nil, fmt.Errorf("%w: mysql URL needs a database name", ErrInvalidURL)
	}
	if u.RawQuery != "" {
		// Let the driver parse its own parameters (tls, charset, timeouts,
		// system variables); never echo its error, which may quote the DSN.
		parsed, err := mysqldrv.ParseDSN(cfg.FormatDSN() + "?" + u.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("%w: bad mysql URL parameters", ErrInvalidURL)
		}
		cfg = parsed
	}
	return cfg, nil
}

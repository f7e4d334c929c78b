package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/datafactory/datafactory/internal/sqlurl"
	"github.com/jmoiron/sqlx"
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
	// CopyStreams is how many connections a PostgreSQL replace (and a load
	// that creates its table) COPYs over at once when the table has no
	// unique key, or one whose rows can be dealt to the streams by key
	// hash (other keyed tables load on one stream; see package doc and
	// internal/pgstage). Default 0: runtime.NumCPU() from 4 CPUs, at most
	// half of MaxOpenConns when that is set, and one stream below 4 CPUs
	// (measured slower there: the validating process needs one of the
	// cores); 1: one stream; more: that many, keyed tables included.
	CopyStreams int
}

// ErrInvalidURL is returned (wrapped) for a URL Open cannot use. The
// message never contains the URL's password.
var ErrInvalidURL = sqlurl.ErrInvalidURL

// Open connects to the database named by a URL and returns a Store:
//
//	sqlite:///abs/path/file.db   sqlite:relative/file.db   sqlite::memory:
//	postgres://user:pass@host:5432/db?sslmode=disable      (also postgresql://)
//	mysql://user:pass@host:3306/db                         (MySQL or MariaDB; also mariadb://)
//
// A SQLite file is created when missing and opened in WAL mode; MySQL
// sessions run in strict mode in UTC (the defaults are the same as
// sqlstatus's). It pings the database before returning. Errors never
// contain the URL's password.
func Open(ctx context.Context, rawURL string, opts *Options) (*datastore.Store, error) {
	drv, err := openDriver(ctx, rawURL, opts)
	if err != nil {
		return nil, err
	}
	return datastore.NewStore(drv), nil
}

// openDriver is Open's driver, before it becomes a Store.
func openDriver(ctx context.Context, rawURL string, opts *Options) (*sqlDriver, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	u, err := sqlurl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	db, err := sqlurl.Open(ctx, u, &sqlurl.Options{BusyTimeout: o.BusyTimeout, MaxOpenConns: o.MaxOpenConns})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	d, err := dialectOf(ctx, db, u)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstore: %s %s: %w", u.Dialect, u.Redacted(), u.Scrub(err))
	}
	drv := &sqlDriver{db: db, d: d, streams: o.copyStreams()}
	if drv.SingleWriter() {
		drv.turn = make(chan struct{}, 1)
	}
	return drv, nil
}

// dialectOf returns the dialect of an open database: for PostgreSQL, the
// schema its tables live in (the connection's current schema).
func dialectOf(ctx context.Context, db *sqlx.DB, u *sqlurl.URL) (dialect, error) {
	switch u.Dialect {
	case sqldialect.Postgres:
		var schema *string
		if err := db.GetContext(ctx, &schema, "SELECT current_schema()"); err != nil {
			return nil, err
		}
		if schema == nil {
			return nil, fmt.Errorf("no current schema (search_path names no existing schema)")
		}
		return pgDialect{schema: *schema}, nil
	case sqldialect.MySQL:
		return mysqlDialect{}, nil
	}
	return sqliteDialect{}, nil
}

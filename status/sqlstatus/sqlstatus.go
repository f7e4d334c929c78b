package sqlstatus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Options configure Open. The zero value (or nil) means defaults.
type Options struct {
	// Now is the store's clock. Default time.Now.
	Now func() time.Time
	// MaxOpenConns caps the connection pool. Default 1 for SQLite (one
	// writer; WAL lets other processes read), 8 otherwise.
	MaxOpenConns int
}

// sqlDriver implements driver.Driver over database/sql.
type sqlDriver struct {
	db      *sqlx.DB
	dialect Dialect
	q       queries
	batch   *batcher
}

var _ driver.Driver = (*sqlDriver)(nil)

// Open connects to the database named by rawURL, applies pending
// migrations and returns the store. URL forms:
//
//	sqlite:///abs/path/status.db   sqlite:rel/path.db   sqlite::memory:
//	postgres://user:pass@host:5432/db?sslmode=disable&search_path=s   (also postgresql://)
//	mysql://user:pass@host:3306/db                                      (MySQL or MariaDB; also mariadb://)
//
// A SQLite file is created when missing and put in WAL mode. Errors never
// contain the URL.
func Open(ctx context.Context, rawURL string, opts *Options) (*status.Store, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstatus: open: %w", err)
	}
	db, err := sqlx.Open(t.driver, t.dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstatus: open %s: %w", t.dialect, scrub(err, t.password))
	}
	o := Options{}
	if opts != nil {
		o = *opts
	}
	configurePool(db, t, o.MaxOpenConns)
	d := &sqlDriver{db: db, dialect: t.dialect, q: newQueries(db, t.dialect)}
	if err := d.setup(ctx, t); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstatus: open %s: %w", t.dialect, scrub(err, t.password))
	}
	flushers := 4
	if t.dialect == SQLite {
		flushers = 1
	}
	d.batch = newBatcher(d, flushers)
	return status.New(d, &status.Options{Now: o.Now}), nil
}

func configurePool(db *sqlx.DB, t target, maxOpen int) {
	if maxOpen <= 0 {
		maxOpen = 8
		if t.dialect == SQLite {
			maxOpen = 1
		}
	}
	if t.memory {
		maxOpen = 1 // each connection would get its own in-memory database
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	if t.memory {
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
}

// setup checks the connection, sets the SQLite journal mode and migrates.
func (d *sqlDriver) setup(ctx context.Context, t target) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if t.dialect == SQLite && !t.memory {
		if _, err := d.db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
			return fmt.Errorf("set WAL mode: %w", err)
		}
	}
	return migrate(ctx, d.db, d.dialect)
}

// Close closes the connection pool.
func (d *sqlDriver) Close() error {
	d.batch.close()
	return d.db.Close()
}

// DB returns the database handle of a store opened by this package, or
// an error for other stores.
func DB(s *status.Store) (*sqlx.DB, error) {
	d, ok := s.Driver().(*sqlDriver)
	if !ok {
		return nil, errors.New("sqlstatus: store is not a SQL store")
	}
	return d.db, nil
}

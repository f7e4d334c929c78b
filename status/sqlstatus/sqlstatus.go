package sqlstatus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/internal/sqlurl"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
	"github.com/jmoiron/sqlx"
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
// contain the URL's password.
func Open(ctx context.Context, rawURL string, opts *Options) (*status.Store, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	u, err := sqlurl.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstatus: open: %w", err)
	}
	pool := poolSize(u, o.MaxOpenConns)
	db, err := sqlurl.Open(ctx, u, &sqlurl.Options{MaxOpenConns: pool})
	if err != nil {
		return nil, fmt.Errorf("sqlstatus: open %s: %w", u.Dialect, err)
	}
	if !u.Memory() {
		db.SetMaxIdleConns(pool)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	d := &sqlDriver{db: db, dialect: u.Dialect, q: newQueries(db, u.Dialect)}
	if err := migrate(ctx, db, u.Dialect); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstatus: open %s: %w", u.Dialect, u.Scrub(err))
	}
	flushers := 4
	if u.Dialect == SQLite {
		flushers = 1
	}
	d.batch = newBatcher(d, flushers)
	return status.New(d, &status.Options{Now: o.Now}), nil
}

// poolSize is the pool's size: the option, or 1 for SQLite (one writer)
// and 8 for servers.
func poolSize(u *sqlurl.URL, maxOpen int) int {
	switch {
	case maxOpen > 0:
		return maxOpen
	case u.Dialect == SQLite:
		return 1
	}
	return 8
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

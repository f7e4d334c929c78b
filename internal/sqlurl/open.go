package sqlurl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/datafactory/datafactory/internal/sqldialect"
	_ "github.com/go-sql-driver/mysql" // registers the "mysql" database/sql driver
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite" // registers the "sqlite" database/sql driver; its Error
	sqlite3 "modernc.org/sqlite/lib"
)

// Options tunes [URL.DSN] and [Open]. Nil means defaults.
type Options struct {
	// BusyTimeout is how long SQLite waits for another writer's lock.
	// Default [DefaultBusyTimeout] (10s).
	BusyTimeout time.Duration
	// MaxOpenConns caps the connection pool. Default 0: database/sql's
	// (unlimited). An in-memory SQLite database always has exactly one
	// connection, kept for the pool's life.
	MaxOpenConns int
}

// DSN is the data source name of the URL for its database/sql driver
// ([sqldialect.Dialect.DriverName]), with the package's defaults (see the
// package doc). It contains the password: never print it.
func (u *URL) DSN(o *Options) string {
	switch u.Dialect {
	case sqldialect.Postgres:
		return u.net.String()
	case sqldialect.MySQL:
		return u.mysqlDSN()
	}
	return u.sqliteDSN(o)
}

func (u *URL) sqliteDSN(o *Options) string {
	ours := [][2]string{
		{"busy_timeout", busyTimeoutMillis(o)},
		{"foreign_keys", "1"},
		{"journal_mode", "WAL"},
		{"synchronous", "NORMAL"},
	}
	own := pragmaNames(u.query)
	q := url.Values{}
	for _, p := range ours {
		if own[p[0]] || p[0] == "journal_mode" && u.memory {
			continue
		}
		q.Add("_pragma", p[0]+"("+p[1]+")")
	}
	q.Set("_txlock", "immediate")
	path := u.path
	if u.memory {
		path = ":memory:"
	}
	dsn := "file:" + path + "?" + q.Encode()
	if u.query != "" {
		dsn += "&" + u.query
	}
	return dsn
}

// pragmaNames returns the names of the pragmas a SQLite URL's query sets
// itself: the driver runs pragmas sorted by text, so for a name set twice
// the URL's would not reliably win; ours is left out instead.
func pragmaNames(query string) map[string]bool {
	q, _ := url.ParseQuery(query) // checked by Parse
	names := map[string]bool{}
	for _, v := range q["_pragma"] {
		name, _, _ := strings.Cut(v, "(")
		name, _, _ = strings.Cut(name, "=")
		names[strings.ToLower(strings.TrimSpace(name))] = true
	}
	return names
}

func (u *URL) mysqlDSN() string {
	cfg := u.mysql.Clone()
	cfg.Passwd, _ = u.net.User.Password()
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = "'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"
	cfg.Params["time_zone"] = "'+00:00'"
	return cfg.FormatDSN()
}

// Open opens a connection pool to the URL's database and pings it. Its
// errors name the redacted URL and never contain a password.
func Open(ctx context.Context, u *URL, o *Options) (*sqlx.DB, error) {
	db, err := sqlx.Open(u.Dialect.DriverName(), u.DSN(o))
	if err != nil {
		return nil, u.connectError(err)
	}
	switch {
	case u.memory:
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	case o != nil && o.MaxOpenConns > 0:
		db.SetMaxOpenConns(o.MaxOpenConns)
	}
	if err := u.ping(ctx, db, o); err != nil {
		_ = db.Close()
		return nil, u.connectError(err)
	}
	return db, nil
}

// ping opens the first connection. A SQLite file that another process
// is opening too may answer SQLITE_BUSY at once, busy timeout or not: the
// connection's journal_mode(WAL) upgrades a shared lock to an exclusive
// one, and when two connections do that together SQLite refuses one to
// break the deadlock. So a busy SQLite ping is retried, every few
// milliseconds, until the busy timeout has passed.
func (u *URL) ping(ctx context.Context, db *sqlx.DB, o *Options) error {
	err := db.PingContext(ctx)
	if u.Dialect != sqldialect.SQLite || u.memory {
		return err
	}
	deadline := time.Now().Add(busyTimeout(o))
	for wait := time.Millisecond; isBusy(err) && time.Now().Before(deadline); wait = min(2*wait, 50*time.Millisecond) {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait + time.Duration(rand.Int64N(int64(wait)))):
		}
		err = db.PingContext(ctx)
	}
	return err
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// connectError reports a failed open or ping, naming the redacted URL.
func (u *URL) connectError(err error) error {
	return fmt.Errorf("connect to %s: %w", u.Redacted(), u.Scrub(err))
}

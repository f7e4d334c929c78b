package connection

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
)

// Database is a SQL database connection: sqlite:, postgres:// or mysql://.
type Database struct {
	// URL is the database URL without its password, e.g.
	// "postgres://etl@db.internal:5432/warehouse" or "sqlite:/srv/data.db".
	// Required.
	URL string
	// Password is sent to URL's host only, as the password of URL's user.
	// Default none.
	Password Secret
}

// ParseDatabase splits a database URL that may carry a password (as an
// operator writes it in a configuration) into a Database. The error never
// contains the URL.
func ParseDatabase(raw string) (Database, error) {
	if !strings.Contains(raw, "://") {
		return Database{URL: raw}, nil // sqlite:path has no password
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Database{}, fmt.Errorf("connection: database URL does not parse")
	}
	db := Database{URL: raw}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			db.Password = Secret(pw)
			u.User = url.User(u.User.Username())
			db.URL = u.String()
		}
	}
	return db, nil
}

// String returns the URL without password.
func (d Database) String() string { return printable(d.URL) }

// dsn returns the URL with the password filled in.
func (d Database) dsn() (string, error) {
	if d.Password == "" || !strings.Contains(d.URL, "://") {
		return d.URL, nil
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		return "", fmt.Errorf("connection: database URL does not parse")
	}
	if u.User == nil {
		return "", fmt.Errorf("connection: database %s has a password but no user", printable(d.URL))
	}
	u.User = url.UserPassword(u.User.Username(), d.Password.Reveal())
	return u.String(), nil
}

// OpenStore connects to the database (see [sqlstore.Open], whose errors
// name the URL without its password).
func (d Database) OpenStore(ctx context.Context) (*datastore.Store, error) {
	dsn, err := d.dsn()
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, dsn, nil)
	if err != nil {
		return nil, scrub(err, d.Password) // sqlstore names the URL, without its password
	}
	return s, nil
}

// scrub removes a secret from an error's text should a driver repeat it.
func scrub(err error, s Secret) error {
	if s == "" || !strings.Contains(err.Error(), s.Reveal()) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), s.Reveal(), "[redacted]"))
}

// Package sqldialect holds what differs between the SQL databases the
// module supports, in one place: their names, the database/sql driver
// names that reach them, how identifiers are quoted and how placeholders
// are written. It imports no SQL driver, so a package that only builds
// statements (the schedule's state store) does not link one.
//
// URLs and connections are package sqlurl's; what a table holds is the
// callers'.
package sqldialect

import (
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Dialect names one of the supported databases. Its value is the name used
// in messages and in file paths (status migrations live in
// migrations/<dialect>/).
type Dialect string

// Supported dialects.
const (
	// SQLite through modernc.org/sqlite (driver "sqlite").
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL through pgx's database/sql driver ("pgx").
	Postgres Dialect = "postgres"
	// MySQL is MySQL or MariaDB through go-sql-driver/mysql ("mysql").
	MySQL Dialect = "mysql"
)

// ForDriver returns the dialect of a database/sql driver name, as
// [sqlx.DB.DriverName] reports it: "sqlite" or "sqlite3", "pgx" or
// "postgres", "mysql".
func ForDriver(driverName string) (Dialect, error) {
	switch driverName {
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "pgx", "postgres":
		return Postgres, nil
	case "mysql":
		return MySQL, nil
	}
	return "", fmt.Errorf("unsupported driver %q (want sqlite, pgx or mysql)", driverName)
}

// DriverName is the database/sql driver this module opens the dialect with.
func (d Dialect) DriverName() string {
	switch d {
	case Postgres:
		return "pgx"
	case MySQL:
		return "mysql"
	}
	return "sqlite"
}

// Quote quotes an identifier: "name" (doubling any ") for SQLite and
// PostgreSQL, `name` (doubling any `) for MySQL. It does not validate the
// name; callers check names against their allow-list first.
func (d Dialect) Quote(id string) string {
	if d == MySQL {
		return "`" + strings.ReplaceAll(id, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

// BindType is the sqlx bind type of the dialect's placeholders.
func (d Dialect) BindType() int {
	if d == Postgres {
		return sqlx.DOLLAR
	}
	return sqlx.QUESTION
}

// Rebind rewrites a statement written with ? placeholders into the
// dialect's style.
func (d Dialect) Rebind(query string) string {
	return sqlx.Rebind(d.BindType(), query)
}

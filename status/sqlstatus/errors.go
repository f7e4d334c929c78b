package sqlstatus

import (
	"database/sql"
	"errors"

	"github.com/datafactory/datafactory/status/driver"
	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// errBadTx is returned for a transaction the driver cannot use.
var errBadTx = driver.NewError(driver.Invalid, "invalid transaction")

// SQLite extended result codes.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// ErrorKind classifies errors from this driver and its databases.
func (d *sqlDriver) ErrorKind(err error) driver.ErrorKind {
	if k := driver.KindOf(err); k != driver.Unknown {
		return k
	}
	if errors.Is(err, sql.ErrNoRows) {
		return driver.NotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return driver.Exists
		case "23503":
			return driver.NotFound
		}
	}
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1062:
			return driver.Exists
		case 1452:
			return driver.NotFound
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return driver.Exists
		case sqliteConstraintForeignKey:
			return driver.NotFound
		}
	}
	return driver.Unknown
}

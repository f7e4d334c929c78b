package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/sqldialect"
	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// mysqlDialect: MySQL and MariaDB through go-sql-driver/mysql, in strict
// SQL mode with UTC times. Datetimes are stored as DATETIME(6) in UTC.
type mysqlDialect struct{}

// mysql limits: rows per INSERT and placeholders per statement.
const (
	mysqlRowsPerStmt = 1000
	mysqlMaxParams   = 65000
	// mysqlMaxStmtBytes keeps a statement well under the default 16 MB
	// max_allowed_packet (4 MB is MySQL 5.7's default).
	mysqlMaxStmtBytes = 2 << 20
)

func (mysqlDialect) name() string { return "mysql" }

func (mysqlDialect) quote(id string) string { return sqldialect.MySQL.Quote(id) }

func (d mysqlDialect) table(name string) string { return d.quote(name) }

func (mysqlDialect) validateName(name string) error {
	for _, r := range name {
		if r > 0xFFFF {
			return errors.New("MySQL identifiers cannot hold characters outside the Basic Multilingual Plane")
		}
	}
	if len([]rune(name)) > 64 {
		return errors.New("MySQL identifiers are at most 64 characters")
	}
	return nil
}

// mysqlTypes maps Table Schema types to MySQL types (for non-key columns).
var mysqlTypes = map[frictionless.FieldType]string{
	"": "LONGTEXT", frictionless.TypeString: "LONGTEXT", frictionless.TypeInteger: "BIGINT",
	frictionless.TypeNumber: mysqlNumberType, frictionless.TypeBoolean: "BOOLEAN",
	frictionless.TypeDate: "DATE", frictionless.TypeTime: "TIME(6)", frictionless.TypeDateTime: "DATETIME(6)",
	frictionless.TypeYear: "INT", frictionless.TypeYearMonth: "DATE", frictionless.TypeDuration: "LONGTEXT",
	frictionless.TypeObject: "JSON", frictionless.TypeArray: "JSON", frictionless.TypeGeoJSON: "JSON",
	frictionless.TypeGeoPoint: "LONGTEXT", frictionless.TypeAny: "LONGTEXT",
}

// columnType uses VARCHAR(255) for text in keys (MySQL cannot index
// LONGTEXT without a prefix length).
func (mysqlDialect) columnType(f *frictionless.Field, key bool) string {
	if f.Type == frictionless.TypeNumber && f.Precision > 0 {
		return fmt.Sprintf("DECIMAL(%d,%d)", f.Precision, f.Scale)
	}
	t := mysqlTypes[f.Type]
	if key && t == "LONGTEXT" {
		return "VARCHAR(255)"
	}
	return t
}

// commentDDL is an inline COMMENT clause with our constant type marker
// (MariaDB reports JSON columns as longtext, so objects are marked too).
func (mysqlDialect) commentDDL(_ string, f *frictionless.Field) string {
	if f.Type == frictionless.TypeObject {
		return " COMMENT 'frictionless:object'"
	}
	if c := typeComment(f); c != "" {
		return " COMMENT '" + c + "'"
	}
	return ""
}

// mysqlFieldType maps information_schema types back.
func mysqlFieldType(dataType, columnType string, prec, scale int) frictionless.Field {
	switch strings.ToLower(dataType) {
	case "bigint", "int", "mediumint", "smallint":
		return frictionless.Field{Type: frictionless.TypeInteger}
	case "tinyint":
		if strings.HasPrefix(strings.ToLower(columnType), "tinyint(1)") {
			return frictionless.Field{Type: frictionless.TypeBoolean}
		}
		return frictionless.Field{Type: frictionless.TypeInteger}
	case "double", "float", "real":
		return frictionless.Field{Type: frictionless.TypeNumber}
	case "decimal":
		if prec == mysqlMaxPrecision && scale == mysqlNumberScale {
			return frictionless.Field{Type: frictionless.TypeNumber} // a number without precision
		}
		return frictionless.Field{Type: frictionless.TypeNumber, Precision: prec, Scale: scale}
	case "date":
		return frictionless.Field{Type: frictionless.TypeDate}
	case "time":
		return frictionless.Field{Type: frictionless.TypeTime}
	case "datetime", "timestamp":
		return frictionless.Field{Type: frictionless.TypeDateTime}
	case "json":
		return frictionless.Field{Type: frictionless.TypeObject}
	}
	return frictionless.Field{Type: frictionless.TypeString}
}

// sameName compares table names byte for byte (information_schema
// comparisons are case-insensitive).
const sameName = "BINARY TABLE_NAME = BINARY ?"

func (mysqlDialect) tableExists(ctx context.Context, q sqlx.QueryerContext, name string) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND "+sameName, name)
	return n > 0, err
}

// describe reads the table's definition from information_schema, which
// is not transactional: during a concurrent replace's RENAME it can see
// the table gone, or its columns without its key. So the table is first
// opened in a transaction (a SELECT of no rows), whose shared metadata
// lock keeps a RENAME or DROP of it waiting until the transaction ends.
func (d mysqlDialect) describe(ctx context.Context, q sqlx.QueryerContext, name string) (*frictionless.Schema, error) {
	db, ok := q.(*sqlx.DB)
	if !ok {
		return d.describePinned(ctx, q, name)
	}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return d.describePinned(ctx, tx, name)
}

// describePinned is describe inside a transaction (q).
func (d mysqlDialect) describePinned(ctx context.Context, q sqlx.QueryerContext, name string) (*frictionless.Schema, error) {
	var none []int
	if err := sqlx.SelectContext(ctx, q, &none, "SELECT 1 FROM "+d.table(name)+" LIMIT 0"); err != nil {
		return nil, err
	}
	var cols []struct {
		Name     string `db:"COLUMN_NAME"`
		DataType string `db:"DATA_TYPE"`
		ColType  string `db:"COLUMN_TYPE"`
		Prec     *int   `db:"NUMERIC_PRECISION"`
		Scale    *int   `db:"NUMERIC_SCALE"`
		Nullable string `db:"IS_NULLABLE"`
		Comment  string `db:"COLUMN_COMMENT"`
	}
	err := sqlx.SelectContext(ctx, q, &cols, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, IS_NULLABLE, COLUMN_COMMENT
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND `+sameName+` ORDER BY ORDINAL_POSITION`, name)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errNoTable
	}
	s := &frictionless.Schema{}
	for _, c := range cols {
		var p, sc int
		if c.Prec != nil {
			p = *c.Prec
		}
		if c.Scale != nil {
			sc = *c.Scale
		}
		f := mysqlFieldType(c.DataType, c.ColType, p, sc)
		if t, ok := strings.CutPrefix(c.Comment, "frictionless:"); ok && frictionless.FieldType(t).Valid() {
			f = frictionless.Field{Type: frictionless.FieldType(t)}
		}
		f.Name = c.Name
		f.Constraints.Required = c.Nullable == "NO"
		s.Fields = append(s.Fields, f)
	}
	err = sqlx.SelectContext(ctx, q, &s.PrimaryKey, `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = DATABASE() AND `+sameName+` AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`, name)
	return s, err
}

func (mysqlDialect) listTables(ctx context.Context, q sqlx.QueryerContext, prefix string) ([]string, error) {
	var names []string
	err := sqlx.SelectContext(ctx, q, &names, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND LEFT(TABLE_NAME, ?) = ?", len(prefix), prefix)
	return names, err
}

// dependents reports triggers on the table, foreign keys referencing it, or
// more indexes on it than on the staging table (indexes added by hand, which
// a rename would lose). Views need nothing: MySQL resolves them by name, so
// a rename keeps them valid.
func (mysqlDialect) dependents(ctx context.Context, q sqlx.QueryerContext, name, staging string) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT
		(SELECT count(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND BINARY EVENT_OBJECT_TABLE = BINARY ?)
		+ (SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND BINARY REFERENCED_TABLE_NAME = BINARY ?)
		+ ((SELECT count(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND `+sameName+`)
		  > (SELECT count(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND `+sameName+`))`,
		name, name, name, staging)
	return n > 0, err
}

// mysqlColumn finds the column a MySQL error message names.
var mysqlColumn = regexp.MustCompile(`[Cc]olumn '([^']+)'`)

// mysqlDataErrors are the error numbers of refused row data.
var mysqlDataErrors = map[uint16]bool{
	1048: true, 1062: true, 1169: true, 1264: true, 1265: true, 1292: true, 1364: true, 1366: true,
	1406: true, 1451: true, 1452: true, 1690: true, 3140: true, 3819: true, 4025: true, 1367: true,
}

func (mysqlDialect) classify(err error) driver.ErrorInfo {
	if errors.Is(err, errNoTable) {
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	}
	var me *mysqldrv.MySQLError
	if !errors.As(err, &me) {
		return driver.ErrorInfo{}
	}
	switch {
	case me.Number == 1146, me.Number == 1051:
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	case me.Number == 1050:
		return driver.ErrorInfo{Kind: driver.KindExists}
	case mysqlDataErrors[me.Number]:
		info := driver.ErrorInfo{Kind: driver.KindData}
		if m := mysqlColumn.FindStringSubmatch(me.Message); m != nil {
			info.Field = m[1]
		}
		return info
	}
	return driver.ErrorInfo{}
}

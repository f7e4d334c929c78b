package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
)

// pgDialect: PostgreSQL through pgx. Tables live in the connection's
// current schema (the first of search_path) and are always qualified with
// it, so a table called like a catalog table is still ours.
type pgDialect struct {
	schema string
}

func (pgDialect) name() string { return "postgres" }

func (pgDialect) quote(id string) string { return sqldialect.Postgres.Quote(id) }

func (d pgDialect) table(name string) string { return d.quote(d.schema) + "." + d.quote(name) }

func (pgDialect) validateName(string) error { return nil }

// pgTypes maps Table Schema types to PostgreSQL types.
var pgTypes = map[frictionless.FieldType]string{
	"": "text", frictionless.TypeString: "text", frictionless.TypeInteger: "bigint",
	frictionless.TypeNumber: "numeric", frictionless.TypeBoolean: "boolean",
	frictionless.TypeDate: "date", frictionless.TypeTime: "time", frictionless.TypeDateTime: "timestamptz",
	frictionless.TypeYear: "integer", frictionless.TypeYearMonth: "date", frictionless.TypeDuration: "text",
	frictionless.TypeObject: "jsonb", frictionless.TypeArray: "jsonb", frictionless.TypeGeoJSON: "jsonb",
	frictionless.TypeGeoPoint: "text", frictionless.TypeAny: "text",
}

// ambiguous lists the types whose SQL type alone does not say the Table
// Schema type back; a column comment "frictionless:<type>" marks them.
var ambiguous = map[frictionless.FieldType]bool{
	frictionless.TypeYear: true, frictionless.TypeYearMonth: true, frictionless.TypeDuration: true,
	frictionless.TypeArray: true, frictionless.TypeGeoJSON: true, frictionless.TypeGeoPoint: true,
	frictionless.TypeAny: true,
}

// typeComment is the comment text marking an ambiguous type.
func typeComment(f *frictionless.Field) string {
	if !ambiguous[f.Type] {
		return ""
	}
	return "frictionless:" + string(f.Type)
}

// typeFromComment reads a type marker back.
func typeFromComment(c string) (frictionless.FieldType, bool) {
	t, ok := strings.CutPrefix(c, "frictionless:")
	ft := frictionless.FieldType(t)
	return ft, ok && ambiguous[ft]
}

func (pgDialect) columnType(f *frictionless.Field, _ bool) string {
	if f.Type == frictionless.TypeNumber && f.Precision > 0 {
		return fmt.Sprintf("numeric(%d,%d)", f.Precision, f.Scale)
	}
	return pgTypes[f.Type]
}

// commentDDL is a COMMENT ON COLUMN statement; the comment is one of our
// constant markers, never user text.
func (d pgDialect) commentDDL(table string, f *frictionless.Field) string {
	c := typeComment(f)
	if c == "" {
		return ""
	}
	return "COMMENT ON COLUMN " + d.table(table) + "." + d.quote(f.Name) + " IS '" + c + "'"
}

// pgFieldType maps format_type() output back.
func pgFieldType(sqlType string) frictionless.Field {
	base, args, _ := strings.Cut(sqlType, "(")
	switch base {
	case "bigint", "integer", "smallint":
		return frictionless.Field{Type: frictionless.TypeInteger}
	case "double precision", "real":
		return frictionless.Field{Type: frictionless.TypeNumber}
	case "numeric":
		var p, s int
		fmt.Sscanf(args, "%d,%d)", &p, &s)
		return frictionless.Field{Type: frictionless.TypeNumber, Precision: p, Scale: s}
	case "boolean":
		return frictionless.Field{Type: frictionless.TypeBoolean}
	case "date":
		return frictionless.Field{Type: frictionless.TypeDate}
	case "time without time zone", "time with time zone":
		return frictionless.Field{Type: frictionless.TypeTime}
	case "timestamp with time zone", "timestamp without time zone":
		return frictionless.Field{Type: frictionless.TypeDateTime}
	case "jsonb", "json":
		return frictionless.Field{Type: frictionless.TypeObject}
	}
	return frictionless.Field{Type: frictionless.TypeString}
}

func (d pgDialect) tableExists(ctx context.Context, q sqlx.QueryerContext, name string) (bool, error) {
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2)", d.schema, name)
	return ok, err
}

// regclass is the SQL expression for the table's oid (NULL when missing).
const regclass = "to_regclass(format('%I.%I', $1::text, $2::text))"

// pgDescribe reads a table's columns and primary-key positions in one
// statement, so under one snapshot: the name is matched in pg_class, not
// with to_regclass, whose lookup sees catalog changes committed after the
// statement's snapshot (during a concurrent replace's swap it found the
// new table, whose columns the snapshot did not show yet: "no such table",
// or a table without its primary key).
const pgDescribe = `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
	col_description(a.attrelid, a.attnum) AS comment, array_position(i.indkey::int2[], a.attnum) AS pk
	FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	JOIN pg_attribute a ON a.attrelid = c.oid
	LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
	WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		AND a.attnum > 0 AND NOT a.attisdropped
	ORDER BY a.attnum`

func (d pgDialect) describe(ctx context.Context, q sqlx.QueryerContext, name string) (*frictionless.Schema, error) {
	var cols []struct {
		Name    string  `db:"attname"`
		Type    string  `db:"type"`
		NotNull bool    `db:"attnotnull"`
		Comment *string `db:"comment"`
		PK      *int    `db:"pk"`
	}
	if err := sqlx.SelectContext(ctx, q, &cols, pgDescribe, d.schema, name); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errNoTable
	}
	s := &frictionless.Schema{}
	var key []keyColumn
	for _, c := range cols {
		f := pgFieldType(c.Type)
		if c.Comment != nil {
			if t, ok := typeFromComment(*c.Comment); ok {
				f = frictionless.Field{Type: t}
			}
		}
		f.Name = c.Name
		f.Constraints.Required = c.NotNull
		s.Fields = append(s.Fields, f)
		if c.PK != nil {
			key = append(key, keyColumn{*c.PK, c.Name})
		}
	}
	slices.SortFunc(key, func(a, b keyColumn) int { return cmp.Compare(a.pos, b.pos) })
	for _, k := range key {
		s.PrimaryKey = append(s.PrimaryKey, k.name)
	}
	return s, nil
}

// keyColumn is a primary-key column and its position in the key.
type keyColumn struct {
	pos  int
	name string
}

func (d pgDialect) listTables(ctx context.Context, q sqlx.QueryerContext, prefix string) ([]string, error) {
	var names []string
	err := sqlx.SelectContext(ctx, q, &names, "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2)", d.schema, prefix)
	return names, err
}

// pgKeyDetail finds the column list in a unique violation's detail:
// Key (a, b)=(1, 2) already exists.
var pgKeyDetail = regexp.MustCompile(`^Key \((.+?)\)=`)

// pgWhereColumn finds the column in a COPY error context.
var pgWhereColumn = regexp.MustCompile(`column (\S+):`)

func (pgDialect) classify(err error) driver.ErrorInfo {
	if errors.Is(err, errNoTable) {
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	}
	if se := (*pgstage.StreamError)(nil); errors.As(err, &se) {
		return driver.ErrorInfo{} // the rows of earlier Writes went with it: no row to reject
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return driver.ErrorInfo{}
	}
	switch {
	case pe.Code == "42P01":
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	case pe.Code == "42P07":
		return driver.ErrorInfo{Kind: driver.KindExists}
	case strings.HasPrefix(pe.Code, "22"), strings.HasPrefix(pe.Code, "23"), pe.Code == "21000":
		info := driver.ErrorInfo{Kind: driver.KindData, Field: pe.ColumnName}
		if m := pgKeyDetail.FindStringSubmatch(pe.Detail); info.Field == "" && m != nil {
			info.Field = m[1]
		}
		if m := pgWhereColumn.FindStringSubmatch(pe.Where); info.Field == "" && m != nil {
			info.Field = m[1]
		}
		return info
	}
	return driver.ErrorInfo{}
}

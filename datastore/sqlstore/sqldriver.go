package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jmoiron/sqlx"
)

// dialect is what differs between the SQL databases.
type dialect interface {
	// name is "sqlite", "postgres" or "mysql".
	name() string
	// quote quotes an identifier.
	quote(id string) string
	// table returns the quoted (and, where needed, qualified) table name.
	table(name string) string
	// validateName refuses names the database cannot store verbatim.
	validateName(name string) error
	// columnType is the SQL type of a field; key says it is in a key or
	// unique constraint.
	columnType(f *frictionless.Field, key bool) string
	// columnComment is the comment clause or statement marking the field's
	// type when the SQL type alone is ambiguous ("" when not needed).
	commentDDL(table string, f *frictionless.Field) string
	// tableExists, describe and listTables inspect the catalog.
	tableExists(ctx context.Context, q sqlx.QueryerContext, name string) (bool, error)
	describe(ctx context.Context, q sqlx.QueryerContext, name string) (*frictionless.Schema, error)
	listTables(ctx context.Context, q sqlx.QueryerContext, prefix string) ([]string, error)
	// classify maps a native error.
	classify(err error) driver.ErrorInfo
	// openWriter starts a write session.
	openWriter(ctx context.Context, d *sqlDriver, req *driver.WriteRequest) (driver.Writer, error)
}

// queryExecer is a DB, Tx or Conn: it queries and executes.
type queryExecer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// sqlDriver implements driver.Driver over a dialect and a sqlx pool.
type sqlDriver struct {
	db *sqlx.DB
	d  dialect
	// turn holds the write turn of a single-writer database (SQLite):
	// the store's write sessions queue here, in order and cancellably,
	// instead of meeting at the file lock, where a session waiting longer
	// than the busy timeout would fail. nil for other databases.
	turn chan struct{}
	// streams is how many COPY streams a PostgreSQL replace uses.
	streams int
	// maxRow caches MySQL's row size limit (0 until asked; mysqlMaxRow).
	maxRow atomic.Int64
}

// writeTurn waits for the store's write turn (at once when the database
// takes many writers), saying so through driver.Waiting when another
// session has it, and returns the function that gives it back (safe to
// call more than once).
func (s *sqlDriver) writeTurn(ctx context.Context, table string) (func(), error) {
	if s.turn == nil {
		return func() {}, nil
	}
	select {
	case s.turn <- struct{}{}:
	default:
		if waiting := driver.Waiting(ctx, table); waiting != nil {
			waiting()
		}
		select {
		case s.turn <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-s.turn }) }, nil
}

var _ driver.Driver = (*sqlDriver)(nil)

func (s *sqlDriver) TableExists(ctx context.Context, table string) (bool, error) {
	return s.d.tableExists(ctx, s.db, table)
}

func (s *sqlDriver) DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error) {
	return s.d.describe(ctx, s.db, table)
}

func (s *sqlDriver) CreateTable(ctx context.Context, table string, schema *frictionless.Schema) error {
	return createTable(ctx, s.db, s.d, table, schema)
}

func (s *sqlDriver) DropTable(ctx context.Context, table string) error {
	_, err := s.db.ExecContext(ctx, "DROP TABLE "+s.d.table(table))
	return err
}

func (s *sqlDriver) AddColumns(ctx context.Context, table string, fields []frictionless.Field) error {
	for i := range fields {
		f := &fields[i]
		stmt := "ALTER TABLE " + s.d.table(table) + " ADD COLUMN " + s.d.quote(f.Name) + " " + s.d.columnType(f, false)
		if s.d.name() == "mysql" {
			stmt += s.d.commentDDL(table, f)
		}
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
		if c := s.d.commentDDL(table, f); c != "" && s.d.name() == "postgres" {
			if _, err := s.db.ExecContext(ctx, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *sqlDriver) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	return s.d.openWriter(ctx, s, req)
}

func (s *sqlDriver) ValidateName(name string) error { return s.d.validateName(name) }

func (s *sqlDriver) Classify(err error) driver.ErrorInfo {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return driver.ErrorInfo{Kind: driver.KindCanceled}
	}
	if ve := (*driver.ValueError)(nil); errors.As(err, &ve) {
		return driver.ErrorInfo{Kind: driver.KindData, Field: ve.Field}
	}
	return s.d.classify(err)
}

// As supports **sqlx.DB and **sql.DB.
func (s *sqlDriver) As(i any) bool {
	switch p := i.(type) {
	case **sqlx.DB:
		*p = s.db
	case **sql.DB:
		*p = s.db.DB
	default:
		return false
	}
	return true
}

func (s *sqlDriver) Close() error { return s.db.Close() }

// ReadRows selects every row in key order and decodes it.
func (s *sqlDriver) ReadRows(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return readOn(ctx, conn, conn, s.d, table, schema, fn)
}

// readOn reads the table on conn: through pgx on PostgreSQL, else through
// database/sql on q (conn itself, or a transaction on it).
func readOn(ctx context.Context, conn *sqlx.Conn, q sqlx.QueryerContext, d dialect, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	if _, ok := d.(pgDialect); ok {
		return pgReadRows(ctx, conn.Conn, d, table, schema, fn)
	}
	return readRows(ctx, q, d, table, schema, fn)
}

// readRows runs ReadRows' SELECT on q through database/sql.
func readRows(ctx context.Context, q sqlx.QueryerContext, d dialect, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	rows, err := q.QueryContext(ctx, selectAll(d, table, schema))
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := len(schema.Fields)
	raw := make([]any, cols)
	ptrs := make([]any, cols)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	row := make(frictionless.Row, cols)
	_, mysql := d.(mysqlDialect)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i := range raw {
			if row[i], err = decodeValue(&schema.Fields[i], raw[i]); err != nil {
				return fmt.Errorf("column %q: %w", schema.Fields[i].Name, err)
			}
			if mysql {
				row[i] = mysqlTrimNumber(&schema.Fields[i], row[i])
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// selectAll is ReadRows' query: every column, in primary-key order (all
// columns in order without a key).
func selectAll(d dialect, table string, schema *frictionless.Schema) string {
	order := make([]string, 0, len(schema.Fields))
	for _, k := range schema.PrimaryKey {
		order = append(order, d.quote(k))
	}
	if len(order) == 0 {
		for i := range schema.Fields {
			order = append(order, fmt.Sprint(i+1))
		}
	}
	return selectColumns(d, table, schema) + " ORDER BY " + strings.Join(order, ", ")
}

// selectColumns selects every column of the schema, in no order.
func selectColumns(d dialect, table string, schema *frictionless.Schema) string {
	cols := make([]string, len(schema.Fields))
	for i := range schema.Fields {
		cols[i] = d.quote(schema.Fields[i].Name)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + d.table(table)
}

// createTable runs CREATE TABLE (and comment statements) on e.
func createTable(ctx context.Context, e sqlx.ExecerContext, d dialect, table string, schema *frictionless.Schema) error {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + d.table(table) + " (")
	keyed := func(name string) bool {
		i := schema.FieldIndex(name)
		return slices.Contains(schema.PrimaryKey, name) || (i >= 0 && schema.Fields[i].Constraints.Unique)
	}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.quote(f.Name) + " " + d.columnType(f, keyed(f.Name)))
		if f.Constraints.Required || slices.Contains(schema.PrimaryKey, f.Name) {
			b.WriteString(" NOT NULL")
		}
		if f.Constraints.Unique && !slices.Equal(schema.PrimaryKey, []string{f.Name}) {
			b.WriteString(" UNIQUE")
		}
		if d.name() == "mysql" {
			b.WriteString(d.commentDDL(table, f))
		}
	}
	if len(schema.PrimaryKey) > 0 {
		b.WriteString(", PRIMARY KEY (" + quoteList(d, schema.PrimaryKey) + ")")
	}
	b.WriteString(")")
	if _, err := e.ExecContext(ctx, b.String()); err != nil {
		return err
	}
	if d.name() != "postgres" {
		return nil
	}
	for i := range schema.Fields {
		if c := d.commentDDL(table, &schema.Fields[i]); c != "" {
			if _, err := e.ExecContext(ctx, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// quoteList quotes and joins identifiers.
func quoteList(d dialect, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.quote(n)
	}
	return strings.Join(q, ", ")
}

// fieldNames returns the names of fields.
func fieldNames(fields []frictionless.Field) []string {
	out := make([]string, len(fields))
	for i := range fields {
		out[i] = fields[i].Name
	}
	return out
}

// stagingPrefix is the name prefix of every staging table of a target:
// recognisable, and short enough for any target name.
func stagingPrefix(target string) string {
	h := fnv.New64a()
	h.Write([]byte(target))
	return fmt.Sprintf("_dfstg_%016x_", h.Sum64())
}

// stagingName returns a fresh staging table name for target.
func stagingName(target string) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return stagingPrefix(target) + hex.EncodeToString(b[:])
}

// dropStale drops leftover staging tables of target (from a load killed
// before it could clean up). The caller makes sure no other load of the
// same target is running (a transaction on PostgreSQL and SQLite, where
// uncommitted staging tables are invisible; a named lock on MySQL).
func dropStale(ctx context.Context, e queryExecer, d dialect, target string) error {
	names, err := d.listTables(ctx, e, stagingPrefix(target))
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := e.ExecContext(ctx, "DROP TABLE IF EXISTS "+d.table(n)); err != nil {
			return err
		}
	}
	return nil
}

// SingleWriter reports whether the database takes one write session at a
// time (SQLite).
func (s *sqlDriver) SingleWriter() bool { return s.d.name() == "sqlite" }

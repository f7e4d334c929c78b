package sqlstore

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
)

// sqliteDialect: modernc.org/sqlite. Every value is stored so that it reads
// back exactly: datetimes as UTC text with microseconds, exact decimals as
// text (DECIMAL_TEXT(p,s) has TEXT affinity), JSON as text. The declared
// type names carry the Table Schema type for DescribeTable.
type sqliteDialect struct{}

// sqlite limits: rows per INSERT and bound parameters per statement.
const (
	sqliteRowsPerStmt = 200
	sqliteMaxParams   = 32000
)

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) quote(id string) string { return sqldialect.SQLite.Quote(id) }

func (d sqliteDialect) table(name string) string { return d.quote(name) }

func (sqliteDialect) validateName(name string) error {
	if strings.HasPrefix(strings.ToLower(name), "sqlite_") {
		return errors.New("names starting with sqlite_ are reserved by SQLite")
	}
	return nil
}

// sqliteTypes maps Table Schema types to declared SQLite types.
var sqliteTypes = map[frictionless.FieldType]string{
	"": "TEXT", frictionless.TypeString: "TEXT", frictionless.TypeInteger: "INTEGER",
	frictionless.TypeNumber: "DECIMAL_TEXT", frictionless.TypeBoolean: "BOOLEAN",
	frictionless.TypeDate: "DATE", frictionless.TypeTime: "TIME", frictionless.TypeDateTime: "DATETIME",
	frictionless.TypeYear: "YEAR", frictionless.TypeYearMonth: "YEARMONTH", frictionless.TypeDuration: "DURATION",
	frictionless.TypeObject: "JSON", frictionless.TypeArray: "JSON_ARRAY", frictionless.TypeGeoJSON: "GEOJSON",
	frictionless.TypeGeoPoint: "GEOPOINT", frictionless.TypeAny: "ANY_TEXT",
}

func (sqliteDialect) columnType(f *frictionless.Field, _ bool) string {
	if f.Type == frictionless.TypeNumber && f.Precision > 0 {
		return fmt.Sprintf("DECIMAL_TEXT(%d,%d)", f.Precision, f.Scale)
	}
	return sqliteTypes[f.Type]
}

func (sqliteDialect) commentDDL(string, *frictionless.Field) string { return "" }

// sqliteFieldType reads a declared type back.
func sqliteFieldType(decl string) frictionless.Field {
	decl = strings.ToUpper(strings.TrimSpace(decl))
	base, args, _ := strings.Cut(decl, "(")
	if base == "DECIMAL_TEXT" && args != "" {
		p, s, _ := strings.Cut(strings.TrimSuffix(args, ")"), ",")
		prec, _ := strconv.Atoi(strings.TrimSpace(p))
		scale, _ := strconv.Atoi(strings.TrimSpace(s))
		return frictionless.Field{Type: frictionless.TypeNumber, Precision: prec, Scale: scale}
	}
	for t, name := range sqliteTypes {
		if name == base && t != "" {
			return frictionless.Field{Type: t}
		}
	}
	switch {
	case strings.Contains(base, "INT"):
		return frictionless.Field{Type: frictionless.TypeInteger}
	case strings.Contains(base, "REAL"), strings.Contains(base, "FLOA"), strings.Contains(base, "DOUB"),
		strings.HasPrefix(base, "NUMERIC"), strings.HasPrefix(base, "DECIMAL"):
		return frictionless.Field{Type: frictionless.TypeNumber}
	case base == "TIMESTAMP":
		return frictionless.Field{Type: frictionless.TypeDateTime}
	case base == "BOOL":
		return frictionless.Field{Type: frictionless.TypeBoolean}
	}
	return frictionless.Field{Type: frictionless.TypeString}
}

// tableExists reports whether the table exists under exactly this name. A
// table or view whose name differs only in case is an error: SQLite's names
// ignore case, so a load into "Victim" next to "victim" would write into the
// other table (append) or fail at the swap (replace); it fails up front.
func (sqliteDialect) tableExists(ctx context.Context, q sqlx.QueryerContext, name string) (bool, error) {
	var found []struct {
		Name string `db:"name"`
		Type string `db:"type"`
	}
	err := sqlx.SelectContext(ctx, q, &found,
		"SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE", name)
	if err != nil {
		return false, err
	}
	exists := false
	for _, f := range found {
		if f.Name != name {
			return false, fmt.Errorf("table %q: SQLite already has the %s %q, and its names ignore case: use that name or another one", name, f.Type, f.Name)
		}
		exists = exists || f.Type == "table"
	}
	return exists, nil
}

func (d sqliteDialect) describe(ctx context.Context, q sqlx.QueryerContext, name string) (*frictionless.Schema, error) {
	var cols []struct {
		Name    string `db:"name"`
		Type    string `db:"type"`
		NotNull bool   `db:"notnull"`
		PK      int    `db:"pk"`
	}
	err := sqlx.SelectContext(ctx, q, &cols, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errNoTable
	}
	s := &frictionless.Schema{}
	keys := map[int]string{}
	for _, c := range cols {
		f := sqliteFieldType(c.Type)
		f.Name = c.Name
		f.Constraints.Required = c.NotNull || c.PK > 0
		s.Fields = append(s.Fields, f)
		if c.PK > 0 {
			keys[c.PK] = c.Name
		}
	}
	for i := 1; i <= len(keys); i++ {
		s.PrimaryKey = append(s.PrimaryKey, keys[i])
	}
	return s, nil
}

func (sqliteDialect) listTables(ctx context.Context, q sqlx.QueryerContext, prefix string) ([]string, error) {
	var names []string
	err := sqlx.SelectContext(ctx, q, &names, "SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, ?) = ?", len(prefix), prefix)
	return names, err
}

// dependents reports whether a view or trigger mentions the table (a
// textual, conservative test) or the table has indexes of its own (not
// those of its key and unique constraints), which a rename would lose.
func (sqliteDialect) dependents(ctx context.Context, q sqlx.QueryerContext, name string) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM sqlite_schema
		WHERE (type IN ('view', 'trigger') AND instr(sql, ?) > 0) OR (type = 'index' AND tbl_name = ? AND sql IS NOT NULL)`, name, name)
	return n > 0, err
}

func (sqliteDialect) classify(err error) driver.ErrorInfo {
	if errors.Is(err, errNoTable) {
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return driver.ErrorInfo{}
	}
	msg := se.Error()
	switch se.Code() & 0xff {
	case 19, 20, 18: // SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG
		info := driver.ErrorInfo{Kind: driver.KindData}
		if _, after, ok := strings.Cut(msg, "constraint failed: "); ok {
			col, _, _ := strings.Cut(after, ",")
			if i := strings.Index(col, "."); i >= 0 {
				col = col[i+1:]
			}
			info.Field = strings.TrimSpace(strings.TrimSuffix(col, ")"))
		}
		return info
	}
	switch {
	case strings.Contains(msg, "no such table"):
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	case strings.Contains(msg, "already exists"):
		return driver.ErrorInfo{Kind: driver.KindExists}
	}
	return driver.ErrorInfo{}
}

// sqliteWriter runs the whole session in one transaction on a connection
// of its own: a replace creates its staging table inside it, so a failure
// or a crash leaves nothing.
type sqliteWriter struct {
	d       sqliteDialect
	req     *driver.WriteRequest
	conn    *sqlx.Conn
	tx      *sqlx.Tx
	in      *inserter
	staging string
	// tempStore is set while the connection's temp_store is MEMORY for
	// the session (see memorySubjournal), to be set back at the end.
	tempStore bool
	done      bool
	release   func() // gives the store's write turn back
}

func (d sqliteDialect) openWriter(ctx context.Context, s *sqlDriver, req *driver.WriteRequest) (driver.Writer, error) {
	release, err := s.writeTurn(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		release()
		return nil, err
	}
	w := &sqliteWriter{d: d, req: req, conn: conn, release: release}
	if err := w.open(ctx); err != nil {
		return nil, errors.Join(err, w.Abort())
	}
	return w, nil
}

// open keeps the connection's sub-journal in memory, begins the
// transaction and sets it up.
func (w *sqliteWriter) open(ctx context.Context) error {
	var err error
	if w.tempStore, err = memorySubjournal(ctx, w.conn); err != nil {
		return err
	}
	if w.tx, err = w.conn.BeginTxx(ctx, nil); err != nil {
		return err
	}
	return w.setup(ctx)
}

// memorySubjournal sets the connection's temp_store to MEMORY when it is
// at its default and reports whether it did. A load writes under
// savepoints, and in WAL mode every dirty page the page cache spills
// during a savepoint is first copied to the sub-journal, a temporary file
// by default: that is every page of the load once more, two write system
// calls a page (a 1M-row load's writer spent 0.14–0.25 s of its 2.2 s
// there). In memory the sub-journal holds what one Write spills and is
// emptied at its release. A URL that sets temp_store keeps its choice, and
// a database whose journal is in memory (":memory:") has its sub-journal
// there already. It must be set before BEGIN: SQLite reads it when the
// write transaction starts.
func memorySubjournal(ctx context.Context, conn *sqlx.Conn) (bool, error) {
	var journal string
	if err := conn.GetContext(ctx, &journal, "PRAGMA journal_mode"); err != nil {
		return false, err
	}
	var mode int
	if err := conn.GetContext(ctx, &mode, "PRAGMA temp_store"); err != nil {
		return false, err
	}
	if mode != 0 || strings.EqualFold(journal, "memory") {
		return false, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return false, err
	}
	return true, nil
}

// setup creates the staging table for a replace and prepares the inserter.
func (w *sqliteWriter) setup(ctx context.Context) error {
	into := w.req.Table
	var suffix string
	switch w.req.Mode {
	case driver.Replace:
		if err := dropStale(ctx, w.tx, w.d, w.req.Table); err != nil {
			return err
		}
		w.staging = stagingName(w.req.Table)
		if err := createTable(ctx, w.tx, w.d, w.staging, w.req.TableSchema); err != nil {
			return err
		}
		into = w.staging
	case driver.Upsert:
		suffix = upsertSQLite(w.d, w.req)
	}
	w.in = newInserter(w.tx.Tx, w.d, w.d.table(into), w.req.Columns, suffix, sqliteRowsPerStmt, sqliteMaxParams, false)
	w.in.direct = newDirectExec(w.conn.Conn)
	return nil
}

// upsertSQLite is the ON CONFLICT clause for the key.
func upsertSQLite(d dialect, req *driver.WriteRequest) string {
	var sets []string
	for _, f := range req.Columns {
		if !contains(req.Key, f.Name) {
			sets = append(sets, d.quote(f.Name)+" = excluded."+d.quote(f.Name))
		}
	}
	if len(sets) == 0 {
		return " ON CONFLICT (" + quoteList(d, req.Key) + ") DO NOTHING"
	}
	return " ON CONFLICT (" + quoteList(d, req.Key) + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

func (w *sqliteWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	return w.in.write(ctx, rows)
}

func (w *sqliteWriter) Commit(ctx context.Context) error {
	w.in.close()
	if w.staging != "" {
		exists, err := w.d.tableExists(ctx, w.tx, w.req.Table)
		if err != nil {
			return err
		}
		deps := false
		if exists {
			if deps, err = w.d.dependents(ctx, w.tx, w.req.Table); err != nil {
				return err
			}
		}
		for _, stmt := range swapStatements(w.d, w.req.Table, w.staging, exists, deps, w.req.Columns) {
			if _, err := w.tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("swap: %w", err)
			}
		}
	}
	if err := w.tx.Commit(); err != nil {
		return err
	}
	w.tx = nil
	w.end()
	return nil
}

// Abort rolls back what is not committed and ends the session.
func (w *sqliteWriter) Abort() error {
	if w.done {
		return nil
	}
	var err error
	if w.tx != nil {
		err = ignoreDone(w.tx.Rollback())
	}
	w.end()
	return err
}

// end closes the statements, sets the connection's temp_store back (or,
// when that fails, has the pool close the connection: its errors are not
// the session's, which has committed or rolled back), hands the
// connection back and gives the write turn back.
func (w *sqliteWriter) end() {
	w.done = true
	defer w.release()
	if w.in != nil {
		w.in.close()
	}
	if w.tempStore {
		if _, err := w.conn.ExecContext(context.Background(), "PRAGMA temp_store = DEFAULT"); err != nil {
			discardConn(w.conn)
		}
	}
	_ = w.conn.Close()
}

// discardConn makes the pool close conn instead of reusing it: its
// session state could not be set back. Raw returns the ErrBadConn it is
// given, which is what makes database/sql close the connection.
func discardConn(conn *sqlx.Conn) {
	_ = conn.Raw(func(any) error { return sqldriver.ErrBadConn })
}

// contains reports whether names holds name.
func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// errNoTable is returned by describe for a missing table.
var errNoTable = errors.New("no such table")

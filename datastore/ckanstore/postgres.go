package ckanstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgWriter is the direct-PostgreSQL replace: rows are COPYed into a
// staging table laid out as CKAN lays out DataStore tables (_id serial,
// _full_text tsvector filled by the zfulltext trigger, typed columns,
// Data Dictionary info as column comments), and Commit swaps it in with one
// short transaction, then refreshes the DataStore metadata through the API
// (datastore_create with the fields, key and aliases). Readers see the old
// table until the swap commits, and a failure before leaves it untouched.
type pgWriter struct {
	d       *ckanDriver
	req     *driver.WriteRequest
	schema  *frictionless.Schema
	conn    *pgx.Conn
	target  string // resource id: the table name
	staging string
	created bool // the target was created for this load (dropped on Abort)
	pkIndex string
	done    bool
}

// openPGWriter starts a direct replace session.
func (d *ckanDriver) openPGWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w := &pgWriter{d: d, req: req, schema: req.TableSchema}
	if w.schema == nil {
		w.schema = &frictionless.Schema{Fields: req.Columns, PrimaryKey: req.Key}
	}
	id, ok, err := d.resolve(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := d.CreateTable(ctx, req.Table, w.schema); err != nil {
			return nil, err
		}
		w.created = true
		if id, _, err = d.resolve(ctx, req.Table); err != nil {
			return nil, w.fail(err)
		}
	}
	w.target = id
	if w.conn, err = pgx.Connect(ctx, d.opts.PostgresURL); err != nil {
		return nil, w.fail(fmt.Errorf("ckanstore: connect to the DataStore database: %w", redactPG(err)))
	}
	if err := w.createStaging(ctx); err != nil {
		return nil, w.fail(err)
	}
	return w, nil
}

// fail aborts a half-opened session and returns err.
func (w *pgWriter) fail(err error) error {
	return errors.Join(err, w.Abort())
}

// pgDecl is the PostgreSQL column type of a DataStore type name.
func pgDecl(ckan string) string {
	if ckan == "json" {
		return "json"
	}
	return ckan
}

// createStaging creates the staging table, its trigger and unique index.
func (w *pgWriter) createStaging(ctx context.Context) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	w.staging = "_df_stage_" + hex.EncodeToString(b[:])
	defs := []string{`"_id" serial PRIMARY KEY`, `"_full_text" tsvector`}
	for i := range w.schema.Fields {
		f := &w.schema.Fields[i]
		defs = append(defs, pgx.Identifier{f.Name}.Sanitize()+" "+pgDecl(ckanType(f)))
	}
	st := pgx.Identifier{w.staging}.Sanitize()
	// The full-text trigger is created at Commit, after _full_text is
	// filled in one UPDATE (as xloader does): much faster than firing a
	// PL/pgSQL trigger per COPYed row.
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (%s)", st, strings.Join(defs, ", "))}
	if len(w.schema.PrimaryKey) > 0 {
		w.pkIndex = w.staging + "_key"
		cols := make([]string, len(w.schema.PrimaryKey))
		for i, k := range w.schema.PrimaryKey {
			cols[i] = pgx.Identifier{k}.Sanitize()
		}
		stmts = append(stmts, fmt.Sprintf("CREATE UNIQUE INDEX %s ON %s (%s)", pgx.Identifier{w.pkIndex}.Sanitize(), st, strings.Join(cols, ", ")))
	}
	for _, q := range stmts {
		if _, err := w.conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Write COPYs the rows into the staging table (one statement: all or
// nothing).
func (w *pgWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	names := make([]string, len(w.req.Columns))
	for i := range w.req.Columns {
		names[i] = w.req.Columns[i].Name
	}
	src := make([][]any, len(rows))
	for i, row := range rows {
		vals := make([]any, len(row))
		for j := range w.req.Columns {
			v, err := pgValue(&w.req.Columns[j], row[j])
			if err != nil {
				return err
			}
			vals[j] = v
		}
		src[i] = vals
	}
	_, err := w.conn.CopyFrom(ctx, pgx.Identifier{w.staging}, names, pgx.CopyFromRows(src))
	return err
}

// pgValue converts a row value for COPY.
func pgValue(f *frictionless.Field, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case frictionless.Decimal:
		var n pgtype.Numeric
		return n, n.Scan(x.String())
	case time.Time:
		if f.Type == frictionless.TypeTime {
			us := int64(x.Hour())*3600e6 + int64(x.Minute())*60e6 + int64(x.Second())*1e6 + int64(x.Nanosecond()/1000)
			return pgtype.Time{Microseconds: us, Valid: true}, nil
		}
		return x, nil
	case map[string]any, []any:
		b, err := json.Marshal(x)
		return string(b), err
	}
	return v, nil
}

// Commit swaps the staging table in and refreshes the DataStore metadata.
func (w *pgWriter) Commit(ctx context.Context) error {
	if w.done {
		return errors.New("ckanstore: writer already finished")
	}
	info, err := w.d.c.DatastoreInfo(ctx, w.target)
	if err != nil {
		return err
	}
	if err := w.fillFullText(ctx); err != nil {
		return err
	}
	if err := w.swap(ctx); err != nil {
		return err
	}
	w.done = true
	_ = w.conn.Close(context.WithoutCancel(ctx))
	req := createRequest(w.schema)
	req.ResourceID = w.target
	if len(info.Meta.Aliases) > 0 {
		req.Aliases = info.Meta.Aliases
	}
	if _, err := w.d.c.DatastoreCreate(ctx, req); err != nil {
		return fmt.Errorf("ckanstore: table swapped in, but refreshing its DataStore metadata failed: %w", err)
	}
	return nil
}

// fillFullText computes _full_text for every staged row the way the
// zfulltext trigger does (every user column's text), then creates the
// trigger so later API writes keep it current.
func (w *pgWriter) fillFullText(ctx context.Context) error {
	parts := make([]string, len(w.schema.Fields))
	for i := range w.schema.Fields {
		parts[i] = pgx.Identifier{w.schema.Fields[i].Name}.Sanitize() + "::text"
	}
	st := pgx.Identifier{w.staging}.Sanitize()
	expr := "''"
	if len(parts) > 0 {
		expr = "concat_ws(' ', " + strings.Join(parts, ", ") + ")"
	}
	for _, q := range []string{
		fmt.Sprintf("UPDATE %s SET _full_text = to_tsvector(%s)", st, expr),
		fmt.Sprintf("CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()", st),
	} {
		if _, err := w.conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// swap replaces the target by the staging table in one transaction.
func (w *pgWriter) swap(ctx context.Context) error {
	tx, err := w.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	target, st := pgx.Identifier{w.target}.Sanitize(), pgx.Identifier{w.staging}.Sanitize()
	stmts := []string{}
	if t := w.req.SwapTimeout; t > 0 {
		stmts = append(stmts, fmt.Sprintf("SET LOCAL lock_timeout = %d", t.Milliseconds()))
	}
	stmts = append(stmts, "LOCK TABLE "+target+" IN ACCESS EXCLUSIVE MODE", "DROP TABLE "+target+" CASCADE")
	if w.pkIndex != "" { // the API refresh builds CKAN's own unique index
		stmts = append(stmts, "DROP INDEX "+pgx.Identifier{w.pkIndex}.Sanitize())
	}
	stmts = append(stmts, "ALTER TABLE "+st+" RENAME TO "+target)
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	for i := range w.schema.Fields {
		f := &w.schema.Fields[i]
		info, err := json.Marshal(ckanField(f, keyIndex(w.schema.PrimaryKey, f.Name)).Info)
		if err != nil {
			return err
		}
		var stmt string
		if err := tx.QueryRow(ctx, "SELECT format('COMMENT ON COLUMN %I.%I IS %L', $1::text, $2::text, $3::text)", w.target, f.Name, string(info)).Scan(&stmt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// Abort drops the staging table, and the target if this load created it.
func (w *pgWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	var errs []error
	if w.conn != nil {
		errs = append(errs, w.dropStaging(ctx))
		errs = append(errs, w.conn.Close(ctx))
	}
	if w.created {
		errs = append(errs, w.d.DropTable(ctx, w.req.Table))
	}
	return errors.Join(errs...)
}

// dropStaging drops the staging table, on a new connection when the
// session's was closed (pgx closes it when a query's context is cancelled).
func (w *pgWriter) dropStaging(ctx context.Context) error {
	if w.staging == "" {
		return nil
	}
	q := "DROP TABLE IF EXISTS " + pgx.Identifier{w.staging}.Sanitize()
	if !w.conn.IsClosed() {
		if _, err := w.conn.Exec(ctx, q); err == nil {
			return nil
		}
	}
	conn, err := pgx.Connect(ctx, w.d.opts.PostgresURL)
	if err != nil {
		return fmt.Errorf("ckanstore: drop staging table: %w", redactPG(err))
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, q)
	return err
}

// pgDataError reports database errors that refuse the rows' data: unique
// violations, not-null and check violations, data exceptions (class 22).
func pgDataError(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return strings.HasPrefix(pe.Code, "22") || pe.Code == "23505" || pe.Code == "23502" || pe.Code == "23514"
}

// redactPG drops a connection string that a pgx error may carry.
func redactPG(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.New("cannot connect to the DataStore database")
	}
	return err
}

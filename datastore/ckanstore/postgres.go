package ckanstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgWriter is the direct-PostgreSQL replace, a pgstage.Replace of the
// resource's table: rows are COPYed into a staging table laid out as CKAN
// lays out DataStore tables (_id serial primary key, _full_text tsvector,
// typed columns, the key as a unique constraint, Data Dictionary info as
// column comments), all in one transaction. Commit fills _full_text as the
// zfulltext trigger would and adds the trigger, drops the old table (with
// the alias views CKAN keeps over it) and renames the staging table into
// its place, recreates the alias views, and commits: readers of the
// resource id or of an alias see the old table until that commit and the
// new one after, never a missing one, and the key is enforced throughout.
// Then a datastore_create with the fields, key and aliases refreshes
// CKAN's own metadata. A failure before the commit leaves everything as it
// was.
type pgWriter struct {
	d       *ckanDriver
	req     *driver.WriteRequest
	schema  *frictionless.Schema
	conn    *pgx.Conn
	stage   *pgstage.Replace
	target  string   // resource id: the table name
	aliases []string // the resource's aliases, recreated in the swap
	created bool     // the target was created for this load (dropped on Abort)
	done    bool
}

// openPGWriter starts a direct replace session.
func (d *ckanDriver) openPGWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w := &pgWriter{d: d, req: req, schema: requestSchema(req)}
	info, ok, err := d.resolveInfo(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := d.CreateTable(ctx, req.Table, w.schema); err != nil {
			return nil, err
		}
		w.created = true
		if info, _, err = d.resolveInfo(ctx, req.Table); err != nil {
			return nil, w.fail(err)
		}
	}
	w.target, w.aliases = info.Meta.ID, info.Meta.Aliases
	if w.conn, err = pgx.Connect(ctx, d.opts.PostgresURL); err != nil {
		return nil, w.fail(fmt.Errorf("ckanstore: connect to the DataStore database: %w", redactPG(err)))
	}
	v211, err := d.commentsV211(ctx)
	if err != nil {
		return nil, w.fail(err)
	}
	o, err := w.options(v211)
	if err != nil {
		return nil, w.fail(err)
	}
	if w.stage, err = pgstage.Begin(ctx, pgstage.Direct(w.conn), o); err != nil {
		return nil, w.fail(err)
	}
	return w, nil
}

// fail aborts a half-opened session and returns err.
func (w *pgWriter) fail(err error) error {
	return errors.Join(err, w.Abort())
}

// options describes the replace: CKAN's table layout and the hooks.
// v211 selects CKAN 2.11's column comment format.
func (w *pgWriter) options(v211 bool) (pgstage.Options, error) {
	cols := []pgstage.Column{{Name: "_id", Type: "serial"}, {Name: "_full_text", Type: "tsvector"}}
	for i := range w.schema.Fields {
		f := &w.schema.Fields[i]
		comment, err := infoComment(ckanField(f, keyIndex(w.schema.PrimaryKey, f.Name)).Info, v211)
		if err != nil {
			return pgstage.Options{}, err
		}
		cols = append(cols, pgstage.Column{Name: f.Name, Type: ckanType(f), Comment: comment})
	}
	o := pgstage.Options{
		Table:       w.target,
		Columns:     cols,
		PrimaryKey:  []string{"_id"},
		Fields:      w.req.Columns,
		Dependents:  pgstage.Cascade,
		SwapTimeout: w.req.SwapTimeout,
		Staged:      w.fillFullText,
		Swapped:     w.recreateAliases,
	}
	if len(w.schema.PrimaryKey) > 0 {
		o.UniqueKeys = [][]string{w.schema.PrimaryKey}
	}
	return o, nil
}

// Write COPYs the rows into the staging table (all or nothing per call).
func (w *pgWriter) Write(ctx context.Context, rows []frictionless.Row) error {
	return w.stage.Write(ctx, rows)
}

// Commit swaps the staging table in and refreshes the DataStore metadata.
func (w *pgWriter) Commit(ctx context.Context) error {
	if w.done {
		return errors.New("ckanstore: writer already finished")
	}
	if err := w.stage.Commit(ctx); err != nil {
		return err
	}
	w.done = true
	_ = w.conn.Close(context.WithoutCancel(ctx))
	req := createRequest(w.schema)
	req.ResourceID = w.target
	if len(w.aliases) > 0 {
		req.Aliases = ckan.StringList(w.aliases)
	}
	if _, err := w.d.c.DatastoreCreate(ctx, req); err != nil {
		return fmt.Errorf("ckanstore: table swapped in, but refreshing its DataStore metadata failed: %w", err)
	}
	return nil
}

// fillFullText computes _full_text for every staged row the way the
// zfulltext trigger does (every user column's text; one UPDATE, as xloader
// does, is much faster than a PL/pgSQL trigger per COPYed row), then
// creates the trigger so later API writes keep it current.
func (w *pgWriter) fillFullText(ctx context.Context, c *pgx.Conn, staging pgx.Identifier) error {
	parts := make([]string, len(w.schema.Fields))
	for i := range w.schema.Fields {
		parts[i] = pgx.Identifier{w.schema.Fields[i].Name}.Sanitize() + "::text"
	}
	expr := "''"
	if len(parts) > 0 {
		expr = "concat_ws(' ', " + strings.Join(parts, ", ") + ")"
	}
	for _, q := range []string{
		"UPDATE " + staging.Sanitize() + " SET _full_text = to_tsvector(" + expr + ")",
		"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON " + staging.Sanitize() + " FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()",
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// recreateAliases makes the resource's aliases again, as CKAN's
// create_alias does (a view selecting every column of the table), in the
// transaction of the swap, which dropped them with the old table.
func (w *pgWriter) recreateAliases(ctx context.Context, c *pgx.Conn, target pgx.Identifier) error {
	for _, a := range w.aliases {
		view := append(target[:len(target)-1:len(target)-1], a)
		if _, err := c.Exec(ctx, "CREATE VIEW "+view.Sanitize()+" AS SELECT * FROM "+target.Sanitize()); err != nil {
			return fmt.Errorf("ckanstore: recreate alias %q: %w", a, err)
		}
	}
	return nil
}

// Abort rolls the replace back, and drops the target if this load created
// it.
func (w *pgWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	var errs []error
	if w.stage != nil {
		errs = append(errs, w.stage.Abort())
	}
	if w.conn != nil {
		errs = append(errs, w.conn.Close(ctx))
	}
	if w.created {
		errs = append(errs, w.d.DropTable(ctx, w.req.Table))
	}
	return errors.Join(errs...)
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

// infoComment is a column's Data Dictionary info as CKAN stores it in the
// column comment: the JSON object itself up to 2.10; from 2.11 a space
// (marking the format) then {"_info": info}, which is what 2.11 reads back
// (description::json -> '_info').
func infoComment(info any, v211 bool) (string, error) {
	if v211 {
		info = map[string]any{"_info": info}
	}
	b, err := json.Marshal(info)
	if err != nil {
		return "", err
	}
	if v211 {
		return " " + string(b), nil
	}
	return string(b), nil
}

// commentsV211 reports whether the site writes CKAN 2.11's column comments,
// from its status_show version, asked once per store.
func (d *ckanDriver) commentsV211(ctx context.Context) (bool, error) {
	d.status.Lock()
	defer d.status.Unlock()
	if d.status.known {
		return d.status.v211, nil
	}
	st, err := d.c.StatusShow(ctx)
	if err != nil {
		return false, fmt.Errorf("ckanstore: the site's CKAN version (for its column comment format): %w", err)
	}
	d.status.known, d.status.v211 = true, st.AtLeast(2, 11)
	return d.status.v211, nil
}

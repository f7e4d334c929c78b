package ckanstore

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// abortTimeout bounds the cleanup of an aborted write session.
const abortTimeout = 30 * time.Second

// writer is one write session; see [Open] for how each mode stages.
type writer struct {
	d       *ckanDriver
	req     *driver.WriteRequest
	target  string // resource id of the target (append, upsert)
	staging string // resource id of the staging table (replace)
	method  string
	spool   *os.File
	buf     *bufio.Writer
	enc     *json.Encoder
	// keys holds the primary keys appended in this session: the dry runs
	// check each batch against the target only, so a key repeated across
	// batches of one load is caught here.
	keys map[string]bool
	// existing caches, for the last searched batch, which keys the target
	// holds (see checkExisting).
	existing map[string]bool
	// utc marks the columns whose DataStore type is timestamp (without
	// time zone, as AirCan, xloader and DataPusher create them):
	// PostgreSQL drops an offset there, so times are sent in UTC.
	utc  []bool
	done bool
}

// OpenWriter starts a session. Append and upsert need the table; replace
// creates a staging DataStore-only resource.
func (d *ckanDriver) OpenWriter(ctx context.Context, req *driver.WriteRequest) (driver.Writer, error) {
	w := &writer{d: d, req: req, method: ckan.MethodInsert}
	if req.Mode == driver.Upsert {
		w.method = ckan.MethodUpsert
	}
	if req.Mode == driver.Replace && d.opts.PostgresURL != "" {
		return d.openPGWriter(ctx, req)
	}
	if req.Mode == driver.Replace {
		if _, _, err := d.resolve(ctx, req.Table); err != nil { // another dataset's alias is refused here
			return nil, err
		}
		return w, w.createStaging(ctx)
	}
	info, ok, err := d.resolveInfo(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ckan.APIError{Action: "datastore_upsert", StatusCode: 404, Type: "Not Found Error", Message: "Not found: " + req.Table}
	}
	w.target = info.Meta.ID
	w.utc = utcColumns(info, req.Columns)
	if err := w.checkWriteAccess(ctx); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "ckanstore-spool-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("ckanstore: spool: %w", err)
	}
	w.spool, w.buf = f, bufio.NewWriterSize(f, 1<<20)
	w.enc = json.NewEncoder(w.buf)
	return w, nil
}

// checkWriteAccess asks CKAN, with an empty dry-run datastore_upsert, whether
// the token may write the target. Append batches are checked against the
// target with searches, which anonymous users may make: without this probe a
// load without write access whose rows were all duplicates would end
// "rejected" instead of refused.
func (w *writer) checkWriteAccess(ctx context.Context) error {
	_, err := w.d.c.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: w.target, Records: []ckan.Record{}, Method: w.method, Force: true, DryRun: true})
	return err
}

// createStaging makes the staging resource and its table.
func (w *writer) createStaging(ctx context.Context) error {
	pkg, err := w.d.packageFor(ctx, w.req.Table)
	if err != nil {
		return err
	}
	req := createRequest(w.tableSchema())
	req.Resource = map[string]any{"package_id": pkg, "name": "datafactory staging for " + w.req.Table}
	res, err := w.d.c.DatastoreCreate(ctx, req)
	if err != nil {
		return err
	}
	w.staging = res.ResourceID
	return nil
}

// tableSchema is the schema of the table being written.
func (w *writer) tableSchema() *frictionless.Schema { return requestSchema(w.req) }

// requestSchema is the schema of the table a write request writes.
func requestSchema(req *driver.WriteRequest) *frictionless.Schema {
	if req.TableSchema != nil {
		return req.TableSchema
	}
	return &frictionless.Schema{Fields: req.Columns, PrimaryKey: req.Key}
}

// packageFor is the dataset of a mapped resource, else PackageID.
func (d *ckanDriver) packageFor(ctx context.Context, table string) (string, error) {
	if id, mapped := d.opts.Resources[table]; mapped {
		r, err := d.c.ResourceShow(ctx, id)
		if err != nil {
			return "", err
		}
		return r.PackageID, nil
	}
	if d.opts.PackageID == "" {
		return "", errors.New("ckanstore: StoreOptions.PackageID is needed to create tables")
	}
	return d.opts.PackageID, nil
}

// utcColumns marks the columns whose type in info is timestamp.
func utcColumns(info *ckan.InfoResult, cols []frictionless.Field) []bool {
	ts := map[string]bool{}
	for _, f := range info.Fields {
		if f.Type == "timestamp" || f.Schema.NativeType == "timestamp without time zone" {
			ts[f.ID] = true
		}
	}
	out := make([]bool, len(cols))
	for i := range cols {
		out[i] = ts[cols[i].Name]
	}
	return out
}

// records converts rows to CKAN records.
func (w *writer) records(rows []frictionless.Row) ([]ckan.Record, error) {
	out := make([]ckan.Record, len(rows))
	for i, row := range rows {
		rec := make(ckan.Record, len(w.req.Columns))
		for j := range w.req.Columns {
			f := &w.req.Columns[j]
			val := row[j]
			if t, ok := val.(time.Time); ok && j < len(w.utc) && w.utc[j] {
				val = t.UTC()
			}
			v, err := JSONValue(f, val)
			if err != nil {
				return nil, err
			}
			rec[f.Name] = v
		}
		out[i] = rec
	}
	return out, nil
}

// Write checks the rows against the target (dry_run) and spools them, or
// writes them into the staging table. Nothing of a failed call remains.
func (w *writer) Write(ctx context.Context, rows []frictionless.Row) error {
	recs, err := w.records(rows)
	if err != nil {
		return err
	}
	chunks, err := ckan.ChunkRecords(recs, max(len(recs), 1), w.d.opts.ChunkBytes)
	if err != nil {
		return err
	}
	if w.req.Mode == driver.Replace {
		if len(chunks) > 1 { // several requests: validate all before writing any
			if err := w.send(ctx, w.staging, chunks, true); err != nil {
				return err
			}
		}
		return w.send(ctx, w.staging, chunks, false)
	}
	newKeys, err := w.checkKeys(recs)
	if err != nil {
		return err
	}
	if err := w.checkExisting(ctx, recs); err != nil {
		return err
	}
	if err := w.send(ctx, w.target, chunks, true); err != nil {
		return err
	}
	for _, k := range newKeys {
		w.keys[k] = true
	}
	for _, r := range recs {
		if err := w.enc.Encode(r); err != nil {
			return fmt.Errorf("ckanstore: spool: %w", err)
		}
	}
	return nil
}

// checkKeys refuses (as CKAN's unique violation) an append batch that
// repeats a key, within itself or already spooled in this session, and
// returns the batch's keys.
func (w *writer) checkKeys(recs []ckan.Record) ([]string, error) {
	if w.req.Mode != driver.Append || len(w.req.Key) == 0 {
		return nil, nil
	}
	if w.keys == nil {
		w.keys = map[string]bool{}
	}
	keys := make([]string, len(recs))
	batch := make(map[string]bool, len(recs))
	for i, rec := range recs {
		keys[i] = recordKey(rec, w.req.Key)
		if w.keys[keys[i]] || batch[keys[i]] {
			return nil, errDuplicateKey("repeated in this load")
		}
		batch[keys[i]] = true
	}
	return keys, nil
}

// send upserts chunks into a table, as a dry run or for real.
func (w *writer) send(ctx context.Context, id string, chunks [][]ckan.Record, dry bool) error {
	method := w.method
	if w.req.Mode == driver.Replace {
		method = ckan.MethodInsert
	}
	for _, ch := range chunks {
		if _, err := w.d.c.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: id, Records: ch, Method: method, Force: true, DryRun: dry}); err != nil {
			return err
		}
	}
	return nil
}

// Commit sends the spooled rows (append, upsert) or swaps the staging
// table in (replace).
func (w *writer) Commit(ctx context.Context) error {
	if w.done {
		return errors.New("ckanstore: writer already finished")
	}
	var err error
	if w.req.Mode == driver.Replace {
		err = w.commitReplace(ctx)
	} else {
		err = w.commitSpool(ctx)
	}
	if err != nil {
		return err
	}
	w.done = true
	return w.cleanup(ctx)
}

// commitSpool streams the spool into the target in chunks.
func (w *writer) commitSpool(ctx context.Context) error {
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("ckanstore: spool: %w", err)
	}
	if _, err := w.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("ckanstore: spool: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(w.spool, 1<<20))
	dec.UseNumber()
	var batch []ckan.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := w.d.c.UpsertChunked(ctx, &ckan.UpsertRequest{ResourceID: w.target, Records: batch, Method: w.method, Force: true},
			&ckan.ChunkOptions{Rows: w.d.opts.ChunkRows, Bytes: w.d.opts.ChunkBytes})
		batch = batch[:0]
		return err
	}
	for {
		var r ckan.Record
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("ckanstore: spool: %w", err)
		}
		batch = append(batch, r)
		if len(batch) >= 10*w.d.opts.ChunkRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// commitReplace puts the staging rows in the target's place. An existing
// table keeps its resource (see refill); a new one is the staging
// resource, given the table name as alias and name.
func (w *writer) commitReplace(ctx context.Context) error {
	old, exists, err := w.d.resolve(ctx, w.req.Table)
	if err != nil {
		return err
	}
	if id, mapped := w.d.opts.Resources[w.req.Table]; mapped {
		return w.refill(ctx, id, exists)
	}
	if exists {
		return w.refill(ctx, old, true)
	}
	_, err = w.d.c.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: w.staging, Force: true, Aliases: ckan.StringList{w.req.Table}})
	if err != nil {
		return err
	}
	_, _ = w.d.c.ResourcePatch(ctx, w.staging, map[string]any{"name": w.req.Table})
	w.staging = "" // it is the table now
	return nil
}

// refill replaces the rows of the resource's table by the staging rows,
// keeping the resource (its id, description, format). When the columns
// are unchanged the table stays too, with its aliases and Data Dictionary:
// its rows are deleted (datastore_delete with empty filters) and the
// staging rows copied in, so the alias never stops resolving; otherwise
// the table is dropped and made again with its aliases. The API has no
// transaction across requests: readers see a partial table until the copy
// ends (the direct path has no such window).
func (w *writer) refill(ctx context.Context, id string, exists bool) error {
	schema := w.tableSchema()
	req := createRequest(schema)
	req.ResourceID = id
	if exists {
		info, err := w.d.c.DatastoreInfo(ctx, id)
		if err != nil {
			return err
		}
		if len(info.Meta.Aliases) > 0 {
			req.Aliases = info.Meta.Aliases
		}
		del := &ckan.DeleteRequest{ResourceID: id, Force: true}
		if sameColumns(info, schema) {
			del.Filters = map[string]any{}
		}
		if _, err := w.d.c.DatastoreDelete(ctx, del); err != nil {
			return err
		}
	}
	if _, err := w.d.c.DatastoreCreate(ctx, req); err != nil {
		return err
	}
	return w.copyStaging(ctx, id, schema)
}

// sameColumns reports whether the table has exactly the schema's columns,
// in order and with the types a new table would get.
func sameColumns(info *ckan.InfoResult, schema *frictionless.Schema) bool {
	if len(info.Fields) != len(schema.Fields) {
		return false
	}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		if info.Fields[i].ID != f.Name || info.Fields[i].Type != ckanType(f) {
			return false
		}
	}
	return true
}

// copyStaging copies the staging rows into the table id.
func (w *writer) copyStaging(ctx context.Context, id string, schema *frictionless.Schema) error {
	var batch []ckan.Record
	flush := func() error {
		_, err := w.d.c.UpsertChunked(ctx, &ckan.UpsertRequest{ResourceID: id, Records: batch, Method: ckan.MethodInsert, Force: true}, &ckan.ChunkOptions{Rows: w.d.opts.ChunkRows, Bytes: w.d.opts.ChunkBytes})
		batch = nil
		return err
	}
	for rec, err := range w.d.c.SearchAll(ctx, &ckan.SearchRequest{ResourceID: w.staging, Fields: ckan.StringList(schema.FieldNames())}, &ckan.IterOptions{PageSize: 5000}) {
		if err != nil {
			return err
		}
		batch = append(batch, rec)
		if len(batch) >= 5000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Abort discards the session: the spool, or the staging resource.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	return w.cleanup(ctx)
}

// cleanup removes the spool and, if still there, the staging resource.
func (w *writer) cleanup(ctx context.Context) error {
	var errs []error
	if w.spool != nil {
		errs = append(errs, w.spool.Close(), os.Remove(w.spool.Name()))
		w.spool = nil
	}
	if w.staging != "" {
		if _, err := w.d.c.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: w.staging, Force: true}); err != nil && !errors.Is(err, ckan.ErrNotFound) {
			errs = append(errs, err)
		}
		if err := w.d.c.ResourceDelete(ctx, w.staging); err != nil && !errors.Is(err, ckan.ErrNotFound) {
			errs = append(errs, err)
		}
		w.staging = ""
	}
	return errors.Join(errs...)
}

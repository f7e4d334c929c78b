package ckanstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// StoreOptions configures the DataStore backend of [Open]. nil means
// defaults.
type StoreOptions struct {
	// PackageID is the dataset in which tables are created: a table that
	// Resources does not map becomes a DataStore-only resource of this
	// dataset with the table name as its alias. Replace also creates its
	// staging tables there. Required unless every table is mapped.
	PackageID string
	// Resources maps table names to existing resource ids: the table is
	// then the resource's own DataStore table (as AirCan loads an uploaded
	// file). Default: none.
	Resources map[string]string
	// PostgresURL is the DataStore's write database (CKAN's
	// ckan.datastore.write_url), as a postgres:// URL. When set, replace
	// loads go straight to PostgreSQL: COPY into a staging table, then an
	// atomic swap (aliases included) and an API call that refreshes the
	// DataStore metadata.
	// It is never printed or stored by the store. Default: replace goes
	// through the API.
	PostgresURL string
	// ChunkRows and ChunkBytes bound each datastore_upsert request.
	// Defaults ckan.DefaultChunkRows (250) and ckan.DefaultChunkBytes
	// (900 KiB: under nginx's default 1 MiB body limit). A request a proxy
	// refuses with 413 is split in two and retried whatever the budget.
	ChunkRows, ChunkBytes int
}

// errTableExists is returned by CreateTable for an existing table.
var errTableExists = errors.New("ckanstore: table exists")

// ckanDriver implements driver.Driver on the CKAN action API.
type ckanDriver struct {
	c      *ckan.Client
	opts   StoreOptions
	own    owners
	status struct { // the site's version, asked by the direct path
		sync.Mutex
		known, v211 bool
	}
}

var _ driver.Driver = (*ckanDriver)(nil)

// Open returns a datastore.Store whose tables are CKAN DataStore tables,
// written and read through c. Every write sends force=true, as loaders do.
//
// Writes are staged so that a failed or cancelled load leaves the target
// as it was: append and upsert check each batch against the target with
// dry_run and spool it to a temporary file, then send everything on Commit;
// replace loads a staging resource. The API has no transactions across
// requests, so Commit is not atomic:
//
//   - append/upsert: the Commit sends the spooled rows in chunks; a failure
//     midway leaves the chunks sent so far.
//   - replace of an existing table (an alias in PackageID's dataset, or a
//     mapped resource): the resource is kept (id, description, format).
//     When the columns are unchanged Commit deletes the table's rows
//     (datastore_delete with empty filters: the table, its aliases and Data
//     Dictionary stay) and copies the staging rows in; otherwise it drops
//     the table and makes it again with its aliases first. Readers see a
//     partial table until the copy ends; a new table is the staging
//     resource itself, aliased by the table name.
//
// With StoreOptions.PostgresURL set, replace takes the direct path
// instead (an internal/pgstage replace): in one PostgreSQL transaction,
// COPY into a staging table with the DataStore layout (_id serial,
// _full_text filled as the zfulltext trigger does, the trigger itself, the
// key as a unique constraint, column info), then drop the old table (and
// the alias views CKAN keeps over it), rename the staging one into its
// place and recreate the alias views; then datastore_create with the
// fields, key and aliases refreshes CKAN's metadata. That replace is
// atomic for readers of the resource id and of its aliases (never a 404,
// never a partial count), keeps the resource id, and enforces the key
// throughout.
func Open(c *ckan.Client, opts *StoreOptions) (*datastore.Store, error) {
	var o StoreOptions
	if opts != nil {
		o = *opts
	}
	if o.ChunkRows <= 0 {
		o.ChunkRows = ckan.DefaultChunkRows
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = ckan.DefaultChunkBytes
	}
	return datastore.NewStore(&ckanDriver{c: c, opts: o}), nil
}

// resolve returns the resource id behind a table and whether it has a
// DataStore table. An unmapped table that resolves to another dataset's
// resource fails with ErrOtherDataset.
func (d *ckanDriver) resolve(ctx context.Context, table string) (string, bool, error) {
	info, ok, err := d.resolveInfo(ctx, table)
	if err != nil || !ok {
		id := ""
		if mapped := d.opts.Resources[table]; mapped != "" && err == nil {
			id = mapped
		}
		return id, false, err
	}
	return info.Meta.ID, true, nil
}

// resolveInfo is resolve with the table's datastore_info.
func (d *ckanDriver) resolveInfo(ctx context.Context, table string) (*ckan.InfoResult, bool, error) {
	id, mapped := d.opts.Resources[table]
	if !mapped {
		id = table
	}
	info, err := d.c.DatastoreInfo(ctx, id)
	if errors.Is(err, ckan.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := d.checkOwner(ctx, table, info.Meta.ID); err != nil {
		return nil, false, err
	}
	return info, true, nil
}

// TableExists reports whether the table has a DataStore table.
func (d *ckanDriver) TableExists(ctx context.Context, table string) (bool, error) {
	_, ok, err := d.resolve(ctx, table)
	return ok, err
}

// DescribeTable reads the table's fields back as a Table Schema.
func (d *ckanDriver) DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error) {
	id, ok, err := d.resolve(ctx, table)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ckan.APIError{Action: "datastore_info", StatusCode: 404, Type: "Not Found Error", Message: "Not found: " + table}
	}
	info, err := d.c.DatastoreInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	return infoSchema(info), nil
}

// infoSchema turns datastore_info fields into a schema with its key.
func infoSchema(info *ckan.InfoResult) *frictionless.Schema {
	s := &frictionless.Schema{}
	type keyed struct {
		name string
		pos  int
	}
	var keys []keyed
	for i, f := range info.Fields {
		field, pos := schemaField(f)
		s.Fields = append(s.Fields, field)
		if pos > 0 {
			keys = append(keys, keyed{f.ID, pos})
		} else if f.Schema.UniqueKey {
			keys = append(keys, keyed{f.ID, 1000 + i})
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].pos < keys[j].pos })
	for _, k := range keys {
		s.PrimaryKey = append(s.PrimaryKey, k.name)
	}
	return s
}

// createRequest renders a schema as datastore_create input.
func createRequest(schema *frictionless.Schema) *ckan.CreateRequest {
	req := &ckan.CreateRequest{Force: true}
	for i := range schema.Fields {
		f := &schema.Fields[i]
		req.Fields = append(req.Fields, ckanField(f, keyIndex(schema.PrimaryKey, f.Name)))
	}
	if len(schema.PrimaryKey) > 0 {
		req.PrimaryKey = ckan.StringList(schema.PrimaryKey)
	}
	return req
}

func keyIndex(key []string, name string) int {
	for i, k := range key {
		if k == name {
			return i + 1
		}
	}
	return 0
}

// CreateTable creates the DataStore table: on the mapped resource, or as a
// new DataStore-only resource aliased by the table name.
func (d *ckanDriver) CreateTable(ctx context.Context, table string, schema *frictionless.Schema) error {
	_, exists, err := d.resolve(ctx, table)
	if err != nil {
		return err
	}
	if exists {
		return errTableExists
	}
	req := createRequest(schema)
	if id, mapped := d.opts.Resources[table]; mapped {
		req.ResourceID = id
	} else {
		if d.opts.PackageID == "" {
			return fmt.Errorf("ckanstore: table %q is not mapped to a resource and StoreOptions.PackageID is empty: %w", table, datastore.ErrInvalidOptions)
		}
		req.Resource = map[string]any{"package_id": d.opts.PackageID, "name": table}
		req.Aliases = ckan.StringList{table}
	}
	_, err = d.c.DatastoreCreate(ctx, req)
	return err
}

// DropTable drops the DataStore table (datastore_delete without filters).
// A DataStore-only resource made by CreateTable is deleted with it.
func (d *ckanDriver) DropTable(ctx context.Context, table string) error {
	id, ok, err := d.resolve(ctx, table)
	if err != nil {
		return err
	}
	if !ok {
		return &ckan.APIError{Action: "datastore_delete", StatusCode: 404, Type: "Not Found Error", Message: "Not found: " + table}
	}
	if _, err := d.c.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: id, Force: true}); err != nil {
		return err
	}
	if _, mapped := d.opts.Resources[table]; !mapped {
		return d.c.ResourceDelete(ctx, id)
	}
	return nil
}

// AddColumns adds fields with datastore_create (existing columns stay).
func (d *ckanDriver) AddColumns(ctx context.Context, table string, fields []frictionless.Field) error {
	id, ok, err := d.resolve(ctx, table)
	if err != nil {
		return err
	}
	if !ok {
		return &ckan.APIError{Action: "datastore_create", StatusCode: 404, Type: "Not Found Error", Message: "Not found: " + table}
	}
	req := &ckan.CreateRequest{ResourceID: id, Force: true}
	for i := range fields {
		req.Fields = append(req.Fields, ckanField(&fields[i], 0))
	}
	_, err = d.c.DatastoreCreate(ctx, req)
	return err
}

// ReadRows pages through the table with datastore_search, in key order
// (all columns in order without a key), then _id.
func (d *ckanDriver) ReadRows(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	id, ok, err := d.resolve(ctx, table)
	if err != nil {
		return err
	}
	if !ok {
		return &ckan.APIError{Action: "datastore_search", StatusCode: 404, Type: "Not Found Error", Message: "Not found: " + table}
	}
	order := schema.PrimaryKey
	if len(order) == 0 {
		order = schema.FieldNames()
	}
	quoted := make([]string, len(order))
	for i, n := range order {
		quoted[i] = `"` + n + `"`
	}
	req := &ckan.SearchRequest{ResourceID: id, Fields: ckan.StringList(schema.FieldNames()), Sort: strings.Join(quoted, ", ")}
	row := make(frictionless.Row, len(schema.Fields))
	for rec, err := range d.c.SearchAll(ctx, req, &ckan.IterOptions{PageSize: 5000}) {
		if err != nil {
			return err
		}
		for i := range schema.Fields {
			f := &schema.Fields[i]
			v, err := RowValue(f, rec[f.Name])
			if err != nil {
				return fmt.Errorf("ckanstore: read %s.%s: %w", table, f.Name, err)
			}
			row[i] = v
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// ValidateName refuses what CKAN's is_valid_field_name and alias rules
// refuse (see validName).
func (d *ckanDriver) ValidateName(name string) error { return validName(name) }

// dataKeys are the error keys of a refused write's data.
var dataKeys = []string{"records", "constraints", "key", "data"}

// Classify maps API errors to driver kinds.
func (d *ckanDriver) Classify(err error) driver.ErrorInfo {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return driver.ErrorInfo{Kind: driver.KindCanceled}
	case errors.Is(err, errTableExists):
		return driver.ErrorInfo{Kind: driver.KindExists}
	case errors.Is(err, ckan.ErrNotFound):
		return driver.ErrorInfo{Kind: driver.KindNotFound}
	}
	if pgDataError(err) {
		return driver.ErrorInfo{Kind: driver.KindData}
	}
	var ae *ckan.APIError
	if errors.As(err, &ae) && ae.StatusCode == 409 {
		for _, k := range dataKeys {
			if _, ok := ae.Fields[k]; ok || (k == "data" && ae.Data != nil) {
				return driver.ErrorInfo{Kind: driver.KindData}
			}
		}
	}
	return driver.ErrorInfo{Kind: driver.KindUnknown}
}

// As reaches the API client: pass a **Client.
func (d *ckanDriver) As(i any) bool {
	if p, ok := i.(**ckan.Client); ok {
		*p = d.c
		return true
	}
	return false
}

// Close does nothing: the client holds no resources.
func (d *ckanDriver) Close() error { return nil }

// String describes the options with PostgresURL's password redacted.
func (o StoreOptions) String() string {
	pg := ""
	if o.PostgresURL != "" {
		pg = ckan.Secret("x").String()
		if u, err := url.Parse(o.PostgresURL); err == nil && u.Host != "" {
			pg = u.Redacted()
		}
	}
	return fmt.Sprintf("ckanstore.StoreOptions{PackageID:%q Resources:%v PostgresURL:%q ChunkRows:%d ChunkBytes:%d}",
		o.PackageID, o.Resources, pg, o.ChunkRows, o.ChunkBytes)
}

// GoString is the %#v form, redacted like String.
func (o StoreOptions) GoString() string { return o.String() }

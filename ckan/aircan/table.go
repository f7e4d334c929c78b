package aircan

import (
	"context"
	"errors"
	"slices"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
)

// tableName is the name the ckanstore backend knows the resource's table
// by.
const tableName = "resource"

// What create_table did.
const (
	tableReplaced = "replaced" // datastore_delete + datastore_create
	tableCreated  = "created"  // it did not exist
	tableKept     = "kept"     // append or upsert into the existing table
	tableKeyed    = "kept, unique key set"
	tableDeferred = "deferred" // the direct path replaces it in the load task
	tableDropped  = "dropped"  // the direct path: the schema changed
)

// tableResult is the create_table task's output.
type tableResult struct {
	Action string `json:"action"`
	Mode   string `json:"mode"` // replace, append or upsert
	Copy   bool   `json:"copy"` // the load goes straight to PostgreSQL
}

// mode is the load's mode name.
func (c *Conf) mode() string {
	switch {
	case c.upsert():
		return "upsert"
	case c.appendOrUpdate():
		return "append"
	}
	return "replace"
}

// useCopy reports whether the load takes the direct-PostgreSQL path: the
// conf asks for it and the load replaces the table. The database URL must
// be configured.
func (r *run) useCopy() (bool, error) {
	if !bool(r.conf.CKANConfig.LoadWithPostgresCopy) || r.conf.appendOrUpdate() {
		return false, nil
	}
	if r.cred.PostgresURL == "" {
		return false, pipeline.Permanent(errors.New("aircan_load_with_postgres_copy is true, but no DataStore database URL " +
			"(ckan.datastore.write_url) is configured for this site"))
	}
	return true, nil
}

// store opens the ckanstore backend on the resource's table.
func (r *run) store(direct bool) (*datastore.Store, error) {
	opts := &ckanstore.StoreOptions{Resources: map[string]string{tableName: r.resourceID()}, ChunkRows: r.conf.chunkRows(),
		ChunkBytes: int(r.conf.CKANConfig.ChunkBytes)}
	if direct {
		opts.PostgresURL = r.cred.PostgresURL.Reveal()
	}
	return ckanstore.Open(r.client, opts)
}

// createTable prepares the DataStore table: replace drops and recreates
// it (datastore_delete, datastore_create with force); append and upsert
// keep it (creating it when missing, setting the unique key for upsert);
// the direct path leaves the replace to the load's atomic swap.
func (l *loader) createTable(ctx context.Context, r *run) error {
	if err := r.upstream(ctx); err != nil {
		return err
	}
	direct, err := r.useCopy()
	if err != nil {
		return err
	}
	store, err := r.store(false)
	if err != nil {
		return err
	}
	defer store.Close()
	res := tableResult{Mode: r.conf.mode(), Copy: direct}
	switch {
	case r.conf.appendOrUpdate():
		res.Action, err = r.keepTable(ctx, store)
	case direct:
		res.Action, err = r.prepareSwap(ctx, store)
	default:
		res.Action, err = r.replaceTable(ctx, store)
	}
	if err != nil {
		return permanentIf4xx(err)
	}
	r.meta["table"], r.meta["mode"], r.meta["copy"] = res.Action, res.Mode, res.Copy
	r.tc.SetStatus("table", res.Action)
	r.tc.Logger().InfoContext(ctx, "DataStore table", "action", res.Action, "mode", res.Mode)
	return r.tc.SetOutput(ctx, outTable, res)
}

// replaceTable is AirCan's recreate: datastore_delete (a missing table is
// fine), then datastore_create with the schema's fields and key.
func (r *run) replaceTable(ctx context.Context, store *datastore.Store) (string, error) {
	if err := r.dropTable(ctx); err != nil {
		return "", err
	}
	return tableReplaced, store.CreateTable(ctx, tableName, r.schema)
}

func (r *run) dropTable(ctx context.Context) error {
	_, err := r.client.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: r.resourceID(), Force: true})
	if errors.Is(err, ckan.ErrNotFound) {
		return nil
	}
	return err
}

// keepTable keeps an existing table for append or upsert, creates a
// missing one, and for upsert makes the unique keys the table's key.
func (r *run) keepTable(ctx context.Context, store *datastore.Store) (string, error) {
	ok, err := store.TableExists(ctx, tableName)
	if err != nil {
		return "", err
	}
	if !ok {
		return tableCreated, store.CreateTable(ctx, tableName, r.schema)
	}
	if !r.conf.upsert() {
		return tableKept, nil
	}
	desc, err := store.DescribeTable(ctx, tableName)
	if err != nil {
		return "", err
	}
	if slices.Equal(desc.PrimaryKey, r.schema.PrimaryKey) {
		return tableKept, nil
	}
	_, err = r.client.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: r.resourceID(), Force: true,
		PrimaryKey: ckan.StringList(r.schema.PrimaryKey)})
	return tableKeyed, err
}

// prepareSwap readies the direct path's replace: a table with the same
// columns and key is swapped atomically by the load; one whose layout
// changed is dropped first (the load creates it), as AirCan recreates it.
func (r *run) prepareSwap(ctx context.Context, store *datastore.Store) (string, error) {
	ok, err := store.TableExists(ctx, tableName)
	if err != nil || !ok {
		return tableDeferred, err
	}
	desc, err := store.DescribeTable(ctx, tableName)
	if err != nil {
		return "", err
	}
	if sameLayout(desc, r.schema) {
		return tableDeferred, nil
	}
	return tableDropped, r.dropTable(ctx)
}

// sameLayout reports whether a table has the schema's columns (names,
// order, types) and key.
func sameLayout(table, schema *frictionless.Schema) bool {
	if len(table.Fields) != len(schema.Fields) || !slices.Equal(table.PrimaryKey, schema.PrimaryKey) {
		return false
	}
	for i := range schema.Fields {
		a, b := &table.Fields[i], &schema.Fields[i]
		if a.Name != b.Name || typeOf(a) != typeOf(b) || (a.Precision > 0) != (b.Precision > 0) {
			return false
		}
	}
	return true
}

func typeOf(f *frictionless.Field) frictionless.FieldType {
	if f.Type == "" {
		return frictionless.TypeString
	}
	return f.Type
}

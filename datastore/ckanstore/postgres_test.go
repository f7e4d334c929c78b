package ckanstore_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// cancelAfter cancels a context after n rows.
type cancelAfter struct {
	datastore.RowReader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read() (frictionless.Row, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return c.RowReader.Read()
}

// TestDirectReplace: through the direct-PostgreSQL path a replace swaps
// the resource's table atomically; one that fails midway leaves the
// previous table readable through datastore_search; the swapped table keeps
// the DataStore layout (full-text search works, key and info refreshed).
func TestDirectReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testutil.PostgresURL(t)
	b := ckantest.NewFixture(t, ckantest.Backend{Name: "postgres", DSN: func(testing.TB) string { return dsn }}, nil)
	store, err := ckanstore.Open(b.Editor, &ckanstore.StoreOptions{PostgresURL: dsn, Resources: map[string]string{"employees": b.UploadID}})
	require.NoError(t, err)
	schema := employeesSchema()
	gen := func(n int) *genReader {
		return &genReader{schema: schema, n: n, start: testStart}
	}
	rep, err := datastore.Load(ctx, store, "employees", gen(500), &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 500, rep.Written)

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = datastore.Load(cctx, store, "employees", &cancelAfter{RowReader: gen(5000), n: 2500, cancel: cancel}, &datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 500})
	require.ErrorIs(t, err, context.Canceled)
	res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Limit: new(0)})
	require.NoError(t, err)
	require.EqualValues(t, 500, *res.Total, "the failed replace left the previous table")

	rep, err = datastore.Load(ctx, store, "employees", gen(1200), &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 1200, rep.Written)
	res, err = b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Q: "employee 1199"})
	require.NoError(t, err)
	require.NotEmpty(t, res.Records, "the full-text trigger filled _full_text during COPY")
	info, err := b.Anon.DatastoreInfo(ctx, b.UploadID)
	require.NoError(t, err)
	require.EqualValues(t, 1200, info.Meta.Count)
	require.True(t, info.Fields[0].Schema.UniqueKey, "the key is rebuilt by the refresh")
	desc, err := store.DescribeTable(ctx, "employees")
	require.NoError(t, err)
	require.Equal(t, schema.PrimaryKey, desc.PrimaryKey)
	require.Equal(t, frictionless.TypeDateTime, desc.Fields[2].Type)
	r, err := b.Anon.ResourceShow(ctx, b.UploadID)
	require.NoError(t, err)
	require.True(t, r.DatastoreActive)
	var leftovers int
	require.NoError(t, b.Server.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE '\_df%'`).Scan(&leftovers))
	require.Zero(t, leftovers, "no staging table is left")
}

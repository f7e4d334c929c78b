package ckanstore_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// wideRows serves n rows of about 130 bytes of JSON each.
type wideRows struct {
	schema *frictionless.Schema
	n, i   int
}

func (w *wideRows) Read() (frictionless.Row, error) {
	if w.i >= w.n {
		return nil, io.EOF
	}
	w.i++
	return frictionless.Row{int64(w.i), fmt.Sprintf("%06d %s", w.i, strings.Repeat("x", 100))}, nil
}

func (w *wideRows) Schema() *frictionless.Schema { return w.schema }

// TestLoadThroughBodyLimit: behind nginx's default 1 MiB body limit, loads
// of 12,000 rows (1.5 MB of records per 10,000-row batch) succeed in every
// mode with default settings, and with a chunk budget above the limit the
// 413 answers are split and retried.
func TestLoadThroughBodyLimit(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		for _, chunkBytes := range []int{0, 4 << 20} {
			t.Run(fmt.Sprintf("%s/chunk_bytes=%d", be.Name, chunkBytes), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				srv, err := ckantest.New(&ckantest.Options{DSN: be.DSN(t), MaxBodyBytes: ckantest.NginxDefaultBodyLimit})
				require.NoError(t, err)
				t.Cleanup(srv.Close)
				ds, err := srv.AddDataset(ckantest.Dataset{Name: "wide"})
				require.NoError(t, err)
				c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
				require.NoError(t, err)
				store, err := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: ds.ID, ChunkRows: 20000, ChunkBytes: chunkBytes})
				require.NoError(t, err)
				schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "text", Type: frictionless.TypeString}}, PrimaryKey: []string{"id"}}
				const n = 12000
				for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeUpsert, datastore.ModeReplace} {
					rep, err := datastore.Load(ctx, store, "wide", &wideRows{schema: schema, n: n}, &datastore.LoadOptions{Mode: mode})
					require.NoError(t, err, "mode %s", mode)
					require.EqualValues(t, n, rep.Written)
				}
				res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "wide", Limit: new(0)})
				require.NoError(t, err)
				require.EqualValues(t, n, *res.Total)
				if chunkBytes == 0 {
					require.Zero(t, srv.TooLarge(), "the default budget stays under 1 MiB")
				} else {
					require.NotZero(t, srv.TooLarge(), "4 MiB requests were split")
				}
			})
		}
	}
}

// TestOneRecordOverTheLimit: a single record larger than the proxy's limit
// fails with ErrRequestTooLarge, and the table is left as it was.
func TestOneRecordOverTheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, err := ckantest.New(&ckantest.Options{MaxBodyBytes: 1000})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
	require.NoError(t, err)
	ds, err := srv.AddDataset(ckantest.Dataset{Name: "d"})
	require.NoError(t, err)
	res, err := c.DatastoreCreate(ctx, &ckan.CreateRequest{Resource: map[string]any{"package_id": ds.ID}, Fields: []ckan.Field{{ID: "t", Type: "text"}}, Force: true})
	require.NoError(t, err)
	_, err = c.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: res.ResourceID, Method: ckan.MethodInsert, Force: true,
		Records: []ckan.Record{{"t": "a"}, {"t": strings.Repeat("b", 2000)}}})
	require.ErrorIs(t, err, ckan.ErrRequestTooLarge)
	require.Contains(t, err.Error(), "HTTP 413")
}

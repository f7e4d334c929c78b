package ckanstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// actionCounter counts the action calls that reach a ckantest server.
type actionCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (a *actionCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.calls[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]++
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (a *actionCounter) take() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.calls
	a.calls = map[string]int{}
	return out
}

// TestDuplicateKeysCostOneSearch: appending rows whose keys the table
// already holds rejects them with a keyed datastore_search per batch (1000
// keys a request), not with a dry-run datastore_upsert per bisected half
// (3,997 calls for 1,999 rows before; one empty dry run now probes write
// access at open); a batch mixing new and existing
// keys writes the new rows and rejects the others.
func TestDuplicateKeysCostOneSearch(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv, err := ckantest.New(&ckantest.Options{DSN: be.DSN(t)})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			counter := &actionCounter{calls: map[string]int{}}
			hs := httptest.NewServer(counter.wrap(srv.Handler()))
			t.Cleanup(hs.Close)
			ds, err := srv.AddDataset(ckantest.Dataset{Name: "d"})
			require.NoError(t, err)
			c, err := ckan.NewClient(hs.URL, &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
			require.NoError(t, err)
			store, err := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: ds.ID})
			require.NoError(t, err)
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "text", Type: frictionless.TypeString}}, PrimaryKey: []string{"id"}}
			_, err = datastore.Load(ctx, store, "people", &wideRows{schema: schema, n: 1999}, nil)
			require.NoError(t, err)
			counter.take()

			rep, err := datastore.Load(ctx, store, "people", &wideRows{schema: schema, n: 1999}, &datastore.LoadOptions{Mode: datastore.ModeAppend})
			require.NoError(t, err)
			require.EqualValues(t, 0, rep.Written)
			require.EqualValues(t, 1999, rep.Rejected)
			calls := counter.take()
			require.Equal(t, 1, calls["datastore_upsert"], "only the write-access probe: %v", calls)
			require.LessOrEqual(t, calls["datastore_search"], 4, "%v", calls) // two keyed searches of 1000 keys, each maybe with a last empty page

			rep, err = datastore.Load(ctx, store, "people", &wideRows{schema: schema, n: 3000}, &datastore.LoadOptions{Mode: datastore.ModeAppend})
			require.NoError(t, err)
			require.EqualValues(t, 1001, rep.Written)
			require.EqualValues(t, 1999, rep.Rejected)
			calls = counter.take()
			require.Less(t, calls["datastore_upsert"], 40, "%v", calls)
			res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "people", Limit: new(0)})
			require.NoError(t, err)
			require.EqualValues(t, 3000, *res.Total)
		})
	}
}

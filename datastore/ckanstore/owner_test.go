package ckanstore_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestOtherDatasetsAliasIsRefused: DataStore aliases are site-global. A
// table name that is an alias (or the resource id) of another dataset's
// resource is refused before any write, in every mode, even with a
// sysadmin token, and the other dataset's resource and rows stay as they
// were.
func TestOtherDatasetsAliasIsRefused(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv, err := ckantest.New(&ckantest.Options{DSN: be.DSN(t)})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			hr, err := srv.AddDataset(ckantest.Dataset{Name: "pkg-hr"})
			require.NoError(t, err)
			other, err := srv.AddDataset(ckantest.Dataset{Name: "pkg-finance", OwnerOrg: "finance"})
			require.NoError(t, err)
			sys, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
			require.NoError(t, err)
			// finance's table, aliased "people"
			_, err = sys.DatastoreCreate(ctx, &ckan.CreateRequest{Resource: map[string]any{"package_id": other.ID, "name": "people"},
				Aliases: ckan.StringList{"people"}, Fields: []ckan.Field{{ID: "id", Type: "int8"}, {ID: "name", Type: "text"}},
				PrimaryKey: ckan.StringList{"id"}, Records: []ckan.Record{{"id": 1, "name": "finance"}}, Force: true})
			require.NoError(t, err)
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}, PrimaryKey: []string{"id"}}
			for _, pkg := range []string{hr.ID, hr.Name} {
				store, err := ckanstore.Open(sys, &ckanstore.StoreOptions{PackageID: pkg})
				require.NoError(t, err)
				for _, name := range []string{"people"} { // a resource id is no valid table name
					for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeUpsert, datastore.ModeReplace} {
						src := &peekReader{schema: schema, n: 3}
						_, err := datastore.Load(ctx, store, name, src, &datastore.LoadOptions{Mode: mode})
						require.ErrorIs(t, err, ckanstore.ErrOtherDataset, "%s into %s", mode, name)
					}
					require.ErrorIs(t, store.DropTable(ctx, name), ckanstore.ErrOtherDataset)
				}
			}
			pkg, err := sys.PackageShow(ctx, other.ID)
			require.NoError(t, err)
			require.Len(t, pkg.Resources, 1)
			got, err := sys.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "people"})
			require.NoError(t, err)
			require.Len(t, got.Records, 1)
			require.Equal(t, "finance", got.Records[0]["name"])
		})
	}
}

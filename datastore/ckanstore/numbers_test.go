package ckanstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestNumbersInfinity: through the DataStore API (ckantest, both
// backends) a numeric column keeps NaN and ±INF, like PostgreSQL's
// numeric, and 30 significant digits with their scale.
func TestNumbersInfinity(t *testing.T) {
	t.Parallel()
	values := []string{"INF", "-INF", "NaN", "123456789012345.678901234567890", "1.10"}
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			srv, err := ckantest.New(&ckantest.Options{DSN: be.DSN(t)})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			d, err := srv.AddDataset(ckantest.Dataset{Name: "nums"})
			require.NoError(t, err)
			c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
			require.NoError(t, err)
			s, err := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: d.ID})
			require.NoError(t, err)
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "n", Type: frictionless.TypeNumber}},
				PrimaryKey: []string{"id"}}
			text := "id,n\n"
			for i, v := range values {
				text += string(rune('1'+i)) + "," + v + "\n"
			}
			r, err := frictionless.NewReader(strings.NewReader(text), schema, nil)
			require.NoError(t, err)
			ctx := context.Background()
			rep, err := datastore.Load(ctx, s, "nums", r, nil)
			require.NoError(t, err)
			require.Zero(t, rep.Rejected, "%+v", rep.Rejects)
			var got []string
			_, err = s.ReadRows(ctx, "nums", func(row frictionless.Row) error {
				got = append(got, row[1].(frictionless.Decimal).String())
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, values, got)
		})
	}
}

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

// TestReplaceKeepsResource (issue 17, point 8): a replace of a package
// target's existing table keeps its resource (id, description, format),
// its alias and its place in the dataset, whether its columns change or
// not, through the API (both backends) and the direct path.
func TestReplaceKeepsResource(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		for _, direct := range []bool{false, true} {
			if direct && be.Name != "postgres" {
				continue
			}
			name := be.Name + map[bool]string{false: "/api", true: "/direct"}[direct]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				dsn := be.DSN(t)
				b := ckantest.NewFixture(t, ckantest.Backend{Name: be.Name, DSN: func(testing.TB) string { return dsn }}, nil)
				opts := &ckanstore.StoreOptions{PackageID: b.DatasetID}
				if direct {
					opts.PostgresURL = dsn
				}
				store, err := ckanstore.Open(b.Editor, opts)
				require.NoError(t, err)
				load := func(schema *frictionless.Schema, n int) {
					src := &extraReader{genReader{schema: schema, n: n, start: testStart}, len(schema.Fields) > 5}
					rep, err := datastore.Load(ctx, store, "people", src, &datastore.LoadOptions{Mode: datastore.ModeReplace, Drift: datastore.DriftEvolve})
					require.NoError(t, err)
					require.EqualValues(t, n, rep.Written)
				}
				// made as another loader would (int4 columns): the first
				// replace makes the table again, so does the second (a new
				// column), the third refills its rows
				created, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{
					Resource: map[string]any{"package_id": b.DatasetID, "name": "people"}, Aliases: ckan.StringList{"people"},
					Fields: []ckan.Field{{ID: "employee_id", Type: "int4"}, {ID: "employee_name", Type: "text"}, {ID: "hiring_date", Type: "timestamptz"},
						{ID: "department_id", Type: "int4"}, {ID: "job_id", Type: "int4"}},
					PrimaryKey: ckan.StringList{"employee_id"}, Records: []ckan.Record{{"employee_id": 1, "employee_name": "a", "hiring_date": "2020-01-01T00:00:00Z", "department_id": 1, "job_id": 1}},
				})
				require.NoError(t, err)
				id := created.ResourceID
				_, err = b.Editor.ResourcePatch(ctx, id, map[string]any{"description": "kept", "format": "CSV"})
				require.NoError(t, err)
				before, err := b.Anon.PackageShow(ctx, b.DatasetID)
				require.NoError(t, err)

				wider := employeesSchema() // other columns: the table is made again
				wider.Fields = append(wider.Fields, frictionless.Field{Name: "extra", Type: frictionless.TypeString})
				for _, step := range []struct {
					schema *frictionless.Schema
					n      int
				}{{employeesSchema(), 40}, {wider, 25}, {wider, 30}} {
					load(step.schema, step.n)
					info, err := b.Anon.DatastoreInfo(ctx, "people")
					require.NoError(t, err)
					require.Equal(t, id, info.Meta.ID, "the alias names the same resource")
					require.Equal(t, ckan.StringList{"people"}, info.Meta.Aliases)
					require.Len(t, info.Fields, len(step.schema.Fields))
					res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: id, Limit: new(0)})
					require.NoError(t, err)
					require.EqualValues(t, step.n, *res.Total)
					r, err := b.Anon.ResourceShow(ctx, id)
					require.NoError(t, err)
					require.Equal(t, "kept", r.Extra["description"])
					require.Equal(t, "CSV", r.Format)
					require.True(t, r.DatastoreActive)
					after, err := b.Anon.PackageShow(ctx, b.DatasetID)
					require.NoError(t, err)
					require.Len(t, after.Resources, len(before.Resources), "no resource added or left behind")
				}
			})
		}
	}
}

// extraReader is a genReader whose rows get an "extra" value when asked.
type extraReader struct {
	genReader
	extra bool
}

func (r *extraReader) Read() (frictionless.Row, error) {
	row, err := r.genReader.Read()
	if err == nil && r.extra {
		row = append(row, "x")
	}
	return row, err
}

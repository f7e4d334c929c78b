package ckanstore_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// employeesSchema is the all-required schema of the employees file.
func employeesSchema() *frictionless.Schema { return testutil.EmployeesSchema() }

// TestLoadEmployeesIntoResource loads the employees file into an uploaded
// resource's own DataStore table, as AirCan does: every mode, the rows
// searchable through datastore_search, the rejects reported.
func TestLoadEmployeesIntoResource(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../testdata/employees.csv")
	require.NoError(t, err)
	header := false
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := ckantest.NewFixture(t, be, nil)
			store, err := ckanstore.Open(b.Editor, &ckanstore.StoreOptions{Resources: map[string]string{"employees": b.UploadID}, ChunkRows: 250})
			require.NoError(t, err)
			load := func(mode datastore.Mode) (*datastore.LoadReport, [][]string) {
				r, err := frictionless.NewReader(bytes.NewReader(data), employeesSchema(),
					&frictionless.ReadOptions{Dialect: &frictionless.Dialect{Header: &header}, SkipUniqueCheck: true})
				require.NoError(t, err)
				var rejects bytes.Buffer
				rep, err := datastore.Load(ctx, store, "employees", r, &datastore.LoadOptions{Mode: mode, Rejects: datastore.NewCSVRejects(&rejects)})
				require.NoError(t, err)
				recs, err := csv.NewReader(&rejects).ReadAll()
				require.NoError(t, err)
				return rep, recs
			}
			total := func() int64 {
				res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Limit: new(0)})
				require.NoError(t, err)
				return *res.Total
			}
			for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeUpsert, datastore.ModeReplace} {
				rep, rejects := load(mode)
				require.EqualValues(t, 1999, rep.Read, mode)
				require.EqualValues(t, 1929, rep.Written, mode)
				require.EqualValues(t, 70, rep.Rejected, mode)
				require.Len(t, rejects, 71, mode) // header + 70
				require.EqualValues(t, 1929, total(), mode)
			}
			r, err := b.Anon.ResourceShow(ctx, b.UploadID)
			require.NoError(t, err)
			require.True(t, r.DatastoreActive)
			require.Equal(t, "upload", r.URLType, "the resource stays an upload")
			info, err := b.Anon.DatastoreInfo(ctx, b.UploadID)
			require.NoError(t, err)
			types := map[string]string{}
			for _, f := range info.Fields {
				types[f.ID] = f.Type
			}
			require.Equal(t, map[string]string{"employee_id": "int8", "employee_name": "text", "hiring_date": "timestamptz", "department_id": "int8", "job_id": "int8"}, types)
			require.True(t, info.Fields[0].Schema.UniqueKey)
			p, err := b.Anon.PackageShow(ctx, b.DatasetID)
			require.NoError(t, err)
			require.Len(t, p.Resources, 2, "no staging resource is left")
		})
	}
}

package ckanstore_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// rowsOf serves fixed rows.
type rowsOf struct {
	schema *frictionless.Schema
	rows   []frictionless.Row
}

func (r *rowsOf) Read() (frictionless.Row, error) {
	if len(r.rows) == 0 {
		return nil, io.EOF
	}
	row := r.rows[0]
	r.rows = r.rows[1:]
	return row, nil
}

func (r *rowsOf) Schema() *frictionless.Schema { return r.schema }

// TestTimestampColumnGetsUTC: appending and upserting into an existing
// "timestamp" column (the type AirCan, xloader and DataPusher create,
// which drops any offset) stores the instant in UTC, and reading it back
// gives the same instant; a timestamptz column keeps the offset's instant
// too.
func TestTimestampColumnGetsUTC(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		for _, colType := range []string{"timestamp", "timestamptz"} {
			t.Run(be.Name+"/"+colType, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				f := ckantest.NewFixture(t, be, nil)
				_, err := f.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: f.UploadID, Force: true,
					Fields: []ckan.Field{{ID: "id", Type: "int4"}, {ID: "at", Type: colType}}, PrimaryKey: ckan.StringList{"id"}})
				require.NoError(t, err)
				store, err := ckanstore.Open(f.Editor, &ckanstore.StoreOptions{Resources: map[string]string{"t": f.UploadID}})
				require.NoError(t, err)
				schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "at", Type: frictionless.TypeDateTime}}, PrimaryKey: []string{"id"}}
				plus5 := time.FixedZone("+05:00", 5*3600)
				at := time.Date(2021, 6, 1, 10, 0, 0, 0, plus5)
				for i, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeUpsert} {
					_, err = datastore.Load(ctx, store, "t", &rowsOf{schema: schema, rows: []frictionless.Row{{int64(i + 1), at}}}, &datastore.LoadOptions{Mode: mode})
					require.NoError(t, err, mode)
				}
				res, err := f.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: f.UploadID, Sort: "id"})
				require.NoError(t, err)
				require.Len(t, res.Records, 2)
				for _, rec := range res.Records {
					got, err := time.Parse(time.RFC3339, textOrUTC(rec["at"].(string)))
					require.NoError(t, err)
					require.True(t, got.Equal(at), "stored %v, want the instant %v", rec["at"], at.UTC())
				}
				var read []time.Time
				_, err = store.ReadRows(ctx, "t", func(row frictionless.Row) error {
					read = append(read, row[1].(time.Time))
					return nil
				})
				require.NoError(t, err)
				require.Len(t, read, 2)
				for _, r := range read {
					require.True(t, r.Equal(at), "read back %v", r)
				}
			})
		}
	}
}

// textOrUTC adds "Z" to a time without a zone (CKAN renders timestamp
// columns without one; they hold UTC).
func textOrUTC(s string) string {
	if len(s) == len("2006-01-02T15:04:05") {
		return s + "Z"
	}
	return s
}

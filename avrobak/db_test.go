package avrobak_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// backend opens a fresh, empty store.
type backend struct {
	name string
	open func(t testing.TB) *datastore.Store
}

var backends = []backend{
	{"sqlite", func(t testing.TB) *datastore.Store {
		return openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "data.db"))
	}},
	{"postgres", func(t testing.TB) *datastore.Store { return openStore(t, testutil.PostgresURL(t)) }},
	{"mariadb", func(t testing.TB) *datastore.Store { return openStore(t, testutil.MySQLURL(t)) }},
}

func openStore(t testing.TB, rawURL string) *datastore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), rawURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// loadRows creates table in s from schema and rows.
func loadRows(t testing.TB, s *datastore.Store, table string, schema *frictionless.Schema, rows []frictionless.Row) {
	t.Helper()
	_, err := datastore.Load(context.Background(), s, table, &sliceReader{schema: schema, rows: rows},
		&datastore.LoadOptions{Mode: datastore.ModeReplace, MaxRejects: -1})
	require.NoError(t, err)
}

// tableRows reads a table back in key order.
func tableRows(t testing.TB, s *datastore.Store, table string) (*frictionless.Schema, []frictionless.Row) {
	t.Helper()
	var rows []frictionless.Row
	schema, err := s.ReadRows(context.Background(), table, func(r frictionless.Row) error {
		rows = append(rows, append(frictionless.Row(nil), r...))
		return nil
	})
	require.NoError(t, err)
	return schema, rows
}

// sliceReader is a datastore.RowReader over rows in memory.
type sliceReader struct {
	schema *frictionless.Schema
	rows   []frictionless.Row
	i      int
}

func (r *sliceReader) Schema() *frictionless.Schema { return r.schema }

func (r *sliceReader) Read() (frictionless.Row, error) {
	if r.i == len(r.rows) {
		return nil, errEOF
	}
	r.i++
	return r.rows[r.i-1], nil
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := b.open(t)
			loadRows(t, src, "all_types", allTypesSchema(), allTypesRows(t))
			origSchema, orig := tableRows(t, src, "all_types")
			requireRowsEqualUTC(t, sortedByID(allTypesRows(t)), orig)

			var buf bytes.Buffer
			rep, err := avrobak.Backup(ctx, src, "all_types", &buf, &avrobak.BackupOptions{Codec: avrobak.CodecZstandard, BlockSize: 256})
			require.NoError(t, err)
			require.Equal(t, int64(len(orig)), rep.Rows)
			require.Equal(t, int64(buf.Len()), rep.Bytes)
			require.Equal(t, avrobak.CodecZstandard, rep.Codec)
			require.Equal(t, sha256Hex(buf.Bytes()), rep.SHA256)
			require.Positive(t, rep.Duration)

			for _, dst := range []*datastore.Store{src, b.open(t)} { // over the original, and into a new database
				rrep, err := avrobak.Restore(ctx, bytes.NewReader(buf.Bytes()), dst, "all_types", nil)
				require.NoError(t, err)
				require.Equal(t, int64(len(orig)), rrep.Rows)
				require.Equal(t, rep.SHA256, rrep.SHA256)
				require.Equal(t, datastore.ModeReplace, rrep.Mode)
				gotSchema, got := tableRows(t, dst, "all_types")
				require.Equal(t, origSchema.FieldNames(), gotSchema.FieldNames())
				require.Equal(t, origSchema.PrimaryKey, gotSchema.PrimaryKey)
				for i := range origSchema.Fields {
					require.Equal(t, origSchema.Fields[i].Type, gotSchema.Fields[i].Type)
					require.Equal(t, origSchema.Fields[i].Precision, gotSchema.Fields[i].Precision)
					require.Equal(t, origSchema.Fields[i].Scale, gotSchema.Fields[i].Scale)
					require.Equal(t, origSchema.Fields[i].Format, gotSchema.Fields[i].Format)
					require.Equal(t, origSchema.Fields[i].Constraints.Required, gotSchema.Fields[i].Constraints.Required)
				}
				requireRowsEqual(t, orig, got)
			}
		})
	}
}

package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// FuzzIdentifiers creates a table and a column named by the fuzzer on
// SQLite: a name is either refused with ErrInvalidName or stored verbatim,
// described back and usable for a write and a read — never spliced into
// SQL in a way that changes the statement.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"t", `a"b`, "a; DROP TABLE x; --", "select", "名前", "x--y", "it's", "a`b", "sqlite_master", " ", "%s", "?", "$1", "ID", "Ünï"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, table, column string) {
		ctx := context.Background()
		s, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
		require.NoError(t, err)
		defer s.Close()
		schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: column}}}
		if column == "id" {
			schema.Fields[0].Name = "id2"
		}
		rep, err := datastore.Load(ctx, s, table, &rowSlice{schema: schema, rows: []frictionless.Row{{int64(1), "v"}}}, nil)
		if err != nil {
			require.True(t, errors.Is(err, datastore.ErrInvalidName), "%q/%q: %v", table, column, err)
			return
		}
		require.EqualValues(t, 1, rep.Written)
		desc, err := s.DescribeTable(ctx, table)
		require.NoError(t, err)
		require.Equal(t, schema.FieldNames(), desc.FieldNames())
		var got []frictionless.Row
		_, err = s.ReadRows(ctx, table, func(r frictionless.Row) error {
			got = append(got, append(frictionless.Row(nil), r...))
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, []frictionless.Row{{int64(1), "v"}}, got)
	})
}

package sqlstore_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestSQLiteNamesDifferingInCase: SQLite's names ignore case, so a load
// into "Victim" next to a table (or view) "victim" fails before it reads a
// row, in every mode, naming the existing table; "victim" is unchanged.
func TestSQLiteNamesDifferingInCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[0])
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}}}
	_, err := datastore.Load(ctx, s, "victim", &rowSlice{schema: schema, rows: []frictionless.Row{{int64(1)}}}, nil)
	require.NoError(t, err)
	_, err = rawDB(t, s).Exec(`CREATE VIEW "Shadow" AS SELECT * FROM victim`)
	require.NoError(t, err)
	for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeAppend, datastore.ModeUpsert} {
		for table, other := range map[string]string{"Victim": `the table "victim"`, "shadow": `the view "Shadow"`} {
			src := &rowSlice{schema: schema, rows: []frictionless.Row{{int64(2)}, {int64(3)}}}
			rep, err := datastore.Load(ctx, s, table, src, &datastore.LoadOptions{Mode: mode})
			require.ErrorContains(t, err, other, "%s %s", mode, table)
			require.Zero(t, rep.Written)
			require.Len(t, src.rows, 2, "%s %s: failed before reading", mode, table)
		}
	}
	n, err := s.CountRows(ctx, "victim")
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var tables []string
	require.NoError(t, rawDB(t, s).Select(&tables, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"))
	require.Equal(t, []string{"victim"}, tables, "no staging left")
}

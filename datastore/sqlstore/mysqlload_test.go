package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// comLoad is the server's count of LOAD DATA statements.
func comLoad(t *testing.T, s *datastore.Store) int64 {
	t.Helper()
	var name string
	var n int64
	require.NoError(t, rawDB(t, s).QueryRow("SHOW GLOBAL STATUS LIKE 'Com_load'").Scan(&name, &n))
	return n
}

// loadTypesSchema has a column of each type LOAD DATA writes as text.
func loadTypesSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger}, {Name: "s", Type: frictionless.TypeString},
		{Name: "n", Type: frictionless.TypeNumber}, {Name: "b", Type: frictionless.TypeBoolean},
		{Name: "d", Type: frictionless.TypeDate}, {Name: "dt", Type: frictionless.TypeDateTime},
		{Name: "tm", Type: frictionless.TypeTime},
	}, PrimaryKey: []string{"id"}}
}

// loadTypesRows are n rows with awkward strings, NULLs and temporal values.
func loadTypesRows(n int) []frictionless.Row {
	odd := []string{"tab\there", "new\nline", `back\slash`, `\N`, "cr\r", "nul\x00byte", "ünïcødé ✓", "", "'quote\""}
	base := time.Date(2021, 3, 4, 5, 6, 7, 123456000, time.UTC)
	rows := make([]frictionless.Row, n)
	for i := range rows {
		dec, _ := frictionless.ParseDecimal(fmt.Sprintf("%d.%02d", i, i%100))
		var s any = odd[i%len(odd)] + fmt.Sprint(i)
		if i%7 == 0 {
			s = nil
		}
		ts := base.Add(time.Duration(i) * time.Hour)
		rows[i] = frictionless.Row{int64(i), s, dec, i%2 == 0, ts, ts, ts}
	}
	return rows
}

// readAll reads a table's rows as text.
func readAll(t *testing.T, s *datastore.Store, table string) []string {
	t.Helper()
	var out []string
	_, err := s.ReadRows(context.Background(), table, func(r frictionless.Row) error {
		out = append(out, fmt.Sprintf("%#v", r))
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestMySQLLoadData: a large append and a replace go through LOAD DATA
// and store exactly what the INSERT path stores (tabs, newlines,
// backslashes, a literal \N, NUL bytes, NULLs, decimals, dates, datetimes
// with microseconds, times); rows the server refuses (duplicate keys,
// which LOAD DATA LOCAL would only skip with a warning) still become
// rejects with their row numbers, and read = written + rejected.
func TestMySQLLoadData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[2])
	rows := loadTypesRows(1000)
	before := comLoad(t, s)
	rep, err := datastore.Load(ctx, s, "viaload", &rowSlice{schema: loadTypesSchema(), rows: rows}, nil)
	require.NoError(t, err)
	require.EqualValues(t, 1000, rep.Written)
	require.Greater(t, comLoad(t, s), before, "LOAD DATA was used")
	rep, err = datastore.Load(ctx, s, "viainsert", &rowSlice{schema: loadTypesSchema(), rows: rows}, &datastore.LoadOptions{BatchSize: 10})
	require.NoError(t, err)
	require.EqualValues(t, 1000, rep.Written)
	got, want := readAll(t, s, "viaload"), readAll(t, s, "viainsert")
	require.Equal(t, want, got)
	require.True(t, strings.Contains(strings.Join(got, ""), `"nul\x00byte`), "the NUL byte arrived")

	rep, err = datastore.Load(ctx, s, "viaload", &rowSlice{schema: loadTypesSchema(), rows: loadTypesRows(1000)},
		&datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 1000, rep.Written)
	require.Equal(t, want, readAll(t, s, "viaload"))

	more := loadTypesRows(1600)[1000:]
	more[100][0], more[450][0] = int64(5), int64(999) // keys already there
	rep, err = datastore.Load(ctx, s, "viaload", &rowSlice{schema: loadTypesSchema(), rows: more}, nil)
	require.NoError(t, err)
	require.EqualValues(t, 600, rep.Read)
	require.EqualValues(t, 598, rep.Written)
	require.EqualValues(t, 2, rep.Rejected)
	require.Equal(t, []int{101, 451}, []int{rep.Rejects[0].Row, rep.Rejects[1].Row})
	require.Len(t, readAll(t, s, "viaload"), 1598)

	// A number MySQL would round stops the stream after its first chunk;
	// the write goes the INSERT path, which refuses that one row.
	more = loadTypesRows(5500)[3000:]
	more[1500][2], _ = frictionless.ParseDecimal("1." + strings.Repeat("1", 40))
	rep, err = datastore.Load(ctx, s, "viaload", &rowSlice{schema: loadTypesSchema(), rows: more}, nil)
	require.NoError(t, err)
	require.EqualValues(t, 2499, rep.Written)
	require.Len(t, rep.Rejects, 1)
	require.Equal(t, 1501, rep.Rejects[0].Row)
	require.Len(t, readAll(t, s, "viaload"), 1598+2499)
}

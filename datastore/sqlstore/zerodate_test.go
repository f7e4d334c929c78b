package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestEarliestDates round-trips the earliest date, year-month and datetime
// (Go's zero time, which MySQL's driver would send as the invalid zero date
// '0000-00-00') and a date of year 999 on every database.
func TestEarliestDates(t *testing.T) {
	t.Parallel()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "d", Type: frictionless.TypeDate},
		{Name: "ym", Type: frictionless.TypeYearMonth},
		{Name: "dt", Type: frictionless.TypeDateTime},
	}, PrimaryKey: []string{"id"}}
	zero := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(999, 12, 31, 0, 0, 0, 0, time.UTC)
	rows := []frictionless.Row{
		{int64(1), zero, zero, zero},
		{int64(2), early, time.Date(999, 12, 1, 0, 0, 0, 0, time.UTC), early.Add(23*time.Hour + 59*time.Minute + 1500*time.Millisecond)},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeAppend, datastore.ModeUpsert} {
				if mode == datastore.ModeAppend {
					_, err := rawDB(t, s).Exec("DELETE FROM dates")
					require.NoError(t, err)
				}
				rep, err := datastore.Load(context.Background(), s, "dates", &rowSlice{schema: schema, rows: append([]frictionless.Row(nil), rows...)},
					&datastore.LoadOptions{Mode: mode, MaxRejects: -1})
				require.NoError(t, err, "%s", mode)
				require.EqualValues(t, 2, rep.Written)
				var got []frictionless.Row
				_, err = s.ReadRows(context.Background(), "dates", func(r frictionless.Row) error {
					got = append(got, append(frictionless.Row(nil), r...))
					return nil
				})
				require.NoError(t, err)
				require.Len(t, got, 2)
				for i := range rows {
					for j := 1; j < len(rows[i]); j++ {
						want, have := rows[i][j].(time.Time), got[i][j].(time.Time)
						require.True(t, want.Equal(have), "%s row %d %s: want %v, got %v", mode, i, schema.Fields[j].Name, want, have)
					}
				}
			}
		})
	}
}

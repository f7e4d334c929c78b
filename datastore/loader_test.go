package datastore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// citiesCSV returns n rows of which every third has no name.
func citiesCSV(n int) string {
	var b strings.Builder
	b.WriteString("id,name,population\n")
	for i := 1; i <= n; i++ {
		name := fmt.Sprint("city", i)
		if i%3 == 0 {
			name = ""
		}
		fmt.Fprintf(&b, "%d,%s,%d\n", i, name, i*10)
	}
	return b.String()
}

// TestLoadProgressConsistent: every Progress call, the last one of a load
// that fails on MaxRejects included, has read >= written + rejected, and
// the last call matches the report.
func TestLoadProgressConsistent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		maxRejects int
		batch      int
		wantErr    bool
	}{
		{"fails-in-first-batch", 5, 100, true},
		{"fails-later", 10, 20, true},
		{"succeeds", 0, 20, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openCities(t)
			r, err := frictionless.NewReader(strings.NewReader(citiesCSV(60)), cities, nil)
			require.NoError(t, err)
			var calls []datastore.Progress
			rep, err := datastore.Load(context.Background(), s, "cities", r, &datastore.LoadOptions{
				MaxRejects: tc.maxRejects, BatchSize: tc.batch, ProgressInterval: 1,
				Progress: func(p datastore.Progress) { calls = append(calls, p) },
			})
			if tc.wantErr {
				require.ErrorIs(t, err, datastore.ErrTooManyRejects)
			} else {
				require.NoError(t, err)
				require.EqualValues(t, 60, rep.Read)
			}
			require.NotEmpty(t, calls)
			for i, p := range calls {
				require.GreaterOrEqual(t, p.Read, p.Written+p.Rejected, "call %d: %+v", i, p)
				require.Positive(t, p.Bytes, "call %d: %+v", i, p)
			}
			last := calls[len(calls)-1]
			require.Equal(t, []int64{rep.Read, rep.Written, rep.Rejected}, []int64{last.Read, last.Written, last.Rejected})
			require.Positive(t, last.Rejected)
			require.GreaterOrEqual(t, rep.Read, rep.Written+rep.Rejected)
		})
	}
}

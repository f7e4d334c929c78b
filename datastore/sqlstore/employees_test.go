package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// employeesSchema is the all-required schema of the employees file.
func employeesSchema() *frictionless.Schema { return testutil.EmployeesSchema() }

// noHeader is the dialect of the headerless employees file.
func noHeader() *frictionless.Dialect {
	h := false
	return &frictionless.Dialect{Header: &h}
}

// TestLoadEmployees is the acceptance test: the real employees file with
// an all-required schema writes 1929 rows and rejects 70, each naming its
// row and field, on every database.
func TestLoadEmployees(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../testdata/employees.csv")
	require.NoError(t, err)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			ctx := context.Background()
			r, err := frictionless.NewReader(bytes.NewReader(data), employeesSchema(), &frictionless.ReadOptions{Dialect: noHeader(), SkipUniqueCheck: true})
			require.NoError(t, err)
			var rejects bytes.Buffer
			sink := datastore.NewCSVRejects(&rejects)
			rep, err := datastore.Load(ctx, s, "employees", r, &datastore.LoadOptions{
				Rejects: datastore.MultiRejects(sink, datastore.NewTableRejects(s, "employees")),
			})
			require.NoError(t, err)
			require.EqualValues(t, 1999, rep.Read)
			require.EqualValues(t, 1929, rep.Written)
			require.EqualValues(t, 70, rep.Rejected)
			require.Equal(t, rep.Read, rep.Written+rep.Rejected)

			recs, err := csv.NewReader(&rejects).ReadAll()
			require.NoError(t, err)
			require.Len(t, recs, 71) // header + 70
			for _, rec := range recs[1:] {
				row, err := strconv.Atoi(rec[0])
				require.NoError(t, err)
				require.Positive(t, row)
				require.Contains(t, employeesSchema().FieldNames(), rec[2], "reject names a field: %q", rec)
				require.Equal(t, "value is required", rec[4])
				require.Equal(t, datastore.StageValidation, rec[6])
			}

			n := 0
			_, err = s.ReadRows(ctx, "employees", func(row frictionless.Row) error {
				n++
				for _, v := range row {
					require.NotNil(t, v)
				}
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 1929, n)

			var stored int
			_, err = s.ReadRows(ctx, datastore.RejectsTableName("employees"), func(row frictionless.Row) error {
				stored++
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 70, stored)
		})
	}
}

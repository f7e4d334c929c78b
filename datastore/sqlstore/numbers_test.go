package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestNumbersPerBackend pins each backend's decision for numbers a column
// may not hold: PostgreSQL numeric and SQLite text keep NaN, ±INF and any
// number of digits; MySQL/MariaDB refuse them as rejects with a reason
// (DECIMAL(65,30) would round excess fractional digits with a mere note).
// It also checks the column types a number without precision gets.
func TestNumbersPerBackend(t *testing.T) {
	t.Parallel()
	values := []string{"NaN", "INF", "-INF", "1" + strings.Repeat("0", 40), "0." + strings.Repeat("0", 30) + "1",
		"12345678901234567890.123456789", "1.10"}
	mysqlReasons := map[int]string{
		1: "cannot hold NaN or infinity", 2: "cannot hold NaN or infinity", 3: "cannot hold NaN or infinity",
		4: "more than 35 integer digits do not fit DECIMAL(65,30)",
		5: "more than 30 decimal places do not fit DECIMAL(65,30) and would be rounded",
	}
	columnType := map[string]string{"sqlite": "DECIMAL_TEXT", "postgres": "numeric", "mysql": "decimal(65,30)"}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			ctx := context.Background()
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "n", Type: frictionless.TypeNumber}},
				PrimaryKey: []string{"id"}}
			var csv strings.Builder
			csv.WriteString("id,n\n")
			for i, v := range values {
				csv.WriteString(strings.Join([]string{strconv.Itoa(i + 1), v}, ",") + "\n")
			}
			r, err := frictionless.NewReader(strings.NewReader(csv.String()), schema, nil)
			require.NoError(t, err)
			rep, err := datastore.Load(ctx, s, "nums", r, nil)
			require.NoError(t, err)
			got := map[int64]string{}
			_, err = s.ReadRows(ctx, "nums", func(row frictionless.Row) error {
				got[row[0].(int64)] = row[1].(frictionless.Decimal).String()
				return nil
			})
			require.NoError(t, err)
			if b.name != "mysql" {
				require.Zero(t, rep.Rejected, "%+v", rep.Rejects)
				for i, v := range values {
					want, _ := frictionless.ParseDecimal(v)
					require.Equal(t, want.String(), got[int64(i+1)])
				}
			} else {
				require.EqualValues(t, len(mysqlReasons), rep.Rejected)
				for _, rj := range rep.Rejects {
					require.Equal(t, "n", rj.Field)
					require.Contains(t, rj.Reason, mysqlReasons[rj.Row], "row %d", rj.Row)
					require.Equal(t, values[rj.Row-1], rj.Raw[1], "the raw value is kept")
				}
				require.Equal(t, map[int64]string{6: "12345678901234567890.123456789", 7: "1.1"}, got)
			}
			require.Equal(t, columnType[b.name], numberColumnType(t, s, b.name))
		})
	}
}

// numberColumnType reads the declared type of column n of table nums.
func numberColumnType(t *testing.T, s *datastore.Store, backend string) string {
	db := rawDB(t, s)
	var typ string
	q := map[string]string{
		"sqlite":   "SELECT type FROM pragma_table_info('nums') WHERE name = 'n'",
		"postgres": "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'nums'::regclass AND attname = 'n'",
		"mysql":    "SELECT column_type FROM information_schema.columns WHERE table_schema = database() AND table_name = 'nums' AND column_name = 'n'",
	}[backend]
	require.NoError(t, db.Get(&typ, q))
	return typ
}

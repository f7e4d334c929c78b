package pgstage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestCopyNumericExact copies decimals into an unconstrained numeric
// column with the binary encoder and reads PostgreSQL's own text back:
// every digit and the scale as written.
func TestCopyNumericExact(t *testing.T) {
	t.Parallel()
	c := connect(t, testutil.PostgresURL(t))
	ctx := context.Background()
	exec(t, c, "DROP TABLE IF EXISTS num_copy", "CREATE TABLE num_copy (i int, n numeric)")
	values := []string{"0", "0.00", "1.10", "-1.10", "12345678901234567890.123456789",
		"123456789012345.678901234567890", "-0.000000000000000000000000000001", "10000", "9999.9999",
		"0.0001", "100000000.00000001", "123", "1" + strings.Repeat("0", 1000) + ".5", "0." + strings.Repeat("0", 500) + "7",
		"NaN", "INF", "-INF"}
	pgText := map[string]string{"INF": "Infinity", "-INF": "-Infinity"}
	var rows []frictionless.Row
	for i, s := range values {
		d, err := frictionless.ParseDecimal(s)
		require.NoError(t, err)
		rows = append(rows, frictionless.Row{int64(i), d})
	}
	fields := []frictionless.Field{{Name: "i", Type: frictionless.TypeInteger}, {Name: "n", Type: frictionless.TypeNumber}}
	bc, err := pgstage.NewCopier(ctx, c, pgx.Identifier{"num_copy"}, fields)
	require.NoError(t, err)
	require.NoError(t, bc.Copy(ctx, c, rows))
	got, err := c.Query(ctx, "SELECT n::text FROM num_copy ORDER BY i")
	require.NoError(t, err)
	texts, err := pgx.CollectRows(got, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, texts, len(values))
	for i, s := range values {
		want := s
		if w, ok := pgText[s]; ok {
			want = w
		}
		require.Equal(t, want, texts[i], "value %d", i)
	}
}

// TestCopyNumericTooLong: a fraction longer than numeric's 16383 digits is
// a ValueError (the row is refused), not an error PostgreSQL finds later.
func TestCopyNumericTooLong(t *testing.T) {
	t.Parallel()
	c := connect(t, testutil.PostgresURL(t))
	ctx := context.Background()
	exec(t, c, "DROP TABLE IF EXISTS num_long", "CREATE TABLE num_long (n numeric)")
	d, err := frictionless.ParseDecimal("0." + strings.Repeat("1", 16384))
	require.NoError(t, err)
	bc, err := pgstage.NewCopier(ctx, c, pgx.Identifier{"num_long"}, []frictionless.Field{{Name: "n", Type: frictionless.TypeNumber}})
	require.NoError(t, err)
	err = bc.Copy(ctx, c, []frictionless.Row{{d}})
	var ve *driver.ValueError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "n", ve.Field)
	require.Contains(t, ve.Reason, "16383 fractional digits")
}

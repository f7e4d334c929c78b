package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// collect reads a table with read, copying every row.
func collect(t *testing.T, read func(fn func(frictionless.Row) error) error) []frictionless.Row {
	t.Helper()
	var out []frictionless.Row
	require.NoError(t, read(func(r frictionless.Row) error {
		out = append(out, append(frictionless.Row(nil), r...))
		return nil
	}))
	return out
}

// TestPgReadMatchesDatabaseSQL: the pgx fast path decodes every value as
// database/sql's path does, including the binary edge cases (timestamps and
// dates before 2000 and before 1970, int64 extremes, float4, NULLs).
func TestPgReadMatchesDatabaseSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[1])
	db := rawDB(t, s)
	_, err := db.ExecContext(ctx, `CREATE TABLE edge (
		id bigint PRIMARY KEY, i2 smallint, i4 integer, f4 real, f8 double precision, b boolean,
		d date, ts timestamp, tz timestamptz, n numeric(20,6), t text, j jsonb, tm time, u uuid)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO edge VALUES
		(-9223372036854775808, -32768, -2147483648, 1.5, -0.0, true, '1900-02-28', '1969-12-31 23:59:59.999999',
		 '1999-12-31 23:59:59.000001+00', -12345678901234.000001, 'ünïcode', '{"a":[1,"b"]}', '23:59:59.999999',
		 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
		(0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(9223372036854775807, 32767, 2147483647, 3.4e38, 1e308, false, '0001-01-01', '0001-01-01 00:00:00',
		 '2262-04-11 23:47:16.854775+00', 99999999999999.999999, '', '{}', '00:00:00', NULL),
		(7, 1, 2, -1, 2.5, true, '2000-01-01', '2000-01-01 00:00:00', '1970-01-01 00:00:00.000001+00', 0, 'x', '{"b":null}',
		 '12:00:00', NULL)`)
	require.NoError(t, err)
	schema, err := s.DescribeTable(ctx, "edge")
	require.NoError(t, err)
	fast := collect(t, func(fn func(frictionless.Row) error) error {
		_, err := s.ReadRows(ctx, "edge", fn)
		return err
	})
	slow := collect(t, func(fn func(frictionless.Row) error) error {
		return sqlstore.ReadRowsDatabaseSQL(ctx, db, "edge", schema, fn)
	})
	require.Len(t, fast, 4)
	require.Equal(t, len(slow), len(fast))
	for i := range slow {
		for j, f := range schema.Fields {
			require.Equal(t, fmt.Sprintf("%T %#v", slow[i][j], slow[i][j]), fmt.Sprintf("%T %#v", fast[i][j], fast[i][j]),
				"row %d column %s", i, f.Name)
		}
	}
}

// TestPgReadStopsEarly: a callback error or a cancelled context ends a read
// at once (the query is cancelled, not drained), and the store stays
// usable; a snapshot whose read failed still closes cleanly.
func TestPgReadStopsEarly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[1])
	seedMany(t, s, 20000)

	errStop := errors.New("stop")
	seen := 0
	_, err := s.ReadRows(ctx, "emp", func(frictionless.Row) error {
		if seen++; seen == 1000 {
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop)
	require.Equal(t, 1000, seen, "no row after the callback failed")

	cctx, cancel := context.WithCancel(ctx)
	seen = 0
	_, err = s.ReadRows(cctx, "emp", func(frictionless.Row) error {
		if seen++; seen == 500 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, seen, 20000)

	snap, err := s.Snapshot(ctx)
	require.NoError(t, err)
	_, err = snap.ReadRows(ctx, "emp", func(frictionless.Row) error { return errStop })
	require.ErrorIs(t, err, errStop)
	require.NoError(t, snap.Close())

	all := collect(t, func(fn func(frictionless.Row) error) error {
		_, err := s.ReadRows(ctx, "emp", fn)
		return err
	})
	require.Len(t, all, 20000, "the store reads again after the stopped reads")
	require.EqualValues(t, 1, all[0][0])
	require.EqualValues(t, 20000, all[19999][0])
}

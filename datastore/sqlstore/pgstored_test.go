package sqlstore_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// readAsStored reads table with ReadValuesAsStored in a new snapshot, and
// with ReadValues in the same snapshot after it; the snapshot is closed
// when the test ends.
func readAsStored(t *testing.T, s *datastore.Store, table string) (stored, ordered *recordSink, storedErr error) {
	t.Helper()
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { snap.Close() })
	stored, ordered = &recordSink{}, &recordSink{}
	_, storedErr = snap.ReadValuesAsStored(ctx, table, stored)
	_, err = snap.ReadValues(ctx, table, ordered)
	require.NoError(t, err, "the snapshot reads by the key after ReadValuesAsStored")
	return stored, ordered, storedErr
}

// pgTable opens a PostgreSQL store and runs the statements on it.
func pgTable(t *testing.T, stmts ...string) *datastore.Store {
	t.Helper()
	s := open(t, backends[1])
	db := rawDB(t, s)
	for _, q := range stmts {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	return s
}

// eachPgTable runs check, in parallel, on a PostgreSQL store made by each
// case's statements.
func eachPgTable(t *testing.T, cases map[string][]string, check func(t *testing.T, s *datastore.Store)) {
	for name, stmts := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check(t, pgTable(t, stmts...))
		})
	}
}

// TestPgReadAsStoredInOrder: a table stored in key order, over several
// FETCHes and ending exactly at a FETCH's end, reads as stored with the
// values ReadValues gives, in the same order; so does one loaded by Load.
func TestPgReadAsStoredInOrder(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 100000, 123457} {
		s := pgTable(t, `CREATE TABLE t (id bigint PRIMARY KEY, d date, name text, v numeric(12,3))`,
			`INSERT INTO t SELECT g, DATE '2000-01-01' + g % 9000, 'n' || g, g / 7.0 FROM generate_series(1, `+strconv.Itoa(n)+`) g`,
			`ANALYZE t`)
		stored, ordered, err := readAsStored(t, s, "t")
		require.NoError(t, err, "%d rows", n)
		require.Len(t, ordered.vals, n)
		require.Equal(t, ordered.vals, stored.vals, "%d rows", n)
		require.Equal(t, ordered.rows, stored.rows)
	}
	s := open(t, backends[1])
	seedMany(t, s, 5000)
	stored, ordered, err := readAsStored(t, s, "emp")
	require.NoError(t, err)
	require.Len(t, stored.vals, 5000)
	require.Equal(t, ordered.vals, stored.vals)
}

// TestPgReadAsStoredOutOfOrder: a key out of order, near the start or
// after 100,000 rows in order (a row appended with a lower key), stops
// the read with ErrNotInKeyOrder having given at most the rows before it,
// in key order; the snapshot then reads every row by the key. Integer,
// date and timestamp keys are checked by their binary values, negative
// ones included.
func TestPgReadAsStoredOutOfOrder(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"late": {`CREATE TABLE t (id integer PRIMARY KEY, name text)`,
			`INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 100000) g WHERE g <> 77`,
			`INSERT INTO t VALUES (77, 'late')`},
		"early": {`CREATE TABLE t (id smallint PRIMARY KEY)`,
			`INSERT INTO t VALUES (-5), (-7), (1)`},
		"inserted again after a delete": {`CREATE TABLE t (id bigint PRIMARY KEY)`,
			`INSERT INTO t SELECT generate_series(1, 10)`, `DELETE FROM t WHERE id = 5`, `INSERT INTO t VALUES (5)`},
		"date": {`CREATE TABLE t (d date PRIMARY KEY, v int)`,
			`INSERT INTO t VALUES ('1999-12-31', 1), ('2000-01-02', 2), ('1970-01-01', 3)`},
		"timestamptz": {`CREATE TABLE t (ts timestamptz PRIMARY KEY)`,
			`INSERT INTO t VALUES ('2001-01-01 00:00:00.000002+00'), ('2001-01-01 00:00:00.000001+00')`},
	}
	eachPgTable(t, cases, func(t *testing.T, s *datastore.Store) {
		stored, ordered, err := readAsStored(t, s, "t")
		require.ErrorIs(t, err, datastore.ErrNotInKeyOrder)
		require.Less(t, len(stored.vals), len(ordered.vals))
		j := 0 // the rows given before the stop rise: they are a subsequence of ReadValues'
		for _, row := range stored.vals {
			for j < len(ordered.vals) && !reflect.DeepEqual(ordered.vals[j], row) {
				j++
			}
			require.Less(t, j, len(ordered.vals), "row %v given out of order", row)
		}
		n, err := s.CountRows(context.Background(), "t")
		require.NoError(t, err)
		require.Len(t, ordered.vals, int(n))
	})
}

// TestPgReadAsStoredRefuses: ErrUnsupported, with nothing given to the
// sink, for keys whose order the read cannot check (none, two columns,
// text, numeric, a double) and for tables whose statistics show an update
// or the key's values out of their place; SQLite and MariaDB refuse every
// table.
func TestPgReadAsStoredRefuses(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"no key":      {`CREATE TABLE t (id bigint, name text)`, `INSERT INTO t VALUES (1, 'a')`},
		"two columns": {`CREATE TABLE t (a int, b int, PRIMARY KEY (a, b))`, `INSERT INTO t VALUES (1, 2)`},
		"text":        {`CREATE TABLE t (id text PRIMARY KEY)`, `INSERT INTO t VALUES ('a')`},
		"numeric":     {`CREATE TABLE t (id numeric PRIMARY KEY)`, `INSERT INTO t VALUES (1)`},
		"double":      {`CREATE TABLE t (id double precision PRIMARY KEY)`, `INSERT INTO t VALUES (1)`},
		"uncorrelated": {`CREATE TABLE t (id int PRIMARY KEY)`,
			`INSERT INTO t SELECT 5001 - g FROM generate_series(1, 5000) g`, `ANALYZE t`},
	}
	eachPgTable(t, cases, func(t *testing.T, s *datastore.Store) {
		stored, ordered, err := readAsStored(t, s, "t")
		require.ErrorIs(t, err, errors.ErrUnsupported)
		require.Empty(t, stored.rows)
		require.NotEmpty(t, ordered.vals)
	})
	t.Run("updated", func(t *testing.T) {
		t.Parallel()
		s := pgTable(t, `CREATE TABLE t (id int PRIMARY KEY, v int)`, `INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g`)
		// The update's count reaches the statistics when its session
		// flushes them: forced at the end of its transaction.
		db := rawDB(t, s)
		conn, err := db.Conn(context.Background())
		require.NoError(t, err)
		_, err = conn.ExecContext(context.Background(), `UPDATE t SET v = 0 WHERE id = 1000; SELECT pg_stat_force_next_flush()`)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		stored, ordered, err := readAsStored(t, s, "t")
		require.ErrorIs(t, err, errors.ErrUnsupported)
		require.Empty(t, stored.rows)
		require.Len(t, ordered.vals, 1000)
	})
	for _, b := range []backend{backends[0], backends[2]} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			seedMany(t, s, 10)
			snap, err := s.Snapshot(context.Background())
			require.NoError(t, err)
			defer snap.Close()
			var sink recordSink
			_, err = snap.ReadValuesAsStored(context.Background(), "emp", &sink)
			require.ErrorIs(t, err, errors.ErrUnsupported)
			require.Empty(t, sink.rows)
		})
	}
}

// TestPgReadAsStoredSinkStops: an EndRow error ends the read and comes
// back as is.
func TestPgReadAsStoredSinkStops(t *testing.T) {
	t.Parallel()
	s := open(t, backends[1])
	seedMany(t, s, 3000)
	snap, err := s.Snapshot(context.Background())
	require.NoError(t, err)
	defer snap.Close()
	sink := recordSink{stop: 700}
	_, err = snap.ReadValuesAsStored(context.Background(), "emp", &sink)
	require.Equal(t, errSinkStop, err)
	require.Len(t, sink.rows, 700)
}

// TestPgReadAsStoredKeyNotInSchema: the driver refuses, with nothing given
// to the sink, a schema whose one key names no field of it, as a caller
// of the driver interface could pass.
func TestPgReadAsStoredKeyNotInSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	drv, err := sqlstore.OpenDriver(ctx, testutil.PostgresURL(t))
	require.NoError(t, err)
	defer drv.Close()
	snap, err := drv.(driver.Snapshotter).Snapshot(ctx)
	require.NoError(t, err)
	defer snap.Close()
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}},
		PrimaryKey: []string{"missing"}}
	var sink recordSink
	err = snap.(driver.StoredOrderReader).ReadValuesAsStored(ctx, "t", schema, &sink)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.Empty(t, sink.rows)
}

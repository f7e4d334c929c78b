package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// recordSink records every call it gets, as "Method:value" per column.
type recordSink struct {
	rows [][]string
	row  []string
	vals []frictionless.Row
	cur  frictionless.Row
	stop int // EndRow fails at this row (0: never)
}

var errSinkStop = errors.New("sink stop")

func (r *recordSink) put(col int, method string, v any) {
	r.row = append(r.row, fmt.Sprintf("%d %s", col, method))
	r.cur = append(r.cur, v)
}

func (r *recordSink) Null(col int)              { r.put(col, "Null", nil) }
func (r *recordSink) Int(col int, v int64)      { r.put(col, "Int", v) }
func (r *recordSink) Float(col int, v float64)  { r.put(col, "Float", v) }
func (r *recordSink) Bool(col int, v bool)      { r.put(col, "Bool", v) }
func (r *recordSink) Time(col int, v time.Time) { r.put(col, "Time", v) }
func (r *recordSink) Text(col int, v string)    { r.put(col, "Text", v) }
func (r *recordSink) Value(col int, v any)      { r.put(col, "Value", v) }
func (r *recordSink) EndRow() error {
	r.rows, r.vals = append(r.rows, r.row), append(r.vals, r.cur)
	r.row, r.cur = nil, nil
	if len(r.rows) == r.stop {
		return errSinkStop
	}
	return nil
}

// bytesSink is a recordSink that takes text as bytes (a driver.BytesSink):
// it records each as its own string, and scribbles over the bytes after,
// as the reader allows, so a reader that kept them would show it.
type bytesSink struct{ recordSink }

func (b *bytesSink) TextBytes(col int, v []byte) {
	b.put(col, "TextBytes", string(v))
	for i := range v {
		v[i] = '#'
	}
}

// rowsAndSnapshot returns the rows ReadRows gives of table and a snapshot
// of s, closed at the end of the test.
func rowsAndSnapshot(t *testing.T, s *datastore.Store, table string) ([]frictionless.Row, *datastore.Snapshot) {
	t.Helper()
	ctx := context.Background()
	rows := collect(t, func(fn func(frictionless.Row) error) error {
		_, err := s.ReadRows(ctx, table, fn)
		return err
	})
	snap, err := s.Snapshot(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { snap.Close() })
	return rows, snap
}

// TestPgReadValuesMatchesReadRows: a snapshot's ReadValues hands over the
// values ReadRows gives, one call per column in order, each through the
// method of its Go type, for every type and edge value of the edge table.
func TestPgReadValuesMatchesReadRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[1])
	db := rawDB(t, s)
	_, err := db.ExecContext(ctx, `CREATE TABLE vals (
		id bigint PRIMARY KEY, i2 smallint, f4 real, f8 double precision, b boolean,
		d date, ts timestamp, tz timestamptz, n numeric(20,6), t text, j jsonb, tm time, u uuid)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO vals VALUES
		(-9223372036854775808, -32768, 1.5, -0.0, true, '1900-02-28', '1969-12-31 23:59:59.999999',
		 '1999-12-31 23:59:59.000001+00', -12345678901234.000001, 'ünïcode', '{"a":[1,"b"]}', '23:59:59.999999',
		 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
		(0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(9223372036854775807, 32767, 3.4e38, 1e308, false, '0001-01-01', '0001-01-01 00:00:00',
		 '2262-04-11 23:47:16.854775+00', 99999999999999.999999, '', '{}', '00:00:00', NULL)`)
	require.NoError(t, err)
	rows, snap := rowsAndSnapshot(t, s, "vals")
	var sink recordSink
	schema, err := snap.ReadValues(ctx, "vals", &sink)
	require.NoError(t, err)
	require.Len(t, schema.Fields, 13)
	require.Len(t, sink.vals, len(rows))
	for i := range rows {
		for j, f := range schema.Fields {
			require.Equal(t, fmt.Sprintf("%T %#v", rows[i][j], rows[i][j]), fmt.Sprintf("%T %#v", sink.vals[i][j], sink.vals[i][j]),
				"row %d column %s", i, f.Name)
		}
	}
	want := []string{"0 Int", "1 Int", "2 Float", "3 Float", "4 Bool", "5 Time", "6 Time", "7 Time",
		"8 Value", "9 Text", "10 Value", "11 Value", "12 Text"}
	require.Equal(t, want, sink.rows[0])
	require.Equal(t, []string{"0 Int", "1 Null", "2 Null", "3 Null", "4 Null", "5 Null", "6 Null", "7 Null",
		"8 Null", "9 Null", "10 Null", "11 Null", "12 Null"}, sink.rows[1])

	// A BytesSink gets the same text as bytes, beside values parsed from text.
	var bs bytesSink
	_, err = snap.ReadValues(ctx, "vals", &bs)
	require.NoError(t, err)
	require.Equal(t, sink.vals, bs.vals)
	want[9], want[12] = "9 TextBytes", "12 TextBytes"
	require.Equal(t, want, bs.rows[0])
}

// TestPgReadValuesBytesSink: on a table whose text columns all carry their
// text as is (no value parsed from text), a BytesSink gets every text
// value as bytes, over many batches, and the values are ReadRows'.
func TestPgReadValuesBytesSink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[1])
	seedMany(t, s, 5000)
	rows, snap := rowsAndSnapshot(t, s, "emp")
	var bs bytesSink
	schema, err := snap.ReadValues(ctx, "emp", &bs)
	require.NoError(t, err)
	require.Len(t, bs.vals, 5000)
	texts := 0
	for i := range rows {
		for j := range schema.Fields {
			require.Equal(t, rows[i][j], bs.vals[i][j], "row %d column %s", i, schema.Fields[j].Name)
			if _, ok := rows[i][j].(string); ok {
				require.Equal(t, fmt.Sprintf("%d TextBytes", j), bs.rows[i][j])
				texts++
			}
		}
	}
	require.Positive(t, texts)
}

// eachBackendSeeded runs test in parallel on every backend, on a store
// seeded with 5,000 employees.
func eachBackendSeeded(t *testing.T, test func(t *testing.T, b backend, s *datastore.Store)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			seedMany(t, s, 5000)
			test(t, b, s)
		})
	}
}

// TestReadValuesStopsAndRefuses: an EndRow error ends ReadValues at once
// and comes back as is, the snapshot still closes and the store reads
// again; SQLite and MariaDB refuse with errors.ErrUnsupported and read
// nothing.
func TestReadValuesStopsAndRefuses(t *testing.T) {
	ctx := context.Background()
	eachBackendSeeded(t, func(t *testing.T, b backend, s *datastore.Store) {
		snap, err := s.Snapshot(ctx)
		require.NoError(t, err)
		sink := recordSink{stop: 700}
		_, err = snap.ReadValues(ctx, "emp", &sink)
		if b.name != "postgres" {
			require.ErrorIs(t, err, errors.ErrUnsupported)
			require.Empty(t, sink.rows)
			require.NoError(t, snap.Close())
			return
		}
		require.Equal(t, errSinkStop, err, "the sink's error, as is")
		require.Len(t, sink.rows, 700, "no row after EndRow failed")
		require.NoError(t, snap.Close())
		n, err := s.CountRows(ctx, "emp")
		require.NoError(t, err)
		require.EqualValues(t, 5000, n)

		snap, err = s.Snapshot(ctx)
		require.NoError(t, err)
		defer snap.Close()
		_, err = snap.ReadValues(ctx, "missing", &recordSink{})
		require.ErrorIs(t, err, datastore.ErrNotFound)
	})
}

// TestReadPanicReachesTheCaller: a sink or row function that panics
// midway through a read (of a snapshot, or of the store) panics in the
// caller with its own value, rather than hanging the read; the snapshot
// still closes and the store reads again, on every backend.
func TestReadPanicReachesTheCaller(t *testing.T) {
	ctx := context.Background()
	eachBackendSeeded(t, func(t *testing.T, b backend, s *datastore.Store) {
		boom := func(fn func() error) (got any) {
			done := make(chan any, 1)
			go func() {
				defer func() { done <- recover() }()
				_ = fn()
			}()
			select {
			case got = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the read hung after a panic")
			}
			return got
		}
		panicAt := func(n int) func(frictionless.Row) error {
			return func(frictionless.Row) error {
				if n--; n == 0 {
					panic("boom")
				}
				return nil
			}
		}
		reads := map[string]func(*datastore.Snapshot) error{
			"Snapshot.ReadRows": func(snap *datastore.Snapshot) error {
				_, err := snap.ReadRows(ctx, "emp", panicAt(700))
				return err
			},
		}
		if b.name == "postgres" {
			reads["Snapshot.ReadValues"] = func(snap *datastore.Snapshot) error {
				_, err := snap.ReadValues(ctx, "emp", driver.NewRowSink(5, panicAt(700)))
				return err
			}
		}
		for name, read := range reads {
			snap, err := s.Snapshot(ctx)
			require.NoError(t, err)
			require.Equal(t, "boom", boom(func() error { return read(snap) }), name)
			require.NoError(t, snap.Close())
		}
		require.Equal(t, "boom", boom(func() error {
			_, err := s.ReadRows(ctx, "emp", panicAt(700))
			return err
		}), "Store.ReadRows")
		n, err := s.CountRows(ctx, "emp")
		require.NoError(t, err)
		require.EqualValues(t, 5000, n)
	})
}

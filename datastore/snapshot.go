package datastore

import (
	"context"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// Snapshot is a read-only, consistent view of a store: every read through
// it sees the database as it was at the snapshot's first read, whatever is
// committed meanwhile (sqlstore: one read-only transaction at REPEATABLE
// READ on PostgreSQL and MySQL, a deferred read transaction on SQLite).
// It holds one connection until Close. A Snapshot is not safe for
// concurrent use.
type Snapshot struct {
	s    *Store
	snap driver.Snapshot
}

// Snapshot begins a snapshot. It returns an error matching
// [errors.ErrUnsupported] when the backend cannot take one (the CKAN
// DataStore). The caller must Close the snapshot.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	sn, ok := s.drv.(driver.Snapshotter)
	if !ok {
		return nil, fmt.Errorf("datastore: snapshot: %w by this backend", errors.ErrUnsupported)
	}
	snap, err := sn.Snapshot(ctx)
	if err != nil {
		return nil, s.wrap("snapshot", "", err)
	}
	return &Snapshot{s: s, snap: snap}, nil
}

// DescribeTable is [Store.DescribeTable] inside the snapshot.
func (sn *Snapshot) DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error) {
	if err := sn.s.validateTable(table); err != nil {
		return nil, err
	}
	schema, err := sn.snap.DescribeTable(ctx, table)
	return schema, sn.s.wrap("describe", table, err)
}

// CountRows returns the number of rows of the table in the snapshot.
func (sn *Snapshot) CountRows(ctx context.Context, table string) (int64, error) {
	if err := sn.s.validateTable(table); err != nil {
		return 0, err
	}
	n, err := sn.snap.CountRows(ctx, table)
	return n, sn.s.wrap("count", table, err)
}

// ReadRows is [Store.ReadRows] inside the snapshot: the rows, the schema
// it returns and any CountRows of the same snapshot agree.
func (sn *Snapshot) ReadRows(ctx context.Context, table string, fn func(frictionless.Row) error) (*frictionless.Schema, error) {
	schema, err := sn.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	return schema, sn.s.readWith(ctx, table, schema, sn.snap.ReadRows, fn)
}

// ValueSink receives rows value by value from [Snapshot.ReadValues]; see
// [driver.ValueSink].
type ValueSink = driver.ValueSink

// ReadValues is [Snapshot.ReadRows] into sink: the same values in the same
// order, handed over one by one without boxing each into a row, which
// spares a reader that re-encodes them (a backup) a conversion and an
// allocation per value. An error of sink's EndRow is returned as is. When
// the backend cannot (its snapshot is no [driver.ValueReader]; sqlstore:
// all but PostgreSQL) it returns an error matching [errors.ErrUnsupported]
// at once, having run no query; ReadRows then reads.
func (sn *Snapshot) ReadValues(ctx context.Context, table string, sink ValueSink) (*frictionless.Schema, error) {
	vr, ok := sn.snap.(driver.ValueReader)
	if !ok {
		return nil, fmt.Errorf("datastore: read values: %w by this backend", errors.ErrUnsupported)
	}
	return sn.readValues(ctx, table, sink, vr.ReadValues)
}

// ErrNotInKeyOrder is returned by [Snapshot.ReadValuesAsStored] when the
// table's rows are not stored in key order.
var ErrNotInKeyOrder = driver.ErrNotInKeyOrder

// ReadValuesAsStored is [Snapshot.ReadValues] in the order the rows are
// stored, which the database reads faster than by the key's index, with
// their order checked as they come: the rows it gives, when it succeeds,
// are ReadValues' in the same order. At the first row out of key order it
// returns an error matching [ErrNotInKeyOrder], having given sink some of
// the rows before it: the caller discards what it got and reads again with
// ReadValues, in the same snapshot, which is left usable. It returns an
// error matching [errors.ErrUnsupported], having given sink nothing, when
// the backend cannot (sqlstore: all but PostgreSQL, and on PostgreSQL a
// table whose primary key is not one column of an integer, date or
// timestamp type) or the table's statistics say its rows were updated
// or stored out of key order; ReadValues then reads.
//
// It suits a reader that can start over cheaply, such as a backup into a
// file it can truncate. Its cost when the order breaks is at most one
// more reading of the table: the rows the reader got until then, and on
// PostgreSQL the rest of the scan, which is drained so that the snapshot
// goes on.
func (sn *Snapshot) ReadValuesAsStored(ctx context.Context, table string, sink ValueSink) (*frictionless.Schema, error) {
	sr, ok := sn.snap.(driver.StoredOrderReader)
	if !ok {
		return nil, fmt.Errorf("datastore: read values as stored: %w by this backend", errors.ErrUnsupported)
	}
	return sn.readValues(ctx, table, sink, sr.ReadValuesAsStored)
}

// readValues reads table into sink with read, returning an error of sink's
// EndRow as is and wrapping the backend's.
func (sn *Snapshot) readValues(ctx context.Context, table string, sink ValueSink, read func(context.Context, string, *frictionless.Schema, driver.ValueSink) error) (*frictionless.Schema, error) {
	schema, err := sn.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	cs := &catchSink{ValueSink: sink}
	var through driver.ValueSink = cs
	if bs, ok := sink.(driver.BytesSink); ok {
		through = &catchBytesSink{catchSink: cs, bytes: bs}
	}
	err = read(ctx, table, schema, through)
	if err != nil && cs.err != nil && errors.Is(err, cs.err) {
		return nil, cs.err
	}
	return schema, sn.s.wrap("read", table, err)
}

// catchSink remembers the error of its sink's EndRow.
type catchSink struct {
	ValueSink
	err error
}

func (c *catchSink) EndRow() error {
	c.err = c.ValueSink.EndRow()
	return c.err
}

// catchBytesSink is the catchSink of a [driver.BytesSink]: it keeps the
// sink's TextBytes visible to the reader.
type catchBytesSink struct {
	*catchSink
	bytes driver.BytesSink
}

func (c *catchBytesSink) TextBytes(col int, v []byte) { c.bytes.TextBytes(col, v) }

// Close ends the snapshot. It is safe to call more than once.
func (sn *Snapshot) Close() error {
	return sn.s.wrap("snapshot", "", sn.snap.Close())
}

// readFunc is the shape of Driver.ReadRows and Snapshot.ReadRows.
type readFunc func(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error

// readWith runs read, returning an error of fn as is and wrapping the
// backend's.
func (s *Store) readWith(ctx context.Context, table string, schema *frictionless.Schema, read readFunc, fn func(frictionless.Row) error) error {
	var fnErr error
	err := read(ctx, table, schema, func(r frictionless.Row) error {
		fnErr = fn(r)
		return fnErr
	})
	if err != nil && fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return s.wrap("read", table, err)
}

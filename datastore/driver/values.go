package driver

import (
	"context"
	"errors"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

// ValueSink receives a table's rows value by value, without boxing each
// value in an interface: for every row, exactly one call per column in
// column order (col counts from 0), then EndRow. The values are the ones
// [Driver.ReadRows] would put in the row, by their Go type: Int an int64,
// Float a float64, Bool a bool, Time a time.Time, Text a string, Null a
// nil; Value carries any other value as ReadRows would give it. A read
// that fails midway may leave its last row without EndRow.
type ValueSink interface {
	Null(col int)
	Int(col int, v int64)
	Float(col int, v float64)
	Bool(col int, v bool)
	Time(col int, v time.Time)
	Text(col int, v string)
	Value(col int, v any)
	// EndRow ends a row. An error stops the read, which returns it.
	EndRow() error
}

// BytesSink is a [ValueSink] that also takes a text value as bytes that
// stay valid only during the call: a sink that copies the text (an
// encoder) implements it to spare the reader making a string of every
// value. A reader that sees it may call TextBytes instead of Text for any
// text value; the sink must not keep v.
type BytesSink interface {
	ValueSink
	TextBytes(col int, v []byte)
}

// ValueReader is implemented by a [Snapshot] that can hand its rows to a
// [ValueSink] directly, skipping the boxing of every value into a row.
type ValueReader interface {
	// ReadValues is [Snapshot.ReadRows] into sink.
	ReadValues(ctx context.Context, table string, schema *frictionless.Schema, sink ValueSink) error
}

// RowSink is the [ValueSink] that fills a row and calls a function with it
// at each EndRow: ReadRows on top of ReadValues. The row is reused.
type RowSink struct {
	row frictionless.Row
	fn  func(frictionless.Row) error
}

// NewRowSink returns a RowSink of rows of width columns that calls fn.
func NewRowSink(width int, fn func(frictionless.Row) error) *RowSink {
	return &RowSink{row: make(frictionless.Row, width), fn: fn}
}

// Null sets the column to nil.
func (r *RowSink) Null(col int) { r.row[col] = nil }

// Int sets the column to v.
func (r *RowSink) Int(col int, v int64) { r.row[col] = v }

// Float sets the column to v.
func (r *RowSink) Float(col int, v float64) { r.row[col] = v }

// Bool sets the column to v.
func (r *RowSink) Bool(col int, v bool) { r.row[col] = v }

// Time sets the column to v.
func (r *RowSink) Time(col int, v time.Time) { r.row[col] = v }

// Text sets the column to v.
func (r *RowSink) Text(col int, v string) { r.row[col] = v }

// Value sets the column to v.
func (r *RowSink) Value(col int, v any) { r.row[col] = v }

// EndRow calls the function with the row.
func (r *RowSink) EndRow() error { return r.fn(r.row) }

// ErrNotInKeyOrder ends a [StoredOrderReader]'s read at the first row
// whose key is not greater than the key of the row before it.
var ErrNotInKeyOrder = errors.New("the rows are not stored in key order")

// StoredOrderReader is implemented by a [Snapshot] that can read a table
// in the order its rows are stored, which can cost the database less than
// reading them by the key's index: a table loaded in key order and not
// updated since is stored in key order.
type StoredOrderReader interface {
	// ReadValuesAsStored is [ValueReader.ReadValues] that reads the rows
	// in the order they are stored and checks, as they come, that each
	// key is greater than the one before. When one is not, it stops and
	// returns an error matching [ErrNotInKeyOrder], having given sink some
	// of the rows before it (none of which counts: a caller that wants the
	// rows then reads them with ReadValues, in the same snapshot). It
	// returns an error matching [errors.ErrUnsupported], having given sink
	// nothing, when it cannot check the order of this table's key, or when
	// the table's statistics say its rows are unlikely to be in key order.
	ReadValuesAsStored(ctx context.Context, table string, schema *frictionless.Schema, sink ValueSink) error
}

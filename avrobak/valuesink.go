package avrobak

import (
	"fmt"
	"time"
)

// valueEncoder is the [datastore.ValueSink] through which a backup from a
// backend that streams values (PostgreSQL) encodes each value straight
// into the current block, with no row and no boxed value in between. It
// writes what [Writer.Write] of the same row would: a value whose Go type
// is not its column's natural one takes Write's path.
type valueEncoder struct {
	w        *Writer
	start    int    // length of the block buffer when the row began
	col      int    // the column whose value comes next
	err      error  // the row's first failure
	field    string // the field that failed, if any
	progress func(int64)
}

func newValueEncoder(w *Writer, progress func(int64)) *valueEncoder {
	return &valueEncoder{w: w, start: len(w.blk.buf), progress: progress}
}

// next returns the plan of column col, or nil when the row has already
// failed or col is not the column expected.
func (e *valueEncoder) next(col int) *column {
	if e.err != nil {
		return nil
	}
	if col != e.col || col >= len(e.w.cols) {
		e.err = fmt.Errorf("value of column %d where column %d of %d was expected", col, e.col, len(e.w.cols))
		return nil
	}
	e.col++
	return &e.w.cols[col]
}

// value encodes v as Writer.Write would.
func (e *valueEncoder) value(c *column, v any) {
	b, err := c.appendCell(e.w.blk.buf, v)
	e.w.blk.buf = b
	e.fail(c, err)
}

func (e *valueEncoder) fail(c *column, err error) {
	if err != nil {
		e.err, e.field = err, c.field
	}
}

// Null encodes a null value.
func (e *valueEncoder) Null(col int) {
	if c := e.next(col); c != nil {
		e.value(c, nil)
	}
}

// Int encodes an int64.
func (e *valueEncoder) Int(col int, v int64) { encodeAs(e, col, kindLong, v, appendLong) }

// Float encodes a float64.
func (e *valueEncoder) Float(col int, v float64) { encodeAs(e, col, kindDouble, v, appendDouble) }

// Bool encodes a bool.
func (e *valueEncoder) Bool(col int, v bool) { encodeAs(e, col, kindBool, v, appendBool) }

// encodeAs appends v to the row with app when column col is of kind k,
// and as Writer.Write would otherwise.
func encodeAs[T any](e *valueEncoder, col int, k kind, v T, app func([]byte, T) []byte) {
	if c := e.next(col); c != nil {
		if c.kind != k {
			e.value(c, v)
			return
		}
		e.w.blk.buf = app(c.appendBranch(e.w.blk.buf), v)
	}
}

// Time encodes a time.Time.
func (e *valueEncoder) Time(col int, v time.Time) {
	if c := e.next(col); c != nil {
		if !c.kind.isTime() {
			e.value(c, v)
			return
		}
		b, off, err := c.appendTime(c.appendBranch(e.w.blk.buf), v)
		if err == nil {
			b = c.appendOffset(b, off)
		}
		e.w.blk.buf = b
		e.fail(c, err)
	}
}

// Text encodes a string.
func (e *valueEncoder) Text(col int, v string) { encodeText(e, col, v) }

// TextBytes encodes a string given as bytes, which it does not keep: the
// reader makes no string of a value that is only copied into the block.
func (e *valueEncoder) TextBytes(col int, v []byte) { encodeText(e, col, v) }

// encodeText appends the text v to the row when column col is a string,
// and as Writer.Write would otherwise.
func encodeText[T string | []byte](e *valueEncoder, col int, v T) {
	if c := e.next(col); c != nil {
		if c.kind != kindString && c.kind != kindUUID {
			e.value(c, string(v))
			return
		}
		e.w.blk.buf = appendText(c.appendBranch(e.w.blk.buf), v)
	}
}

// Value encodes any other value.
func (e *valueEncoder) Value(col int, v any) {
	if c := e.next(col); c != nil {
		e.value(c, v)
	}
}

// EndRow completes the row, or takes it back out of the block and returns
// a *ValueError when one of its values failed or a value was missing.
func (e *valueEncoder) EndRow() error {
	if e.err == nil && e.col != len(e.w.cols) {
		e.err = fmt.Errorf("row has %d values, schema has %d fields", e.col, len(e.w.cols))
	}
	err := e.err
	if err != nil {
		e.w.blk.buf = e.w.blk.buf[:e.start]
		err = &ValueError{Row: e.w.rows + 1, Field: e.field, Err: err}
	}
	e.col, e.err, e.field = 0, nil, ""
	if err != nil {
		return err
	}
	if err := e.w.endRow(); err != nil {
		return err
	}
	e.start = len(e.w.blk.buf)
	if e.progress != nil && e.w.rows%ProgressEvery == 0 {
		e.progress(e.w.rows)
	}
	return nil
}

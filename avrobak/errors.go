package avrobak

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the package returns for a bad file matches
// one of them with [errors.Is]; the typed errors below carry the details.
var (
	// ErrCorrupt means the file is not a well-formed Avro object container
	// file: wrong magic, a malformed header or block, a sync marker that
	// does not match the header's, or a record that does not decode.
	ErrCorrupt = errors.New("avrobak: corrupt avro file")
	// ErrTruncated means the file ends in the middle of its header or of a
	// block.
	ErrTruncated = errors.New("avrobak: truncated avro file")
	// ErrCountMismatch means the number of rows differs from the count
	// recorded in the file's metadata (or declared to a [Writer]).
	ErrCountMismatch = errors.New("avrobak: row count mismatch")
	// ErrSchemaMismatch means a schema does not fit: the file's Table
	// Schema disagrees with its Avro schema, or the file's columns do not
	// fit the target table of an append.
	ErrSchemaMismatch = errors.New("avrobak: schema mismatch")
	// ErrUnsupported matches [errors.ErrUnsupported]: a codec or an Avro
	// type this package cannot handle.
	ErrUnsupported = fmt.Errorf("avrobak: %w", errors.ErrUnsupported)
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("avrobak: closed")
)

// FormatError describes where a file stops being a valid container file.
// It matches [ErrCorrupt] or [ErrTruncated] with [errors.Is].
type FormatError struct {
	Offset int64  // byte offset in the file where the problem was found
	Block  int64  // 1-based data block number; 0 for the header
	Reason string // what is wrong, e.g. "sync marker does not match the header"
	Err    error  // ErrCorrupt or ErrTruncated, or "<sentinel>: <cause>" wrapping both
}

// Error implements error.
func (e *FormatError) Error() string {
	where := "header"
	if e.Block > 0 {
		where = fmt.Sprintf("block %d", e.Block)
	}
	msg := fmt.Sprintf("%v: %s at byte %d: %s", e.kind(), where, e.Offset, e.Reason)
	if e.Err != nil && e.Err != ErrCorrupt && e.Err != ErrTruncated {
		// Err is "<sentinel>: <cause>": add the cause.
		msg += ": " + strings.TrimPrefix(e.Err.Error(), e.kind().Error()+": ")
	}
	return msg
}

func (e *FormatError) kind() error {
	if errors.Is(e.Err, ErrTruncated) {
		return ErrTruncated
	}
	return ErrCorrupt
}

// Unwrap returns the sentinel (and cause).
func (e *FormatError) Unwrap() error { return e.Err }

// CountError reports a row count that differs from the recorded one. It
// matches [ErrCountMismatch].
type CountError struct {
	Recorded int64 // count recorded in the file (or declared to the Writer)
	Actual   int64 // rows actually read or written
}

// Error implements error.
func (e *CountError) Error() string {
	return fmt.Sprintf("avrobak: row count mismatch: file records %d rows, found %d", e.Recorded, e.Actual)
}

// Is makes errors.Is(err, ErrCountMismatch) true.
func (e *CountError) Is(target error) bool { return target == ErrCountMismatch }

// ValueError reports a cell that cannot be written to or read from Avro
// (a Go type that does not fit the field type, a decimal that overflows
// its precision, JSON that does not parse).
type ValueError struct {
	Row   int64  // 1-based row number
	Field string // Table Schema field name
	Err   error
}

// Error implements error.
func (e *ValueError) Error() string {
	return fmt.Sprintf("avrobak: row %d, field %q: %v", e.Row, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *ValueError) Unwrap() error { return e.Err }

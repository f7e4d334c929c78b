package input

import (
	"errors"
	"fmt"
)

// Errors, matched with errors.Is.
var (
	// ErrTooLarge: the source or its decompressed content is over
	// Options.MaxBytes.
	ErrTooLarge = errors.New("input: over the size limit")
	// ErrUnsupported: the content is a format this package does not read
	// (legacy .xls, an archive without a CSV member). It is
	// errors.ErrUnsupported.
	ErrUnsupported = errors.ErrUnsupported
	// ErrNotAllowed: the location's kind is not in Options.Allow.
	ErrNotAllowed = errors.New("input: location not allowed")
	// ErrNotFound: the zip member or sheet does not exist.
	ErrNotFound = errors.New("input: not found")
	// ErrSheet: the sheet cannot be read as a table (see SheetError).
	ErrSheet = errors.New("input: sheet is not a plain table")
)

// SheetError is a sheet that cannot be loaded as it is: merged cells, or a
// formula without a stored value. It matches ErrSheet.
type SheetError struct {
	Sheet string
	// Cell is the cell or range, e.g. "C7" or "A1:B2".
	Cell string
	// Reason says what is wrong and what to do.
	Reason string
}

// Error returns "input: sheet S, cell C: reason".
func (e *SheetError) Error() string {
	return fmt.Sprintf("input: sheet %q, %s: %s", e.Sheet, e.Cell, e.Reason)
}

// Is matches ErrSheet.
func (e *SheetError) Is(target error) bool { return target == ErrSheet }

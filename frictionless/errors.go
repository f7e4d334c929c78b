package frictionless

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Typed errors wrap or accompany them so callers can test
// with [errors.Is].
var (
	// ErrClosed is returned by a [Reader] used after Close.
	ErrClosed = errors.New("frictionless: reader closed")
	// ErrInvalidDescriptor is matched by every [*DescriptorError].
	ErrInvalidDescriptor = errors.New("frictionless: invalid descriptor")
	// ErrNoData is returned by [Resource.Open] when the resource has neither
	// a path nor inline data.
	ErrNoData = errors.New("no path and no inline data")
	// ErrNoFields is returned by [Infer] for input with no header and no
	// rows (an empty file): there is nothing to infer a field from. Validate
	// and load refuse such a file alike unless a schema is given.
	ErrNoFields = errors.New("frictionless: infer: the file is empty: no header and no rows to infer fields from (give a schema)")
)

// DescriptorError reports an invalid descriptor property. Path is the
// property's location in the descriptor, e.g.
// `resources[2].schema.fields[0].type`; it is empty for the whole document.
type DescriptorError struct {
	Path string
	Msg  string
}

// Error returns `path: msg`, or msg alone when Path is empty.
func (e *DescriptorError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Is reports whether target is [ErrInvalidDescriptor].
func (e *DescriptorError) Is(target error) bool { return target == ErrInvalidDescriptor }

// descErr builds a *DescriptorError for path with a formatted message.
func descErr(path, format string, args ...any) *DescriptorError {
	return &DescriptorError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// joinPath appends a property name to a descriptor path.
func joinPath(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// indexPath appends an array index to a descriptor path.
func indexPath(base string, i int) string {
	return base + "[" + strconv.Itoa(i) + "]"
}

// FieldError is one failing cell of a row.
type FieldError struct {
	Field  string // field name
	Value  string // raw text of the cell
	Reason string // why it failed, e.g. `value is required`
}

// RowError reports a bad row, or (with Row == 0) a problem with the header.
// A [Reader] returns it and goes on with the next row.
type RowError struct {
	// Line is the physical line where the row starts, as a human counts
	// lines in the file (the header line counts).
	Line int
	// Row is the 1-based data row number; 0 for header problems.
	Row int
	// Field is the first failing field; "" for row-level problems such as
	// a wrong cell count or invalid UTF-8.
	Field string
	// Value is the raw text of that cell.
	Value string
	// Reason says what is wrong, e.g. `value is required` or
	// `cannot cast "abc" to integer`.
	Reason string
	// Raw holds all raw cells of the row (a copy, safe to keep).
	Raw []string
	// Errors lists every failure in the row; Errors[0] matches
	// Field/Value/Reason.
	Errors []FieldError
}

// Error returns e.g. `row 12 (line 13): field "hiring_date": value is required`.
// Further failures of the same row are appended after a semicolon.
func (e *RowError) Error() string {
	var b strings.Builder
	if e.Row == 0 {
		b.WriteString("header")
	} else {
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(e.Row))
	}
	if e.Line > 0 {
		b.WriteString(" (line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(")")
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(strconv.Quote(e.Field))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	for _, fe := range e.Errors[min(1, len(e.Errors)):] {
		b.WriteString("; field ")
		b.WriteString(strconv.Quote(fe.Field))
		b.WriteString(": ")
		b.WriteString(fe.Reason)
	}
	return b.String()
}

// newRowError builds a RowError from its field errors (at least one).
func newRowError(line, row int, raw []string, errs []FieldError) *RowError {
	e := &RowError{Line: line, Row: row, Raw: append([]string(nil), raw...), Errors: errs}
	if len(errs) > 0 {
		e.Field, e.Value, e.Reason = errs[0].Field, errs[0].Value, errs[0].Reason
	}
	return e
}

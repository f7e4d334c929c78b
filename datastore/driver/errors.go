package driver

import (
	"strconv"

	"github.com/datafactory/datafactory/internal/errkind"
)

// Kind classifies a backend error. It is the module's one error-kind
// model, shared with status/driver (whose ErrorKind is the same type).
type Kind = errkind.Code

// Error kinds a driver's Classify reports.
const (
	// KindUnknown is any error not listed below; it fails the operation.
	KindUnknown = errkind.Unknown
	// KindNotFound: the table does not exist.
	KindNotFound = errkind.NotFound
	// KindExists: the table already exists.
	KindExists = errkind.Exists
	// KindData: the database refused the data of one or more rows (a unique
	// violation, a NULL in a NOT NULL column, a value out of range). The rows
	// of a refused write can be retried in smaller groups.
	KindData = errkind.Invalid
	// KindCanceled: the context was cancelled or its deadline passed.
	KindCanceled = errkind.Canceled
)

// ErrorInfo is what a driver knows about one of its errors.
type ErrorInfo struct {
	Kind Kind
	// Field names the column the database blamed, when it says so ("" if not).
	Field string
}

// ValueError is a value the target column cannot hold as it is (NaN in a
// MySQL DECIMAL, more digits than the widest DECIMAL): the writer refuses
// the row with this error instead of rounding it, and Classify reports it
// as KindData, so the row becomes a reject with the reason.
type ValueError struct {
	Field  string // the column
	Value  string // the value's text
	Reason string // why the column cannot hold it
}

// Error returns `field "name": value "v": reason`.
func (e *ValueError) Error() string {
	return "field " + strconv.Quote(e.Field) + ": value " + strconv.Quote(e.Value) + ": " + e.Reason
}

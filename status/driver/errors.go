package driver

import "github.com/datafactory/datafactory/internal/errkind"

// ErrorKind classifies a driver error so that package status can map it to
// its sentinels. It is the module's one error-kind model, shared with
// datastore/driver (whose Kind is the same type).
type ErrorKind = errkind.Code

// Error kinds a driver reports through [Driver.ErrorKind].
const (
	// Unknown is any error not listed below.
	Unknown = errkind.Unknown
	// NotFound: the trace or job does not exist.
	NotFound = errkind.NotFound
	// Exists: a trace, event or job with that ID already exists.
	Exists = errkind.Exists
	// Conflict: a conditional update did not apply because the row changed.
	Conflict = errkind.Conflict
	// NotRunning: a heartbeat was sent for a job that is not RUNNING.
	NotRunning = errkind.FailedPrecondition
	// Invalid: the backend rejected the input (used by remote drivers).
	Invalid = errkind.Invalid
	// Closed: the driver was closed.
	Closed = errkind.Closed
)

// Common errors a driver returns itself, each of its kind: [KindOf] maps
// them (and any error wrapping them) without a driver-specific table.
var (
	ErrNotFound   = NewError(NotFound, "not found")
	ErrExists     = NewError(Exists, "already exists")
	ErrConflict   = NewError(Conflict, "job changed concurrently")
	ErrNotRunning = NewError(NotRunning, "job is not running")
	ErrClosed     = NewError(Closed, "store is closed")
)

// Error is a driver error of a known kind (its Code field).
type Error = errkind.Error

// NewError returns an *Error of the kind with the message.
func NewError(kind ErrorKind, msg string) error { return errkind.New(kind, msg) }

// KindOf returns the kind of the first *Error in err's chain, or Unknown
// (also for a context's cancellation, which has no status kind).
func KindOf(err error) ErrorKind {
	if k := errkind.Of(err); k != errkind.Canceled && k != errkind.Unsupported {
		return k
	}
	return Unknown
}

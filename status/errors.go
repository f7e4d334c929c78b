package status

import (
	"errors"

	"github.com/datafactory/datafactory/internal/errkind"
	"github.com/datafactory/datafactory/status/driver"
)

// Sentinel errors. Every error the store returns is an *Error whose Kind is
// one of these (or nil for other failures), so errors.Is works on them while
// errors.As still reaches the backend's own error.
var (
	// ErrNotFound: the trace or job does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a trace, event or job with that ID already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: the input failed validation.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: a conditional update did not apply because the job changed.
	ErrConflict = errors.New("concurrent update")
	// ErrNotRunning: a heartbeat was sent for a job that is not RUNNING.
	ErrNotRunning = errors.New("job is not running")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrIllegalTransition is matched by every *TransitionError.
	ErrIllegalTransition = driver.ErrIllegalTransition
)

// Error is the error type of every Store method.
type Error struct {
	// Op is the operation, e.g. "append event".
	Op string
	// Key is the trace or job ID (may be empty).
	Key string
	// Kind is one of the sentinels above, or nil.
	Kind error
	// Err is the cause (a backend error, a *TransitionError, a validation
	// message); may be nil when Kind says it all.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := "status: " + e.Op
	if e.Key != "" {
		msg += " " + e.Key
	}
	switch {
	case e.Err != nil && e.Kind == ErrInvalid:
		return msg + ": " + e.Kind.Error() + ": " + e.Err.Error()
	case e.Err != nil:
		return msg + ": " + e.Err.Error()
	case e.Kind != nil:
		return msg + ": " + e.Kind.Error()
	}
	return msg
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// sentinels are the exported errors of the driver's error kinds.
var sentinels = errkind.Sentinels{
	driver.NotFound: ErrNotFound, driver.Exists: ErrExists, driver.Conflict: ErrConflict,
	driver.NotRunning: ErrNotRunning, driver.Invalid: ErrInvalid, driver.Closed: ErrClosed,
}

// wrap classifies a driver error and wraps it once.
func (s *Store) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	var te *TransitionError
	if errors.As(err, &te) {
		return &Error{Op: op, Key: key, Kind: ErrIllegalTransition, Err: err}
	}
	kind := sentinels.For(s.drv.ErrorKind(err))
	return &Error{Op: op, Key: key, Kind: kind, Err: err}
}

// invalid returns a validation error.
func invalid(op, key string, err error) error {
	return &Error{Op: op, Key: key, Kind: ErrInvalid, Err: err}
}

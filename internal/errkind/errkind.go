// Package errkind is the one error-kind model of the module's driver
// packages, after gocloud's internal/gcerr: a [Code] enum, an [Error] type
// that carries a code, and [Of] that finds the code of any error.
//
// Drivers either return an *Error of the right code or map their native
// errors to a code (datastore/driver's Classify, status/driver's
// ErrorKind, storage's mapping of gocloud codes); the public package then
// wraps the error once and matches its own exported sentinels through a
// [Sentinels] table, so errors.Is(err, datastore.ErrNotFound) holds while
// errors.As still reaches the native error. datastore/driver.Kind and
// status/driver.ErrorKind are aliases of [Code].
package errkind

import (
	"context"
	"errors"
)

// Code classifies an error.
type Code int

// Error codes.
const (
	// Unknown is any error not listed below.
	Unknown Code = iota
	// NotFound: the table, trace, job or object does not exist.
	NotFound
	// Exists: the table, trace, event or job already exists.
	Exists
	// Invalid: the backend refused the input — the data of one or more
	// rows (a unique violation, a NULL in a NOT NULL column, a value out of
	// range), or a request's field.
	Invalid
	// Conflict: a conditional update did not apply because the row changed.
	Conflict
	// FailedPrecondition: the object is not in the state the operation
	// needs (a heartbeat for a job that is not running).
	FailedPrecondition
	// Closed: the driver or store was closed.
	Closed
	// Canceled: the context was cancelled or its deadline passed.
	Canceled
	// Unsupported: the backend lacks the capability.
	Unsupported
)

// codeNames are the codes' names, for String.
var codeNames = [...]string{
	Unknown: "unknown", NotFound: "not found", Exists: "exists", Invalid: "invalid",
	Conflict: "conflict", FailedPrecondition: "failed precondition", Closed: "closed",
	Canceled: "canceled", Unsupported: "unsupported",
}

// String returns the code's name ("not found").
func (c Code) String() string {
	if c < 0 || int(c) >= len(codeNames) {
		return "unknown"
	}
	return codeNames[c]
}

// Error is an error of a known code: one a driver makes itself, or a
// native error it wraps with its code.
type Error struct {
	// Code is the error's kind.
	Code Code
	// Msg is the message ("" to use only Err's).
	Msg string
	// Err is the wrapped cause, or nil.
	Err error
}

// New returns an *Error of the code with the message.
func New(code Code, msg string) error { return &Error{Code: code, Msg: msg} }

// Wrap returns err as an *Error of the code with the message before it
// (msg may be ""); nil for a nil err.
func Wrap(code Code, msg string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Msg: msg, Err: err}
}

// Error returns "msg: cause", or either alone.
func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Of returns the code of err: that of the first *Error in its chain;
// [Canceled] for a context's cancellation or deadline; [Unsupported] for
// [errors.ErrUnsupported]; [Unknown] otherwise (and for nil).
func Of(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return Unknown
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Canceled
	case errors.Is(err, errors.ErrUnsupported):
		return Unsupported
	}
	return Unknown
}

// Sentinels maps codes to one package's exported sentinel errors
// (NotFound → datastore.ErrNotFound, …). A code without a sentinel has
// none: its errors match only their cause.
type Sentinels map[Code]error

// For returns the sentinel of the code, or nil.
func (s Sentinels) For(c Code) error { return s[c] }

// Is reports whether target is the sentinel of the code.
func (s Sentinels) Is(c Code, target error) bool {
	sentinel, ok := s[c]
	return ok && target != nil && sentinel == target
}

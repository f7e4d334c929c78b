package driver

import "errors"

// Common errors a driver returns itself, each of its kind: [KindOf] maps
// them (and any error wrapping them) without a driver-specific table.
var (
	ErrNotFound   = NewError(NotFound, "not found")
	ErrExists     = NewError(Exists, "already exists")
	ErrConflict   = NewError(Conflict, "job changed concurrently")
	ErrNotRunning = NewError(NotRunning, "job is not running")
	ErrClosed     = NewError(Closed, "store is closed")
)

// Error is a driver error of a known kind.
type Error struct {
	Kind ErrorKind
	Msg  string
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// NewError returns an *Error of the kind with the message.
func NewError(kind ErrorKind, msg string) error { return &Error{Kind: kind, Msg: msg} }

// KindOf returns the kind of the first *Error in err's chain, or Unknown.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unknown
}

package storage

import (
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/internal/errkind"
	"gocloud.dev/gcerrors"
)

// ErrNotFound matches errors for objects that do not exist. Errors from
// [Bucket] and [Task] methods wrap the underlying gocloud error, so
// errors.Is(err, ErrNotFound) holds for a missing object on every backend.
var ErrNotFound = errors.New("storage: object not found")

// ErrClosed is returned by Close on a closed [Bucket].
var ErrClosed = errors.New("storage: bucket is closed")

// ErrInvalidKey matches every [*KeyError].
var ErrInvalidKey = errors.New("storage: invalid key")

// ErrAborted matches the error of a write that was aborted (see [Writer.Abort]),
// whose context was cancelled, or whose source failed. No object is left behind.
var ErrAborted = errors.New("storage: write aborted")

// KeyError reports a key, prefix or path segment that storage refuses.
type KeyError struct {
	// Key is the refused key (or segment), as given.
	Key string
	// Reason says what is wrong, e.g. `contains a ".." segment`.
	Reason string
}

// Error returns `storage: invalid key "a/../b": contains a ".." segment`.
func (e *KeyError) Error() string {
	return fmt.Sprintf("storage: invalid key %q: %s", e.Key, e.Reason)
}

// Is reports whether target is [ErrInvalidKey].
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// opError is the one wrapper every method puts around a backend error: it
// names the operation and key, carries the error's kind (mapped from
// gocloud's code), makes errors.Is match our sentinel of that kind (or the
// one a method names itself, ErrAborted), and keeps the gocloud error
// reachable with errors.As / errors.Unwrap.
type opError struct {
	op       string
	key      string
	code     errkind.Code
	sentinel error
	err      error
}

func (e *opError) Error() string {
	if e.key == "" {
		return fmt.Sprintf("storage: %s: %v", e.op, e.err)
	}
	return fmt.Sprintf("storage: %s %q: %v", e.op, e.key, e.err)
}

func (e *opError) Unwrap() error { return e.err }

// Is matches the sentinel the error was given, or that of its kind.
func (e *opError) Is(target error) bool {
	return e.sentinel != nil && target == e.sentinel || sentinels.Is(e.code, target)
}

// sentinels are the exported errors of the backend errors' kinds.
var sentinels = errkind.Sentinels{errkind.NotFound: ErrNotFound}

// gocloudCodes maps gocloud's error codes to the module's kinds.
var gocloudCodes = map[gcerrors.ErrorCode]errkind.Code{
	gcerrors.NotFound:           errkind.NotFound,
	gcerrors.AlreadyExists:      errkind.Exists,
	gcerrors.InvalidArgument:    errkind.Invalid,
	gcerrors.FailedPrecondition: errkind.FailedPrecondition,
	gcerrors.Canceled:           errkind.Canceled,
	gcerrors.DeadlineExceeded:   errkind.Canceled,
	gcerrors.Unimplemented:      errkind.Unsupported,
}

// wrapErr wraps a backend error once with its kind, so that a missing
// object matches ErrNotFound. Errors that are already ours (key errors,
// wrapped errors) pass unchanged.
func wrapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var oe *opError
	var ke *KeyError
	if errors.As(err, &oe) || errors.As(err, &ke) {
		return err
	}
	return &opError{op: op, key: key, code: gocloudCodes[gcerrors.Code(err)], err: err}
}

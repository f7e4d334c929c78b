package datastore

import (
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/errkind"
)

// Sentinel errors. Errors returned by this package wrap them, so callers test
// with [errors.Is]; [errors.As] still reaches the backend's native error.
var (
	// ErrNotFound: the table does not exist.
	ErrNotFound = errors.New("datastore: table not found")
	// ErrExists: the table already exists.
	ErrExists = errors.New("datastore: table already exists")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("datastore: store closed")
	// ErrInvalidName: a table or column name failed the identifier allow-list.
	ErrInvalidName = errors.New("datastore: invalid identifier")
	// ErrSchemaDrift: the target table differs from the schema and the drift
	// policy does not allow the difference.
	ErrSchemaDrift = errors.New("datastore: schema drift")
	// ErrTooManyRejects: more rows were rejected than LoadOptions.MaxRejects.
	ErrTooManyRejects = errors.New("datastore: too many rejected rows")
	// ErrInvalidOptions: an options struct has a bad field.
	ErrInvalidOptions = errors.New("datastore: invalid options")
	// ErrUnsupported: the backend lacks the capability. It is
	// [errors.ErrUnsupported].
	ErrUnsupported = errors.ErrUnsupported
)

// RowError is a row that failed validation; see [frictionless.RowError].
type RowError = frictionless.RowError

// Error is an error from a store operation: Op ("load", "create", …) on
// Table, caused by Err. It matches ErrNotFound / ErrExists by the backend's
// classification of Err.
type Error struct {
	Op    string
	Table string
	Kind  driver.Kind
	Err   error
}

// Error returns "datastore: <op> <table>: <cause>" (without the table when
// the operation concerns none).
func (e *Error) Error() string {
	if e.Table == "" {
		return fmt.Sprintf("datastore: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("datastore: %s %s: %v", e.Op, e.Table, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// sentinels are the exported errors an *Error matches by its kind.
var sentinels = errkind.Sentinels{driver.KindNotFound: ErrNotFound, driver.KindExists: ErrExists}

// Is matches ErrNotFound and ErrExists by the error's kind.
func (e *Error) Is(target error) bool { return sentinels.Is(e.Kind, target) }

// DriftError describes how a target table differs from the schema.
type DriftError struct {
	Table string
	// Missing are schema fields the table lacks.
	Missing []string
	// Extra are table columns the schema lacks and that are NOT NULL.
	Extra []string
	// Changed are columns whose type differs ("col: table integer, schema string").
	Changed []string
}

// Error lists the differences.
func (e *DriftError) Error() string {
	msg := fmt.Sprintf("table %s differs from the schema:", e.Table)
	if len(e.Missing) > 0 {
		msg += fmt.Sprintf(" fields not in the table %q;", e.Missing)
	}
	if len(e.Extra) > 0 {
		msg += fmt.Sprintf(" required columns not in the schema %q;", e.Extra)
	}
	if len(e.Changed) > 0 {
		msg += fmt.Sprintf(" type changes %q;", e.Changed)
	}
	return msg[:len(msg)-1]
}

// Is matches ErrSchemaDrift.
func (e *DriftError) Is(target error) bool { return target == ErrSchemaDrift }

// wrap wraps err once with op and table, classifying it with the driver.
func (s *Store) wrap(op, table string, err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return &Error{Op: op, Table: table, Kind: s.drv.Classify(err).Kind, Err: err}
}

// Package driver defines the interface that datastore backends implement.
//
// Application code should use package datastore: its [datastore.Store] wraps a
// [Driver] and adds what every backend shares (validation, batching, rejects,
// schema-drift policy, progress, error wrapping). This interface is for
// backend authors; it may change between minor versions. A backend that lacks
// a capability returns an error matching [errors.ErrUnsupported].
package driver

import (
	"context"
	"errors"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

// Mode says how a [Writer] puts rows into its table.
type Mode int

// Write modes.
const (
	// Append inserts rows; a key conflict refuses the row.
	Append Mode = iota
	// Upsert inserts rows, updating the existing row with the same primary key.
	Upsert
	// Replace writes into a staging table that replaces the target on Commit,
	// atomically.
	Replace
)

// String returns "append", "upsert" or "replace".
func (m Mode) String() string {
	switch m {
	case Append:
		return "append"
	case Upsert:
		return "upsert"
	case Replace:
		return "replace"
	}
	return "unknown"
}

// WriteRequest describes one write session.
type WriteRequest struct {
	// Table is the target table. For Replace it is the table that the staging
	// table replaces; it need not exist yet.
	Table string
	// Columns are the fields the rows carry, in row order. Every column exists
	// in the target (append, upsert) or in TableSchema (replace).
	Columns []frictionless.Field
	// TableSchema is the full definition of the table to create for Replace
	// (the staging table). Ignored by the other modes.
	TableSchema *frictionless.Schema
	// Key is the primary key used by Upsert.
	Key []string
	// Mode is the write mode.
	Mode Mode
	// SwapTimeout bounds how long a Replace waits for locks when swapping
	// (0: the database's default).
	SwapTimeout time.Duration
}

// Writer writes rows for one session: everything becomes visible on Commit or
// nothing does. A Writer is used by one goroutine at a time.
type Writer interface {
	// Write writes rows. It is atomic: when it returns an error nothing of
	// this call remains, and the Writer stays usable when the error is of
	// KindData (so the caller can retry smaller groups). Write must not
	// keep rows, or the Rows in it, once it returns: the loader reuses
	// their memory for the rows it reads next (values may be kept; they
	// are never changed).
	Write(ctx context.Context, rows []frictionless.Row) error
	// Commit makes the written rows visible (for Replace: swaps the staging
	// table in).
	Commit(ctx context.Context) error
	// Abort discards everything written and releases the session; it is safe
	// to call after Commit (then it does nothing). It must clean up even when
	// the load's context is cancelled.
	Abort() error
}

// Driver is a datastore backend.
type Driver interface {
	// TableExists reports whether the table exists.
	TableExists(ctx context.Context, table string) (bool, error)
	// DescribeTable returns the table's definition as a Table Schema (with its
	// primary key); an error of KindNotFound when there is no such table.
	DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error)
	// CreateTable creates a table from a schema, with its primary key and
	// unique constraints; an error of KindExists when it already exists.
	CreateTable(ctx context.Context, table string, schema *frictionless.Schema) error
	// DropTable drops the table; an error of KindNotFound when it is missing.
	DropTable(ctx context.Context, table string) error
	// AddColumns adds nullable columns to an existing table.
	AddColumns(ctx context.Context, table string, fields []frictionless.Field) error
	// OpenWriter starts a write session.
	OpenWriter(ctx context.Context, req *WriteRequest) (Writer, error)
	// ReadRows calls fn with every row of the table, in primary-key order
	// (all columns in order when there is no key). Values have the Go types
	// of frictionless rows for the schema's field types. The Row passed to fn
	// is valid only during the call.
	ReadRows(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error
	// ValidateName reports whether the backend can store a table or column
	// name verbatim (after the portable allow-list has accepted it).
	ValidateName(name string) error
	// Classify maps an error returned by this driver.
	Classify(err error) ErrorInfo
	// As lets callers reach the native client (for sqlstore, **sqlx.DB).
	As(i any) bool
	// Close releases the backend's resources.
	Close() error
}

// ErrUnsupported is returned (wrapped) for capabilities a backend lacks.
var ErrUnsupported = errors.ErrUnsupported

package datastore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// Store is a table store: a SQL database or the CKAN DataStore behind a
// [driver.Driver]. It is safe for concurrent use. Backends return a *Store
// from their Open functions (for example sqlstore.Open).
type Store struct {
	drv    driver.Driver
	mu     sync.RWMutex
	closed bool
}

// NewStore wraps a driver. It is meant for backend packages; applications
// get a Store from a backend's Open function.
func NewStore(drv driver.Driver) *Store {
	return &Store{drv: drv}
}

// check returns ErrClosed once the store is closed.
func (s *Store) check() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// Close closes the store and its backend. A second Close returns ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	return s.drv.Close()
}

// As reaches the backend's native client; see the backend's documentation
// for the types it supports (sqlstore: **sqlx.DB).
func (s *Store) As(i any) bool { return s.drv.As(i) }

// validateTable checks the name with the portable allow-list and the backend.
func (s *Store) validateTable(name string) error {
	if err := ValidateTableName(name); err != nil {
		return err
	}
	if err := s.drv.ValidateName(name); err != nil {
		return fmt.Errorf("%w: table name %q: %v", ErrInvalidName, name, err)
	}
	return nil
}

// validateSchema checks every field name and the schema itself.
func (s *Store) validateSchema(schema *frictionless.Schema) error {
	if schema == nil || len(schema.Fields) == 0 {
		return fmt.Errorf("%w: schema has no fields", ErrInvalidOptions)
	}
	seen := make(map[string]bool, len(schema.Fields))
	for i := range schema.Fields {
		f := &schema.Fields[i]
		if err := ValidateColumnName(f.Name); err != nil {
			return err
		}
		if err := s.drv.ValidateName(f.Name); err != nil {
			return fmt.Errorf("%w: column name %q: %v", ErrInvalidName, f.Name, err)
		}
		// Names that differ only in case are the same column in SQLite and
		// MySQL: refuse them everywhere.
		folded := strings.ToLower(f.Name)
		if seen[folded] {
			return fmt.Errorf("%w: duplicate field %q (names are compared ignoring case)", ErrInvalidName, f.Name)
		}
		seen[folded] = true
		if !f.Type.Valid() {
			return fmt.Errorf("%w: field %q has unknown type %q", ErrInvalidOptions, f.Name, f.Type)
		}
	}
	for _, k := range schema.PrimaryKey {
		if schema.FieldIndex(k) < 0 {
			return fmt.Errorf("%w: primary key field %q is not in the schema", ErrInvalidOptions, k)
		}
	}
	return nil
}

// CreateTable creates a table from a Table Schema, with its primary key and
// unique constraints. It fails with ErrExists when the table exists.
func (s *Store) CreateTable(ctx context.Context, table string, schema *frictionless.Schema) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := s.validateTable(table); err != nil {
		return err
	}
	if err := s.validateSchema(schema); err != nil {
		return err
	}
	return s.wrap("create", table, s.drv.CreateTable(ctx, table, schema))
}

// DropTable drops a table; ErrNotFound when it does not exist.
func (s *Store) DropTable(ctx context.Context, table string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := s.validateTable(table); err != nil {
		return err
	}
	return s.wrap("drop", table, s.drv.DropTable(ctx, table))
}

// TableExists reports whether the table exists.
func (s *Store) TableExists(ctx context.Context, table string) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	if err := s.validateTable(table); err != nil {
		return false, err
	}
	ok, err := s.drv.TableExists(ctx, table)
	return ok, s.wrap("exists", table, err)
}

// DescribeTable returns an existing table's definition as a Table Schema,
// with its primary key; ErrNotFound when it does not exist.
func (s *Store) DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := s.validateTable(table); err != nil {
		return nil, err
	}
	schema, err := s.drv.DescribeTable(ctx, table)
	return schema, s.wrap("describe", table, err)
}

// ReadRows calls fn with each row of the table in primary-key order (all
// columns in order without a key), typed by the table's described schema,
// which it returns. The Row is valid only during the call to fn; an error
// from fn stops the scan and is returned as is.
func (s *Store) ReadRows(ctx context.Context, table string, fn func(frictionless.Row) error) (*frictionless.Schema, error) {
	schema, err := s.DescribeTable(ctx, table)
	if err != nil {
		return nil, err
	}
	return schema, s.readWith(ctx, table, schema, s.drv.ReadRows, fn)
}

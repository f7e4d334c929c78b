package driver

import (
	"context"

	"github.com/datafactory/datafactory/frictionless"
)

// Snapshotter is implemented by a [Driver] that can read several tables, or
// one table several times, from a single consistent state of the database:
// a read-only transaction at REPEATABLE READ (or the database's equivalent).
type Snapshotter interface {
	// Snapshot begins a read-only snapshot. The caller must Close it.
	Snapshot(ctx context.Context) (Snapshot, error)
}

// Snapshot reads the database as it was when the snapshot's first read
// ran; writes committed by others later are not seen. A Snapshot is used
// by one goroutine at a time.
type Snapshot interface {
	// DescribeTable is [Driver.DescribeTable] inside the snapshot.
	DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error)
	// CountRows returns the number of rows in the table.
	CountRows(ctx context.Context, table string) (int64, error)
	// ReadRows is [Driver.ReadRows] inside the snapshot.
	ReadRows(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error
	// Close ends the snapshot (rolls its transaction back) and releases its
	// connection. It is safe to call more than once.
	Close() error
}

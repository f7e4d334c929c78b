package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"sync"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/jmoiron/sqlx"
)

var (
	_ driver.Snapshotter = (*sqlDriver)(nil)
	_ driver.ValueReader = pgSnapshot{}
)

// sqlSnapshot is a read-only transaction on a connection of its own.
type sqlSnapshot struct {
	d     dialect
	conn  *sqlx.Conn
	tx    *sqlx.Tx
	close sync.Once
	err   error
}

// Snapshot begins a read-only transaction: REPEATABLE READ on PostgreSQL
// (a snapshot taken at the first query) and MySQL (a consistent read view
// from the first InnoDB read); on SQLite a deferred transaction, whose
// first read fixes what it sees.
func (s *sqlDriver) Snapshot(ctx context.Context) (driver.Snapshot, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	opts := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	if s.d.name() == "sqlite" {
		opts.Isolation = sql.LevelDefault // always serializable; the driver refuses levels
	}
	tx, err := conn.BeginTxx(ctx, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	snap := &sqlSnapshot{d: s.d, conn: conn, tx: tx}
	if _, ok := s.d.(pgDialect); ok {
		return pgSnapshot{snap}, nil
	}
	return snap, nil
}

func (s *sqlSnapshot) DescribeTable(ctx context.Context, table string) (*frictionless.Schema, error) {
	return s.d.describe(ctx, s.tx, table)
}

// CountRows checks the catalog first: on PostgreSQL a failed statement
// would abort the snapshot's transaction.
func (s *sqlSnapshot) CountRows(ctx context.Context, table string) (int64, error) {
	if ok, err := s.d.tableExists(ctx, s.tx, table); err != nil || !ok {
		return 0, cmp.Or(err, errNoTable)
	}
	var n int64
	err := s.tx.QueryRowxContext(ctx, "SELECT COUNT(*) FROM "+s.d.table(table)).Scan(&n)
	return n, err
}

func (s *sqlSnapshot) ReadRows(ctx context.Context, table string, schema *frictionless.Schema, fn func(frictionless.Row) error) error {
	return readOn(ctx, s.conn, s.tx, s.d, table, schema, fn)
}

// pgSnapshot is a PostgreSQL snapshot, which also reads values without
// boxing them (driver.ValueReader); the other databases' snapshots do not
// offer it.
type pgSnapshot struct{ *sqlSnapshot }

// ReadValues reads the table into sink through pgx's protocol layer.
func (s pgSnapshot) ReadValues(ctx context.Context, table string, schema *frictionless.Schema, sink driver.ValueSink) error {
	return pgReadValues(ctx, s.conn.Conn, s.d, table, schema, sink)
}

// Close rolls the transaction back and returns the connection to the pool.
// A failed rollback is not reported: the transaction is read-only, so there
// is nothing to undo, and a connection that broke (a read stopped early
// cancels its query and closes it) is dropped by the pool, not reused.
func (s *sqlSnapshot) Close() error {
	s.close.Do(func() {
		_ = s.tx.Rollback()
		s.err = s.conn.Close()
	})
	return s.err
}

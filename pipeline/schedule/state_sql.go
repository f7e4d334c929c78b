package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/jmoiron/sqlx"
)

// SQLStateStore is a [StateStore] in a SQL database, normally the status
// database (get its handle with sqlstatus.DB), so that trigger state lives
// with the runs' status. It keeps one row per key in the table
// pipeline_trigger_state, created when missing. SQLite, PostgreSQL and
// MySQL/MariaDB are supported; it is safe for concurrent use.
type SQLStateStore struct {
	db     *sqlx.DB
	get    string
	upsert string
}

var _ StateStore = (*SQLStateStore)(nil)

// stateTableDDL creates the state table, per dialect.
var stateTableDDL = map[sqldialect.Dialect]string{
	sqldialect.SQLite:   "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key TEXT PRIMARY KEY, state_value TEXT NOT NULL)",
	sqldialect.Postgres: "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key TEXT PRIMARY KEY, state_value TEXT NOT NULL)",
	sqldialect.MySQL: "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key VARCHAR(255) NOT NULL PRIMARY KEY, " +
		"state_value MEDIUMTEXT NOT NULL) DEFAULT CHARSET=utf8mb4",
}

// NewSQLStateStore creates the state table if needed and returns the store.
// The database's driver must be "sqlite", "sqlite3", "pgx", "postgres" or
// "mysql".
func NewSQLStateStore(ctx context.Context, db *sqlx.DB) (*SQLStateStore, error) {
	d, err := sqldialect.ForDriver(db.DriverName())
	if err != nil {
		return nil, fmt.Errorf("sql state store: %w", err)
	}
	upsert := "INSERT INTO pipeline_trigger_state (state_key, state_value) VALUES (?, ?) " +
		"ON CONFLICT (state_key) DO UPDATE SET state_value = excluded.state_value"
	if d == sqldialect.MySQL {
		upsert = "INSERT INTO pipeline_trigger_state (state_key, state_value) VALUES (?, ?) " +
			"ON DUPLICATE KEY UPDATE state_value = VALUES(state_value)"
	}
	if _, err := db.ExecContext(ctx, stateTableDDL[d]); err != nil {
		return nil, fmt.Errorf("sql state store: create table: %w", err)
	}
	return &SQLStateStore{
		db:     db,
		get:    d.Rebind("SELECT state_value FROM pipeline_trigger_state WHERE state_key = ?"),
		upsert: d.Rebind(upsert),
	}, nil
}

// Get implements [StateStore].
func (s *SQLStateStore) Get(ctx context.Context, key string) ([]byte, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.get, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sql state store: get %s: %w", key, err)
	}
	return []byte(v), nil
}

// Put implements [StateStore].
func (s *SQLStateStore) Put(ctx context.Context, key string, value []byte) error {
	if _, err := s.db.ExecContext(ctx, s.upsert, key, string(value)); err != nil {
		return fmt.Errorf("sql state store: put %s: %w", key, err)
	}
	return nil
}

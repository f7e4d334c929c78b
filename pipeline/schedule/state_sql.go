package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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

// NewSQLStateStore creates the state table if needed and returns the store.
// The database's driver must be "sqlite", "sqlite3", "pgx", "postgres" or
// "mysql".
func NewSQLStateStore(ctx context.Context, db *sqlx.DB) (*SQLStateStore, error) {
	var create, upsert string
	get := "SELECT state_value FROM pipeline_trigger_state WHERE state_key = ?"
	switch db.DriverName() {
	case "sqlite", "sqlite3":
		create = "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key TEXT PRIMARY KEY, state_value TEXT NOT NULL)"
		upsert = "INSERT INTO pipeline_trigger_state (state_key, state_value) VALUES (?, ?) " +
			"ON CONFLICT (state_key) DO UPDATE SET state_value = excluded.state_value"
	case "pgx", "postgres":
		create = "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key TEXT PRIMARY KEY, state_value TEXT NOT NULL)"
		upsert = "INSERT INTO pipeline_trigger_state (state_key, state_value) VALUES ($1, $2) " +
			"ON CONFLICT (state_key) DO UPDATE SET state_value = excluded.state_value"
		get = "SELECT state_value FROM pipeline_trigger_state WHERE state_key = $1"
	case "mysql":
		create = "CREATE TABLE IF NOT EXISTS pipeline_trigger_state (state_key VARCHAR(255) NOT NULL PRIMARY KEY, " +
			"state_value MEDIUMTEXT NOT NULL) DEFAULT CHARSET=utf8mb4"
		upsert = "INSERT INTO pipeline_trigger_state (state_key, state_value) VALUES (?, ?) " +
			"ON DUPLICATE KEY UPDATE state_value = VALUES(state_value)"
	default:
		return nil, fmt.Errorf("sql state store: unsupported driver %q", db.DriverName())
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("sql state store: create table: %w", err)
	}
	return &SQLStateStore{db: db, get: get, upsert: upsert}, nil
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

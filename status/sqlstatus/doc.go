// Package sqlstatus is the SQL backend of package status: one
// implementation (sqlx over database/sql) for SQLite (modernc.org/sqlite,
// the embedded default), PostgreSQL (pgx) and MySQL/MariaDB
// (go-sql-driver/mysql).
//
// # URLs
//
// [Open] takes sqlite:///abs/path.db, sqlite:rel/path.db, sqlite::memory:,
// postgres://… (or postgresql://…) and mysql://user:pass@host:3306/db, the
// same forms the datastore package uses.
//
// # Schema
//
// Tables status_traces, status_events, status_jobs and
// status_schema_migrations. Versioned migrations are embedded and applied
// on open, idempotently and under a lock (PostgreSQL advisory lock, MySQL
// GET_LOCK, an immediate SQLite transaction), so processes may open the
// same database at once. A database that has migrations this package does
// not know (written by a newer program) is refused with [ErrSchemaTooNew].
// Times are stored as microseconds since the Unix
// epoch (UTC), JSON fields as text. An event's trace_id references its
// trace, so appending to an unknown trace fails in the same statement.
//
// # Writes
//
// Concurrent AddEvent calls are combined into multi-row INSERTs (group
// commit): each call returns once its own event is committed, and a
// failing batch is retried row by row so every caller gets its own error.
// Job transitions use optimistic locking (a version column), which
// behaves the same on every database.
//
// # Connections
//
// SQLite uses one connection (one writer; WAL mode lets other processes
// read) with busy_timeout, foreign keys and immediate transactions;
// PostgreSQL and MySQL pools default to 8 connections.
package sqlstatus

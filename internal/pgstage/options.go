package pgstage

import (
	"context"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
)

// Column is one column of the staging table.
type Column struct {
	// Name is the column name (quoted by pgstage).
	Name string
	// Type is the SQL type as written in CREATE TABLE ("numeric",
	// "serial", "tsvector", "numeric(10,2)"). It is SQL text: it must come
	// from the caller's code, never from a request.
	Type string
	// NotNull adds NOT NULL.
	NotNull bool
	// Unique adds a UNIQUE constraint.
	Unique bool
	// Comment, when not empty, becomes the column's comment (sent as a
	// string literal).
	Comment string
}

// Dependents says what the swap does when objects (views, foreign keys,
// user triggers, indexes the definitions did not make) depend on the
// target.
type Dependents int

const (
	// Keep (the default) keeps them. When they are plain views only, the
	// staging table is renamed in and the views are recreated in the same
	// transaction (see views.go for what is carried over); otherwise
	// (materialized views, foreign keys, triggers, rules, extra indexes)
	// the target's rows are replaced by the staged rows (DELETE, then
	// INSERT … SELECT), which writes the rows twice.
	Keep Dependents = iota
	// Cascade drops the target with everything that depends on it and
	// renames the staging table; the caller rebuilds what it needs in
	// Options.Swapped, inside the same transaction.
	Cascade
)

// Options describes one staged replace.
type Options struct {
	// Schema is the schema of the target; "" means the connection's
	// current schema.
	Schema string
	// Table is the target table. It need not exist.
	Table string
	// Staging is the staging table's name; "" means "_dfstg_" and random
	// hex.
	Staging string
	// StalePrefix, when not empty, drops the tables of the schema whose
	// names start with it once the lock is taken: staging tables left by
	// writers that created them outside their transaction and were killed.
	// It must not match the target or anything else that should stay.
	StalePrefix string
	// Columns define the staging table, in order.
	Columns []Column
	// PrimaryKey names the primary key columns (none when empty). The key
	// constraint, like every constraint made from Columns, is renamed after
	// the target when the staging table is renamed (target_pkey, not
	// _dfstg_…_pkey). A key of one integer field, on a table with no other
	// unique constraint and one COPY stream, is added once the rows are in
	// (keyset.go): a Write repeating a key still fails with PostgreSQL's
	// unique-violation error.
	PrimaryKey []string
	// UniqueKeys are table UNIQUE constraints, each over the columns it
	// names (renamed after the target like the primary key). A composite
	// key that is not the primary key goes here.
	UniqueKeys [][]string
	// Fields are the columns the rows carry, in row order; each names one of
	// Columns (columns left out get their defaults, such as a serial).
	Fields []frictionless.Field
	// Dependents says how the swap treats objects that depend on the target.
	// Default Keep.
	Dependents Dependents
	// SwapTimeout bounds how long the swap waits for the target's lock
	// (0: the server's lock_timeout).
	SwapTimeout time.Duration
	// Staged, when set, runs in the transaction after the rows are written
	// and before the target is locked (for work on the staging table that
	// should not hold the target's lock, such as filling a derived column).
	Staged func(ctx context.Context, conn *pgx.Conn, staging pgx.Identifier) error
	// Swapped, when set, runs in the transaction right after the swap,
	// before the commit (recreate views, comments, grants). It must not end
	// the transaction. An error rolls everything back.
	Swapped func(ctx context.Context, conn *pgx.Conn, target pgx.Identifier) error
	// Streams are extra connections (each used only by this replace until
	// it ends; the caller closes them after Commit or Abort): large Writes
	// are COPYed over 1+len(Streams) connections at once when the staging
	// table has no primary key or unique constraint and StalePrefix is set
	// (see parallel.go for what changes). Default none: one stream.
	Streams []Session
	// Waiting, when set, is called once when another replace of the same
	// table holds its lock, before Begin waits for it.
	Waiting func()
}

// Session runs f on the connection of the replace. Every call must get the
// same connection, with no statement of others in between: a replace may
// keep a COPY open on it from one Write to the next (longcopy.go), and a
// Session may be called from a goroutine of the replace's own. Direct wraps a
// *pgx.Conn; a database/sql connection wraps its driver connection.
type Session func(f func(conn *pgx.Conn) error) error

// Direct is the Session of a pgx connection.
func Direct(conn *pgx.Conn) Session {
	return func(f func(*pgx.Conn) error) error { return f(conn) }
}

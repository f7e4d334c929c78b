package sqlstatus

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one versioned schema change.
type migration struct {
	version    int
	name       string
	statements []string
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql in version order.
func loadMigrations(dialect Dialect) ([]migration, error) {
	dir := "migrations/" + string(dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("bad migration file name %q", e.Name())
		}
		b, err := migrationFS.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), statements: splitStatements(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// splitStatements splits a migration at semicolons that end a line and
// drops "--" comment lines. Migrations must not put ";" at a line end
// inside a statement.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS status_schema_migrations (
	version INTEGER NOT NULL PRIMARY KEY,
	name    VARCHAR(255) NOT NULL
)`

// migrate applies the pending migrations under a lock, so two processes
// opening the same database at once do not race: a PostgreSQL advisory
// lock, a MySQL named lock (GET_LOCK), or an immediate SQLite transaction.
func migrate(ctx context.Context, db *sqlx.DB, dialect Dialect) error {
	migs, err := loadMigrations(dialect)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	switch dialect {
	case SQLite:
		return migrateSQLite(ctx, conn, migs)
	case Postgres:
		return withLock(ctx, conn,
			"SELECT pg_advisory_lock(hashtext('datafactory.status:' || current_schema()))",
			"SELECT pg_advisory_unlock(hashtext('datafactory.status:' || current_schema()))",
			func() error { return applyEach(ctx, conn, dialect, migs, true) })
	default:
		return withLock(ctx, conn,
			"SELECT GET_LOCK(CONCAT('datafactory.status:', SHA1(COALESCE(DATABASE(), ''))), 120)",
			"SELECT RELEASE_LOCK(CONCAT('datafactory.status:', SHA1(COALESCE(DATABASE(), ''))))",
			func() error { return applyEach(ctx, conn, dialect, migs, false) })
	}
}

// withLock runs fn between a lock and an unlock query on one connection.
// MySQL's GET_LOCK returns 1 on success, which is checked; PostgreSQL's
// advisory lock returns nothing.
func withLock(ctx context.Context, conn *sqlx.Conn, lock, unlock string, fn func() error) error {
	if strings.Contains(lock, "GET_LOCK") {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, lock).Scan(&got); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if !got.Valid || got.Int64 != 1 {
			return fmt.Errorf("migrate: timed out waiting for the migration lock")
		}
	} else if _, err := conn.ExecContext(ctx, lock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	err := fn()
	if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), unlock); uerr != nil && err == nil {
		err = fmt.Errorf("migrate: unlock: %w", uerr)
	}
	return err
}

// applyEach applies each pending migration; with tx, each in its own
// transaction (PostgreSQL DDL is transactional, MySQL's is not).
func applyEach(ctx context.Context, conn *sqlx.Conn, dialect Dialect, migs []migration, tx bool) error {
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return err
	}
	if err := checkNotNewer(applied, migs); err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.version] {
			continue
		}
		if err := applyOne(ctx, conn, dialect, m, tx); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

func applyOne(ctx context.Context, conn *sqlx.Conn, dialect Dialect, m migration, useTx bool) error {
	record := dialect.Rebind("INSERT INTO status_schema_migrations (version, name) VALUES (?, ?)")
	if !useTx {
		for _, st := range m.statements {
			if _, err := conn.ExecContext(ctx, st); err != nil {
				return err
			}
		}
		_, err := conn.ExecContext(ctx, record, m.version, m.name)
		return err
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, st := range m.statements {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, record, m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}

// migrateSQLite applies everything in one immediate transaction, which
// holds SQLite's write lock: a second process waits (busy_timeout) and then
// finds the migrations applied.
func migrateSQLite(ctx context.Context, conn *sqlx.Conn, migs []migration) error {
	tx, err := conn.BeginTxx(ctx, nil) // _txlock=immediate: BEGIN IMMEDIATE
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	if err := checkNotNewer(applied, migs); err != nil {
		return err
	}
	for _, m := range migs {
		if applied[m.version] {
			continue
		}
		for _, st := range m.statements {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO status_schema_migrations (version, name) VALUES (?, ?)", m.version, m.name); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// ErrSchemaTooNew is returned by Open when the database has migrations
// this version of the package does not know (it was opened by a newer
// datafactory): writing to it could corrupt it.
var ErrSchemaTooNew = errors.New("sqlstatus: database schema is newer than this program")

// checkNotNewer refuses a database with unknown (newer) migrations.
func checkNotNewer(applied map[int]bool, migs []migration) error {
	known := make(map[int]bool, len(migs))
	for _, m := range migs {
		known[m.version] = true
	}
	for v := range applied {
		if !known[v] {
			return fmt.Errorf("%w: it has migration %d", ErrSchemaTooNew, v)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, q sqlx.QueryerContext) (map[int]bool, error) {
	rows, err := q.QueryxContext(ctx, "SELECT version FROM status_schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: read versions: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: read versions: %w", err)
		}
		out[v] = true
	}
	return out, rows.Err()
}

package ckantest

import (
	"context"
	"database/sql"
	"errors"
)

// SQLite has no catalog of view dependencies: aliases are rows of
// _ckantest_aliases, dropped with their table by dropTableAll.

// sqliteAliasSchema is the alias registry.
const sqliteAliasSchema = `CREATE TABLE IF NOT EXISTS _ckantest_aliases (
		alias TEXT PRIMARY KEY,
		resource_id TEXT NOT NULL)`

func (sqliteDialect) aliasesOf(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT alias FROM _ckantest_aliases WHERE resource_id = ? ORDER BY alias", id)
	if err != nil {
		return nil, err
	}
	return scanNames(rows)
}

func (sqliteDialect) aliasTarget(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, "SELECT resource_id FROM _ckantest_aliases WHERE alias = ?", name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// createAlias refuses a name that is a table or another alias.
func (d sqliteDialect) createAlias(ctx context.Context, tx *sql.Tx, name, id string) error {
	owner, err := d.aliasTarget(ctx, tx, name)
	if err != nil {
		return err
	}
	_, isTable, err := d.columns(ctx, tx, name)
	if err != nil {
		return err
	}
	if owner != "" || isTable {
		return aliasTaken(name)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO _ckantest_aliases (alias, resource_id) VALUES (?, ?)", name, id)
	return err
}

func (sqliteDialect) dropAlias(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM _ckantest_aliases WHERE alias = ?", name)
	return err
}

package ckantest

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// In PostgreSQL an alias is what CKAN makes it: a view "alias" AS SELECT *
// FROM the table, found through the catalog the way CKAN's _table_metadata
// view finds it (pg_rewrite and pg_depend). Dropping the table with CASCADE
// drops its aliases, as on a real DataStore.

// pgCurrentNamespace restricts catalog lookups to the DataStore's schema
// (CKAN's _table_metadata restricts them to "public").
const pgCurrentNamespace = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"

// pgAliasesQuery lists the views over the table $1 in the current schema.
const pgAliasesQuery = `SELECT DISTINCT v.relname FROM pg_class t
	JOIN pg_depend d ON d.refobjid = t.oid
	JOIN pg_rewrite r ON r.oid = d.objid
	JOIN pg_class v ON v.oid = r.ev_class
	WHERE t.oid = to_regclass(quote_ident($1)) AND t.relnamespace = ` + pgCurrentNamespace + `
	  AND v.oid <> t.oid AND v.relkind = 'v' AND v.relnamespace = ` + pgCurrentNamespace + `
	ORDER BY v.relname`

// pgAliasTargetQuery is the table behind the view $1 of the current schema.
const pgAliasTargetQuery = `SELECT t.relname FROM pg_class v
	JOIN pg_rewrite r ON r.ev_class = v.oid
	JOIN pg_depend d ON d.objid = r.oid
	JOIN pg_class t ON t.oid = d.refobjid
	WHERE v.relname = $1 AND v.relkind = 'v' AND v.relnamespace = ` + pgCurrentNamespace + `
	  AND t.oid <> v.oid AND t.relkind IN ('r', 'p')
	ORDER BY t.relname LIMIT 1`

func (pgDialect) aliasesOf(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, pgAliasesQuery, id)
	if err != nil {
		return nil, err
	}
	return scanNames(rows)
}

func (pgDialect) aliasTarget(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, pgAliasTargetQuery, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// createAlias creates the view as create_alias does; duplicate_table and
// duplicate_alias become the "already exists" ValidationError.
func (pgDialect) createAlias(ctx context.Context, tx *sql.Tx, name, id string) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT ckantest_alias"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "CREATE VIEW "+quoteIdent(name)+" AS SELECT * FROM "+quoteIdent(id))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "42P07" || pe.Code == "42712") {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT ckantest_alias"); rerr != nil {
			return rerr
		}
		return aliasTaken(name)
	}
	return err
}

func (pgDialect) dropAlias(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS "+quoteIdent(name))
	return err
}

// scanNames reads one text column.
func scanNames(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

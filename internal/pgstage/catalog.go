package pgstage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// regclass is the SQL expression for the table's oid (NULL when missing).
const regclass = "to_regclass(format('%I.%I', $1::text, $2::text))"

// lockNamespace is the first key of the replace locks (the second is the
// hash of the qualified table name): hashtext('datafactory.replace').
const lockNamespace = "hashtext('datafactory.replace')"

// LockTable takes the replace lock of schema.table for the rest of the
// connection's transaction, calling waiting (when not nil) once first when
// another transaction holds it. Writers that rewrite a table outside a
// Replace (a staged upsert's rewrite) take it too, so they serialise with
// replaces. Two tables whose names hash alike share a lock: their replaces
// then run one after the other, slower but still correct.
func LockTable(ctx context.Context, c *pgx.Conn, schema, table string, waiting func()) error {
	key := pgx.Identifier{schema, table}.Sanitize()
	var got bool
	if err := c.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock("+lockNamespace+", hashtext($1))", key).Scan(&got); err != nil {
		return fmt.Errorf("pgstage: replace lock: %w", err)
	}
	if got {
		return nil
	}
	if waiting != nil {
		waiting()
	}
	if _, err := c.Exec(ctx, "SELECT pg_advisory_xact_lock("+lockNamespace+", hashtext($1))", key); err != nil {
		return fmt.Errorf("pgstage: wait for the replace lock: %w", err)
	}
	return nil
}

// dropStale drops the tables of schema whose names start with prefix
// (nothing when prefix is empty).
func dropStale(ctx context.Context, c *pgx.Conn, schema, prefix string) error {
	if prefix == "" {
		return nil
	}
	rows, err := c.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2)", schema, prefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{schema, n}.Sanitize()); err != nil {
			return fmt.Errorf("pgstage: drop stale staging table: %w", err)
		}
	}
	return nil
}

// tableExists reports whether schema.table is a table.
func tableExists(ctx context.Context, c *pgx.Conn, schema, table string) (bool, error) {
	var ok bool
	err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2)", schema, table).Scan(&ok)
	return ok, err
}

// dependentsQuery is the SQL reporting (one boolean) whether views, foreign
// keys, user triggers or indexes the table's constraints did not make
// depend on the table $1.$2 (a rename would lose them).
const dependentsQuery = `SELECT
	EXISTS (SELECT 1 FROM pg_depend dep JOIN pg_rewrite r ON r.oid = dep.objid
		WHERE dep.refobjid = ` + regclass + ` AND r.ev_class <> dep.refobjid)
	OR EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = ` + regclass + `)
	OR EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ` + regclass + ` AND NOT tgisinternal)
	OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = ` + regclass + `
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid))`

// dependentViewsQuery lists the views that depend on the table $1.$2,
// directly or through other views, outermost first, as quoted names.
const dependentViewsQuery = `WITH RECURSIVE views(oid, depth) AS (
		SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
		WHERE d.refobjid = ` + regclass + ` AND r.ev_class <> d.refobjid
	UNION
		SELECT r.ev_class, v.depth + 1 FROM views v JOIN pg_depend d ON d.refobjid = v.oid
		JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> d.refobjid AND v.depth < 100
	)
	SELECT oid::regclass::text FROM views GROUP BY oid ORDER BY max(depth) DESC, oid`

// hasDependents runs dependentsQuery.
func hasDependents(ctx context.Context, c *pgx.Conn, schema, table string) (bool, error) {
	var ok bool
	err := c.QueryRow(ctx, dependentsQuery, schema, table).Scan(&ok)
	return ok, err
}

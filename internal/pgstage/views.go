package pgstage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A replace of a table that only plain views depend on swaps the staging
// table in by rename and recreates the views in the swap transaction,
// instead of refilling the target (which writes every row a second time).
// The views get back, from the catalog as it was before the drop: their
// definitions (pg_get_viewdef, resolved with the session's search_path,
// the same one the views are recreated with), their options
// (security_barrier, check_option, security_invoker), owners, comments
// (of the view and of its columns) and privileges (of the view and of its
// columns; the grantor becomes the replacing role). The target's own
// owner, comment and privileges are carried over too, so the views' owners
// keep reading it. Views are created innermost first.
//
// What the rename cannot keep takes the refill path instead: materialized
// views, rules, triggers or column defaults on a dependent view, anything
// else that depends on a dependent view (or on its row type, such as a
// function), a view whose owner is a role the replacing role is not a
// member of (it could neither lock nor give the view back), and, on the target, foreign keys that reference it, user
// triggers, rules, indexes its constraints did not make, and whatever of
// its own definition the staging table would not have (CHECK, exclusion
// and outgoing foreign key constraints, defaults of other than serial
// columns, identity and generated columns, per-column statistics targets,
// storage options, row security and policies, UNLOGGED, inheritance and
// partitions, publications, extended statistics, a use of its row type):
// with a refill the target's definition stays, so such a table refuses
// rows its constraints refuse, as before. The view swap
// runs under a savepoint: when recreating fails (an owner the replacing
// role may not assign, say), it is rolled back and the target is refilled.

// viewSwapQuery reports whether the dependents of the table $1.$2 are
// plain views only (and there is at least one) that the view swap can
// recreate whole, and whether the table is nothing more than the staging
// table makes ($3: the staging table's serial columns, whose defaults and
// sequences it makes too).
const viewSwapQuery = `WITH RECURSIVE views(oid, depth) AS (
		SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
		WHERE d.refobjid = ` + regclass + ` AND r.ev_class <> d.refobjid
	UNION
		SELECT r.ev_class, v.depth + 1 FROM views v JOIN pg_depend d ON d.refobjid = v.oid
		JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> d.refobjid AND v.depth < 100
	), rels AS (SELECT DISTINCT oid FROM views)
	SELECT EXISTS (SELECT 1 FROM rels)
	AND NOT EXISTS (SELECT 1 FROM rels JOIN pg_class c USING (oid)
		WHERE c.relkind <> 'v' OR NOT pg_has_role(c.relowner, 'MEMBER'))
	AND NOT EXISTS (SELECT 1 FROM pg_depend d
		WHERE d.deptype IN ('n', 'a')
		AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM rels))
			OR (d.refclassid = 'pg_type'::regclass AND d.refobjid IN (SELECT c.reltype FROM rels JOIN pg_class c USING (oid))))
		AND NOT (d.classid = 'pg_rewrite'::regclass AND EXISTS (SELECT 1 FROM pg_rewrite r
			WHERE r.oid = d.objid AND r.rulename = '_RETURN' AND r.ev_class IN (SELECT oid FROM rels))))
	AND NOT EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ` + regclass + ` AND contype NOT IN ('p', 'u'))
	AND NOT EXISTS (SELECT 1 FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
		WHERE ad.adrelid = ` + regclass + ` AND NOT a.attname = ANY (coalesce($3::text[], '{}')))
	AND NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ` + regclass + ` AND attnum > 0
		AND (attidentity <> '' OR attgenerated <> '' OR attstattarget >= 0))
	AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
		WHERE d.classid = 'pg_class'::regclass AND d.refobjid = ` + regclass + ` AND s.relkind = 'S' AND NOT a.attname = ANY (coalesce($3::text[], '{}')))
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_type'::regclass AND d.deptype IN ('n', 'a')
		AND d.refobjid = (SELECT reltype FROM pg_class WHERE oid = ` + regclass + `))
	AND (SELECT relkind = 'r' AND relpersistence = 'p' AND reloptions IS NULL AND NOT relrowsecurity
		FROM pg_class WHERE oid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = ` + regclass + ` OR inhrelid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_publication_rel WHERE prrelid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_statistic_ext WHERE stxrelid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = ` + regclass + `)
	AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ` + regclass + ` AND NOT tgisinternal)
	AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = ` + regclass + `
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid))`

// viewDefsQuery reads what recreating the views that depend on the table
// $1.$2 needs, innermost first.
const viewDefsQuery = `WITH RECURSIVE views(oid, depth) AS (
		SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
		WHERE d.refobjid = ` + regclass + ` AND r.ev_class <> d.refobjid
	UNION
		SELECT r.ev_class, v.depth + 1 FROM views v JOIN pg_depend d ON d.refobjid = v.oid
		JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class <> d.refobjid AND v.depth < 100
	), rels AS (SELECT oid, max(depth) AS depth FROM views GROUP BY oid)
	SELECT n.nspname, c.relname, pg_get_viewdef(c.oid), coalesce(c.reloptions, '{}'),
		pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
		coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL), '{}'),
		coalesce((SELECT array_agg(col_description(c.oid, a.attnum) ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL), '{}')
	FROM rels JOIN pg_class c USING (oid) JOIN pg_namespace n ON n.oid = c.relnamespace
	ORDER BY rels.depth, c.oid`

// aclQuery lists the privileges of the relation $1 (an oid) and of its
// columns: grantee ("" for PUBLIC), privilege, grant option, column ("" for
// the relation).
const aclQuery = `SELECT coalesce(pg_get_userbyid(nullif(x.grantee, 0)), ''), x.privilege_type, x.is_grantable, ''
		FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = $1::regclass
	UNION ALL
	SELECT coalesce(pg_get_userbyid(nullif(x.grantee, 0)), ''), x.privilege_type, x.is_grantable, a.attname::text
		FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`

// relMeta is what a relation keeps across the view swap besides its
// definition.
type relMeta struct {
	hasACL  bool
	acl     []aclItem
	owner   string
	comment *string
}

// aclItem is one privilege of a relation or of one of its columns.
type aclItem struct {
	Grantee, Privilege string
	Grantable          bool
	Column             string
}

// viewDef is one dependent view to recreate.
type viewDef struct {
	name     pgx.Identifier
	def      string
	options  []string
	colNames []string // the columns with comments
	colNotes []string // their comments
	meta     relMeta
}

// canSwapViews reports whether the view swap applies to the target.
func (r *Replace) canSwapViews(ctx context.Context, c *pgx.Conn) (bool, error) {
	var ok bool
	serials := []string{}
	for _, col := range r.o.Columns {
		if strings.Contains(strings.ToLower(col.Type), "serial") {
			serials = append(serials, col.Name)
		}
	}
	err := c.QueryRow(ctx, viewSwapQuery, r.schema, r.o.Table, serials).Scan(&ok)
	return ok, err
}

// swapViews drops the target with its views, renames the staging table in
// and recreates the views, under a savepoint. It reports false (and leaves
// the transaction as it was before the call) when recreating failed.
func (r *Replace) swapViews(ctx context.Context, c *pgx.Conn) (bool, error) {
	if _, err := c.Exec(ctx, "SAVEPOINT df_viewswap"); err != nil {
		return false, err
	}
	err := r.swapViewsInner(ctx, c)
	if err == nil {
		_, err = c.Exec(ctx, "RELEASE SAVEPOINT df_viewswap")
		return err == nil, err
	}
	if ctx.Err() != nil {
		return false, err
	}
	if _, rerr := c.Exec(ctx, "ROLLBACK TO SAVEPOINT df_viewswap"); rerr != nil {
		return false, errors.Join(err, rerr)
	}
	return false, nil
}

// swapViewsInner is the view swap without the savepoint.
func (r *Replace) swapViewsInner(ctx context.Context, c *pgx.Conn) error {
	views, err := readViews(ctx, c, r.schema, r.o.Table)
	if err != nil {
		return err
	}
	table, err := readMeta(ctx, c, r.target)
	if err != nil {
		return err
	}
	if err := r.analyze(ctx, c); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, "DROP TABLE "+r.target.Sanitize()+" CASCADE"); err != nil {
		return err
	}
	if err := r.rename(ctx, c); err != nil {
		return err
	}
	if err := applyMeta(ctx, c, "TABLE", r.target, table); err != nil {
		return fmt.Errorf("keep the table's owner, comment and grants: %w", err)
	}
	for _, v := range views {
		if err := createView(ctx, c, v); err != nil {
			return fmt.Errorf("recreate view %s: %w", v.name.Sanitize(), err)
		}
	}
	return nil
}

// readViews reads the views that depend on schema.table, innermost first.
func readViews(ctx context.Context, c *pgx.Conn, schema, table string) ([]viewDef, error) {
	rows, err := c.Query(ctx, viewDefsQuery, schema, table)
	if err != nil {
		return nil, err
	}
	var views []viewDef
	for rows.Next() {
		var v viewDef
		var nsp, rel string
		if err := rows.Scan(&nsp, &rel, &v.def, &v.options, &v.meta.owner, &v.meta.comment, &v.colNames, &v.colNotes); err != nil {
			rows.Close()
			return nil, err
		}
		v.name = pgx.Identifier{nsp, rel}
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range views {
		if err := readACL(ctx, c, views[i].name, &views[i].meta); err != nil {
			return nil, err
		}
	}
	return views, nil
}

// readMeta reads a relation's owner, comment and privileges.
func readMeta(ctx context.Context, c *pgx.Conn, rel pgx.Identifier) (relMeta, error) {
	var m relMeta
	err := c.QueryRow(ctx, "SELECT pg_get_userbyid(relowner), obj_description(oid, 'pg_class') FROM pg_class WHERE oid = $1::regclass",
		rel.Sanitize()).Scan(&m.owner, &m.comment)
	if err != nil {
		return m, err
	}
	return m, readACL(ctx, c, rel, &m)
}

// readACL reads the privileges of rel into m.
func readACL(ctx context.Context, c *pgx.Conn, rel pgx.Identifier, m *relMeta) error {
	if err := c.QueryRow(ctx, "SELECT relacl IS NOT NULL FROM pg_class WHERE oid = $1::regclass", rel.Sanitize()).Scan(&m.hasACL); err != nil {
		return err
	}
	rows, err := c.Query(ctx, aclQuery, rel.Sanitize())
	if err != nil {
		return err
	}
	m.acl, err = pgx.CollectRows(rows, pgx.RowToStructByPos[aclItem])
	return err
}

// createView creates one view with its options, owner, comments and
// privileges.
func createView(ctx context.Context, c *pgx.Conn, v viewDef) error {
	with, err := viewOptions(v.options)
	if err != nil {
		return err
	}
	def := strings.TrimSuffix(strings.TrimSpace(v.def), ";")
	if _, err := c.Exec(ctx, "CREATE VIEW "+v.name.Sanitize()+with+" AS "+def); err != nil {
		return err
	}
	for i, col := range v.colNames {
		if i >= len(v.colNotes) {
			break
		}
		if err := comment(ctx, c, "COLUMN "+v.name.Sanitize()+"."+pgx.Identifier{col}.Sanitize(), &v.colNotes[i]); err != nil {
			return err
		}
	}
	return applyMeta(ctx, c, "VIEW", v.name, v.meta)
}

// viewOptions is the WITH clause of a view's reloptions ("" for none).
func viewOptions(opts []string) (string, error) {
	if len(opts) == 0 {
		return "", nil
	}
	parts := make([]string, len(opts))
	for i, o := range opts {
		k, val, ok := strings.Cut(o, "=")
		if !ok || strings.Trim(k, "abcdefghijklmnopqrstuvwxyz_") != "" || k == "" {
			return "", fmt.Errorf("unexpected view option %q", o)
		}
		parts[i] = k + " = " + quoteLiteral(val)
	}
	return " WITH (" + strings.Join(parts, ", ") + ")", nil
}

// applyMeta sets a relation's owner (when another role than the current
// one), comment and privileges. kind is "TABLE" or "VIEW".
func applyMeta(ctx context.Context, c *pgx.Conn, kind string, rel pgx.Identifier, m relMeta) error {
	var me string
	if err := c.QueryRow(ctx, "SELECT current_user").Scan(&me); err != nil {
		return err
	}
	if m.owner != me {
		if _, err := c.Exec(ctx, "ALTER "+kind+" "+rel.Sanitize()+" OWNER TO "+pgx.Identifier{m.owner}.Sanitize()); err != nil {
			return err
		}
	}
	if m.comment != nil {
		if err := comment(ctx, c, kind+" "+rel.Sanitize(), m.comment); err != nil {
			return err
		}
	}
	// An explicit ACL replaces the owner's implicit privileges: start from
	// none and grant exactly what was there (as pg_dump does).
	if m.hasACL {
		if _, err := c.Exec(ctx, "REVOKE ALL ON "+rel.Sanitize()+" FROM "+pgx.Identifier{m.owner}.Sanitize()); err != nil {
			return err
		}
	}
	for _, a := range m.acl {
		if _, err := c.Exec(ctx, grantStatement(rel, a)); err != nil {
			return err
		}
	}
	return nil
}

// grantStatement is the GRANT of one privilege.
func grantStatement(rel pgx.Identifier, a aclItem) string {
	priv := a.Privilege
	if a.Column != "" {
		priv += " (" + pgx.Identifier{a.Column}.Sanitize() + ")"
	}
	to := "PUBLIC"
	if a.Grantee != "" {
		to = pgx.Identifier{a.Grantee}.Sanitize()
	}
	stmt := "GRANT " + priv + " ON " + rel.Sanitize() + " TO " + to
	if a.Grantable {
		stmt += " WITH GRANT OPTION"
	}
	return stmt
}

// comment sets the comment of an object ("VIEW s.v", "COLUMN s.v.c").
func comment(ctx context.Context, c *pgx.Conn, object string, text *string) error {
	_, err := c.Exec(ctx, "COMMENT ON "+object+" IS "+quoteLiteral(*text))
	return err
}

// quoteLiteral is s as an SQL string literal (standard_conforming_strings,
// the default since PostgreSQL 9.1, is assumed: E” is used to be sure).
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "E'" + strings.ReplaceAll(s, "'", "''") + "'"
}

package sqlstore

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A staged upsert copies every batch into a staging table made LIKE the
// target (same columns and types, NOT NULL and CHECK constraints, primary
// key), so every data error still shows per batch and the batch is split;
// a key repeated in the source is merged into the staging table (the last
// row wins). Commit then either merges the staging table into the target
// with one INSERT … ON CONFLICT, or, when the upsert is large (at least
// rewriteMinRows rows and at least half the target's size), rewrites: it
// locks the target against writers, copies the target's other rows into the
// staging table and swaps it in, as replace does. A rewrite writes each row
// once instead of updating it in place (an update writes a new row
// version, its index entry and a lock record, and leaves the old version
// behind), which makes a large upsert two to three times faster and leaves
// the table compact.
//
// Only plain tables whose identity a swap keeps whole are staged (see
// pgStageable): owned by the current user, with the primary key as their
// only index and only CHECK constraints besides it, no triggers, rules,
// policies, foreign keys, views or other objects depending on them,
// identity or generated columns, owned sequences, inheritance, publication,
// storage options or table comment. Others are merged batch by batch.

// rewriteMinRows is the smallest upsert that may rewrite the target.
const rewriteMinRows = 100_000

// rewriteWorkMem is the work_mem of a rewrite's transaction (PostgreSQL's
// default, 4MB, splits the hash of 100k keys or more into batches on disk).
const rewriteWorkMem = "64MB"

// pgStaged is the state of a staged upsert.
type pgStaged struct {
	staging string          // staging table (a real table of the transaction)
	side    string          // temporary table for batches with repeated keys
	sideBC  *pgstage.Copier // COPY into side
	rows    int64           // rows written into staging
	merge   string          // INSERT … ON CONFLICT from side into staging
	keyOn   string          // s.k = t.k AND … for the anti-join
	keys    keySpan         // the range of the staged keys
}

// keySpan follows the staged keys of a single-column integer key, so that
// a rewrite can tell when they are exactly the integers of one range: then
// the target's other rows are those outside it, found through the primary
// key's index instead of an anti-join of the whole target against the
// staging table (0.6 s for a million rows each, measured).
type keySpan struct {
	col      int // index of the key in the rows; -1 when not followed
	min, max int64
	seen     bool // min and max hold a key
	merged   bool // a repeated key was merged: staged rows ≠ distinct keys
}

// newKeySpan follows the key of req when it is one integer column.
func newKeySpan(req *driver.WriteRequest) keySpan {
	return keySpan{col: pgstage.IntegerKey(req.Columns, req.Key)}
}

// add takes in the keys of rows copied into the staging table.
func (k *keySpan) add(rows []frictionless.Row) {
	if k.col < 0 {
		return
	}
	for _, r := range rows {
		v, ok := r[k.col].(int64)
		if !ok {
			k.col = -1
			return
		}
		if !k.seen {
			k.min, k.max, k.seen = v, v, true
		}
		k.min, k.max = min(k.min, v), max(k.max, v)
	}
}

// dense reports whether the n staged rows hold every integer from lo to
// hi and nothing else: n distinct keys (none was merged, and the primary
// key refused any repeat) between lo and hi, which hold n integers.
func (k *keySpan) dense(n int64) (lo, hi int64, ok bool) {
	if k.col < 0 || k.merged || !k.seen || n <= 0 {
		return 0, 0, false
	}
	return k.min, k.max, uint64(k.max)-uint64(k.min) == uint64(n-1)
}

// pgStageable is true when the table (schema $1, name $2) can be staged and
// swapped for an upsert writing $3 columns keyed on the columns $4.
const pgStageable = `SELECT coalesce((SELECT c.relkind = 'r' AND c.relpersistence = 'p' AND NOT c.relispartition
	AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
	AND NOT c.relrowsecurity AND NOT c.relforcerowsecurity AND NOT c.relhasrules
	AND c.reloptions IS NULL AND c.relreplident = 'd' AND c.reltablespace = 0
	AND current_setting('default_tablespace') = ''
	AND c.relam = (SELECT oid FROM pg_am WHERE amname = current_setting('default_table_access_method'))
	AND obj_description(c.oid, 'pg_class') IS NULL
	AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) = $3
	AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		AND (a.attidentity <> '' OR a.attgenerated <> '' OR a.attacl IS NOT NULL OR a.attstattarget >= 0
			OR EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o LIKE 'n\_distinct%')))
	AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND (k.contype NOT IN ('p', 'c') OR NOT k.convalidated))
	AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.confrelid = c.oid)
	AND (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) = 1
	AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = c.oid AND i.indisprimary) = (SELECT array_agg(k ORDER BY k) FROM unnest($4::text[]) k)
	AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid)
	AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
	AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid OR h.inhparent = c.oid)
	AND NOT EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prrelid = c.oid)
	AND NOT EXISTS (SELECT 1 FROM pg_seclabel l WHERE l.objoid = c.oid AND l.classoid = 'pg_class'::regclass)
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.deptype = 'n'
		AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = c.oid))
		AND NOT (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = c.oid)))
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_type'::regclass AND d.refobjid = c.reltype AND d.deptype = 'n')
	AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
		WHERE d.classid = 'pg_class'::regclass AND d.refobjid = c.oid AND s.relkind = 'S')
	FROM pg_class c WHERE c.oid = ` + regclass + `), false)`

// stageable reports whether the upsert can be staged.
func (w *pgWriter) stageable(ctx context.Context) (bool, error) {
	var ok bool
	err := w.conn.GetContext(ctx, &ok, pgStageable, w.d.schema, w.req.Table, len(w.req.Columns), w.req.Key)
	return ok, err
}

// upsertLockClass is the first key of the advisory lock that serialises
// staged upserts of one table ("df" in ASCII).
const upsertLockClass = 0x6466

// setupStaged serialises staged upserts of the table (two of them would
// otherwise deadlock when swapping), creates the staging table and the
// temporary table for repeated keys.
func (w *pgWriter) setupStaged(ctx context.Context) error {
	h := fnv.New32a()
	h.Write([]byte(w.d.schema + "." + w.req.Table))
	if _, err := w.conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, $2)", upsertLockClass, int32(h.Sum32())); err != nil {
		return err
	}
	up := &pgStaged{staging: stagingName(w.req.Table)}
	up.side = "_dfup_" + up.staging[7:]
	t, stg := w.d.table(w.req.Table), w.d.table(up.staging)
	if _, err := w.conn.ExecContext(ctx, "CREATE TABLE "+stg+" (LIKE "+t+" INCLUDING ALL)"); err != nil {
		return err
	}
	cols := quoteList(w.d, w.cols)
	if _, err := w.conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+w.d.quote(up.side)+" ON COMMIT DROP AS SELECT "+cols+" FROM "+t+" WITH NO DATA"); err != nil {
		return err
	}
	up.merge = "INSERT INTO " + stg + " (" + cols + ") SELECT " + cols + " FROM " + w.d.quote(up.side) + pgConflict(w.d, w.req)
	on := make([]string, len(w.req.Key))
	for i, k := range w.req.Key {
		on[i] = "s." + w.d.quote(k) + " = t." + w.d.quote(k)
	}
	up.keyOn = strings.Join(on, " AND ")
	up.keys = newKeySpan(w.req)
	w.up = up
	w.copyTo = pgx.Identifier{w.d.schema, up.staging}
	return nil
}

// writeStaged copies rows into the staging table; rows whose keys are
// already there are merged into it through the side table instead. The
// caller holds a savepoint and rolls back to it on error.
func (w *pgWriter) writeStaged(ctx context.Context, rows []frictionless.Row) error {
	err := w.copyRows(ctx, rows)
	if err == nil {
		w.up.rows += int64(len(rows))
		w.up.keys.add(rows)
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return err
	}
	// The only unique index is the key: a key repeated in the source.
	w.up.keys.merged = true
	if _, err := w.conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT df_write"); err != nil {
		return err
	}
	if err := w.copySide(ctx, rows); err != nil {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, w.up.merge); err != nil {
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "TRUNCATE "+w.d.quote(w.up.side)); err != nil {
		return err
	}
	w.up.rows += int64(len(rows))
	return nil
}

// copySide copies rows into the side table.
func (w *pgWriter) copySide(ctx context.Context, rows []frictionless.Row) error {
	return w.session()(func(pc *pgx.Conn) error {
		if w.up.sideBC == nil {
			bc, err := pgstage.NewCopier(ctx, pc, pgx.Identifier{w.up.side}, w.req.Columns)
			if err != nil {
				return err
			}
			w.up.sideBC = bc
		}
		return w.up.sideBC.Copy(ctx, pc, rows)
	})
}

// commitStaged merges the staging table into the target, or rewrites the
// target when the upsert is large; the caller commits.
func (w *pgWriter) commitStaged(ctx context.Context) error {
	rewrite, err := w.rewriteWorth(ctx)
	if err != nil {
		return err
	}
	if rewrite {
		if err := w.lockTarget(ctx, "EXCLUSIVE"); err != nil {
			return err
		}
		// Objects may have come to depend on the target since setup.
		if rewrite, err = w.stageable(ctx); err != nil {
			return err
		}
	}
	var grants []string
	if rewrite {
		if grants, rewrite, err = w.grantStatements(ctx); err != nil {
			return err
		}
	}
	if !rewrite {
		return w.mergeStaged(ctx)
	}
	return w.rewrite(ctx, grants)
}

// rewriteWorth reports whether the staging table holds enough rows and at
// least half the target's size.
func (w *pgWriter) rewriteWorth(ctx context.Context) (bool, error) {
	if w.up.rows < rewriteMinRows {
		return false, nil
	}
	var ok bool
	err := w.conn.GetContext(ctx, &ok, "SELECT 2 * pg_relation_size($1::regclass) >= pg_relation_size($2::regclass)",
		w.d.table(w.up.staging), w.d.table(w.req.Table))
	return ok, err
}

// lockTarget locks the target in mode, waiting at most SwapTimeout.
func (w *pgWriter) lockTarget(ctx context.Context, mode string) error {
	if w.req.SwapTimeout > 0 {
		ms := strconv.FormatInt(max(w.req.SwapTimeout.Milliseconds(), 1), 10)
		if _, err := w.conn.ExecContext(ctx, "SET LOCAL lock_timeout = "+ms); err != nil {
			return err
		}
	}
	_, err := w.conn.ExecContext(ctx, "LOCK TABLE "+w.d.table(w.req.Table)+" IN "+mode+" MODE")
	return err
}

// mergeStaged merges the staging table into the target in one statement
// and drops it.
func (w *pgWriter) mergeStaged(ctx context.Context) error {
	cols := quoteList(w.d, w.cols)
	stmt := "INSERT INTO " + w.d.table(w.req.Table) + " (" + cols + ") SELECT " + cols + " FROM " + w.d.table(w.up.staging) + pgConflict(w.d, w.req)
	if _, err := w.conn.ExecContext(ctx, stmt); err != nil {
		return err
	}
	_, err := w.conn.ExecContext(ctx, "DROP TABLE "+w.d.table(w.up.staging))
	return err
}

// rewrite copies the target's rows whose keys the upsert does not carry
// into the staging table, then swaps it in under the target's name, with
// the target's primary-key name and privileges.
func (w *pgWriter) rewrite(ctx context.Context, grants []string) error {
	t, stg := w.d.table(w.req.Table), w.d.table(w.up.staging)
	cols := quoteList(w.d, w.cols)
	var pk, stgPK string
	if err := w.conn.GetContext(ctx, &pk, pgPrimaryKeyName, w.d.schema, w.req.Table); err != nil {
		return err
	}
	if err := w.conn.GetContext(ctx, &stgPK, pgPrimaryKeyName, w.d.schema, w.up.staging); err != nil {
		return err
	}
	others, err := w.otherRows(ctx)
	if err != nil {
		return err
	}
	stmts := []string{
		// The anti-join hashes the staged keys: let a million fit in memory.
		"SET LOCAL work_mem = '" + rewriteWorkMem + "'",
		"INSERT INTO " + stg + " (" + cols + ") SELECT " + cols + " FROM " + t + " t WHERE " + others,
		// Statistics for the planner now, not when autovacuum gets to it.
		"ANALYZE " + stg,
		"DROP TABLE " + t,
		"ALTER TABLE " + stg + " RENAME TO " + w.d.quote(w.req.Table),
		"ALTER TABLE " + t + " RENAME CONSTRAINT " + w.d.quote(stgPK) + " TO " + w.d.quote(pk),
	}
	for _, stmt := range append(stmts, grants...) {
		if _, err := w.conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// otherRows returns the condition on the target's rows (alias t) that the
// upsert does not carry: outside the range of the staged keys when they
// fill it and the key column is an integer type (where its order is the
// numbers'), else those without a staged key (an anti-join).
func (w *pgWriter) otherRows(ctx context.Context) (string, error) {
	anti := "NOT EXISTS (SELECT 1 FROM " + w.d.table(w.up.staging) + " s WHERE " + w.up.keyOn + ")"
	lo, hi, ok := w.up.keys.dense(w.up.rows)
	if !ok {
		return anti, nil
	}
	var integer bool
	if err := w.conn.GetContext(ctx, &integer, pgIntegerColumn, w.d.schema, w.req.Table, w.req.Key[0]); err != nil || !integer {
		return anti, err
	}
	k := "t." + w.d.quote(w.req.Key[0])
	return k + " < " + strconv.FormatInt(lo, 10) + " OR " + k + " > " + strconv.FormatInt(hi, 10), nil
}

// pgIntegerColumn reports whether column $3 of table $1.$2 is a smallint,
// integer or bigint.
const pgIntegerColumn = `SELECT coalesce((SELECT atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
	FROM pg_attribute WHERE attrelid = ` + regclass + ` AND attname = $3 AND attnum > 0 AND NOT attisdropped), false)`

// pgPrimaryKeyName is the name of table ($1.$2)'s primary-key constraint.
const pgPrimaryKeyName = `SELECT conname FROM pg_constraint WHERE conrelid = ` + regclass + ` AND contype = 'p'`

// pgACLDiff lists the privileges to revoke from the staging table ($1.$3)
// and to grant on it so that they equal the target's ($1.$2): revokes
// first; a NULL grantee is PUBLIC.
const pgACLDiff = `WITH t AS (SELECT (aclexplode(coalesce(relacl, acldefault('r', relowner)))).*
		FROM pg_class WHERE oid = to_regclass(format('%I.%I', $1::text, $2::text))),
	s AS (SELECT (aclexplode(coalesce(relacl, acldefault('r', relowner)))).*
		FROM pg_class WHERE oid = to_regclass(format('%I.%I', $1::text, $3::text))),
	d AS (SELECT 'REVOKE' AS op, * FROM (SELECT privilege_type, grantee, is_grantable FROM s
			EXCEPT SELECT privilege_type, grantee, is_grantable FROM t) r
		UNION ALL SELECT 'GRANT', * FROM (SELECT privilege_type, grantee, is_grantable FROM t
			EXCEPT SELECT privilege_type, grantee, is_grantable FROM s) g)
	SELECT op, privilege_type, CASE WHEN grantee = 0 THEN NULL ELSE pg_get_userbyid(grantee)::text END AS grantee, is_grantable
	FROM d ORDER BY op DESC, grantee, privilege_type`

// tablePrivileges are the privileges a GRANT on a table may name.
var tablePrivileges = map[string]bool{
	"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true,
	"TRUNCATE": true, "REFERENCES": true, "TRIGGER": true, "MAINTAIN": true,
}

// grantStatements returns the GRANT and REVOKE statements that give the
// swapped-in table the target's privileges (the grantor becomes the owner);
// ok is false when a privilege is unknown (then the upsert merges instead).
func (w *pgWriter) grantStatements(ctx context.Context) (stmts []string, ok bool, err error) {
	var diff []struct {
		Op        string  `db:"op"`
		Privilege string  `db:"privilege_type"`
		Grantee   *string `db:"grantee"`
		Grantable bool    `db:"is_grantable"`
	}
	if err := w.conn.SelectContext(ctx, &diff, pgACLDiff, w.d.schema, w.req.Table, w.up.staging); err != nil {
		return nil, false, err
	}
	t := w.d.table(w.req.Table)
	for _, d := range diff {
		if !tablePrivileges[d.Privilege] {
			return nil, false, nil
		}
		who := "PUBLIC"
		if d.Grantee != nil {
			who = w.d.quote(*d.Grantee)
		}
		if d.Op == "REVOKE" {
			stmts = append(stmts, "REVOKE "+d.Privilege+" ON "+t+" FROM "+who)
			continue
		}
		s := "GRANT " + d.Privilege + " ON " + t + " TO " + who
		if d.Grantable {
			s += " WITH GRANT OPTION"
		}
		stmts = append(stmts, s)
	}
	return stmts, true, nil
}

package pgstage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
)

// ErrFinished is returned by Write and Commit after Commit or Abort.
var ErrFinished = errors.New("pgstage: replace already finished")

// Replace is one staged replace in progress. It is used by one goroutine
// at a time.
type Replace struct {
	sess    Session
	o       Options
	schema  string
	staging pgx.Identifier
	target  pgx.Identifier
	copier  *Copier
	done    bool
	// parallel: the staging table is created outside the transaction and
	// large writes go over the streams too (parallel.go).
	parallel bool
	streams  []*stream
	dealer   *keyHasher // deals a keyed table's rows to the streams
	created  bool       // the committed staging table is this replace's to drop
	// keys, while the primary key is deferred (keyset.go), holds the keys
	// written.
	keys *keySet
	// analyzed: the staging table has its statistics (analyze).
	analyzed bool
	// long is the COPY kept open across Writes (longcopy.go; nil when
	// none), longChecked set once the first Write has decided on it, and
	// notNull the indexes of the NOT NULL fields it checks.
	long        *longCopy
	longChecked bool
	notNull     []int
}

// Begin starts a replace: it begins the transaction, takes the table's
// replace lock (waiting for a concurrent replace of the same table to
// finish) and creates the staging table. On error the transaction is
// rolled back.
func Begin(ctx context.Context, sess Session, o Options) (*Replace, error) {
	if o.Table == "" || len(o.Columns) == 0 {
		return nil, errors.New("pgstage: a replace needs a table and columns")
	}
	if o.Staging == "" {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand never fails
		o.Staging = "_dfstg_" + hex.EncodeToString(b[:])
	}
	r := &Replace{sess: sess, o: o}
	r.parallel, r.dealer = parallelOK(&o)
	r.keys = deferredKey(&o, r.parallel)
	err := sess(func(c *pgx.Conn) error {
		// Read committed (whatever the session's default): the swap must
		// see the rows the parallel streams commit.
		if _, err := c.Exec(ctx, "BEGIN ISOLATION LEVEL READ COMMITTED"); err != nil {
			return err
		}
		if err := r.begin(ctx, c); err != nil {
			return errors.Join(err, rollback(c))
		}
		return nil
	})
	if err != nil {
		r.done = true
		return nil, err
	}
	if r.parallel {
		if err := r.beginStreams(ctx); err != nil {
			return nil, errors.Join(err, r.Abort())
		}
	}
	return r, nil
}

// begin takes the lock and creates the staging table.
func (r *Replace) begin(ctx context.Context, c *pgx.Conn) error {
	r.schema = r.o.Schema
	if r.schema == "" {
		if err := c.QueryRow(ctx, "SELECT current_schema()").Scan(&r.schema); err != nil {
			return fmt.Errorf("pgstage: current schema: %w", err)
		}
	}
	r.target = pgx.Identifier{r.schema, r.o.Table}
	r.staging = pgx.Identifier{r.schema, r.o.Staging}
	if err := LockTable(ctx, c, r.schema, r.o.Table, r.o.Waiting); err != nil {
		return err
	}
	if err := dropStale(ctx, c, r.schema, r.o.StalePrefix); err != nil {
		return err
	}
	if r.parallel {
		return nil // beginStreams creates it
	}
	return r.createStaging(ctx, c)
}

// createStaging creates the staging table and its comments.
func (r *Replace) createStaging(ctx context.Context, c *pgx.Conn) error {
	defs := make([]string, 0, len(r.o.Columns)+1)
	for _, col := range r.o.Columns {
		d := pgx.Identifier{col.Name}.Sanitize() + " " + col.Type
		if col.NotNull {
			d += " NOT NULL"
		}
		if col.Unique {
			d += " UNIQUE"
		}
		defs = append(defs, d)
	}
	if len(r.o.PrimaryKey) > 0 && r.keys == nil {
		defs = append(defs, "PRIMARY KEY ("+identList(r.o.PrimaryKey)+")")
	}
	for _, k := range r.o.UniqueKeys {
		defs = append(defs, "UNIQUE ("+identList(k)+")")
	}
	if _, err := c.Exec(ctx, "CREATE TABLE "+r.staging.Sanitize()+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("pgstage: create staging table: %w", err)
	}
	for _, col := range r.o.Columns {
		if col.Comment == "" {
			continue
		}
		lit, err := c.PgConn().EscapeString(col.Comment)
		if err != nil {
			return err
		}
		stmt := "COMMENT ON COLUMN " + r.staging.Sanitize() + "." + pgx.Identifier{col.Name}.Sanitize() + " IS '" + lit + "'"
		if _, err := c.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("pgstage: comment on column %q: %w", col.Name, err)
		}
	}
	return nil
}

// Write copies rows into the staging table under a savepoint: when it
// fails, nothing of this call remains and the replace stays usable (unless
// ctx is done: then only Abort is left).
func (r *Replace) Write(ctx context.Context, rows []frictionless.Row) error {
	if r.done {
		return ErrFinished
	}
	if r.parallel && (r.dealer != nil || len(rows) >= minParallelRows) {
		return r.writeParallel(ctx, rows)
	}
	if !r.longChecked {
		if err := r.startLong(ctx); err != nil {
			return err
		}
	}
	if r.long != nil {
		if handled, err := r.writeLong(rows); handled || err != nil {
			return err
		}
	}
	return r.sess(func(c *pgx.Conn) error {
		keyed, err := r.recordKeys(ctx, c, rows)
		if err != nil {
			return err
		}
		if err := r.copySaved(ctx, c, rows); err != nil {
			if keyed {
				r.keys.remove(rows)
			}
			return err
		}
		return nil
	})
}

// copySaved copies rows under a savepoint, rolled back when the copy
// fails (unless ctx is done).
func (r *Replace) copySaved(ctx context.Context, c *pgx.Conn, rows []frictionless.Row) error {
	if _, err := c.Exec(ctx, "SAVEPOINT df_stage"); err != nil {
		return err
	}
	if err := r.copyRows(ctx, c, rows); err != nil {
		if ctx.Err() != nil {
			return err
		}
		if _, rerr := c.Exec(ctx, "ROLLBACK TO SAVEPOINT df_stage"); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
		return err
	}
	_, err := c.Exec(ctx, "RELEASE SAVEPOINT df_stage")
	return err
}

// recordKeys records the keys of rows while the primary key is deferred
// and reports whether it did: a repeated key is PostgreSQL's error for
// it, a key the set cannot hold adds the primary key now.
func (r *Replace) recordKeys(ctx context.Context, c *pgx.Conn, rows []frictionless.Row) (bool, error) {
	if r.keys == nil {
		return false, nil
	}
	held, err := r.noteKeys(rows)
	if err != nil || held {
		return held, err
	}
	return false, r.addKey(ctx, c)
}

// noteKeys adds the keys of rows to the deferred key's set and reports
// whether it holds them: a repeated key is PostgreSQL's error for it, and
// false (the set as it was) means the set cannot hold them.
func (r *Replace) noteKeys(rows []frictionless.Row) (bool, error) {
	dup, ok := r.keys.add(rows)
	if dup >= 0 {
		return false, r.duplicateKey(rows[dup][r.keys.col].(int64)) // add checked its type
	}
	return ok, nil
}

// copyRows streams rows with binary COPY.
func (r *Replace) copyRows(ctx context.Context, c *pgx.Conn, rows []frictionless.Row) error {
	if err := r.ensureCopier(ctx, c); err != nil {
		return err
	}
	return r.copier.Copy(ctx, c, rows)
}

// ensureCopier makes the staging table's Copier once.
func (r *Replace) ensureCopier(ctx context.Context, c *pgx.Conn) error {
	if r.copier != nil {
		return nil
	}
	cp, err := NewCopier(ctx, c, r.staging, r.o.Fields)
	r.copier = cp
	return err
}

// Commit swaps the staging table in and commits. On error the transaction
// is rolled back and the target is unchanged.
func (r *Replace) Commit(ctx context.Context) error {
	if r.done {
		return ErrFinished
	}
	r.done = true
	if err := r.endLong(); err != nil {
		return errors.Join(err, r.sess(rollback))
	}
	if err := r.commitStreams(ctx); err != nil {
		return errors.Join(err, r.sess(rollback), r.closeStreams())
	}
	err := r.sess(func(c *pgx.Conn) error {
		if err := r.commit(ctx, c); err != nil {
			return errors.Join(err, rollback(c))
		}
		return nil
	})
	if err != nil {
		return errors.Join(err, r.closeStreams())
	}
	r.created = false // renamed in, or dropped by the refill
	return nil
}

// commit adds a deferred primary key, runs the hooks and the swap, then
// COMMIT.
func (r *Replace) commit(ctx context.Context, c *pgx.Conn) error {
	if r.keys != nil {
		if err := r.addKey(ctx, c); err != nil {
			return err
		}
	}
	if r.o.Staged != nil {
		if err := r.o.Staged(ctx, c, r.staging); err != nil {
			return err
		}
	}
	if err := r.swap(ctx, c); err != nil {
		return fmt.Errorf("pgstage: swap: %w", err)
	}
	if r.o.Swapped != nil {
		if err := r.o.Swapped(ctx, c, r.target); err != nil {
			return err
		}
	}
	_, err := c.Exec(ctx, "COMMIT")
	return err
}

// swap replaces the target by the staging table.
func (r *Replace) swap(ctx context.Context, c *pgx.Conn) error {
	if r.o.SwapTimeout > 0 {
		ms := strconv.FormatInt(max(r.o.SwapTimeout.Milliseconds(), 1), 10)
		if _, err := c.Exec(ctx, "SET LOCAL lock_timeout = "+ms); err != nil {
			return err
		}
	}
	exists, err := tableExists(ctx, c, r.schema, r.o.Table)
	if err != nil {
		return err
	}
	if !exists {
		return r.rename(ctx, c)
	}
	views := false
	if r.o.Dependents == Keep {
		if views, err = r.canSwapViews(ctx, c); err != nil {
			return err
		}
	}
	deps, err := hasDependents(ctx, c, r.schema, r.o.Table)
	if err != nil {
		return err
	}
	if !deps || r.o.Dependents != Keep || views { // the staging table will be renamed in
		if err := r.analyze(ctx, c); err != nil {
			return err
		}
	}
	if err := r.lockTarget(ctx, c, views); err != nil {
		return err
	}
	if deps, err = hasDependents(ctx, c, r.schema, r.o.Table); err != nil {
		return err
	}
	if deps && r.o.Dependents == Keep {
		return r.keep(ctx, c, views)
	}
	if err := r.analyze(ctx, c); err != nil { // a no-op unless dependents went meanwhile
		return err
	}
	if _, err := c.Exec(ctx, "DROP TABLE "+r.target.Sanitize()+" CASCADE"); err != nil {
		return err
	}
	return r.rename(ctx, c)
}

// analyze gives the staging table, once, its planner statistics. It
// replaces a table that queries may be using, so the planner gets them now
// rather than when autovacuum gets to it (a table the load creates has no
// workload yet and is left to autovacuum; ANALYZE costs about a tenth of a
// 1M-row load). swap runs it before it locks the target, so that readers
// of the target do not wait for it.
func (r *Replace) analyze(ctx context.Context, c *pgx.Conn) error {
	if r.analyzed {
		return nil
	}
	if _, err := c.Exec(ctx, "ANALYZE "+r.staging.Sanitize()); err != nil {
		return err
	}
	r.analyzed = true
	return nil
}

// keep swaps the staging table in keeping the target's dependents: by
// rename and recreating the views when only plain views depend on it
// (views.go; checked again now that the target is locked), else by a
// refill.
func (r *Replace) keep(ctx context.Context, c *pgx.Conn, views bool) error {
	if views {
		ok, err := r.canSwapViews(ctx, c)
		if err != nil {
			return err
		}
		if ok {
			swapped, err := r.swapViews(ctx, c)
			if err != nil || swapped {
				return err
			}
		}
	}
	return r.refill(ctx, c)
}

// lockTarget locks the target exclusively. For Cascade, and for a view
// swap (views), it first locks the views that depend on it, outermost
// first: a reader of a view locks the view before the table, and the drop
// needs both, so taking the table first could deadlock with such a reader.
func (r *Replace) lockTarget(ctx context.Context, c *pgx.Conn, views bool) error {
	var rels []string
	if r.o.Dependents == Cascade || views {
		rows, err := c.Query(ctx, dependentViewsQuery, r.schema, r.o.Table)
		if err != nil {
			return err
		}
		if rels, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
	}
	rels = append(rels, r.target.Sanitize())
	_, err := c.Exec(ctx, "LOCK TABLE "+strings.Join(rels, ", ")+" IN ACCESS EXCLUSIVE MODE")
	return err
}

// refill replaces the target's rows by the staged rows, keeping the
// objects that depend on the target.
func (r *Replace) refill(ctx context.Context, c *pgx.Conn) error {
	names := make([]string, len(r.o.Columns))
	for i, col := range r.o.Columns {
		names[i] = col.Name
	}
	cols := identList(names)
	for _, stmt := range []string{
		"DELETE FROM " + r.target.Sanitize(),
		"INSERT INTO " + r.target.Sanitize() + " (" + cols + ") SELECT " + cols + " FROM " + r.staging.Sanitize(),
		"DROP TABLE " + r.staging.Sanitize(),
	} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// ownedQuery lists, by name, the constraints of the table $1.$2 and the
// sequences its columns own (serial) whose names start with $3: the
// objects a rename of the staging table must rename after the target.
const ownedQuery = `SELECT 'CONSTRAINT', conname FROM pg_constraint
		WHERE conrelid = ` + regclass + ` AND starts_with(conname, $3)
	UNION ALL
	SELECT 'SEQUENCE', s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
		WHERE d.refobjid = ` + regclass + ` AND d.deptype = 'a' AND s.relkind = 'S' AND starts_with(s.relname, $3)
	ORDER BY 1, 2`

// rename renames the staging table to the target, and its constraints
// (with their indexes) and serial sequences after the target.
func (r *Replace) rename(ctx context.Context, c *pgx.Conn) error {
	if _, err := c.Exec(ctx, "ALTER TABLE "+r.staging.Sanitize()+" RENAME TO "+pgx.Identifier{r.o.Table}.Sanitize()); err != nil {
		return err
	}
	rows, err := c.Query(ctx, ownedQuery, r.schema, r.o.Table, r.o.Staging)
	if err != nil {
		return err
	}
	type owned struct{ Kind, Name string }
	objs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[owned])
	if err != nil {
		return err
	}
	for _, o := range objs {
		to := pgx.Identifier{constraintName(r.o.Table, strings.TrimPrefix(o.Name, r.o.Staging))}.Sanitize()
		stmt := "ALTER TABLE " + r.target.Sanitize() + " RENAME CONSTRAINT " + pgx.Identifier{o.Name}.Sanitize() + " TO " + to
		if o.Kind == "SEQUENCE" {
			stmt = "ALTER SEQUENCE " + pgx.Identifier{r.schema, o.Name}.Sanitize() + " RENAME TO " + to
		}
		if _, err := c.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("rename %s %q: %w", strings.ToLower(o.Kind), o.Name, err)
		}
	}
	return nil
}

// maxIdent is PostgreSQL's identifier length limit in bytes.
const maxIdent = 63

// constraintName is table + suffix within the identifier limit, cutting the
// table part at a character boundary as PostgreSQL does for its own names.
func constraintName(table, suffix string) string {
	for len(table)+len(suffix) > maxIdent {
		_, size := utf8.DecodeLastRuneInString(table)
		table = table[:len(table)-size]
	}
	return table + suffix
}

// Abort rolls the transaction back (the staging table vanishes with it).
// It is safe after Commit (then it does nothing) and cleans up even when the
// load's context is cancelled.
func (r *Replace) Abort() error {
	if r.done {
		return nil
	}
	r.done = true
	r.abortLong()
	return errors.Join(r.sess(rollback), r.closeStreams())
}

// rollback ends the transaction; on a closed connection the server has
// already rolled it back.
func rollback(c *pgx.Conn) error {
	if c.IsClosed() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, "ROLLBACK"); err != nil && !c.IsClosed() {
		return fmt.Errorf("pgstage: rollback: %w", err)
	}
	return nil
}

// identList quotes names and joins them with commas.
func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = pgx.Identifier{n}.Sanitize()
	}
	return strings.Join(q, ", ")
}

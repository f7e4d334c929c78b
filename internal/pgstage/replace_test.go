package pgstage_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // testutil opens database/sql "pgx"
	"github.com/stretchr/testify/require"
)

// connect opens a pgx connection to a fresh schema.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// exec runs statements on c.
func exec(t *testing.T, c *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		_, err := c.Exec(context.Background(), s)
		require.NoError(t, err, s)
	}
}

// idsOf reads the sorted ids of a table or view.
func idsOf(t *testing.T, c *pgx.Conn, rel string) []int64 {
	t.Helper()
	rows, err := c.Query(context.Background(), "SELECT id FROM "+rel+" ORDER BY id")
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	return ids
}

// itemOptions stages an (id bigint primary key, name text) table.
func itemOptions(table string) pgstage.Options {
	return pgstage.Options{
		Table:      table,
		Columns:    []pgstage.Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "name", Type: "text", Comment: "it's a name"}},
		PrimaryKey: []string{"id"},
		Fields:     []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}},
	}
}

// rowsFrom makes rows with ids from..to.
func rowsFrom(from, to int64) []frictionless.Row {
	var rows []frictionless.Row
	for i := from; i <= to; i++ {
		rows = append(rows, frictionless.Row{i, "n" + strconv.FormatInt(i, 10)})
	}
	return rows
}

// replace runs one whole replace.
func replace(ctx context.Context, c *pgx.Conn, o pgstage.Options, rows []frictionless.Row) error {
	r, err := pgstage.Begin(ctx, pgstage.Direct(c), o)
	if err != nil {
		return err
	}
	if err := r.Write(ctx, rows); err != nil {
		return errors.Join(err, r.Abort())
	}
	return r.Commit(ctx)
}

// stagingTables lists leftover staging tables.
func stagingTables(t *testing.T, c *pgx.Conn) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND starts_with(tablename, '_dfstg_')")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

// TestReplaceKeepsDependentView: with the default Keep, a view on the
// target survives and shows the new rows; the Swapped hook runs inside the
// transaction; the column comment is set (the view swap renames the
// staging table in).
func TestReplaceKeepsDependentView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connect(t, testutil.PostgresURL(t))
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a'), (2, 'b')",
		"CREATE VIEW items_v AS SELECT id FROM items")
	o := itemOptions("items")
	hooked := false
	o.Swapped = func(ctx context.Context, conn *pgx.Conn, target pgx.Identifier) error {
		hooked = true
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+target.Sanitize()).Scan(&n); err != nil {
			return err
		}
		if n != 3 {
			return errors.New("the hook does not see the swapped rows")
		}
		_, err := conn.Exec(ctx, "CREATE TABLE hook_ran ()")
		return err
	}
	require.NoError(t, replace(ctx, c, o, rowsFrom(10, 12)))
	require.True(t, hooked)
	require.Equal(t, []int64{10, 11, 12}, idsOf(t, c, "items_v"))
	require.Equal(t, []int64{10, 11, 12}, idsOf(t, c, "items"))
	var comment *string
	require.NoError(t, c.QueryRow(ctx, "SELECT col_description('items'::regclass, 2)").Scan(&comment))
	require.Equal(t, "it's a name", *comment, "a table only a view depends on is swapped by rename: the staged comments are its")
	require.Empty(t, stagingTables(t, c))
}

// TestReplaceCascadeRecreatesViewNeverMissing: with Cascade the target is
// dropped with its view and the hook recreates the view in the same
// transaction, so a reader polling the view during the replace never finds
// it missing.
func TestReplaceCascadeRecreatesViewNeverMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	reader := connect(t, url)
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')",
		"CREATE VIEW items_alias AS SELECT * FROM items")
	o := itemOptions("items")
	o.Dependents = pgstage.Cascade
	o.Staged = func(ctx context.Context, conn *pgx.Conn, staging pgx.Identifier) error {
		_, err := conn.Exec(ctx, "UPDATE "+staging.Sanitize()+" SET name = upper(name)")
		return err
	}
	o.Swapped = func(ctx context.Context, conn *pgx.Conn, target pgx.Identifier) error {
		_, err := conn.Exec(ctx, "CREATE VIEW items_alias AS SELECT * FROM "+target.Sanitize())
		return err
	}
	stop := make(chan struct{})
	var missing, reads atomic.Int64
	var lastErr atomic.Value
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int
			err := reader.QueryRow(ctx, "SELECT count(*) FROM items_alias").Scan(&n)
			if err != nil {
				missing.Add(1)
				lastErr.Store(err.Error())
			}
			reads.Add(1)
		}
	})
	var errs []error
	for i := range 5 {
		errs = append(errs, replace(ctx, c, o, rowsFrom(int64(i*10), int64(i*10+9))))
	}
	close(stop)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Positive(t, reads.Load())
	require.Zero(t, missing.Load(), "the alias view was missing for a reader: %v", lastErr.Load())
	require.Equal(t, []int64{40, 41, 42, 43, 44, 45, 46, 47, 48, 49}, idsOf(t, c, "items_alias"))
	var name, comment, pkey string
	require.NoError(t, c.QueryRow(ctx, "SELECT name FROM items LIMIT 1").Scan(&name))
	require.True(t, strings.HasPrefix(name, "N"), "the Staged hook ran on the staging table: %s", name)
	require.NoError(t, c.QueryRow(ctx, "SELECT col_description('items'::regclass, 2)").Scan(&comment))
	require.Equal(t, "it's a name", comment)
	require.NoError(t, c.QueryRow(ctx, "SELECT conname FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'p'").Scan(&pkey))
	require.Equal(t, "items_pkey", pkey)
}

// TestReplaceFailureLeavesTarget: a hook error, a failed write and an
// Abort each leave the target and its view as they were and no staging
// table behind.
func TestReplaceFailureLeavesTarget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connect(t, testutil.PostgresURL(t))
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')",
		"CREATE VIEW items_v AS SELECT id FROM items")
	for _, mode := range []pgstage.Dependents{pgstage.Keep, pgstage.Cascade} {
		o := itemOptions("items")
		o.Dependents = mode
		o.Swapped = func(context.Context, *pgx.Conn, pgx.Identifier) error { return errors.New("hook failed") }
		require.ErrorContains(t, replace(ctx, c, o, rowsFrom(5, 6)), "hook failed")
		require.Equal(t, []int64{1}, idsOf(t, c, "items_v"))

		o.Swapped = nil
		r, err := pgstage.Begin(ctx, pgstage.Direct(c), o)
		require.NoError(t, err)
		require.Error(t, r.Write(ctx, []frictionless.Row{{int64(7), "x"}, {int64(7), "y"}}), "duplicate key")
		require.NoError(t, r.Write(ctx, rowsFrom(8, 8)), "the replace stays usable after a refused write")
		require.NoError(t, r.Abort())
		require.ErrorIs(t, r.Commit(ctx), pgstage.ErrFinished)
		require.Equal(t, []int64{1}, idsOf(t, c, "items"))
		require.Empty(t, stagingTables(t, c))
	}
}

// TestReplaceSerialises: replaces of one table started together run one
// after the other (the waiting one says so) and the table ends with
// exactly one input, with and without a dependent view.
func TestReplaceSerialises(t *testing.T) {
	t.Parallel()
	for _, view := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "view"}[view], func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testutil.PostgresURL(t)
			setup := connect(t, url)
			exec(t, setup, "CREATE TABLE items (id bigint PRIMARY KEY, name text)")
			if view {
				exec(t, setup, "CREATE VIEW items_v AS SELECT id FROM items")
			}
			for range 10 {
				first, second := connect(t, url), connect(t, url)
				o := itemOptions("items")
				r1, err := pgstage.Begin(ctx, pgstage.Direct(first), o)
				require.NoError(t, err)
				require.NoError(t, r1.Write(ctx, rowsFrom(1, 100)))
				waited := make(chan struct{})
				o.Waiting = func() { close(waited) }
				done := make(chan error, 1)
				go func() { done <- replace(ctx, second, o, rowsFrom(51, 200)) }()
				select {
				case <-waited:
				case err := <-done:
					t.Fatalf("the second replace did not wait: %v", err)
				}
				require.NoError(t, r1.Commit(ctx))
				require.NoError(t, <-done)
				require.Equal(t, rowsFromIDs(51, 200), idsOf(t, setup, "items"))
			}
		})
	}
}

// rowsFromIDs lists the ids from..to.
func rowsFromIDs(from, to int64) []int64 {
	var ids []int64
	for i := from; i <= to; i++ {
		ids = append(ids, i)
	}
	return ids
}

// TestReplaceNewTableNames: a table the replace creates gets constraint
// names after itself (cut at the identifier limit on a character
// boundary), and a bad request is refused.
func TestReplaceNewTableNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connect(t, testutil.PostgresURL(t))
	long := strings.Repeat("é", 40) // 80 bytes
	o := itemOptions(long)
	o.Columns[1].Unique = true
	o.SwapTimeout = time.Second
	require.NoError(t, replace(ctx, c, o, rowsFrom(1, 3)))
	rows, err := c.Query(ctx, "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(format('%I', $1::text)) ORDER BY conname", long)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, names, 2)
	for _, n := range names {
		require.NotContains(t, n, "_dfstg_")
		require.LessOrEqual(t, len(n), 63)
		require.True(t, strings.HasPrefix(n, "éé"), n)
	}
	_, err = pgstage.Begin(ctx, pgstage.Direct(c), pgstage.Options{Table: "x"})
	require.Error(t, err)
}

// TestReplaceSerialAndUniqueKeys: a serial column's sequence and a
// composite unique key are named after the target once swapped in, the
// key is enforced, and the sequence goes on numbering the new table.
func TestReplaceSerialAndUniqueKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connect(t, testutil.PostgresURL(t))
	o := pgstage.Options{
		Table:      "keyed",
		Columns:    []pgstage.Column{{Name: "_id", Type: "serial"}, {Name: "id", Type: "bigint"}, {Name: "name", Type: "text"}},
		PrimaryKey: []string{"_id"},
		UniqueKeys: [][]string{{"id", "name"}},
		Fields:     []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}},
		Dependents: pgstage.Cascade,
	}
	for range 2 { // the second replaces a table whose names are taken
		require.NoError(t, replace(ctx, c, o, rowsFrom(1, 3)))
	}
	rows, err := c.Query(ctx, `SELECT conname FROM pg_constraint WHERE conrelid = 'keyed'::regclass
		UNION ALL SELECT relname FROM pg_class WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace ORDER BY 1`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"keyed__id_seq", "keyed_id_name_key", "keyed_pkey"}, names)
	exec(t, c, "INSERT INTO keyed (id, name) VALUES (9, 'x')")
	var id int64
	require.NoError(t, c.QueryRow(ctx, "SELECT _id FROM keyed WHERE id = 9").Scan(&id))
	require.EqualValues(t, 4, id)
	_, err = c.Exec(ctx, "INSERT INTO keyed (id, name) VALUES (9, 'x')")
	require.ErrorContains(t, err, "keyed_id_name_key")
	require.Error(t, replace(ctx, c, o, []frictionless.Row{{int64(1), "a"}, {int64(1), "a"}}), "the unique key holds in staging")
}

// primaryKeyOf names a table's primary key constraint ("" for none).
func primaryKeyOf(t *testing.T, c *pgx.Conn, table string) string {
	t.Helper()
	var name string
	err := c.QueryRow(context.Background(), "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'", table).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return ""
	}
	require.NoError(t, err)
	return name
}

// stagedKeys counts the primary keys of the staging tables c sees (in
// its transaction).
func stagedKeys(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	var n int
	require.NoError(t, c.QueryRow(context.Background(), `SELECT count(*) FROM pg_constraint p JOIN pg_class k ON k.oid = p.conrelid
		WHERE p.contype = 'p' AND k.relname LIKE '\_dfstg\_%' AND k.relnamespace = current_schema()::regnamespace`).Scan(&n))
	return n
}

// TestReplaceDeferredKey: a one-integer primary key is added once the rows
// are in, yet a Write repeating a key written before, or within itself,
// fails as PostgreSQL fails it (23505, the key in the detail) and leaves
// nothing, as does a refused Write; the load goes on and the table has its
// key, named after it.
// Keys spread wider than the bitmap holds, and keys that are not int64,
// add the key at once and are checked by PostgreSQL from then on.
func TestReplaceDeferredKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	watch, c, pid := loaderAndWatch(t)
	r, err := pgstage.Begin(ctx, pgstage.Direct(c), itemOptions("deferred"))
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 100)))
	for _, rows := range [][]frictionless.Row{rowsFrom(100, 101), append(rowsFrom(200, 201), frictionless.Row{int64(200), "again"})} {
		err = r.Write(ctx, rows)
		var pe *pgconn.PgError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "23505", pe.Code)
		require.Contains(t, pe.Detail, "Key (id)=(")
	}
	require.NoError(t, r.Write(ctx, rowsFrom(101, 200)), "the refused Writes recorded no key")
	require.Error(t, r.Write(ctx, []frictionless.Row{{int64(300), "a NUL\x00"}}), "the row is refused")
	require.NoError(t, r.Write(ctx, rowsFrom(300, 300)), "a refused Write recorded no key either")
	// Adding the key would end the COPY the replace keeps open (longcopy.go).
	waitProgress(t, watch, pid, 201)
	require.Error(t, r.Write(ctx, []frictionless.Row{{nil, "no id"}}), "a NULL key adds the key, which refuses it")
	require.Equal(t, 1, stagedKeys(t, c))
	require.NoError(t, r.Commit(ctx))
	require.Equal(t, append(rowsFromIDs(1, 200), 300), idsOf(t, c, "deferred"))
	require.Equal(t, "deferred_pkey", primaryKeyOf(t, c, "deferred"))

	for name, spread := range map[string]int{"sparse keys": 1100, "an int key": 0} {
		r, err := pgstage.Begin(ctx, pgstage.Direct(c), itemOptions("deferred"))
		require.NoError(t, err)
		for i := range spread {
			require.NoError(t, r.Write(ctx, []frictionless.Row{{int64(i+10) << 20, "spread"}}), name)
		}
		require.NoError(t, r.Write(ctx, []frictionless.Row{{int64(1), "a"}, {int(2), "b"}}), name)
		require.Equal(t, 1, stagedKeys(t, c), "%s: the key is added at once", name)
		err = r.Write(ctx, []frictionless.Row{{int64(2), "again"}})
		var pe *pgconn.PgError
		require.ErrorAs(t, err, &pe, name)
		require.Equal(t, "23505", pe.Code, name)
		require.NoError(t, r.Commit(ctx), name)
		require.Equal(t, "deferred_pkey", primaryKeyOf(t, c, "deferred"), name)
		require.Len(t, idsOf(t, c, "deferred"), spread+2, name)
	}
	require.Empty(t, stagingTables(t, c))
}

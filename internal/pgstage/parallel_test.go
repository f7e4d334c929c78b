package pgstage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// parallelOptions stages an unkeyed (id bigint, name text NOT NULL) table
// over two extra connections.
func parallelOptions(t *testing.T, url, table string) pgstage.Options {
	o := itemOptions(table)
	o.PrimaryKey = nil
	o.Columns[1].NotNull = true
	o.StalePrefix = "_dfstg_" + table + "_"
	o.Staging = o.StalePrefix + "x"
	o.Streams = []pgstage.Session{pgstage.Direct(connect(t, url)), pgstage.Direct(connect(t, url))}
	return o
}

// TestReplaceParallel: writes COPYed over three connections land whole; a
// write one run of which fails leaves nothing of itself and the replace
// goes on; rows in = rows in the table.
func TestReplaceParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	exec(t, c, "CREATE TABLE items (id bigint, name text)", "INSERT INTO items VALUES (1, 'a')", "CREATE VIEW items_v AS SELECT id FROM items")
	o := parallelOptions(t, url, "items")
	r, err := pgstage.Begin(ctx, pgstage.Direct(c), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 5000)))
	bad := rowsFrom(5001, 9000)
	bad[3500][1] = nil // in the last run
	require.ErrorContains(t, r.Write(ctx, bad), "null value")
	require.NoError(t, r.Write(ctx, rowsFrom(9001, 12000)))
	require.NoError(t, r.Write(ctx, rowsFrom(12001, 12010)), "a small write goes on one stream")
	require.NoError(t, r.Commit(ctx))
	var n, lo, hi, distinct int64
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*), min(id), max(id), count(DISTINCT id) FROM items_v WHERE id NOT BETWEEN 5001 AND 9000").Scan(&n, &lo, &hi, &distinct))
	require.Equal(t, []int64{8010, 1, 12010, 8010}, []int64{n, lo, hi, distinct})
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*) FROM items WHERE id BETWEEN 5001 AND 9000").Scan(&n))
	require.Zero(t, n)
	require.Empty(t, stagingTables(t, c))
}

// TestReplaceParallelFailures: an Abort after parallel writes, and a swap
// that fails, drop the staging table (created outside the transaction)
// and leave the target as it was; a staging table left by a killed load is
// dropped by the next replace.
func TestReplaceParallelFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	exec(t, c, "CREATE TABLE items (id bigint, name text)", "INSERT INTO items VALUES (1, 'a')")
	o := parallelOptions(t, url, "items")
	r, err := pgstage.Begin(ctx, pgstage.Direct(c), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 5000)))
	require.NotEmpty(t, stagingTables(t, connect(t, url)), "the staging table is committed: the streams see it")
	require.NoError(t, r.Abort())
	require.Empty(t, stagingTables(t, c))
	require.Equal(t, []int64{1}, idsOf(t, c, "items"))

	o.Swapped = func(context.Context, *pgx.Conn, pgx.Identifier) error { return errors.New("hook failed") }
	require.ErrorContains(t, replace(ctx, c, o, rowsFrom(1, 5000)), "hook failed")
	require.Empty(t, stagingTables(t, c))
	require.Equal(t, []int64{1}, idsOf(t, c, "items"))

	exec(t, c, "CREATE TABLE "+o.StalePrefix+"killed (x int)")
	o.Swapped = nil
	require.NoError(t, replace(ctx, c, o, rowsFrom(1, 3000)))
	require.Empty(t, stagingTables(t, c))
	require.Equal(t, rowsFromIDs(1, 3000), idsOf(t, c, "items"))
}

// TestReplaceParallelKeyed: a table keyed on id takes parallel streams,
// its rows dealt by key: a key repeated in a later write, large or small,
// fails that write at once (a stream waiting for another's transaction
// would hang it until the deadline) and the replace goes on; the rows come
// from several transactions.
func TestReplaceParallelKeyed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := testutil.PostgresURL(t)
	c := connect(t, url)
	exec(t, c, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')")
	o := parallelOptions(t, url, "items")
	o.PrimaryKey = []string{"id"}
	require.True(t, pgstage.CanStream(&o))
	r, err := pgstage.Begin(ctx, pgstage.Direct(c), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 5000)))
	again := rowsFrom(5001, 9000)
	again[2000] = frictionless.Row{int64(10), "again"}
	require.ErrorContains(t, r.Write(ctx, again), "duplicate key")
	require.ErrorContains(t, r.Write(ctx, rowsFrom(3, 4)), "duplicate key", "a small write is dealt by key too")
	require.NoError(t, r.Write(ctx, rowsFrom(5001, 9000)))
	require.NoError(t, r.Write(ctx, rowsFrom(9001, 9010)))
	require.NoError(t, r.Commit(ctx))
	var n, distinct, xmins int64
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*), count(DISTINCT id), count(DISTINCT xmin::text) FROM items").Scan(&n, &distinct, &xmins))
	require.Equal(t, []int64{9010, 9010}, []int64{n, distinct})
	require.Greater(t, xmins, int64(1), "the rows were written by several streams")
	require.Empty(t, stagingTables(t, c))
}

// TestCanStream: a table with two unique keys, or a key whose values do
// not hash as PostgreSQL compares them, loads on one stream.
func TestCanStream(t *testing.T) {
	t.Parallel()
	o := itemOptions("items")
	o.StalePrefix, o.Staging = "_dfstg_items_", "_dfstg_items_x"
	require.True(t, pgstage.CanStream(&o))
	two := o
	two.UniqueKeys = [][]string{{"name"}}
	require.False(t, pgstage.CanStream(&two))
	num := o
	num.Columns = []pgstage.Column{{Name: "id", Type: "numeric"}, o.Columns[1]}
	num.Fields = []frictionless.Field{{Name: "id", Type: frictionless.TypeNumber}, o.Fields[1]}
	require.False(t, pgstage.CanStream(&num))
	stale := o
	stale.StalePrefix = ""
	require.False(t, pgstage.CanStream(&stale))
}

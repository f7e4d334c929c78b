package pgstage_test

import (
	"context"
	"errors"
	"testing"

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

package pgstage_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// backendPID is the server process of c.
func backendPID(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	var pid int
	require.NoError(t, c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid))
	return pid
}

// copyProgress is the rows COPY has processed so far on session pid, -1
// when the session runs no COPY (pg_stat_progress_copy).
func copyProgress(t *testing.T, c *pgx.Conn, pid int) int64 {
	t.Helper()
	var n int64
	err := c.QueryRow(context.Background(), "SELECT coalesce(max(tuples_processed), -1) FROM pg_stat_progress_copy WHERE pid = $1", pid).Scan(&n)
	require.NoError(t, err)
	return n
}

// waitProgress waits until session pid's COPY has processed want rows
// (-1: until it runs none).
func waitProgress(t *testing.T, c *pgx.Conn, pid int, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for copyProgress(t, c, pid) != want {
		if time.Now().After(deadline) {
			t.Fatalf("session %d: COPY progress %d, want %d", pid, copyProgress(t, c, pid), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// loaderAndWatch connects twice to a fresh schema: loader runs the
// replace, watch looks at it; pid is loader's server process.
func loaderAndWatch(t *testing.T) (watch, loader *pgx.Conn, pid int) {
	t.Helper()
	url := testutil.PostgresURL(t)
	watch, loader = connect(t, url), connect(t, url)
	return watch, loader, backendPID(t, loader)
}

// TestReplaceOneCopy: a replace whose staging table cannot refuse what a
// Write checks keeps one COPY open across its Writes (the server shows it
// in progress between them, its row count growing); one whose staging
// table can refuse more (a varchar(10) column) COPYs per Write, none in
// progress between Writes, and the server's refusal fails only its Write.
func TestReplaceOneCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	watch, loader, pid := loaderAndWatch(t)

	r, err := pgstage.Begin(ctx, pgstage.Direct(loader), itemOptions("items"))
	require.NoError(t, err)
	require.False(t, r.Streaming(), "decided at the first Write")
	require.NoError(t, r.Write(ctx, rowsFrom(1, 1000)))
	require.True(t, r.Streaming())
	waitProgress(t, watch, pid, 1000)
	require.NoError(t, r.Write(ctx, rowsFrom(1001, 3000)))
	waitProgress(t, watch, pid, 3000)
	require.NoError(t, r.Commit(ctx))
	require.Equal(t, rowsFromIDs(1, 3000), idsOf(t, watch, "items"))
	require.Equal(t, "items_pkey", primaryKeyOf(t, watch, "items"))

	o := itemOptions("short")
	o.Columns[1].Type = "varchar(10)"
	r, err = pgstage.Begin(ctx, pgstage.Direct(loader), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 1000)))
	require.Equal(t, int64(-1), copyProgress(t, watch, pid), "a COPY per Write")
	require.False(t, r.Streaming())
	err = r.Write(ctx, []frictionless.Row{{int64(1001), "a name longer than ten"}})
	var pe *pgconn.PgError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "22001", pe.Code)
	require.NoError(t, r.Write(ctx, rowsFrom(1002, 1100)))
	require.NoError(t, r.Commit(ctx))
	require.Len(t, idsOf(t, watch, "short"), 1099)
}

// TestReplaceOneCopyRefusals: with one COPY open, a Write carrying a
// repeated key, a NULL in a NOT NULL column, a NUL byte or invalid UTF-8
// fails before anything of it is sent, with the error PostgreSQL gives
// (or a *driver.ValueError), and the load goes on in the same COPY.
func TestReplaceOneCopyRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	watch, loader, pid := loaderAndWatch(t)
	o := itemOptions("items")
	o.Columns[1].NotNull = true
	r, err := pgstage.Begin(ctx, pgstage.Direct(loader), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 100)))

	var pe *pgconn.PgError
	err = r.Write(ctx, append(rowsFrom(101, 110), frictionless.Row{int64(5), "again"}))
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "23505", pe.Code)
	err = r.Write(ctx, append(rowsFrom(101, 110), frictionless.Row{int64(111), nil}))
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "23502", pe.Code)
	require.Equal(t, "name", pe.ColumnName)
	var ve *driver.ValueError
	for _, bad := range []string{"nul\x00byte", "bad \xff utf-8"} {
		err = r.Write(ctx, append(rowsFrom(101, 110), frictionless.Row{int64(111), bad}))
		require.ErrorAs(t, err, &ve, "%q", bad)
		require.Equal(t, "name", ve.Field)
	}
	require.NoError(t, r.Write(ctx, rowsFrom(101, 120)), "the refused Writes' keys were forgotten")
	waitProgress(t, watch, pid, 120)
	require.NoError(t, r.Commit(ctx))
	require.Equal(t, rowsFromIDs(1, 120), idsOf(t, watch, "items"))
}

// copyOpen starts a replace of an existing items table (one row, id 7)
// and writes 100 rows into its open COPY; watch is a second connection.
func copyOpen(t *testing.T, ctx context.Context) (watch, loader *pgx.Conn, pid int, r *pgstage.Replace) {
	t.Helper()
	watch, loader, pid = loaderAndWatch(t)
	exec(t, watch, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (7, 'old')")
	r, err := pgstage.Begin(ctx, pgstage.Direct(loader), itemOptions("items"))
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, rowsFrom(1, 100)))
	waitProgress(t, watch, pid, 100)
	return watch, loader, pid, r
}

// TestReplaceOneCopyFails: when the server ends the open COPY (here a
// cancelled statement), the next Write or the Commit fails with a
// *pgstage.StreamError, and after Abort the target is as it was and no
// staging table is left.
func TestReplaceOneCopyFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	watch, loader, pid, r := copyOpen(t, ctx)
	exec(t, watch, "SELECT pg_cancel_backend("+strconv.Itoa(pid)+")")
	// A backend waiting for COPY data sees the cancel when data comes.
	var err error
	for i := int64(0); i < 100 && err == nil; i++ {
		err = r.Write(ctx, rowsFrom(101+i, 101+i))
		time.Sleep(time.Millisecond)
	}
	if err == nil {
		err = r.Commit(ctx)
	}
	var se *pgstage.StreamError
	require.ErrorAs(t, err, &se)
	var pe *pgconn.PgError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "57014", pe.Code)
	require.NoError(t, r.Abort())
	require.Equal(t, []int64{7}, idsOf(t, watch, "items"))
	require.Empty(t, stagingTables(t, watch))
	exec(t, loader, "SELECT 1") // the connection is usable again
}

// TestReplaceOneCopyAborts: Abort with the COPY open ends it and rolls
// back, also when the load's context was cancelled, and returns promptly.
func TestReplaceOneCopyAborts(t *testing.T) {
	t.Parallel()
	for _, cancelFirst := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		watch, loader, _, r := copyOpen(t, ctx)
		if cancelFirst {
			cancel()
		}
		aborted := make(chan error, 1)
		go func() { aborted <- r.Abort() }()
		select {
		case err := <-aborted:
			require.NoError(t, err)
		case <-time.After(20 * time.Second):
			t.Fatal("Abort hung on the open COPY")
		}
		cancel()
		require.Equal(t, []int64{7}, idsOf(t, watch, "items"))
		require.Empty(t, stagingTables(t, watch))
		if !cancelFirst {
			exec(t, loader, "SELECT 1")
		}
		err := r.Write(context.Background(), rowsFrom(1, 1))
		require.True(t, errors.Is(err, pgstage.ErrFinished), "%v", err)
	}
}

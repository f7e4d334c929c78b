package pgstage_test

import (
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestReplaceAnalyzesBeforeLocking: a replace that renames its staging table
// in (no dependents, plain views kept, dependents dropped with Cascade)
// ANALYZEs it before it asks for the target's ACCESS EXCLUSIVE lock, so a
// reader of the target never waits for ANALYZE; the swapped-in table has
// the statistics. A reader's open transaction holds the target while the
// replace waits for it: by then a table the replace created (one it holds
// in ACCESS EXCLUSIVE mode) must count an ANALYZE in the cumulative
// statistics, which ANALYZE reports at once, whether its transaction has
// committed or not.
func TestReplaceAnalyzesBeforeLocking(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		view bool
		deps pgstage.Dependents
	}{{"plain", false, pgstage.Keep}, {"view", true, pgstage.Keep}, {"cascade", true, pgstage.Cascade}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testutil.PostgresURL(t)
			setup, reader, loader := connect(t, url), connect(t, url), connect(t, url)
			exec(t, setup, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'a')")
			if tc.view {
				exec(t, setup, "CREATE VIEW items_v AS SELECT id FROM items")
			}
			exec(t, reader, "BEGIN", "SELECT count(*) FROM items")
			var pid int
			require.NoError(t, loader.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
			o := itemOptions("items")
			o.Dependents = tc.deps
			if tc.deps == pgstage.Cascade {
				o.Swapped = func(ctx context.Context, conn *pgx.Conn, target pgx.Identifier) error {
					_, err := conn.Exec(ctx, "CREATE VIEW items_v AS SELECT id FROM "+target.Sanitize())
					return err
				}
			}
			done := make(chan error, 1)
			go func() { done <- replace(ctx, loader, o, rowsFrom(1, 500)) }()
			waitForLockWait(t, setup, pid, done)
			var analyzed bool
			require.NoError(t, setup.QueryRow(ctx, `SELECT coalesce(bool_or(pg_stat_get_analyze_count(relation) > 0), false)
				FROM pg_locks WHERE pid = $1 AND granted AND locktype = 'relation' AND mode = 'AccessExclusiveLock'
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, pid).Scan(&analyzed))
			exec(t, reader, "COMMIT")
			require.NoError(t, <-done)
			require.True(t, analyzed, "the replace waited for the target's lock before it analysed the staging table")
			var stats int
			require.NoError(t, setup.QueryRow(ctx, `SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'items'`).Scan(&stats))
			require.Equal(t, 2, stats, "a statistics row per column of the swapped-in table")
			require.Len(t, idsOf(t, setup, "items"), 500)
			if tc.view {
				require.Len(t, idsOf(t, setup, "items_v"), 500)
			}
		})
	}
}

// waitForLockWait waits until session pid waits for a lock; done
// returning first fails the test.
func waitForLockWait(t *testing.T, c *pgx.Conn, pid int, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var waiting bool
		require.NoError(t, c.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted)", pid).Scan(&waiting))
		if waiting {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("the replace ended without waiting for the reader's lock: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatal("the replace never waited for the reader's lock")
}

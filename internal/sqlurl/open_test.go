package sqlurl_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/internal/sqlurl"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T, raw string, o *sqlurl.Options) *sqlurl.URL {
	t.Helper()
	u, err := sqlurl.Parse(raw)
	require.NoError(t, err)
	return u
}

// TestOpenSQLitePragmas: a SQLite file opens in WAL mode with the busy
// timeout, foreign keys and NORMAL sync on every connection; memory has
// one connection and no WAL.
func TestOpenSQLitePragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := open(t, "sqlite://"+filepath.Join(t.TempDir(), "a.db"), nil)
	db, err := sqlurl.Open(ctx, file, &sqlurl.Options{BusyTimeout: 3 * time.Second, MaxOpenConns: 4})
	require.NoError(t, err)
	defer db.Close()
	var mode string
	require.NoError(t, db.GetContext(ctx, &mode, "PRAGMA journal_mode"))
	require.Equal(t, "wal", mode)
	var n int
	require.NoError(t, db.GetContext(ctx, &n, "PRAGMA busy_timeout"))
	require.Equal(t, 3000, n)
	require.NoError(t, db.GetContext(ctx, &n, "PRAGMA foreign_keys"))
	require.Equal(t, 1, n)
	require.NoError(t, db.GetContext(ctx, &n, "PRAGMA synchronous"))
	require.Equal(t, 1, n, "NORMAL")
	require.Equal(t, 4, db.Stats().MaxOpenConnections)

	mem := open(t, "sqlite::memory:", nil)
	mdb, err := sqlurl.Open(ctx, mem, &sqlurl.Options{MaxOpenConns: 8})
	require.NoError(t, err)
	defer mdb.Close()
	require.NoError(t, mdb.GetContext(ctx, &mode, "PRAGMA journal_mode"))
	require.Equal(t, "memory", mode)
	require.Equal(t, 1, mdb.Stats().MaxOpenConnections)
}

// TestOpenSQLiteUserPragmaWins: a _pragma in the URL comes after ours.
func TestOpenSQLiteUserPragmaWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := open(t, "sqlite:"+filepath.Join(t.TempDir(), "b.db")+"?_pragma=busy_timeout(1234)", nil)
	db, err := sqlurl.Open(ctx, u, nil)
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.GetContext(ctx, &n, "PRAGMA busy_timeout"))
	require.Equal(t, 1234, n)
}

// TestOpenServers: PostgreSQL and MySQL open from their URLs; MySQL with
// UTC, strict mode and parsed times.
func TestOpenServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, err := sqlurl.Open(ctx, open(t, testutil.PostgresURL(t), nil), nil)
		require.NoError(t, err)
		defer db.Close()
		require.Equal(t, "pgx", db.DriverName())
		require.NoError(t, db.PingContext(ctx))
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		db, err := sqlurl.Open(ctx, open(t, testutil.MySQLURL(t), nil), nil)
		require.NoError(t, err)
		defer db.Close()
		var tz, mode string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT @@session.time_zone, @@session.sql_mode").Scan(&tz, &mode))
		require.Equal(t, "+00:00", tz)
		require.Contains(t, mode, "STRICT_ALL_TABLES")
		var now time.Time
		require.NoError(t, db.GetContext(ctx, &now, "SELECT NOW()"))
		require.Equal(t, time.UTC, now.Location())
	})
}

// TestOpenErrorsHidePassword: a refused connection names the redacted URL
// and never the password.
func TestOpenErrorsHidePassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"postgres://root:hunter2@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
		"mysql://root:hunter2@127.0.0.1:1/test?timeout=2s",
		"sqlite:///nonexistent-dir-for-sure/x.db",
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := sqlurl.Open(ctx, open(t, raw, nil), nil)
			require.Error(t, err)
			require.Nil(t, db)
			require.NotContains(t, err.Error(), "hunter2")
			require.Contains(t, err.Error(), "connect to "+strings.Replace(raw, "hunter2", "xxxxx", 1))
		})
	}
}

// TestOpenSQLiteTogether: processes opening one new SQLite file at once
// (a worker and a run sharing a status file) all connect. Switching a new
// file to WAL upgrades a shared lock to an exclusive one; two connections
// doing it together deadlock, and SQLite answers one of them SQLITE_BUSY at
// once, without waiting for the busy timeout.
func TestOpenSQLiteTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for trial := range 20 {
		u := open(t, "sqlite://"+filepath.Join(t.TempDir(), "shared.db"), nil)
		const openers = 6
		errs := make(chan error, openers)
		for range openers {
			go func() {
				db, err := sqlurl.Open(ctx, u, nil)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		var failed []error
		for range openers {
			if err := <-errs; err != nil {
				failed = append(failed, err)
			}
		}
		require.Empty(t, failed, "trial %d", trial)
	}
}

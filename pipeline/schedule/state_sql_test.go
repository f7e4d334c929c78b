package schedule_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status/sqlstatus"
)

// TestSQLStateStore keeps trigger state in the status database (SQLite,
// PostgreSQL, MariaDB) and runs the cron catch-up across a restart on it.
func TestSQLStateStore(t *testing.T) {
	t.Parallel()
	dbs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/status.db" },
		"postgres": func(t *testing.T) string { return testutil.PostgresURL(t) },
		"mysql":    func(t *testing.T) string { return testutil.MySQLURL(t) },
	}
	for name, dsn := range dbs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := sqlstatus.Open(ctx, dsn(t), nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			db, err := sqlstatus.DB(st)
			require.NoError(t, err)
			store, err := schedule.NewSQLStateStore(ctx, db)
			require.NoError(t, err)
			_, err = schedule.NewSQLStateStore(ctx, db) // idempotent
			require.NoError(t, err)

			v, err := store.Get(ctx, "cron/x")
			require.NoError(t, err)
			require.Nil(t, v)
			require.NoError(t, store.Put(ctx, "cron/x", []byte(`{"a":1}`)))
			require.NoError(t, store.Put(ctx, "cron/x", []byte(`{"a":2}`)))
			v, err = store.Get(ctx, "cron/x")
			require.NoError(t, err)
			require.JSONEq(t, `{"a":2}`, string(v))

			testCronCatchupAcrossRestart(t, store)
		})
	}
}

func TestSQLStateStoreUnsupportedDriver(t *testing.T) {
	t.Parallel()
	_, err := schedule.NewSQLStateStore(context.Background(), sqlxOpenNoop(t))
	require.ErrorContains(t, err, "unsupported driver")
}

func sqlxOpenNoop(t *testing.T) *sqlx.DB {
	t.Helper()
	return sqlx.NewDb(nil, "oracle")
}

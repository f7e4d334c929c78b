package sqlstatus_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statustest"
	"github.com/stretchr/testify/require"
)

// backends name a fresh database URL per test.
var backends = []struct {
	name string
	url  func(t testing.TB) string
}{
	{"SQLiteFile", func(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), "status.db") }},
	{"SQLiteMemory", func(testing.TB) string { return "sqlite::memory:" }},
	{"Postgres", func(t testing.TB) string { return testutil.PostgresURL(t) }},
	{"MySQL", testutil.MySQLURL},
}

func open(t testing.TB, rawURL string, now func() time.Time) *status.Store {
	t.Helper()
	s, err := sqlstatus.Open(context.Background(), rawURL, &sqlstatus.Options{Now: now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			statustest.RunConformanceTests(t, func(t *testing.T, now func() time.Time) *status.Store {
				return open(t, be.url(t), now)
			})
		})
	}
}

// TestConcurrentOpen opens the same new database from several goroutines
// at once (each with its own pool, as separate processes would): every
// open succeeds, the migrations are applied once, and reopening is a no-op.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	for _, be := range []struct {
		name string
		url  func(t testing.TB) string
	}{backends[0], backends[2], backends[3]} {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			u := be.url(t)
			const openers = 6
			stores := make([]*status.Store, openers)
			errs := make([]error, openers)
			var wg sync.WaitGroup
			for i := range openers {
				wg.Go(func() {
					stores[i], errs[i] = sqlstatus.Open(context.Background(), u, nil)
				})
			}
			wg.Wait()
			for i := range openers {
				require.NoError(t, errs[i])
				t.Cleanup(func() { _ = stores[i].Close() })
			}
			ctx := context.Background()
			_, err := stores[0].StartTrace(ctx, status.Event{TraceID: "shared"})
			require.NoError(t, err)
			_, err = stores[openers-1].AddEvent(ctx, status.Event{TraceID: "shared"})
			require.NoError(t, err)
			db, err := sqlstatus.DB(stores[1])
			require.NoError(t, err)
			var versions int
			require.NoError(t, db.GetContext(ctx, &versions, "SELECT COUNT(*) FROM status_schema_migrations"))
			files, err := os.ReadDir(filepath.Join("migrations", "sqlite"))
			require.NoError(t, err)
			require.Equal(t, len(files), versions)
			again := open(t, u, nil)
			evs, err := again.Events(ctx, "shared")
			require.NoError(t, err)
			require.Len(t, evs, 2)
		})
	}
}

// TestManyWriters is the acceptance test: 64 goroutines × 500 events into
// one trace; every event stored exactly once.
func TestManyWriters(t *testing.T) {
	t.Parallel()
	for _, be := range []struct {
		name string
		url  func(t testing.TB) string
	}{backends[0], backends[2]} {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, be.url(t), nil)
			statustest.RequireConcurrentEvents(t, s, "many", 64, 500)
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, want string
	}{
		{"unknown scheme", "oracle://scott:tiger@db/x", "unsupported URL scheme"},
		{"sqlite without path", "sqlite://", "no path"},
		{"mysql without database", "mysql://root:secret@127.0.0.1:1/", "one database"},
		{"unreachable postgres", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1", "connect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := sqlstatus.Open(context.Background(), tc.url, nil)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), "secret")
			require.NotContains(t, err.Error(), "hunter2")
			require.NotContains(t, err.Error(), "tiger")
		})
	}
}

// TestCloseWhileWriting closes a store while writers are adding events:
// every call returns (stored, or an error), none hangs.
func TestCloseWhileWriting(t *testing.T) {
	t.Parallel()
	s, err := sqlstatus.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"), nil)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.StartTrace(ctx, status.Event{TraceID: "c"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 200 {
				if _, err := s.AddEvent(ctx, status.Event{TraceID: "c"}); err != nil {
					require.ErrorIs(t, err, status.ErrClosed)
					return
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, s.Close())
	wg.Wait()
}

// TestSchemaTooNew: a database migrated by a newer program is refused.
func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		if be.name == "SQLiteMemory" {
			continue
		}
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			u := be.url(t)
			s := open(t, u, nil)
			db, err := sqlstatus.DB(s)
			require.NoError(t, err)
			_, err = db.ExecContext(context.Background(), db.Rebind("INSERT INTO status_schema_migrations (version, name) VALUES (?, ?)"), 9999, "9999_future.sql")
			require.NoError(t, err)
			_, err = sqlstatus.Open(context.Background(), u, nil)
			require.ErrorIs(t, err, sqlstatus.ErrSchemaTooNew)
			require.ErrorContains(t, err, "9999")
		})
	}
}

// TestTx: the …Tx methods write inside the caller's transaction, so a
// rollback leaves nothing and a commit keeps everything.
func TestTx(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, be.url(t), nil)
			db, err := sqlstatus.DB(s)
			require.NoError(t, err)
			ctx := context.Background()
			write := func(commit bool) {
				tx, err := db.BeginTxx(ctx, nil)
				require.NoError(t, err)
				_, err = s.StartTraceTx(ctx, tx, status.Event{TraceID: "tx"})
				require.NoError(t, err)
				_, err = s.AddEventTx(ctx, tx, status.Event{TraceID: "tx", TraceStatus: status.TraceFinished})
				require.NoError(t, err)
				_, err = s.CreateJobTx(ctx, tx, status.Job{ID: "job", Type: status.JobLoad, FactoryID: "tx"})
				require.NoError(t, err)
				_, err = s.TransitionTx(ctx, tx, "job", status.JobRunning, nil)
				require.NoError(t, err)
				_, err = s.TransitionTx(ctx, tx, "job", status.JobRunning, nil)
				require.ErrorIs(t, err, status.ErrIllegalTransition)
				if commit {
					require.NoError(t, tx.Commit())
				} else {
					require.NoError(t, tx.Rollback())
				}
			}
			write(false)
			_, err = s.Events(ctx, "tx")
			require.ErrorIs(t, err, status.ErrNotFound)
			_, err = s.Job(ctx, "job")
			require.ErrorIs(t, err, status.ErrNotFound)

			write(true)
			sum, err := s.Summary(ctx, "tx")
			require.NoError(t, err)
			require.True(t, sum.Done)
			j, err := s.Job(ctx, "job")
			require.NoError(t, err)
			require.Equal(t, status.JobRunning, j.Status)

			_, err = s.AddEventTx(ctx, "not a tx", status.Event{TraceID: "tx"})
			require.ErrorIs(t, err, status.ErrInvalid)
			_, err = s.AddEventTx(ctx, nil, status.Event{TraceID: "tx"})
			require.ErrorIs(t, err, status.ErrInvalid)
		})
	}
}

package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// TestStatusOnDatabases runs the same pipeline, in one process and split
// task by task, with status in SQLite, PostgreSQL and MariaDB.
func TestStatusOnDatabases(t *testing.T) {
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
			b, err := storage.Open(ctx, "mem://")
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })
			backend := pipeline.NewBackend(&pipeline.BackendOptions{Storage: b, Status: st})
			p := etl(t, false)
			conf := json.RawMessage(`{"rows": 5}`)

			_, err = pipeline.Run(ctx, p, conf, &pipeline.RunOptions{RunID: "whole", Backend: backend, Dataset: "ds", Resource: "r1"})
			require.NoError(t, err)

			runID, err := pipeline.CreateRun(ctx, p, conf, &pipeline.RunOptions{RunID: "split", Backend: backend, Dataset: "ds", Resource: "r1"})
			require.NoError(t, err)
			for _, task := range p.Tasks() {
				_, err := pipeline.RunTask(ctx, p, runID, task, &pipeline.RunOptions{Backend: backend})
				require.NoError(t, err, task)
			}
			_, err = pipeline.FinishRun(ctx, p, runID, &pipeline.RunOptions{Backend: backend})
			require.NoError(t, err)

			for _, id := range []string{"whole", "split"} {
				job, err := st.Job(ctx, id)
				require.NoError(t, err)
				require.Equal(t, status.JobDone, job.Status, id)
				require.Equal(t, "ds", job.Dataset)
				require.Equal(t, "r1", job.Resource)
				events, err := st.Events(ctx, id)
				require.NoError(t, err)
				require.Len(t, events, 8, "run start, 6 task attempts (load has 2 instances), run end")
				require.Equal(t, status.TraceStarted, events[0].TraceStatus)
				require.Equal(t, status.TraceFinished, events[7].TraceStatus, "the closing event sorts last")
				require.Equal(t, "run", events[7].Operation)
				for _, ev := range events {
					require.Equal(t, "dataset", ev.Domain)
					require.Equal(t, "ds/r1", ev.DomainID)
					require.Equal(t, "ds", status.DatasetID(ev))
				}
				sum, err := st.Summary(ctx, id)
				require.NoError(t, err)
				require.True(t, sum.Done)
				require.Equal(t, status.EventOK, sum.TraceEventStatus)
			}
			jobs, err := st.ListJobs(ctx, &status.JobQuery{Dataset: "ds", Resource: "r1"})
			require.NoError(t, err)
			require.Len(t, jobs, 2)
			require.Zero(t, backend.StatusFailures())
		})
	}
}

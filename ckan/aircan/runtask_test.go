package aircan_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

// process is one orchestrator step in its own "process": a fresh
// pipeline, a fresh bucket handle on the same directory, no shared memory.
func process(t *testing.T, b *bundle) (*pipeline.Pipeline, *pipeline.RunOptions) {
	t.Helper()
	cfg := *b.cfg // what the process reads from its environment
	p, err := aircan.New(&cfg)
	require.NoError(t, err)
	bucket, err := storage.Open(context.Background(), "file://"+b.bucketDir)
	require.NoError(t, err)
	t.Cleanup(func() { bucket.Close() })
	return p, &pipeline.RunOptions{Backend: pipeline.NewBackend(&pipeline.BackendOptions{Storage: bucket})}
}

// TestTasksInSeparateProcesses runs every task through RunTask, each with
// its own pipeline instance and bucket handle sharing only the bucket, as
// "datafactory task run" does in one container per task; then runs one
// task again, as a retrying orchestrator would.
func TestTasksInSeparateProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, "")
	p, opts := process(t, b)
	runID, err := pipeline.CreateRun(ctx, p, b.conf(t, nil), opts)
	require.NoError(t, err)
	for _, task := range aircan.Tasks() {
		p, opts := process(t, b)
		ts, err := pipeline.RunTask(ctx, p, runID, task, opts)
		require.NoError(t, err, task)
		require.Equal(t, pipeline.StateSuccess, ts.State, task)
	}
	p, opts = process(t, b)
	ts, err := pipeline.RunTask(ctx, p, runID, aircan.TaskReport, opts)
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, ts.State)
	p, opts = process(t, b)
	sum, err := pipeline.FinishRun(ctx, p, runID, opts)
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)

	require.EqualValues(t, 1929, b.total(t))
	states, _ := b.updates(runID)
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, states, "the re-run report did not report again")
	require.Len(t, readRejects(t, b, runID, aircan.TaskValidate), 71)

	// a task whose upstream has not run cannot start
	p, opts = process(t, b)
	id2, err := pipeline.CreateRun(ctx, p, b.conf(t, nil), opts)
	require.NoError(t, err)
	_, err = pipeline.RunTask(ctx, p, id2, aircan.TaskLoad, opts)
	require.ErrorIs(t, err, pipeline.ErrUpstreamNotDone)
}

// TestSeparateProcessesFailure: a task failing in one process is reported
// as an error by the report task in another.
func TestSeparateProcessesFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, "")
	p, opts := process(t, b)
	runID, err := pipeline.CreateRun(ctx, p, b.conf(t, func(res, _ map[string]any) { res["path"] = "missing.csv" }), opts)
	require.NoError(t, err)
	for _, task := range aircan.Tasks() {
		p, opts := process(t, b)
		_, _ = pipeline.RunTask(ctx, p, runID, task, opts)
	}
	p, opts = process(t, b)
	sum, err := pipeline.FinishRun(ctx, p, runID, opts)
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	got, _ := sum.Task(aircan.TaskDownload)
	require.Equal(t, pipeline.StateFailed, got.State)
	got, _ = sum.Task(aircan.TaskLoad)
	require.Equal(t, pipeline.StateSkipped, got.State)
	states, calls := b.updates(runID)
	require.Equal(t, []string{ckan.StateProgress, ckan.StateError}, states)
	require.Contains(t, calls[1].ErrorMessage, "missing.csv")
}

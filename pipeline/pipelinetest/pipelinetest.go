package pipelinetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// Start is the time a Harness's clock starts at.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Harness runs pipelines on in-memory parts: a mem:// bucket, an in-memory
// SQLite status store and a FakeClock. Everything is closed when the test
// ends.
type Harness struct {
	Bucket  *storage.Bucket
	Status  *status.Store
	Clock   *FakeClock
	Backend *pipeline.Backend
}

// New returns a harness for t.
func New(t testing.TB) *Harness {
	t.Helper()
	ctx := context.Background()
	b, err := storage.Open(ctx, "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	clock := NewFakeClock(Start)
	st, err := sqlstatus.Open(ctx, "sqlite::memory:", &sqlstatus.Options{Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &Harness{Bucket: b, Status: st, Clock: clock,
		Backend: pipeline.NewBackend(&pipeline.BackendOptions{Storage: b, Status: st})}
}

// RunOptions returns run options on the harness's clock and backend, with
// the given run id ("" for a generated one).
func (h *Harness) RunOptions(runID string) *pipeline.RunOptions {
	return &pipeline.RunOptions{RunID: runID, Clock: h.Clock, Backend: h.Backend}
}

// Run runs p to its end with the harness's parts and returns its summary
// and error, as [pipeline.Run].
func (h *Harness) Run(ctx context.Context, p *pipeline.Pipeline, conf json.RawMessage, runID string) (*pipeline.Summary, error) {
	return pipeline.Run(ctx, p, conf, h.RunOptions(runID))
}

// Output reads a task's output of a run into v.
func (h *Harness) Output(ctx context.Context, p *pipeline.Pipeline, runID, task, key string, v any) error {
	return h.Backend.Output(ctx, p, runID, task, key, v)
}

// Events returns the run's status events, oldest first.
func (h *Harness) Events(ctx context.Context, runID string) ([]status.Event, error) {
	return h.Status.Events(ctx, runID)
}

// Job returns the run's status job.
func (h *Harness) Job(ctx context.Context, runID string) (status.Job, error) {
	return h.Status.Job(ctx, runID)
}

// Scheduler returns a synchronous scheduler on the harness's clock whose
// runs use the harness's backend.
func (h *Harness) Scheduler() *schedule.Scheduler {
	return schedule.New(&schedule.Options{Clock: h.Clock, Synchronous: true,
		RunOptions: func(string) *pipeline.RunOptions { return h.RunOptions("") }})
}

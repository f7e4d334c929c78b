package pipelinetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// Start is the time a Harness's clock starts at.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Harness runs pipelines on embedded parts: a mem:// bucket, an in-memory
// SQLite status store, a SQLite datastore in a temporary directory and a
// FakeClock, wired into a pipeline backend.
type Harness struct {
	// Bucket is an empty in-memory bucket (mem://).
	Bucket *storage.Bucket
	// Status is an in-memory SQLite status store on Clock.
	Status *status.Store
	// Data is a datastore on a SQLite file in a temporary directory, for
	// tasks that load or read tables.
	Data *datastore.Store
	// Clock starts at [Start] and moves only when told to (or when a
	// retry sleeps).
	Clock *FakeClock
	// Backend keeps runs' outputs and files in Bucket and their status in
	// Status.
	Backend *pipeline.Backend
	dir     string
}

// New returns a harness for t, closed when the test ends.
func New(t testing.TB) *Harness {
	t.Helper()
	h, err := Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

// Open returns a harness outside a test (an Example, a benchmark helper);
// Close it when done.
func Open(ctx context.Context) (_ *Harness, err error) {
	h := &Harness{Clock: NewFakeClock(Start)}
	defer func() {
		if err != nil {
			_ = h.Close()
		}
	}()
	if h.dir, err = os.MkdirTemp("", "pipelinetest-"); err != nil {
		return nil, fmt.Errorf("pipelinetest: %w", err)
	}
	if h.Bucket, err = storage.Open(ctx, "mem://"); err != nil {
		return nil, fmt.Errorf("pipelinetest: %w", err)
	}
	if h.Status, err = sqlstatus.Open(ctx, "sqlite::memory:", &sqlstatus.Options{Now: h.Clock.Now}); err != nil {
		return nil, fmt.Errorf("pipelinetest: %w", err)
	}
	if h.Data, err = sqlstore.Open(ctx, "sqlite://"+filepath.Join(h.dir, "data.db"), nil); err != nil {
		return nil, fmt.Errorf("pipelinetest: %w", err)
	}
	h.Backend = pipeline.NewBackend(&pipeline.BackendOptions{Storage: h.Bucket, Status: h.Status})
	return h, nil
}

// Close closes the harness's stores and removes its temporary directory.
func (h *Harness) Close() error {
	var errs []error
	if h.Data != nil {
		errs = append(errs, h.Data.Close())
	}
	if h.Status != nil {
		errs = append(errs, h.Status.Close())
	}
	if h.Bucket != nil {
		errs = append(errs, h.Bucket.Close())
	}
	if h.dir != "" {
		errs = append(errs, os.RemoveAll(h.dir))
	}
	h.Data, h.Status, h.Bucket, h.dir = nil, nil, nil, ""
	return errors.Join(errs...)
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

// RunAlone runs task in isolation, as the only task (named name) of a
// pipeline of the same name, with conf and the harness's parts. The
// summary gives its state, attempts and outputs ([pipeline.Summary.Output]).
func (h *Harness) RunAlone(ctx context.Context, name string, task pipeline.Task, conf json.RawMessage) (*pipeline.Summary, error) {
	p, err := pipeline.NewBuilder(name).Add(name, task, nil).Build()
	if err != nil {
		return nil, err
	}
	return h.Run(ctx, p, conf, "")
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

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// ErrNoStorage is returned by [CreateRun], [RunTask] and [FinishRun] when
// the backend has no storage: a run split over processes keeps its conf and
// task states there.
var ErrNoStorage = errors.New("backend has no storage")

// BackendOptions configure a [Backend]. nil means defaults.
type BackendOptions struct {
	// Storage keeps each run under "<pipeline>/<run id>/": the run record
	// and task states in "_run/", each task's files in "<task>/" and its
	// outputs in "<task>/outputs/<key>.json". Default none: outputs stay in
	// memory and RunTask is unavailable.
	Storage *storage.Bucket
	// Status records each run as a trace (trace_id = run id) and a job
	// (id = run id), and each task attempt as an event. Default none.
	Status *status.Store
	// JobType is the type of the runs' jobs. Default "PIPELINE".
	JobType status.JobType
	// HeartbeatInterval is how often a running run's job heartbeats.
	// Default status.DefaultHeartbeatInterval.
	HeartbeatInterval time.Duration
	// StatusWriters is the number of goroutines per run writing task events
	// to status, so tasks never wait for the status database; events are
	// ordered by their start time, not by when they were written. A run's
	// last event is written after all others. Default 32 (the SQL status store groups concurrent writes into one INSERT).
	StatusWriters int
	// Logger receives warnings about failed status writes (which never fail
	// a run). Default discards.
	Logger *slog.Logger
}

// Backend connects runs to storage (task directories, outputs, run
// records) and to status (traces, events, jobs). Build one with
// [NewBackend] and share it between runs; it is safe for concurrent use.
type Backend struct {
	o        BackendOptions
	failures atomic.Int64
}

// NewBackend returns a backend. It does not own the bucket or the store:
// close them yourself.
func NewBackend(opts *BackendOptions) *Backend {
	var o BackendOptions
	if opts != nil {
		o = *opts
	}
	if o.JobType == "" {
		o.JobType = "PIPELINE"
	}
	if o.StatusWriters <= 0 {
		o.StatusWriters = 32
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = status.DefaultHeartbeatInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Backend{o: o}
}

// StatusFailures returns how many status writes failed (each was logged).
func (b *Backend) StatusFailures() int64 { return b.failures.Load() }

// runDir returns the storage directory of a run, nil without storage.
func (b *Backend) runDir(p *Pipeline, runID string) *storage.Run {
	if b == nil || b.o.Storage == nil {
		return nil
	}
	return b.o.Storage.Run(p.name, runID)
}

// attach wires the backend into a run: storage outputs and the status
// recorder. split is true for runs driven task by task (RunTask).
func (b *Backend) attach(r *runState, split bool) error {
	if dir := b.runDir(r.p, r.runID); dir != nil {
		if err := dir.Err(); err != nil {
			return fmt.Errorf("run %s: %w", r.runID, err)
		}
		r.dir = dir
		r.outputs = &storageOutputs{run: dir}
	}
	if b.o.Status != nil {
		r.rec = newStatusRecorder(b, r, split)
	}
	return nil
}

// warn logs and counts a failed status write.
func (b *Backend) warn(ctx context.Context, msg string, r *runState, err error) {
	b.failures.Add(1)
	b.o.Logger.WarnContext(ctx, msg, slog.String(LogKeyPipeline, r.p.name), slog.String(LogKeyRunID, r.runID), slog.Any("error", err))
}

// storageOutputs keeps outputs in the run's storage.
type storageOutputs struct{ run *storage.Run }

func (o *storageOutputs) put(ctx context.Context, task, name string, data []byte) error {
	_, err := o.run.Task(task).Put(ctx, name, bytesReader(data), &storage.WriteOptions{ContentType: "application/json"})
	return err
}

func (o *storageOutputs) get(ctx context.Context, task, name string) ([]byte, error) {
	k, err := o.run.Task(task).Key(name)
	if err != nil {
		return nil, err
	}
	data, err := o.run.Bucket().ReadAll(ctx, k)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoOutput
	}
	return data, err
}

// Output reads output key of a task of a finished (or running) run from
// storage into v; it matches [ErrNoOutput] when the task did not set it (or
// fans out: see [Backend.InstanceOutput]) and [ErrNoStorage] when the
// backend has no storage ([Summary.Output] reads the outputs of a run
// without storage).
func (b *Backend) Output(ctx context.Context, p *Pipeline, runID, task, key string, v any) error {
	return b.InstanceOutput(ctx, p, runID, task, -1, key, v)
}

// InstanceOutput reads output key of one instance of a fan-out task of a
// run from storage into v, as [Backend.Output] does for a task with one
// instance (instance -1 means that).
func (b *Backend) InstanceOutput(ctx context.Context, p *Pipeline, runID, task string, instance int, key string, v any) error {
	dir := b.runDir(p, runID)
	if dir == nil {
		return fmt.Errorf("output %s/%s: %w", task, key, ErrNoStorage)
	}
	return readOutput(ctx, &storageOutputs{run: dir}, p, task, instance, key, v)
}

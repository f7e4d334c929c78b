package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// Task is one unit of work in a pipeline. Run is called once per attempt; it
// must return promptly when ctx is done. Returning [Permanent](err) stops
// retries; returning [RetryAfter](d) runs the task again after d without
// counting an attempt.
type Task interface {
	Run(ctx context.Context, tc *TaskContext) error
}

// TaskFunc adapts a function to [Task].
type TaskFunc func(ctx context.Context, tc *TaskContext) error

// Run calls f.
func (f TaskFunc) Run(ctx context.Context, tc *TaskContext) error { return f(ctx, tc) }

// Counts are the rows and files a task read and wrote. They go into the
// status_body of the task's status event.
type Counts struct {
	RowsIn   int64 `json:"rows_in"`
	RowsOut  int64 `json:"rows_out"`
	FilesIn  int64 `json:"files_in"`
	FilesOut int64 `json:"files_out"`
}

// TaskContext is what a running task sees of its run: identity, the run's
// conf, a logger, queues shared with other tasks, small JSON outputs, its
// storage directory and counters reported to status. A TaskContext is valid
// only during the attempt it was given to.
type TaskContext struct {
	run       *runState
	node      *node
	instance  int
	attempt   int
	queues    *attemptQueues
	logOnce   sync.Once
	logger    *slog.Logger
	rowsIn    atomic.Int64
	rowsOut   atomic.Int64
	filesIn   atomic.Int64
	filesOut  atomic.Int64
	bodyMu    sync.Mutex
	extraBody map[string]any
	errs      []status.ErrorEntry
}

// Pipeline returns the pipeline's name.
func (tc *TaskContext) Pipeline() string { return tc.run.p.name }

// RunID returns the run id (also the status trace_id).
func (tc *TaskContext) RunID() string { return tc.run.runID }

// LogicalDate returns the run's logical date: the start of the schedule
// interval for cron runs, the trigger time otherwise.
func (tc *TaskContext) LogicalDate() time.Time { return tc.run.logicalDate }

// DataInterval returns the span of data the run covers: a cron trigger's
// interval for its runs, zero (see [Interval.IsZero]) for runs started
// otherwise (manually, by an event, by the runs API).
func (tc *TaskContext) DataInterval() Interval { return tc.run.interval }

// Task returns the task's name.
func (tc *TaskContext) Task() string { return tc.node.name }

// Instance returns the fan-out instance number, from 0.
func (tc *TaskContext) Instance() int { return tc.instance }

// Instances returns how many instances of this task run (1 unless fan-out).
func (tc *TaskContext) Instances() int { return tc.node.instances }

// Attempt returns the 1-based attempt number.
func (tc *TaskContext) Attempt() int { return tc.attempt }

// Conf returns the run's conf as JSON ("null" when none was given).
func (tc *TaskContext) Conf() json.RawMessage { return tc.run.conf }

// DecodeConf unmarshals the run's conf into v.
func (tc *TaskContext) DecodeConf(v any) error {
	if err := json.Unmarshal(tc.run.conf, v); err != nil {
		return fmt.Errorf("decode conf: %w", err)
	}
	return nil
}

// Files returns the files handed to this run by a new-files trigger, in key
// order (nil for other runs).
func (tc *TaskContext) Files() []File { return tc.run.files }

// Logger returns a logger with pipeline, run_id, task, instance and attempt
// attributes.
func (tc *TaskContext) Logger() *slog.Logger {
	tc.logOnce.Do(func() {
		tc.logger = tc.run.logger.With(
			slog.String(LogKeyTask, tc.node.name),
			slog.Int(LogKeyInstance, tc.instance),
			slog.Int(LogKeyAttempt, tc.attempt))
	})
	return tc.logger
}

// Queue returns the run's work queue with the given name, shared by every
// task of the run, as this attempt sees it. Fan-out instances claim items
// from it; the tasks named in [TaskOptions].Feeds put items in it.
func (tc *TaskContext) Queue(name string) *Queue { return &Queue{name: name, aq: tc.queues} }

// AddCounts adds to the task's row and file counters.
func (tc *TaskContext) AddCounts(c Counts) {
	tc.rowsIn.Add(c.RowsIn)
	tc.rowsOut.Add(c.RowsOut)
	tc.filesIn.Add(c.FilesIn)
	tc.filesOut.Add(c.FilesOut)
}

// Counts returns the counters so far.
func (tc *TaskContext) Counts() Counts {
	return Counts{RowsIn: tc.rowsIn.Load(), RowsOut: tc.rowsOut.Load(), FilesIn: tc.filesIn.Load(), FilesOut: tc.filesOut.Load()}
}

// SetStatus adds a key to the status_body of this attempt's status event.
// Values must marshal to JSON. Keys rows_in, rows_out, files_in and
// files_out are set from [TaskContext.AddCounts].
func (tc *TaskContext) SetStatus(key string, value any) {
	tc.bodyMu.Lock()
	defer tc.bodyMu.Unlock()
	if tc.extraBody == nil {
		tc.extraBody = map[string]any{}
	}
	tc.extraBody[key] = value
}

// AddError adds a user-facing error, with messages by language code
// ({"en": "...", "nb": "..."}), to this attempt's status event. It does not
// by itself fail the task.
func (tc *TaskContext) AddError(messages map[string]string) {
	tc.bodyMu.Lock()
	defer tc.bodyMu.Unlock()
	tc.errs = append(tc.errs, status.Localized(messages))
}

func (tc *TaskContext) errorEntries() []status.ErrorEntry {
	tc.bodyMu.Lock()
	defer tc.bodyMu.Unlock()
	return slices.Clone(tc.errs)
}

// Dir returns this task's storage directory "<pipeline>/<run id>/<task>/",
// or nil when the run has no storage. Fan-out instances share it.
func (tc *TaskContext) Dir() *storage.Task {
	if tc.run.dir == nil {
		return nil
	}
	return tc.run.dir.Task(tc.node.name)
}

// TaskDir returns the storage directory of another task of the run (an
// upstream task, to read its files), or nil when the run has no storage.
func (tc *TaskContext) TaskDir(task string) *storage.Task {
	if tc.run.dir == nil {
		return nil
	}
	return tc.run.dir.Task(task)
}

// statusBody is the status_body of this attempt.
func (tc *TaskContext) statusBody() map[string]any {
	c := tc.Counts()
	body := map[string]any{"rows_in": c.RowsIn, "rows_out": c.RowsOut, "files_in": c.FilesIn, "files_out": c.FilesOut,
		"instance": tc.instance, "attempt": tc.attempt}
	tc.bodyMu.Lock()
	defer tc.bodyMu.Unlock()
	for k, v := range tc.extraBody {
		body[k] = v
	}
	return body
}

// SetOutput stores a small JSON output of this task under key (like
// Airflow's XCom). Outputs live in the run's storage when the run has a
// bucket, in memory otherwise, and stay readable after the run through
// [Summary.Output] (and [Backend.Output] with storage).
//
// Each instance of a fan-out task has its own outputs: with storage, a
// task that runs one instance keeps key in "<task>/outputs/<key>.json",
// instance i of a fan-out task in "<task>/outputs/<i>/<key>.json"; read
// them with [TaskContext.InstanceOutput].
func (tc *TaskContext) SetOutput(ctx context.Context, key string, v any) error {
	if err := ValidateName(key); err != nil {
		return fmt.Errorf("set output %q: %w", key, err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("set output %s: %w", key, err)
	}
	if err := tc.run.outputs.put(ctx, tc.node.name, outputName(tc.node, tc.instance, key), data); err != nil {
		return fmt.Errorf("set output %s: %w", key, err)
	}
	return nil
}

// Output reads output key of task (usually an upstream task) into v. It
// returns an error matching [ErrNoOutput] when the task did not set it, or
// when the task fans out (each instance has its own outputs: use
// [TaskContext.InstanceOutput]).
func (tc *TaskContext) Output(ctx context.Context, task, key string, v any) error {
	return readOutput(ctx, tc.run.outputs, tc.run.p, task, -1, key, v)
}

// InstanceOutput reads output key of one instance (from 0) of task into v.
func (tc *TaskContext) InstanceOutput(ctx context.Context, task string, instance int, key string, v any) error {
	return readOutput(ctx, tc.run.outputs, tc.run.p, task, instance, key, v)
}

// File is a file handed to a run by a new-files trigger.
type File struct {
	Key  string `json:"key"`
	Size int64  `json:"size"`
}

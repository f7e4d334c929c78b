package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/storage"
)

// ErrUpstreamNotDone is matched by [RunTask] when an upstream task has not
// ended yet.
var ErrUpstreamNotDone = errors.New("upstream task has not ended")

// recordDir is the storage directory, inside a run, of the run record and
// task states. Task names cannot start with '_', so it never clashes.
const recordDir = "_run"

// runRecord is what a run split over processes shares: everything a task
// needs besides its upstream outputs.
type runRecord struct {
	Pipeline    string          `json:"pipeline"`
	RunID       string          `json:"run_id"`
	LogicalDate time.Time       `json:"logical_date"`
	Interval    Interval        `json:"data_interval,omitzero"`
	Conf        json.RawMessage `json:"conf"`
	Files       []File          `json:"files,omitempty"`
	Dataset     string          `json:"dataset,omitempty"`
	Resource    string          `json:"resource,omitempty"`
	User        string          `json:"user,omitempty"`
}

// taskRecord is a task's final state, stored when it ends: its summary
// as JSON, with each *TaskError kept as its fields and message.
type taskRecord struct {
	Task      string           `json:"task"`
	State     State            `json:"state"`
	Attempts  int              `json:"attempts"`
	Start     time.Time        `json:"start,omitzero"`
	End       time.Time        `json:"end,omitzero"`
	Error     string           `json:"error,omitempty"`
	Instances []instanceRecord `json:"instances,omitempty"`
}

// instanceRecord is an instance's final state inside a taskRecord.
type instanceRecord struct {
	Instance int        `json:"instance"`
	State    State      `json:"state"`
	Attempts int        `json:"attempts"`
	Start    time.Time  `json:"start,omitzero"`
	End      time.Time  `json:"end,omitzero"`
	Failure  *errRecord `json:"failure,omitempty"`
}

// errRecord is a stored *TaskError; its Err comes back as its message.
type errRecord struct {
	Task     string `json:"task"`
	Instance int    `json:"instance"`
	Attempt  int    `json:"attempt"`
	Message  string `json:"message"`
}

func taskRecordName(task string) string { return "tasks/" + task + ".json" }

func recordOf(ts TaskSummary) taskRecord {
	rec := taskRecord{Task: ts.Name, State: ts.State, Attempts: ts.Attempts, Start: ts.Start, End: ts.End}
	if ts.Err != nil {
		rec.Error = ts.Err.Error()
	}
	for _, in := range ts.Instances {
		ir := instanceRecord{Instance: in.Instance, State: in.State, Attempts: in.Attempts, Start: in.Start, End: in.End}
		if te, ok := in.Err.(*TaskError); ok {
			ir.Failure = &errRecord{Task: te.Task, Instance: te.Instance, Attempt: te.Attempt, Message: te.Err.Error()}
		}
		rec.Instances = append(rec.Instances, ir)
	}
	return rec
}

// summary rebuilds the task's summary, as [Run] made it: the same states,
// attempts and *TaskError fields, the task's own error as its message.
func (rec taskRecord) summary() TaskSummary {
	var insts []InstanceSummary
	for _, ir := range rec.Instances {
		in := InstanceSummary{Instance: ir.Instance, State: ir.State, Attempts: ir.Attempts, Start: ir.Start, End: ir.End}
		if f := ir.Failure; f != nil {
			in.Err = &TaskError{Task: f.Task, Instance: f.Instance, Attempt: f.Attempt, Err: errors.New(f.Message)}
		}
		insts = append(insts, in)
	}
	ts := taskSummary(rec.Task, rec.State, insts)
	if ts.Err == nil && rec.Error != "" {
		// The state could not be stored in full, or a record written
		// before instances were stored.
		ts.Err = &TaskError{Task: rec.Task, Attempt: rec.Attempts, Err: errors.New(rec.Error)}
	}
	if len(insts) == 0 {
		ts.Attempts, ts.Start, ts.End = rec.Attempts, rec.Start, rec.End
		if !ts.Start.IsZero() {
			ts.Duration = ts.End.Sub(ts.Start)
		}
	}
	return ts
}

func writeRunRecord(ctx context.Context, r *runState) error {
	rec := runRecord{Pipeline: r.p.name, RunID: r.runID, LogicalDate: r.logicalDate, Interval: r.interval, Conf: r.conf,
		Files: r.files, Dataset: r.dataset, Resource: r.resource, User: r.user}
	if err := r.dir.Task(recordDir).PutJSON(ctx, "run.json", rec); err != nil {
		return fmt.Errorf("run %s: store run record: %w", r.runID, err)
	}
	return nil
}

// saveTask stores a task's final state (runs with storage only).
func (r *runState) saveTask(ctx context.Context, ts TaskSummary) error {
	if r.dir == nil {
		return nil
	}
	if err := r.dir.Task(recordDir).PutJSON(ctx, taskRecordName(ts.Name), recordOf(ts)); err != nil {
		return fmt.Errorf("run %s: store state of task %s: %w", r.runID, ts.Name, err)
	}
	return nil
}

// CreateRun prepares a run whose tasks an orchestrator will run one by one
// with [RunTask], possibly each in its own process: it validates conf,
// stores the run record (conf, logical date, files) in the backend's
// storage and, with status, starts the trace and creates the job
// (WAITING). It returns the run id. opts.Backend must have storage.
func CreateRun(ctx context.Context, p *Pipeline, conf json.RawMessage, opts *RunOptions) (string, error) {
	if err := p.ValidateConf(conf); err != nil {
		return "", err
	}
	if len(conf) == 0 {
		conf = json.RawMessage("null")
	}
	o := opts.withDefaults(p)
	r, err := newRunState(p, conf, &o, true)
	if err != nil {
		return "", err
	}
	if r.dir == nil {
		return "", fmt.Errorf("create run of %s: %w", p.name, ErrNoStorage)
	}
	if err := writeRunRecord(ctx, r); err != nil {
		return "", err
	}
	if s, ok := r.rec.(*statusRecorder); ok {
		s.createRun(ctx, r, r.clock.Now())
	}
	return r.runID, nil
}

// loadRun rebuilds a run's state from its record. opts supplies the
// backend, clock, logger and hooks; its RunID, LogicalDate, DataInterval
// and Files are ignored.
func loadRun(ctx context.Context, p *Pipeline, runID string, opts *RunOptions) (*runState, error) {
	var o RunOptions
	if opts != nil {
		o = *opts
	}
	o.RunID = runID
	dir := o.Backend.runDir(p, runID)
	if dir == nil {
		return nil, fmt.Errorf("run %s: %w", runID, ErrNoStorage)
	}
	var rec runRecord
	if err := dir.Task(recordDir).GetJSON(ctx, "run.json", &rec); err != nil {
		return nil, fmt.Errorf("run %s: read run record: %w", runID, err)
	}
	o.LogicalDate, o.DataInterval, o.Files, o.Dataset, o.Resource, o.User = rec.LogicalDate, rec.Interval, rec.Files, rec.Dataset, rec.Resource, rec.User
	o = o.withDefaults(p)
	return newRunState(p, rec.Conf, &o, true)
}

// taskState reads the stored final state of a task; ok is false when it
// has not ended.
func (r *runState) taskState(ctx context.Context, task string) (taskRecord, bool, error) {
	var rec taskRecord
	err := r.dir.Task(recordDir).GetJSON(ctx, taskRecordName(task), &rec)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("run %s: read state of task %s: %w", r.runID, task, err)
	}
	return rec, true, nil
}

// RunTask runs one task (all its fan-out instances) of a run made by
// [CreateRun], reading the conf from the run record and upstream outputs
// from storage, so that an orchestrator can run each task in its own
// process with the same result as [Run]. Every upstream task must have
// ended (else the error matches [ErrUpstreamNotDone]); when the trigger
// rule says so the task is SKIPPED or CANCELLED without running. The
// task's final state is stored for its dependents and [FinishRun]. The
// first task moves the run's job to RUNNING; the job heartbeats while the
// task runs (so reap with an age above the longest gap between tasks).
// Queues connect only tasks of one process: in a task run by RunTask they
// fail with an error matching [ErrQueueSplit].
//
// The error is nil when the task succeeded or was skipped; it wraps the
// [*TaskError] when the task failed (under any [FailurePolicy]).
func RunTask(ctx context.Context, p *Pipeline, runID, task string, opts *RunOptions) (*TaskSummary, error) {
	r, n, err := loadTaskRun(ctx, p, runID, task, opts)
	if err != nil {
		return nil, err
	}
	states := map[int]State{}
	for _, u := range n.up {
		rec, ok, err := r.taskState(ctx, p.nodes[u].name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("run %s task %s: %w: %s", runID, task, ErrUpstreamNotDone, p.nodes[u].name)
		}
		states[u] = rec.State
	}
	if st := resolveNode(p, n, func(u int) (State, bool) { return states[u], true }); st != "" {
		r.rec.taskEnded(r, n, st)
		if err := r.saveTask(ctx, TaskSummary{Name: task, State: st}); err != nil {
			return nil, err
		}
		return &TaskSummary{Name: task, State: st}, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.abort = cancel
	defer close(r.done)
	sum, err := r.execute(ctx, map[int]bool{n.idx: true})
	ts := sum.Tasks[0]
	if err == nil && ts.Err != nil {
		// A failure under Continue fails no run, but the task failed.
		err = fmt.Errorf("pipeline %s run %s: task %s failed (on_failure %s): %w", p.name, runID, task, n.onFailure, ts.Err)
	}
	return &ts, err
}

// FinishRun ends a run made by [CreateRun] once its tasks ran: it builds
// the summary from the stored task states (a task that never ran counts as
// CANCELLED), writes the trace's FINISHED event and ends the job DONE,
// FAILED or CANCELLED. The error is as [Run]'s.
func FinishRun(ctx context.Context, p *Pipeline, runID string, opts *RunOptions) (*Summary, error) {
	r, err := loadRun(ctx, p, runID, opts)
	if err != nil {
		return nil, err
	}
	sum, err := r.storedSummary(ctx, r.clock.Now())
	if sum == nil {
		return nil, err
	}
	if s, ok := r.rec.(*statusRecorder); ok {
		s.finishRun(ctx, r, sum)
	}
	return sum, err
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// InstanceSummary is how one instance of a task ended (a task runs one
// instance unless it fans out, see [TaskOptions].Instances).
type InstanceSummary struct {
	Instance int
	State    State
	Attempts int       // attempts of this instance, RetryAfter re-runs not counted
	Start    time.Time // first attempt start; zero if it never ran
	End      time.Time // last attempt end; zero if it never ran
	Err      error     // a *TaskError when FAILED, nil otherwise
}

// TaskSummary is how one task of a run ended.
type TaskSummary struct {
	Name  string
	State State
	// Attempts is the most attempts any instance made (RetryAfter re-runs
	// not counted): 1 for a task that ran once without retries, however
	// many instances it fanned out to. Instances has each instance's count.
	Attempts int
	Start    time.Time     // first attempt start; zero if it never ran
	End      time.Time     // last attempt end; zero if it never ran
	Duration time.Duration // End - Start
	// Err is a *TaskError for FAILED tasks (that of the lowest failed
	// instance), nil otherwise.
	Err error
	// Instances lists the instances that ran or were cancelled before
	// running, by instance number; nil for a task that was skipped or
	// cancelled before any instance was due.
	Instances []InstanceSummary
}

// Summary is how a run ended. [Run] and [FinishRun] build it with the same
// rules (one function), so a run split over processes ends with the summary
// an in-process run gives, *TaskError values included; only Start differs:
// a Run's is when it started, a FinishRun's when its first task started.
type Summary struct {
	Pipeline    string
	RunID       string
	LogicalDate time.Time
	State       State // SUCCESS, FAILED or CANCELLED
	Start, End  time.Time
	Tasks       []TaskSummary // in the pipeline's topological order
	// FailurePolicy is the strongest [TaskOptions].OnFailure among the
	// failed tasks: [Deactivate], else [Halt], else "" (a failure under
	// [Continue] fails no run and does not count).
	FailurePolicy FailurePolicy

	p       *Pipeline
	outputs outputStore
}

// Task returns the summary of the named task.
func (s *Summary) Task(name string) (TaskSummary, bool) {
	for _, t := range s.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return TaskSummary{}, false
}

// Output reads output key of a task of the run into v, wherever the run
// kept its outputs: in memory for a run without storage (so outputs stay
// readable after a run with nil options), in the backend's storage
// otherwise. It matches [ErrNoOutput] when the task did not set the key,
// and when the task fans out (use [Summary.InstanceOutput]).
func (s *Summary) Output(ctx context.Context, task, key string, v any) error {
	return readOutput(ctx, s.outputs, s.p, task, -1, key, v)
}

// InstanceOutput reads output key of one instance of a task of the run
// into v (see [TaskContext.SetOutput] for the layout).
func (s *Summary) InstanceOutput(ctx context.Context, task string, instance int, key string, v any) error {
	return readOutput(ctx, s.outputs, s.p, task, instance, key, v)
}

// summarize is the one place a run's summary and error are made, for [Run]
// (from the executor's tasks) and [FinishRun] (from stored task records).
// tasks are in topological order; start is when the run started (zero:
// when its first task started, or end when none ran); cause is what
// cancelled the run (nil: context.Canceled).
func summarize(r *runState, tasks []TaskSummary, start, end time.Time, cause error) (*Summary, error) {
	sum := &Summary{Pipeline: r.p.name, RunID: r.runID, LogicalDate: r.logicalDate, State: StateSuccess,
		Start: start, End: end, Tasks: tasks, p: r.p, outputs: r.outputs}
	var failed []error
	for _, t := range tasks {
		if start.IsZero() && !t.Start.IsZero() && (sum.Start.IsZero() || t.Start.Before(sum.Start)) {
			sum.Start = t.Start
		}
		switch t.State {
		case StateFailed:
			policy := r.p.nodes[r.p.index[t.Name]].onFailure
			if policy == Continue {
				continue
			}
			failed = append(failed, t.Err)
			if sum.State == StateSuccess {
				sum.State = StateFailed
			}
			if policy == Deactivate || sum.FailurePolicy == "" {
				sum.FailurePolicy = policy
			}
		case StateCancelled:
			sum.State = StateCancelled
		}
	}
	if sum.Start.IsZero() {
		sum.Start = end
	}
	switch {
	case sum.State == StateCancelled:
		if cause == nil {
			cause = context.Canceled
		}
		return sum, fmt.Errorf("pipeline %s run %s: cancelled: %w", r.p.name, r.runID, errors.Join(append([]error{cause}, failed...)...))
	case len(failed) > 0:
		return sum, fmt.Errorf("pipeline %s run %s: %w: %w", r.p.name, r.runID, ErrRunFailed, errors.Join(failed...))
	}
	return sum, nil
}

// taskSummary makes a task's summary from its instances' outcomes: the
// task's attempts are the most of any instance, its error that of the
// lowest failed instance.
func taskSummary(name string, state State, insts []InstanceSummary) TaskSummary {
	ts := TaskSummary{Name: name, State: state, Instances: insts}
	for _, in := range insts {
		ts.Attempts = max(ts.Attempts, in.Attempts)
		if !in.Start.IsZero() && (ts.Start.IsZero() || in.Start.Before(ts.Start)) {
			ts.Start = in.Start
		}
		if in.End.After(ts.End) {
			ts.End = in.End
		}
		if ts.Err == nil && in.Err != nil {
			ts.Err = in.Err
		}
	}
	if !ts.Start.IsZero() {
		ts.Duration = ts.End.Sub(ts.Start)
	}
	return ts
}

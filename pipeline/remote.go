package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Attempt names one attempt of one instance of a task of a run.
type Attempt struct {
	Task     string
	Instance int // from 0
	Number   int // from 1; RetryAfter re-runs do not count
	// Queues carries the attempt's queue operations to where the run's
	// queues live (for [RunAttempt]); nil: they fail with an error
	// matching [ErrQueueSplit].
	Queues QueueBroker
}

// ErrAttemptLost is matched by the error recorded for an attempt whose
// process stopped before reporting how it ended (see [LostAttempt]).
var ErrAttemptLost = errors.New("attempt lost: its worker stopped before it ended")

// RunAttempt runs one attempt of one task instance of a run made by
// [CreateRun], in this process: the building block of executors that run
// each attempt where they like (see [Executor]). It reads the conf from the
// run record and upstream outputs from storage, applies the task's
// timeout, records the attempt's status event, moves the run's job to
// RUNNING and heartbeats it while the attempt runs, and decides with the
// task's retry policy whether another attempt follows (State UP_FOR_RETRY
// and Delay). Its queue operations go through a.Queues, which the executor
// provides to reach the run's queues (without one they fail with an error
// matching [ErrQueueSplit]); the attempt's claims end with it, acknowledged
// when it succeeded.
//
// The error is about the run (no such task, no storage, unreadable run
// record), never the task's: that is in the result.
func RunAttempt(ctx context.Context, p *Pipeline, runID string, a Attempt, opts *RunOptions) (*AttemptResult, error) {
	r, n, err := loadAttempt(ctx, p, runID, a, opts)
	if err != nil {
		return nil, err
	}
	r.broker = func(QueueOwner) QueueBroker {
		if a.Queues != nil {
			return a.Queues
		}
		return splitBroker{why: "an attempt run alone has no QueueBroker to its run's queues"}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.abort = cancel
	defer close(r.done)
	r.rec.runStarted(ctx, r, r.clock.Now())
	defer r.rec.runFinished(context.WithoutCancel(ctx), r, nil)
	from := StateUpForRetry
	if a.Number == 1 {
		from = StatePending
	}
	res := r.runAttempt(ctx, n, a.Instance, a.Number, from)
	return &res, nil
}

// LostAttempt records an attempt whose process stopped before it ended
// (an executor notices by a missed heartbeat): its status event fails with
// an error matching [ErrAttemptLost] and cause, and the task's retry policy
// decides, as for any failure, whether another attempt follows.
func LostAttempt(ctx context.Context, p *Pipeline, runID string, a Attempt, cause string, opts *RunOptions) (*AttemptResult, error) {
	r, n, err := loadAttempt(ctx, p, runID, a, opts)
	if err != nil {
		return nil, err
	}
	now := r.clock.Now()
	res := AttemptResult{Start: now, End: now, Err: fmt.Errorf("%w: %s", ErrAttemptLost, cause)}
	res.State = r.retryState(n, a.Number, res.Err, &res.Delay)
	tc := &TaskContext{run: r, node: n, instance: a.Instance, attempt: a.Number}
	r.rec.attemptFinished(ctx, tc, now, now, res.Err, res.State)
	if s, ok := r.rec.(*statusRecorder); ok {
		s.flush()
	}
	return &res, nil
}

// loadTaskRun returns the run and the node of one of its tasks; an unknown
// task is reported before the run is read.
func loadTaskRun(ctx context.Context, p *Pipeline, runID, task string, opts *RunOptions) (*runState, *node, error) {
	n, err := p.node(task)
	if err != nil {
		return nil, nil, err
	}
	r, err := loadRun(ctx, p, runID, opts)
	if err != nil {
		return nil, nil, err
	}
	return r, n, nil
}

// loadAttempt is loadTaskRun for an attempt, whose instance and number are
// checked against the task before the run is read.
func loadAttempt(ctx context.Context, p *Pipeline, runID string, a Attempt, opts *RunOptions) (*runState, *node, error) {
	n, err := p.node(a.Task)
	if err != nil {
		return nil, nil, err
	}
	if a.Instance < 0 || a.Instance >= n.instances || a.Number < 1 {
		return nil, nil, fmt.Errorf("pipeline %s task %s: no attempt %d of instance %d", p.name, a.Task, a.Number, a.Instance)
	}
	r, err := loadRun(ctx, p, runID, opts)
	if err != nil {
		return nil, nil, err
	}
	return r, n, nil
}

// EndTask stores the final state of a task of a run made by [CreateRun],
// for [FinishRun] and for [RunTask] of its dependents, as the in-process
// executor does when a task ends. insts are its instances' outcomes (nil
// when it ended without running, SKIPPED or CANCELLED: then the task's
// status event is written too). It returns the task's summary.
func EndTask(ctx context.Context, p *Pipeline, runID, task string, state State, insts []InstanceSummary, opts *RunOptions) (*TaskSummary, error) {
	r, n, err := loadTaskRun(ctx, p, runID, task, opts)
	if err != nil {
		return nil, err
	}
	ts := taskSummary(task, state, insts)
	if insts == nil {
		for k := 0; k < n.instances; k++ {
			r.transition(n, k, StatePending, state, 0)
		}
		r.rec.taskEnded(r, n, state)
	}
	if err := r.saveTask(ctx, ts); err != nil {
		return nil, err
	}
	return &ts, nil
}

// LoadSummary builds a run's summary from its stored task states, as
// [FinishRun] does, without writing to status: for the process that asked
// an executor for the run.
func LoadSummary(ctx context.Context, p *Pipeline, runID string, opts *RunOptions) (*Summary, error) {
	r, err := loadRun(ctx, p, runID, opts)
	if err != nil {
		return nil, err
	}
	return r.storedSummary(ctx, r.clock.Now())
}

// storedSummary summarises the stored task states (a task that never ran
// counts as CANCELLED).
func (r *runState) storedSummary(ctx context.Context, end time.Time) (*Summary, error) {
	tasks := make([]TaskSummary, 0, len(r.p.nodes))
	for _, n := range r.p.nodes {
		rec, ok, err := r.taskState(ctx, n.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			rec = taskRecord{Task: n.name, State: StateCancelled}
		}
		tasks = append(tasks, rec.summary())
	}
	return summarize(r, tasks, time.Time{}, end, nil)
}

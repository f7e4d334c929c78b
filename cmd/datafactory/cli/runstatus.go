package cli

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
)

// jobTypeRun is the job type of pipeline runs.
const jobTypeRun status.JobType = "RUN"

// runStatus records a pipeline run in a status store: the run is a trace
// (trace_id = run id) and a job; every task instance that ends is an event.
// Status writes are best effort: failures are counted, never returned, so
// they cannot fail the run.
type runStatus struct {
	st       *status.Store
	pipeline string
	runID    string
	jobID    string
	failures atomic.Int64

	mu     sync.Mutex
	starts map[[2]any]time.Time
}

// startRunStatus starts the trace and the job of a run. dataset and resource
// name what the run works on (may be empty).
func startRunStatus(ctx context.Context, st *status.Store, p, runID, dataset, resource string) (*runStatus, error) {
	r := &runStatus{st: st, pipeline: p, runID: runID, starts: map[[2]any]time.Time{}}
	if _, err := st.StartTrace(ctx, status.Event{TraceID: runID, Domain: "pipeline", DomainID: p,
		Component: p, Operation: "run"}); err != nil {
		return nil, err
	}
	job, err := st.CreateJob(ctx, status.Job{FactoryID: runID, Type: jobTypeRun, Dataset: dataset,
		Resource: resource, Status: status.JobWaiting, Info: map[string]any{"pipeline": p}})
	if err != nil {
		return nil, err
	}
	r.jobID = job.ID
	return r, nil
}

// running moves the job to RUNNING.
func (r *runStatus) running(ctx context.Context) {
	if _, err := r.st.Transition(ctx, r.jobID, status.JobRunning, nil); err != nil {
		r.failures.Add(1)
	}
}

// transition is a pipeline OnTransition hook: it writes an event for every
// task instance that reaches a terminal state.
func (r *runStatus) transition(ctx context.Context, t pipeline.Transition) {
	key := [2]any{t.Task, t.Instance}
	now := r.st.Now()
	r.mu.Lock()
	if t.To == pipeline.StateRunning {
		if _, ok := r.starts[key]; !ok {
			r.starts[key] = now
		}
	}
	start := r.starts[key]
	r.mu.Unlock()
	if !t.To.Terminal() {
		return
	}
	if start.IsZero() {
		start = now
	}
	evStatus := status.EventOK
	if t.To == pipeline.StateFailed {
		evStatus = status.EventFailed
	}
	body, _ := json.Marshal(map[string]any{"state": t.To, "instance": t.Instance, "attempt": t.Attempt})
	ev := status.Event{TraceID: r.runID, Domain: "pipeline", DomainID: r.pipeline, Component: r.pipeline,
		Operation: t.Task, TraceStatus: status.TraceContinue, TraceEventStatus: evStatus,
		StartTime: start, EndTime: now, Duration: now.Sub(start), StatusBody: body}
	if _, err := r.st.AddEvent(context.WithoutCancel(ctx), ev); err != nil {
		r.failures.Add(1)
	}
}

// finish writes the run's FINISHED event and ends its job.
func (r *runStatus) finish(ctx context.Context, sum *pipeline.Summary, runErr error) {
	ctx = context.WithoutCancel(ctx)
	ev := status.Event{TraceID: r.runID, Domain: "pipeline", DomainID: r.pipeline, Component: r.pipeline,
		Operation: "run", TraceStatus: status.TraceFinished, TraceEventStatus: status.EventOK}
	jobStatus := status.JobDone
	if runErr != nil {
		ev.TraceEventStatus = status.EventFailed
		ev.Exception = runErr.Error()
		ev.Errors = []status.ErrorEntry{status.Localized(map[string]string{"en": runErr.Error()})}
		jobStatus = status.JobFailed
	}
	info := map[string]any{}
	if sum != nil {
		ev.StartTime, ev.EndTime, ev.Duration = sum.Start, sum.End, sum.End.Sub(sum.Start)
		info["state"] = sum.State
		if sum.State == pipeline.StateCancelled {
			jobStatus = status.JobCancelled
		}
	}
	if runErr != nil {
		info["error"] = runErr.Error()
	}
	if _, err := r.st.AddEvent(ctx, ev); err != nil {
		r.failures.Add(1)
	}
	if _, err := r.st.Transition(ctx, r.jobID, jobStatus, info); err != nil {
		r.failures.Add(1)
	}
}

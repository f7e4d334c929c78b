package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/datafactory/datafactory/status"
)

// runOperation is the operation of a run's first and last events; task
// events have the task's name.
const runOperation = "run"

// statusRecorder writes a run's trace, events and job.
type statusRecorder struct {
	b     *Backend
	store *status.Store
	rec   *status.Recorder
	split bool
	// fields of the events written without the recorder (StartTrace)
	domain, domainID, user string
	hbMu                   sync.Mutex
	hb                     *status.Heartbeater
	// Task events go through q to writer goroutines, so a slow status
	// database does not hold up the tasks; runFinished flushes them.
	q       chan status.Event
	writers sync.WaitGroup
}

func newStatusRecorder(b *Backend, r *runState, split bool) *statusRecorder {
	domain, domainID := "pipeline", r.p.name
	if r.dataset != "" {
		domain, domainID = "dataset", r.dataset
		if r.resource != "" {
			domainID += "/" + r.resource
		}
	}
	rec := status.NewRecorder(b.o.Status, r.runID, &status.RecorderOptions{Domain: domain, DomainID: domainID,
		Component: r.p.name, User: r.user, Logger: b.o.Logger, Now: r.clock.Now})
	return &statusRecorder{b: b, store: b.o.Status, rec: rec, split: split, domain: domain, domainID: domainID, user: r.user}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`{"error":"status body is not JSON"}`)
	}
	return b
}

// createRun starts the trace and creates the job (WAITING).
func (s *statusRecorder) createRun(ctx context.Context, r *runState, now time.Time) {
	ev := status.Event{TraceID: r.runID, Operation: runOperation, StartTime: now, EndTime: now,
		StatusBody: mustJSON(map[string]any{"pipeline": r.p.name, "logical_date": r.logicalDate, "tasks": r.p.Tasks()})}
	ev.Domain, ev.DomainID, ev.Component, ev.User = s.domain, s.domainID, r.p.name, s.user
	if _, err := s.store.StartTrace(ctx, ev); err != nil {
		s.b.warn(ctx, "status: start trace", r, err)
	}
	_, err := s.store.CreateJob(ctx, status.Job{ID: r.runID, FactoryID: r.runID, Type: s.b.o.JobType,
		Dataset: r.dataset, Resource: r.resource, User: r.user, Status: status.JobWaiting,
		Info: map[string]any{"pipeline": r.p.name, "logical_date": r.logicalDate}})
	if err != nil {
		s.b.warn(ctx, "status: create job", r, err)
	}
}

// startJob moves the job to RUNNING (if it is WAITING) and heartbeats.
func (s *statusRecorder) startJob(ctx context.Context, r *runState) {
	if _, err := s.store.Transition(ctx, r.runID, status.JobRunning, nil); err != nil && !errors.Is(err, status.ErrIllegalTransition) {
		s.b.warn(ctx, "status: job RUNNING", r, err)
	}
	hb := s.store.NewHeartbeater(r.runID, &status.HeartbeatOptions{Interval: s.b.o.HeartbeatInterval, Logger: s.b.o.Logger})
	if err := hb.Start(context.WithoutCancel(ctx)); err != nil {
		s.b.warn(ctx, "status: heartbeat", r, err)
		return
	}
	s.hbMu.Lock()
	s.hb = hb
	s.hbMu.Unlock()
	go func() {
		select {
		case <-hb.Lost():
			r.abort(errJobLost)
		case <-r.done:
		}
	}()
}

var errJobLost = errors.New("the run's job is no longer RUNNING (cancelled or reaped)")

func (s *statusRecorder) stopHeartbeat() {
	s.hbMu.Lock()
	hb := s.hb
	s.hb = nil
	s.hbMu.Unlock()
	if hb != nil {
		hb.Stop()
	}
}

func (s *statusRecorder) runStarted(ctx context.Context, r *runState, start time.Time) {
	if !s.split {
		s.createRun(ctx, r, start)
	}
	s.startJob(ctx, r)
	s.q = make(chan status.Event, 1024)
	wctx := context.WithoutCancel(ctx)
	for range s.b.o.StatusWriters {
		s.writers.Add(1)
		go func() {
			defer s.writers.Done()
			for ev := range s.q {
				s.rec.Record(wctx, ev)
			}
		}()
	}
}

// send writes a task event, through the writers while the run runs.
func (s *statusRecorder) send(ev status.Event) {
	if s.q != nil {
		s.q <- ev
		return
	}
	s.rec.Record(context.Background(), ev)
}

// flush waits until every queued event is written.
func (s *statusRecorder) flush() {
	if s.q != nil {
		close(s.q)
		s.writers.Wait()
		s.q = nil
	}
}

func (s *statusRecorder) attemptStarted(context.Context, *TaskContext, time.Time) {}

func (s *statusRecorder) attemptFinished(ctx context.Context, tc *TaskContext, start, end time.Time, err error, state State) {
	body := tc.statusBody()
	body["state"] = state
	ev := status.Event{Operation: tc.node.name, StartTime: start, EndTime: end, Duration: end.Sub(start),
		TraceStatus: status.TraceContinue, TraceEventStatus: status.EventOK, Errors: tc.errorEntries()}
	if err != nil {
		var ra *retryAfterError
		if errors.As(err, &ra) {
			body["retry_after_ms"] = ra.d.Milliseconds()
		} else {
			ev.TraceEventStatus = status.EventFailed
			ev.Exception = err.Error()
		}
	}
	ev.StatusBody = mustJSON(body)
	s.send(ev)
}

func (s *statusRecorder) taskEnded(r *runState, n *node, st State) {
	now := r.clock.Now()
	s.send(status.Event{Operation: n.name, StartTime: now, EndTime: now,
		TraceStatus: status.TraceContinue, TraceEventStatus: status.EventOK,
		StatusBody: mustJSON(map[string]any{"state": st})})
}

func (s *statusRecorder) runFinished(ctx context.Context, r *runState, sum *Summary) {
	s.flush()
	s.stopHeartbeat()
	if s.split {
		return
	}
	s.finishRun(ctx, r, sum)
}

// finishRun writes the run's FINISHED event and ends its job.
func (s *statusRecorder) finishRun(ctx context.Context, r *runState, sum *Summary) {
	tasks, counts := summaryTasks(sum)
	// The closing event is stamped at the run's end, so it sorts after the
	// task events; the run's duration is in its body.
	ev := status.Event{Operation: runOperation, StartTime: sum.End, EndTime: sum.End,
		TraceStatus: status.TraceFinished, TraceEventStatus: status.EventOK,
		StatusBody: mustJSON(map[string]any{"state": sum.State, "tasks": tasks, "task_states": counts,
			"duration_ms": sum.End.Sub(sum.Start).Milliseconds()})}
	job, info := status.JobDone, map[string]any{"state": sum.State, "tasks": tasks, "task_states": counts,
		"duration_ms": sum.End.Sub(sum.Start).Milliseconds()}
	switch sum.State {
	case StateFailed:
		ev.TraceEventStatus, job = status.EventFailed, status.JobFailed
		ev.Exception = firstError(sum)
		info["error"] = ev.Exception
	case StateCancelled:
		ev.TraceEventStatus, job = status.EventFailed, status.JobCancelled
		ev.Exception = "run cancelled"
		info["error"] = ev.Exception
	}
	s.rec.Record(ctx, ev)
	if _, err := s.store.Transition(ctx, r.runID, job, info); err != nil {
		s.b.warn(ctx, "status: end job", r, err)
	}
}

// maxListedTasks caps the tasks listed in a run's closing event and job
// info; larger runs list only the tasks that did not succeed.
const maxListedTasks = 100

// summaryTasks returns the tasks to list (all of a small run, else those
// that did not succeed, at most maxListedTasks) and the count per state.
func summaryTasks(sum *Summary) ([]map[string]any, map[State]int) {
	counts := map[State]int{}
	var tasks []map[string]any
	for _, t := range sum.Tasks {
		counts[t.State]++
		if len(tasks) >= maxListedTasks || (len(sum.Tasks) > maxListedTasks && t.State == StateSuccess) {
			continue
		}
		m := map[string]any{"task": t.Name, "state": t.State, "attempts": t.Attempts, "duration_ms": t.Duration.Milliseconds()}
		if len(t.Instances) > 1 {
			m["instances"] = len(t.Instances)
		}
		if t.Err != nil {
			m["error"] = t.Err.Error()
		}
		tasks = append(tasks, m)
	}
	return tasks, counts
}

func firstError(sum *Summary) string {
	for _, t := range sum.Tasks {
		if t.Err != nil {
			return t.Err.Error()
		}
	}
	return "run failed"
}

// bytesReader returns an io.Reader over b.
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

package pipelinehttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
)

// triggerOperation is the operation of the event holding a triggered
// run's conf (secrets removed) in the run's trace.
const triggerOperation = "trigger"

// ErrRunExists is matched when a run id is already taken.
var ErrRunExists = errors.New("run already exists")

// triggerRecord is the body of a run's trigger event.
type triggerRecord struct {
	DAG      string          `json:"dag_id"`
	Conf     json.RawMessage `json:"conf"`
	RunType  string          `json:"run_type"`
	External bool            `json:"external_trigger"`
}

// start claims t's run id and starts the run of d; it returns the run as
// first seen and the conf to echo (redacted).
func (h *Handler) start(ctx context.Context, d DAG, t Trigger) (runView, error) {
	echo := RedactConf(t.Conf)
	conf, _ := StripSecrets(t.Conf)
	if err := d.Pipeline.ValidateConf(conf); err != nil {
		return runView{}, fmt.Errorf("%w: conf: %w", ErrBadRequest, err)
	}
	exec, err := h.executor(t.Executor)
	if err != nil {
		return runView{}, err
	}
	now := h.now().UTC()
	if t.RunID == "" {
		t.RunID = "manual__" + now.Format("2006-01-02T15:04:05.000000Z") + "_" + randomHex()
	}
	if t.LogicalDate.IsZero() {
		t.LogicalDate = now
	}
	if err := h.claim(ctx, t.RunID); err != nil {
		return runView{}, err
	}
	run := runView{DAG: d.Pipeline.Name(), ID: t.RunID, Status: status.JobWaiting, Conf: echo,
		LogicalDate: t.LogicalDate, RunType: "manual", External: true}
	for _, name := range d.Pipeline.Tasks() {
		run.Tasks = append(run.Tasks, taskView{Name: name})
	}
	go h.execute(d, t, conf, echo, exec)
	return run, nil
}

// claim reserves a run id: refused when a run with it is starting in this
// process or exists in the status store (made by any process, before or
// since a restart).
func (h *Handler) claim(ctx context.Context, id string) error {
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		return errStopped
	}
	if h.starting[id] {
		h.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrRunExists, id)
	}
	h.starting[id] = true
	h.wg.Add(1)
	h.mu.Unlock()
	_, err := h.store.Job(ctx, id)
	if err == nil || !errors.Is(err, status.ErrNotFound) {
		h.release(id)
		h.wg.Done()
		if err == nil {
			return fmt.Errorf("%w: %s", ErrRunExists, id)
		}
		return fmt.Errorf("look up run %s: %w", id, err)
	}
	return nil
}

// release forgets a claim once the run's job exists (or the run ended).
func (h *Handler) release(id string) {
	h.mu.Lock()
	delete(h.starting, id)
	h.mu.Unlock()
}

// starting reports whether a run id is claimed but may have no job yet.
func (h *Handler) isStarting(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.starting[id]
}

// execute runs the pipeline with conf (secrets removed) and records echo
// (secrets redacted) as its trigger conf.
func (h *Handler) execute(d DAG, t Trigger, conf, echo json.RawMessage, exec pipeline.Executor) {
	defer h.wg.Done()
	defer h.release(t.RunID)
	p := d.Pipeline
	var recorded sync.Once
	record := func() {
		recorded.Do(func() {
			h.recordTrigger(p.Name(), t.RunID, echo)
			h.release(t.RunID)
		})
	}
	var observe func(pipeline.Transition)
	if h.o.Transitions != nil {
		observe = h.o.Transitions(p.Name())
	}
	opts := &pipeline.RunOptions{RunID: t.RunID, LogicalDate: t.LogicalDate, Backend: h.backend,
		OnTransition: func(tr pipeline.Transition) {
			record()
			if observe != nil {
				observe(tr)
			}
		}, Executor: exec}
	if d.Labels != nil {
		opts.Dataset, opts.Resource = d.Labels(conf)
	}
	ctx := h.track(t.RunID)
	defer h.untrack(t.RunID)
	if exec != nil {
		stop := h.recordWhenCreated(t.RunID, record)
		defer stop()
	}
	sum, err := pipeline.Run(ctx, p, conf, opts)
	record()
	if sum == nil {
		h.recordFailure(p.Name(), t.RunID, err)
	}
	if sum != nil && sum.State == pipeline.StateCancelled && d.Cancelled != nil {
		h.cancelled(d, t.RunID, conf, sum)
	}
	if h.o.Completed != nil {
		state := pipeline.StateFailed
		if sum != nil {
			state = sum.State
		}
		h.o.Completed(context.WithoutCancel(h.runCtx), p.Name(), state)
	}
}

// recordWhenCreated calls record once the run's job exists, for runs
// whose transitions happen in other processes; stop ends the watch.
func (h *Handler) recordWhenCreated(id string, record func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := h.store.Job(h.runCtx, id); err == nil {
					record()
					return
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// recordTrigger adds the trigger event (conf with secrets redacted) to
// the run's trace, once the run has created it.
func (h *Handler) recordTrigger(dag, id string, conf json.RawMessage) {
	body, err := json.Marshal(triggerRecord{DAG: dag, Conf: conf, RunType: "manual", External: true})
	if err == nil {
		_, err = h.store.AddEvent(context.Background(), status.Event{TraceID: id, Component: dag, Operation: triggerOperation, StatusBody: body})
	}
	if err != nil && !errors.Is(err, status.ErrNotFound) {
		h.o.Logger.Warn("pipelinehttp: record trigger", "run_id", id, "error", err.Error())
	}
}

// recordFailure records a run that failed before it could record itself
// (its trace and job do not exist), so the reason is not lost.
func (h *Handler) recordFailure(dag, id string, runErr error) {
	if runErr == nil {
		runErr = errors.New("the run did not start")
	}
	ctx := context.Background()
	if _, err := h.store.Job(ctx, id); err == nil {
		return
	}
	reason := runErr.Error()
	now := h.store.Now()
	_, err := h.store.StartTrace(ctx, status.Event{TraceID: id, Component: dag, Operation: "run", StartTime: now, EndTime: now})
	if err == nil {
		_, err = h.store.AddEvent(ctx, status.Event{TraceID: id, Component: dag, Operation: "run", TraceStatus: status.TraceFinished,
			TraceEventStatus: status.EventFailed, Exception: reason})
	}
	if err == nil {
		_, err = h.store.CreateJob(ctx, status.Job{ID: id, FactoryID: id, Type: "PIPELINE", Info: map[string]any{"pipeline": dag}})
	}
	if err == nil {
		_, err = h.store.Transition(ctx, id, status.JobFailed, map[string]any{status.InfoError: reason})
	}
	if err != nil {
		h.o.Logger.Warn("pipelinehttp: record failed run", "run_id", id, "error", err.Error())
	}
}

// cancelled runs a DAG's Cancelled hook with a bounded context.
func (h *Handler) cancelled(d DAG, id string, conf json.RawMessage, sum *pipeline.Summary) {
	ctx, cancel := context.WithTimeout(context.Background(), h.o.HookTimeout)
	defer cancel()
	if err := d.Cancelled(ctx, conf, sum); err != nil {
		h.o.Logger.Warn("pipelinehttp: cancelled-run hook failed", "run_id", id, "error", err.Error())
	}
}

// randomHex returns 8 random hex digits.
func randomHex() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// timePtr returns nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

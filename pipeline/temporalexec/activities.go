package temporalexec

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datafactory/datafactory/pipeline"
)

// Lookup returns the pipeline with the given name; a worker runs the
// pipelines its Lookup knows.
type Lookup func(name string) (*pipeline.Pipeline, error)

// workerState is what a worker's workflow and activities share.
type workerState struct {
	lookup Lookup
	opts   pipeline.RunOptions
	// engine is the engine whose attempts an engine worker runs; all is
	// true for the default worker, which runs what its queue gives it.
	engine string
	all    bool
}

// Register registers the run workflow and the attempt activities on w, so
// that the worker runs the pipelines lookup knows with the given run
// options (their Backend must be the one the runs' clients use: the same
// storage and status). A host embeds a worker by creating one with
// worker.New on its task queue, calling Register, and running it.
func Register(w worker.Registry, lookup Lookup, opts *pipeline.RunOptions) {
	ws := newWorkerState(lookup, opts)
	ws.all = true
	w.RegisterWorkflowWithOptions(ws.runWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterActivityWithOptions(ws.attempt, activity.RegisterOptions{Name: AttemptActivityName})
	w.RegisterActivityWithOptions(ws.endTask, activity.RegisterOptions{Name: EndTaskActivityName})
	w.RegisterActivityWithOptions(ws.finish, activity.RegisterOptions{Name: FinishActivityName})
	registerScheduled(w, ws)
}

// RegisterEngine registers on w, a worker of the engine's task queue
// (see [Executor].Engines and [EngineQueue]), only the attempt activity,
// for the tasks whose type's Engine is engine: the workflows and the other
// activities run on the default workers ([Register]). An attempt of a task
// of another engine fails without running.
func RegisterEngine(w worker.Registry, engine string, lookup Lookup, opts *pipeline.RunOptions) {
	ws := newWorkerState(lookup, opts)
	ws.engine = engine
	w.RegisterActivityWithOptions(ws.attempt, activity.RegisterOptions{Name: AttemptActivityName})
}

func newWorkerState(lookup Lookup, opts *pipeline.RunOptions) *workerState {
	ws := &workerState{lookup: lookup}
	if opts != nil {
		ws.opts = *opts
	}
	ws.opts.Executor = nil
	return ws
}

// serves reports whether this worker runs attempts of task.
func (w *workerState) serves(p *pipeline.Pipeline, task string) error {
	if w.all {
		return nil
	}
	for _, ti := range p.TaskInfos() {
		if ti.Name == task && ti.Engine != w.engine {
			err := fmt.Errorf("worker of engine %q: task %s of pipeline %s runs on engine %q", w.engine, task, p.Name(), ti.Engine)
			return temporal.NewNonRetryableApplicationError(err.Error(), "WrongEngine", err)
		}
	}
	return nil
}

// attemptInput names a task instance of a run.
type attemptInput struct {
	Pipeline, RunID, Task string
	Instance              int
	// StoreEnd asks the attempt that ends the instance to store the
	// task's final state too (a task of one instance).
	StoreEnd bool
}

// instanceResult is how a task instance ended, as the workflow sees it.
type instanceResult struct {
	Instance   int
	State      pipeline.State
	Attempts   int
	Start, End time.Time
	Attempt    int    // the failed attempt
	Error      string // the task's error, when FAILED
	Stored     bool   // the task's final state is stored (StoreEnd)
}

// progress is an instance's progress across attempts, kept by Temporal in
// the activity's heartbeat details.
type progress struct {
	Start       time.Time // the first attempt's start
	RetryAfters int       // Temporal attempts that were RetryAfter re-runs
	Reported    int32     // the last Temporal attempt that reported its end
}

// attempt runs one attempt of a task instance (one Temporal activity
// attempt). An earlier Temporal attempt that never reported (its worker
// died) is recorded as lost first.
func (w *workerState) attempt(ctx context.Context, in attemptInput) (instanceResult, error) {
	p, err := w.lookup(in.Pipeline)
	if err != nil {
		return instanceResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "UnknownPipeline", err)
	}
	if err := w.serves(p, in.Task); err != nil {
		return instanceResult{}, err
	}
	info := activity.GetInfo(ctx)
	var prog progress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &prog)
	}
	number := int(info.Attempt) - prog.RetryAfters
	if info.Attempt > 1 && prog.Reported < info.Attempt-1 {
		lost := pipeline.Attempt{Task: in.Task, Instance: in.Instance, Number: number - 1}
		res, err := pipeline.LostAttempt(ctx, p, in.RunID, lost, "no heartbeat within the heartbeat timeout", &w.opts)
		if err != nil {
			return instanceResult{}, err
		}
		if res.State == pipeline.StateFailed {
			return instanceResult{}, w.failed(ctx, p, in, prog, lost.Number, res)
		}
	}
	if prog.Start.IsZero() {
		prog.Start = time.Now()
	}
	activity.RecordHeartbeat(ctx, prog)
	stop := heartbeat(ctx, info.HeartbeatTimeout/3, &prog)
	res, err := pipeline.RunAttempt(ctx, p, in.RunID, pipeline.Attempt{Task: in.Task, Instance: in.Instance, Number: number,
		Queues: newUpdateBroker(ctx, in.Task, in.Instance)}, &w.opts)
	stop()
	if err != nil {
		return instanceResult{}, err
	}
	prog.Reported = info.Attempt
	switch res.State {
	case pipeline.StateSuccess:
		ir := instanceResult{Instance: in.Instance, State: res.State, Attempts: number, Start: prog.Start, End: res.End}
		return w.storeEnd(ctx, p, in, ir), nil
	case pipeline.StateCancelled:
		return instanceResult{}, temporal.NewCanceledError(instanceResult{Instance: in.Instance, State: res.State,
			Attempts: number, Start: prog.Start, End: res.End})
	case pipeline.StateUpForRetry:
		if res.RetryAfter {
			prog.RetryAfters++
		}
		activity.RecordHeartbeat(ctx, prog)
		return instanceResult{}, temporal.NewApplicationErrorWithOptions(res.Err.Error(), "UpForRetry",
			temporal.ApplicationErrorOptions{NextRetryDelay: max(res.Delay, time.Millisecond)})
	}
	return instanceResult{}, w.failed(ctx, p, in, prog, number, res)
}

// storeEnd stores the task's final state when the workflow asked for it,
// and says so in the result (a failed store is left to the workflow's
// EndTask step: the attempt must not run again for it).
func (w *workerState) storeEnd(ctx context.Context, p *pipeline.Pipeline, in attemptInput, ir instanceResult) instanceResult {
	if !in.StoreEnd {
		return ir
	}
	_, err := pipeline.EndTask(ctx, p, in.RunID, in.Task, ir.State, instanceSummaries(in.Task, []instanceResult{ir}), &w.opts)
	ir.Stored = err == nil
	return ir
}

// failed is the non-retryable error that ends an instance FAILED, with its
// result as details.
func (w *workerState) failed(ctx context.Context, p *pipeline.Pipeline, in attemptInput, prog progress, number int, res *pipeline.AttemptResult) error {
	ir := instanceResult{Instance: in.Instance, State: pipeline.StateFailed, Attempts: number, Start: prog.Start,
		End: res.End, Attempt: number, Error: res.Err.Error()}
	if ir.Start.IsZero() {
		ir.Start = res.Start
	}
	ir = w.storeEnd(ctx, p, in, ir)
	return temporal.NewApplicationErrorWithOptions(res.Err.Error(), "TaskFailed",
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{ir}})
}

// heartbeat heartbeats every interval until stop is called.
func heartbeat(ctx context.Context, interval time.Duration, prog *progress) (stop func()) {
	if interval <= 0 {
		interval = time.Second
	}
	p := *prog
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, p)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// endTaskInput is a task's final state.
type endTaskInput struct {
	Pipeline, RunID, Task string
	State                 pipeline.State
	Instances             []instanceResult
}

func (w *workerState) endTask(ctx context.Context, in endTaskInput) error {
	p, err := w.lookup(in.Pipeline)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "UnknownPipeline", err)
	}
	_, err = pipeline.EndTask(ctx, p, in.RunID, in.Task, in.State, instanceSummaries(in.Task, in.Instances), &w.opts)
	return err
}

// instanceSummaries are the instances' outcomes by instance (nil for nil).
func instanceSummaries(task string, rs []instanceResult) []pipeline.InstanceSummary {
	var insts []pipeline.InstanceSummary
	for _, r := range rs {
		is := pipeline.InstanceSummary{Instance: r.Instance, State: r.State, Attempts: r.Attempts, Start: r.Start, End: r.End}
		if r.State == pipeline.StateFailed {
			is.Err = &pipeline.TaskError{Task: task, Instance: r.Instance, Attempt: r.Attempt, Err: errors.New(r.Error)}
		}
		insts = append(insts, is)
	}
	sortInstances(insts)
	return insts
}

func sortInstances(xs []pipeline.InstanceSummary) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j].Instance < xs[j-1].Instance; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// finishInput names a run.
type finishInput struct{ Pipeline, RunID string }

func (w *workerState) finish(ctx context.Context, in finishInput) error {
	p, err := w.lookup(in.Pipeline)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "UnknownPipeline", err)
	}
	if _, err := pipeline.FinishRun(ctx, p, in.RunID, &w.opts); err != nil && !errors.Is(err, pipeline.ErrRunFailed) && !isRunCancelled(err) {
		return fmt.Errorf("finish run %s: %w", in.RunID, err)
	}
	return nil
}

func isRunCancelled(err error) bool { return errors.Is(err, context.Canceled) }

package temporalexec

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datafactory/datafactory/pipeline"
)

// Names under which [Register] registers the workflow and activities.
const (
	WorkflowName        = "datafactory.Run"
	AttemptActivityName = "datafactory.Attempt"
	EndTaskActivityName = "datafactory.EndTask"
	FinishActivityName  = "datafactory.FinishRun"
)

// runInput is the workflow's input.
type runInput struct {
	Pipeline         string
	RunID            string
	TaskQueue        string
	Concurrency      int
	HeartbeatTimeout time.Duration
	// EngineQueues maps the engines of the pipeline's task types to the
	// task queues of their workers.
	EngineQueues map[string]string
	// ScheduleToStartTimeout bounds the wait of an attempt for a worker
	// (0: no bound).
	ScheduleToStartTimeout time.Duration
}

// unit is one task instance.
type unit struct {
	task string
	inst int
}

// dag is the workflow's bookkeeping of a run.
type dag struct {
	in       runInput
	infos    []pipeline.TaskInfo
	index    map[string]int
	states   []pipeline.State
	waiting  []int
	open     []int
	insts    [][]instanceResult
	ready    []unit
	launched []bool
	halted   bool
	canceled bool
	// sel waits for attempts, stored task states and cancellation.
	sel workflow.Selector
	// pending counts EndTask activities not yet completed.
	pending int
	failure error
	queues  *wfQueues
}

// runWorkflow drives a run: it launches each ready instance as an attempt
// activity, and when a task ends stores its state and resolves its
// dependents; then it finishes the run.
func (w *workerState) runWorkflow(ctx workflow.Context, in runInput) error {
	p, err := w.lookup(in.Pipeline)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "UnknownPipeline", err)
	}
	d := &dag{in: in, infos: p.TaskInfos(), index: map[string]int{}}
	d.queues = newWfQueues(d.infos)
	if err := d.queues.register(ctx); err != nil {
		return err
	}
	n := len(d.infos)
	d.states, d.waiting, d.open, d.insts = make([]pipeline.State, n), make([]int, n), make([]int, n), make([][]instanceResult, n)
	d.launched = make([]bool, n)
	for i, ti := range d.infos {
		d.index[ti.Name] = i
		d.waiting[i] = len(ti.Upstream)
	}
	limit := in.Concurrency
	if limit <= 0 {
		limit = 16
	}
	sel := workflow.NewSelector(ctx)
	d.sel = sel
	bg, _ := workflow.NewDisconnectedContext(ctx)
	// The cancellation is passed on as one value on a channel of its own:
	// a selector case on ctx.Done() itself stays ready once it is closed.
	cancelled := workflow.NewBufferedChannel(bg, 1)
	workflow.Go(bg, func(gctx workflow.Context) {
		ctx.Done().Receive(gctx, nil)
		cancelled.Send(gctx, true)
	})
	sel.AddReceive(cancelled, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(bg, nil)
		d.canceled = true
	})
	for i := range d.infos {
		if d.waiting[i] == 0 {
			if err := d.resolve(bg, p, i); err != nil {
				return err
			}
		}
	}
	running, remaining := 0, n
	for _, st := range d.states {
		if st.Terminal() {
			remaining--
		}
	}
	for (remaining > 0 || d.pending > 0) && d.failure == nil {
		if d.canceled {
			if err := d.cancelReady(bg, p); err != nil {
				return err
			}
		}
		for !d.canceled && running < limit && len(d.ready) > 0 {
			u := d.ready[0]
			d.ready = d.ready[1:]
			running++
			d.launched[d.index[u.task]] = true
			fut := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, d.activityOptions(u.task)), AttemptActivityName,
				attemptInput{Pipeline: in.Pipeline, RunID: in.RunID, Task: u.task, Instance: u.inst,
					StoreEnd: d.infos[d.index[u.task]].Instances == 1})
			sel.AddFuture(fut, func(f workflow.Future) {
				running--
				res := d.resultOf(ctx, f, u)
				if err := d.finishUnit(bg, p, u, res); err != nil {
					d.fail(err)
				}
			})
		}
		if running == 0 && d.pending == 0 && !d.canceled && len(d.ready) == 0 {
			break // nothing can make progress (not reached for a valid DAG)
		}
		if running == 0 && d.pending == 0 && d.canceled {
			if err := d.cancelRest(bg, p); err != nil {
				return err
			}
			break
		}
		sel.Select(ctx)
		remaining = 0
		for _, st := range d.states {
			if !st.Terminal() {
				remaining++
			}
		}
	}
	if d.failure != nil {
		return d.failure
	}
	if err := d.cancelRest(bg, p); err != nil {
		return err
	}
	for d.pending > 0 && d.failure == nil {
		sel.Select(bg)
	}
	if d.failure != nil {
		return d.failure
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(bg, d.stepOptions()), FinishActivityName,
		finishInput{Pipeline: in.Pipeline, RunID: in.RunID}).Get(bg, nil)
}

// activityOptions maps a task's settings onto an attempt activity: the
// timeout bounds start-to-close (with room for the worker to report the
// timeout itself), heartbeats notice dead workers, and the retry policy
// leaves every decision to the activity (NextRetryDelay, NonRetryable);
// its interval applies only to an attempt lost with its worker.
func (d *dag) activityOptions(task string) workflow.ActivityOptions {
	ti := d.infos[d.index[task]]
	stc := 7 * 24 * time.Hour
	if ti.Timeout > 0 {
		stc = ti.Timeout + d.in.HeartbeatTimeout
	}
	return workflow.ActivityOptions{
		TaskQueue:              d.queueOf(ti),
		ScheduleToStartTimeout: d.in.ScheduleToStartTimeout,
		StartToCloseTimeout:    stc,
		HeartbeatTimeout:       d.in.HeartbeatTimeout,
		WaitForCancellation:    true,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 1, MaximumAttempts: 0},
	}
}

// stepOptions are those of the bookkeeping activities (EndTask, FinishRun).
func (d *dag) stepOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{TaskQueue: d.in.TaskQueue, StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 10}}
}

// queueOf is the task queue of a task's attempts: its engine's, else the
// run's.
func (d *dag) queueOf(ti pipeline.TaskInfo) string {
	if q, ok := d.in.EngineQueues[ti.Engine]; ok && ti.Engine != "" {
		return q
	}
	return d.in.TaskQueue
}

// resultOf reads how an attempt activity ended. ctx must be the
// workflow's context: Future.Get dereferences it even when the future is
// ready.
func (d *dag) resultOf(ctx workflow.Context, f workflow.Future, u unit) instanceResult {
	var res instanceResult
	err := f.Get(ctx, &res)
	if err == nil {
		return res
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) && te.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		ti := d.infos[d.index[u.task]]
		return instanceResult{Instance: u.inst, State: pipeline.StateFailed, Attempts: 1, Attempt: 1,
			Error: fmt.Sprintf("no worker took the attempt: no worker of engine %q polled task queue %s within the schedule-to-start timeout %s",
				ti.Engine, d.queueOf(ti), d.in.ScheduleToStartTimeout)}
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.HasDetails() && app.Details(&res) == nil {
		return res
	}
	var c *temporal.CanceledError
	if errors.As(err, &c) {
		if c.HasDetails() && c.Details(&res) == nil {
			return res
		}
		return instanceResult{Instance: u.inst, State: pipeline.StateCancelled}
	}
	return instanceResult{Instance: u.inst, State: pipeline.StateFailed, Attempts: 1, Attempt: 1, Error: err.Error()}
}

func isCanceled(err error) bool {
	var c *temporal.CanceledError
	return errors.As(err, &c)
}

// finishUnit records an instance's end and ends its task with the last one.
func (d *dag) finishUnit(ctx workflow.Context, p *pipeline.Pipeline, u unit, res instanceResult) error {
	i := d.index[u.task]
	res.Instance = u.inst
	d.queues.endInstance(u.task, u.inst, res.State == pipeline.StateSuccess)
	d.insts[i] = append(d.insts[i], res)
	if d.open[i]--; d.open[i] > 0 {
		return nil
	}
	st := pipeline.StateSuccess
	for _, r := range d.insts[i] {
		switch {
		case r.State == pipeline.StateFailed:
			st = pipeline.StateFailed
		case r.State == pipeline.StateCancelled && st != pipeline.StateFailed:
			st = pipeline.StateCancelled
		}
	}
	return d.endTask(ctx, p, i, st, d.insts[i])
}

// fail keeps the first error that stops the workflow.
func (d *dag) fail(err error) {
	if d.failure == nil {
		d.failure = err
	}
}

// endTask stores a task's final state and, once it is stored, resolves
// its dependents. The store runs beside the rest of the run: the workflow
// goes on launching attempts meanwhile. The last attempt of a task of one
// instance stored it already (Stored): then its dependents are resolved at
// once, saving an activity per task.
func (d *dag) endTask(ctx workflow.Context, p *pipeline.Pipeline, i int, st pipeline.State, insts []instanceResult) error {
	d.states[i] = st
	d.queues.taskEnded(d.infos[i], st)
	in := endTaskInput{Pipeline: d.in.Pipeline, RunID: d.in.RunID, Task: d.infos[i].Name, State: st, Instances: insts}
	if st == pipeline.StateFailed && d.infos[i].Halts && !d.halted {
		d.halted = true
		if err := d.haltReady(ctx, p); err != nil {
			return err
		}
	}
	if len(insts) == 1 && insts[0].Stored && d.infos[i].Instances == 1 {
		return d.afterEnd(ctx, p, i)
	}
	d.pending++
	fut := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, d.stepOptions()), EndTaskActivityName, in)
	d.sel.AddFuture(fut, func(f workflow.Future) {
		d.pending--
		if err := f.Get(ctx, nil); err != nil {
			d.fail(fmt.Errorf("store state of task %s: %w", d.infos[i].Name, err))
			return
		}
		if err := d.afterEnd(ctx, p, i); err != nil {
			d.fail(err)
		}
	})
	return nil
}

// afterEnd resolves the dependents whose last upstream was task i.
func (d *dag) afterEnd(ctx workflow.Context, p *pipeline.Pipeline, i int) error {
	for j, ti := range d.infos {
		if d.states[j] != "" || !contains(ti.Upstream, d.infos[i].Name) {
			continue
		}
		if d.waiting[j]--; d.waiting[j] == 0 {
			if err := d.resolve(ctx, p, j); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolve decides a task whose upstream ended: it runs, or ends SKIPPED
// or CANCELLED (pipeline.Resolve; a halted run skips, a cancelled one
// cancels).
func (d *dag) resolve(ctx workflow.Context, p *pipeline.Pipeline, i int) error {
	ti := d.infos[i]
	up := map[string]pipeline.State{}
	for _, u := range ti.Upstream {
		up[u] = d.states[d.index[u]]
	}
	st := p.Resolve(ti.Name, up)
	switch {
	case d.canceled || st == pipeline.StateCancelled:
		return d.endTask(ctx, p, i, pipeline.StateCancelled, nil)
	case d.halted || st == pipeline.StateSkipped:
		return d.endTask(ctx, p, i, pipeline.StateSkipped, nil)
	}
	d.states[i] = pipeline.StateRunning
	d.open[i] = ti.Instances
	for k := 0; k < ti.Instances; k++ {
		d.ready = append(d.ready, unit{task: ti.Name, inst: k})
	}
	return nil
}

// haltReady ends SKIPPED the tasks that are ready but not launched; the
// rest of a fan-out already running goes on, as in-process.
func (d *dag) haltReady(ctx workflow.Context, p *pipeline.Pipeline) error {
	var keep, drop []unit
	for _, u := range d.ready {
		if d.launched[d.index[u.task]] {
			keep = append(keep, u)
		} else {
			drop = append(drop, u)
		}
	}
	d.ready = drop
	err := d.dropReady(ctx, p, pipeline.StateSkipped)
	d.ready = append(keep, d.ready...)
	return err
}

// cancelReady ends CANCELLED the instances not launched.
func (d *dag) cancelReady(ctx workflow.Context, p *pipeline.Pipeline) error {
	return d.dropReady(ctx, p, pipeline.StateCancelled)
}

func (d *dag) dropReady(ctx workflow.Context, p *pipeline.Pipeline, st pipeline.State) error {
	ready := d.ready
	d.ready = nil
	for _, u := range ready {
		i := d.index[u.task]
		if d.launched[i] {
			// part of a fan-out already running: its instance ends st
			if err := d.finishUnit(ctx, p, u, instanceResult{State: st}); err != nil {
				return err
			}
			continue
		}
		if d.states[i] == pipeline.StateRunning {
			d.states[i] = ""
			if err := d.endTask(ctx, p, i, st, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// cancelRest ends CANCELLED every task not yet ended (after cancellation).
func (d *dag) cancelRest(ctx workflow.Context, p *pipeline.Pipeline) error {
	for i := range d.infos {
		if d.states[i] == "" {
			if err := d.endTask(ctx, p, i, pipeline.StateCancelled, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// taskRun is the runner's bookkeeping for one task.
type taskRun struct {
	state   State
	waiting int // included upstream tasks not yet terminal
	open    int // instances not yet finished
	started bool
	insts   []InstanceSummary // finished instances, by instance once the task ended
	instErr State             // worst instance outcome so far
	saveErr error             // the task's state could not be stored
}

// summary is the task's summary.
func (t *taskRun) summary(n *node) TaskSummary {
	ts := taskSummary(n.name, t.state, t.insts)
	if t.saveErr != nil && ts.Err == nil {
		ts.Err = &TaskError{Task: n.name, Attempt: ts.Attempts, Err: t.saveErr}
	}
	return ts
}

// unitResult is how one task instance ended.
type unitResult struct {
	task, inst int
	state      State
	attempts   int
	start, end time.Time
	err        error
}

// executor drives one run: it launches ready instances and propagates
// outcomes downstream. All its fields are owned by the loop goroutine.
type executor struct {
	r         *runState
	only      map[int]bool
	tasks     []taskRun
	ready     [][2]int // task, instance
	running   int
	remaining int
	cancelled bool
	halted    bool // a task failed under Halt or Deactivate
	results   chan unitResult
	feedLeft  map[string]int
	feedErr   map[string]error
	work      []int // tasks whose upstream just became terminal
	saveCtx   context.Context
}

func newExecutor(r *runState, only map[int]bool) *executor {
	ex := &executor{r: r, only: only, tasks: make([]taskRun, len(r.p.nodes)),
		feedLeft: map[string]int{}, feedErr: map[string]error{}}
	for q, n := range r.p.feeders {
		ex.feedLeft[q] = n
	}
	if only != nil {
		// Producers and consumers would be in different processes.
		split := splitBroker{why: "queues connect the tasks of a run's executor, not tasks run one by one"}
		r.broker = func(QueueOwner) QueueBroker { return split }
	}
	return ex
}

func (ex *executor) included(i int) bool { return ex.only == nil || ex.only[i] }

func (ex *executor) loop(ctx context.Context) {
	ex.saveCtx = context.WithoutCancel(ctx)
	limit := 16
	if c := ex.r.concurrency; c > 0 {
		limit = c
	}
	ex.results = make(chan unitResult, limit)
	for i, n := range ex.r.p.nodes {
		if !ex.included(i) {
			continue
		}
		ex.remaining++
		ex.tasks[i].state = StatePending
		for _, u := range n.up {
			if ex.included(u) {
				ex.tasks[i].waiting++
			}
		}
	}
	for i := range ex.r.p.nodes {
		if ex.included(i) && ex.tasks[i].waiting == 0 {
			ex.work = append(ex.work, i)
		}
	}
	ex.drain()
	for ex.remaining > 0 {
		if !ex.cancelled && ctx.Err() != nil {
			ex.cancel()
		}
		for !ex.cancelled && ex.running < limit && len(ex.ready) > 0 {
			u := ex.ready[0]
			ex.ready = ex.ready[1:]
			ex.launch(ctx, u[0], u[1])
		}
		if ex.remaining == 0 || ex.running == 0 {
			if ex.remaining > 0 && !ex.cancelled {
				ex.cancel() // unreachable for a valid DAG; never hang
			}
			if ex.running == 0 {
				break
			}
		}
		var done <-chan struct{}
		if !ex.cancelled {
			done = ctx.Done()
		}
		select {
		case res := <-ex.results:
			ex.running--
			ex.finishUnit(res)
			ex.drain()
		case <-done:
		}
	}
}

func (ex *executor) launch(ctx context.Context, task, inst int) {
	n := ex.r.p.nodes[task]
	t := &ex.tasks[task]
	if !t.started {
		t.started = true
		t.state = StateRunning
	}
	ex.running++
	go func() { ex.results <- ex.r.runUnit(ctx, n, inst) }()
}

// finishUnit records an instance's outcome and ends the task when it was
// the last instance.
func (ex *executor) finishUnit(res unitResult) {
	t := &ex.tasks[res.task]
	t.insts = append(t.insts, InstanceSummary{Instance: res.inst, State: res.state, Attempts: res.attempts,
		Start: res.start, End: res.end, Err: res.err})
	switch res.state {
	case StateFailed:
		t.instErr = StateFailed
	case StateCancelled:
		if t.instErr != StateFailed {
			t.instErr = StateCancelled
		}
	}
	t.open--
	if t.open > 0 {
		return
	}
	slices.SortFunc(t.insts, func(a, b InstanceSummary) int { return a.Instance - b.Instance })
	state := StateSuccess
	if t.instErr != "" {
		state = t.instErr
	}
	ex.finishTask(res.task, state)
}

// finishTask makes a task terminal and queues its dependents.
func (ex *executor) finishTask(i int, s State) {
	t := &ex.tasks[i]
	t.state = s
	ex.remaining--
	if s == StateFailed && ex.r.p.nodes[i].onFailure.halts() && !ex.halted {
		defer ex.halt()
	}
	if err := ex.r.saveTask(ex.saveCtx, t.summary(ex.r.p.nodes[i])); err != nil {
		// The task's dependents in other processes could not see it ended.
		t.state, t.saveErr = StateFailed, err
	}
	for _, q := range ex.r.p.nodes[i].feeds {
		if s != StateSuccess && ex.feedErr[q] == nil {
			ex.feedErr[q] = fmt.Errorf("task %s ended %s", ex.r.p.nodes[i].name, s)
		}
		if ex.feedLeft[q]--; ex.feedLeft[q] == 0 {
			ex.r.queue(q).close(ex.feedErr[q])
		}
	}
	for _, d := range ex.r.p.nodes[i].down {
		if !ex.included(d) || ex.tasks[d].state.Terminal() {
			continue
		}
		if ex.tasks[d].waiting--; ex.tasks[d].waiting == 0 {
			ex.work = append(ex.work, d)
		}
	}
}

// drain resolves every task whose upstream tasks are all terminal.
func (ex *executor) drain() {
	for len(ex.work) > 0 {
		i := ex.work[len(ex.work)-1]
		ex.work = ex.work[:len(ex.work)-1]
		ex.resolve(i)
	}
}

// resolve decides, for a task whose upstream is terminal, whether it runs,
// is skipped or is cancelled.
func (ex *executor) resolve(i int) {
	n := ex.r.p.nodes[i]
	st := resolveNode(ex.r.p, n, func(u int) (State, bool) { return ex.tasks[u].state, ex.included(u) })
	switch {
	case ex.cancelled || st == StateCancelled:
		ex.endUnstarted(i, StateCancelled)
	case ex.halted || st == StateSkipped:
		ex.endUnstarted(i, StateSkipped)
	default:
		ex.tasks[i].open = n.instances
		for k := 0; k < n.instances; k++ {
			ex.ready = append(ex.ready, [2]int{i, k})
		}
	}
}

// endUnstarted ends a task that never ran.
func (ex *executor) endUnstarted(i int, s State) {
	n := ex.r.p.nodes[i]
	for k := 0; k < n.instances; k++ {
		ex.r.transition(n, k, StatePending, s, 0)
	}
	ex.r.rec.taskEnded(ex.r, n, s)
	ex.finishTask(i, s)
}

// halt stops the run after a failure under Halt or Deactivate: tasks whose
// instances are ready but not launched end SKIPPED now, tasks not yet ready
// when they become so (see resolve); running tasks finish.
func (ex *executor) halt() {
	ex.halted = true
	var keep [][2]int
	var skip []int
	for _, u := range ex.ready {
		switch {
		case ex.tasks[u[0]].started:
			keep = append(keep, u) // the rest of a fan-out already running
		case !slices.Contains(skip, u[0]):
			skip = append(skip, u[0])
		}
	}
	ex.ready = keep
	for _, i := range skip {
		ex.tasks[i].open = 0
		ex.endUnstarted(i, StateSkipped)
	}
}

// cancel stops launching: instances not started and tasks not yet ready
// end CANCELLED; running instances see the cancelled context.
func (ex *executor) cancel() {
	ex.cancelled = true
	for _, u := range ex.ready {
		n := ex.r.p.nodes[u[0]]
		ex.r.transition(n, u[1], StatePending, StateCancelled, 0)
		ex.finishUnit(unitResult{task: u[0], inst: u[1], state: StateCancelled})
	}
	ex.ready = nil
	for i := range ex.r.p.nodes {
		t := &ex.tasks[i]
		if ex.included(i) && t.state == StatePending && t.open == 0 && t.waiting > 0 {
			ex.endUnstarted(i, StateCancelled)
		}
	}
	ex.drain()
}

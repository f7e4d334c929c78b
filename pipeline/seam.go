package pipeline

import (
	"context"
	"encoding/json"
	"time"
)

// Executor runs a pipeline run: in this process ([InProcess], the default)
// or on a durable-execution engine whose workers may be on other machines
// (package pipeline/temporalexec). Every executor gives the same task
// semantics, status trace, job, events and storage layout, so a user cannot
// tell from status or storage where a run ran.
//
// An executor builds on [CreateRun], [RunAttempt], [LostAttempt], [EndTask],
// [FinishRun] and [Pipeline.Resolve]: the steps of a run that any process
// holding the same pipeline and backend can perform.
type Executor interface {
	// Execute runs the pipeline once, as [Run] does; conf is already
	// validated and opts.Executor is nil.
	Execute(ctx context.Context, p *Pipeline, conf json.RawMessage, opts *RunOptions) (*Summary, error)
}

// InProcess is the default [Executor]: every task instance runs in a
// goroutine of this process.
type InProcess struct{}

// Execute implements [Executor].
func (InProcess) Execute(ctx context.Context, p *Pipeline, conf json.RawMessage, opts *RunOptions) (*Summary, error) {
	return runInProcess(ctx, p, conf, opts)
}

// TaskInfo is what an executor needs to know of a task to schedule it.
type TaskInfo struct {
	Name      string
	Upstream  []string
	Instances int
	// Timeout bounds each attempt (0: none).
	Timeout time.Duration
	// Halts is true when the task's failure stops the run ([Halt] or
	// [Deactivate]).
	Halts bool
	// Queues is true when the task feeds or consumes a [Queue].
	Queues bool
	// Feeds names the queues the task feeds: an executor holding a run's
	// queues closes each once its feeding tasks ended.
	Feeds []string
	// Engine names the workers that run the task's attempts (its
	// registered type's [TaskType].Engine); "" for the default workers.
	Engine string
}

// TaskInfos returns the tasks in topological order.
func (p *Pipeline) TaskInfos() []TaskInfo {
	out := make([]TaskInfo, len(p.nodes))
	for i, n := range p.nodes {
		ti := TaskInfo{Name: n.name, Instances: n.instances, Timeout: n.timeout, Halts: n.onFailure.halts(),
			Queues: len(n.feeds) > 0 || len(n.consumes) > 0, Feeds: n.feeds, Engine: n.engine}
		for _, u := range n.up {
			ti.Upstream = append(ti.Upstream, p.nodes[u].name)
		}
		out[i] = ti
	}
	return out
}

// Resolve decides what becomes of a task once every upstream task ended,
// given their final states: "" when it runs, [StateSkipped] or
// [StateCancelled] when it ends without running. It is the one rule every
// executor applies (trigger rules, [Continue] upstreams). Unknown tasks
// and upstreams missing from upstream count as cancelled.
func (p *Pipeline) Resolve(task string, upstream map[string]State) State {
	i, ok := p.index[task]
	if !ok {
		return StateCancelled
	}
	return resolveNode(p, p.nodes[i], func(u int) (State, bool) {
		st, ok := upstream[p.nodes[u].name]
		if !ok {
			return StateCancelled, true
		}
		return st, true
	})
}

// resolveNode applies the trigger rule of n; state returns an upstream
// task's final state, ok false for tasks not in this run.
func resolveNode(p *Pipeline, n *node, state func(u int) (State, bool)) State {
	upCancelled, upNotOK := false, false
	for _, u := range n.up {
		st, ok := state(u)
		switch {
		case !ok:
		case st == StateCancelled:
			upCancelled = true
		case !upstreamOK(p.nodes[u], st):
			upNotOK = true
		}
	}
	switch {
	case upCancelled:
		return StateCancelled
	case upNotOK && n.rule == AllSuccess:
		return StateSkipped
	}
	return ""
}

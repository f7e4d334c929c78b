package temporalexec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/datafactory/datafactory/pipeline"
)

// DefaultHeartbeatTimeout is how long Temporal waits for an attempt's
// heartbeat before it counts the attempt lost and runs it again.
const DefaultHeartbeatTimeout = 10 * time.Second

// Executor is a [pipeline.Executor] that runs on Temporal.
type Executor struct {
	// Client connects to the Temporal namespace. Required.
	Client client.Client
	// TaskQueue is where the workflow and its activities are scheduled.
	// Required; workers must poll it.
	TaskQueue string
	// HeartbeatTimeout: default [DefaultHeartbeatTimeout].
	HeartbeatTimeout time.Duration
	// Engines maps engines ([pipeline.TaskType].Engine) to the task
	// queues of their workers; an engine not in it is served on
	// [EngineQueue](TaskQueue, engine).
	Engines map[string]string
	// ScheduleToStartTimeout bounds how long an attempt waits for a
	// worker of its task queue: past it the instance fails with an error
	// naming the engine and queue nobody served. Default 0: it waits
	// (status shows the task RUNNING with no attempt started).
	ScheduleToStartTimeout time.Duration
}

// EngineQueue is the task queue of an engine's workers, by default:
// taskQueue + "." + engine.
func EngineQueue(taskQueue, engine string) string { return taskQueue + "." + engine }

// engineQueues maps the engines of p's tasks to their task queues.
func (e *Executor) engineQueues(p *pipeline.Pipeline) map[string]string {
	m := map[string]string{}
	for _, ti := range p.TaskInfos() {
		if ti.Engine == "" {
			continue
		}
		q, ok := e.Engines[ti.Engine]
		if !ok {
			q = EngineQueue(e.TaskQueue, ti.Engine)
		}
		m[ti.Engine] = q
	}
	return m
}

// Execute implements [pipeline.Executor]: it creates the run in the
// backend ([pipeline.CreateRun]; opts.Backend must have storage), runs the
// workflow, cancels it when ctx is done, and returns the summary built
// from the stored task states.
func (e *Executor) Execute(ctx context.Context, p *pipeline.Pipeline, conf json.RawMessage, opts *pipeline.RunOptions) (*pipeline.Summary, error) {
	if e.Client == nil || e.TaskQueue == "" {
		return nil, errors.New("temporalexec: Client and TaskQueue are required")
	}
	runID, err := pipeline.CreateRun(ctx, p, conf, opts)
	if err != nil {
		return nil, err
	}
	in := runInput{Pipeline: p.Name(), RunID: runID, TaskQueue: e.TaskQueue, HeartbeatTimeout: e.HeartbeatTimeout,
		EngineQueues: e.engineQueues(p), ScheduleToStartTimeout: e.ScheduleToStartTimeout}
	if opts != nil {
		in.Concurrency = opts.Concurrency
	}
	if in.HeartbeatTimeout <= 0 {
		in.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: runID, TaskQueue: e.TaskQueue}, WorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("temporalexec: start run %s: %w", runID, err)
	}
	done := make(chan error, 1)
	go func() { done <- run.Get(context.WithoutCancel(ctx), nil) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		if cerr := e.Client.CancelWorkflow(context.WithoutCancel(ctx), runID, ""); cerr != nil {
			return nil, fmt.Errorf("temporalexec: cancel run %s: %w", runID, cerr)
		}
		err = <-done
	}
	if err != nil && !isCanceled(err) {
		return nil, fmt.Errorf("temporalexec: run %s: %w", runID, err)
	}
	return pipeline.LoadSummary(context.WithoutCancel(ctx), p, runID, opts)
}

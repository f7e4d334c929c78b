package temporalexec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// Names under which [Register] registers what runs scheduled runs.
const (
	// ScheduledWorkflowName is the workflow a [Schedules] schedule starts:
	// it creates the run, then runs it as a child run workflow
	// ([WorkflowName]) whose id is the run id.
	ScheduledWorkflowName = "datafactory.ScheduledRun"
	// CreateRunActivityName creates a scheduled run ([pipeline.CreateRun]).
	CreateRunActivityName = "datafactory.CreateScheduledRun"
)

// scheduledTimeKey is the search attribute Temporal sets on the workflows
// a schedule starts.
var scheduledTimeKey = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// scheduledInput is the input of the scheduled-run workflow, fixed in
// the schedule's action.
type scheduledInput struct {
	Pipeline         string
	Cron             string
	Conf             json.RawMessage
	TaskQueue        string
	HeartbeatTimeout time.Duration
}

// createInput asks for the run of one scheduled time.
type createInput struct {
	Pipeline string
	Cron     string
	Conf     json.RawMessage
	At       time.Time
}

// registerScheduled registers the scheduled-run workflow and activity.
func registerScheduled(w worker.Registry, ws *workerState) {
	w.RegisterWorkflowWithOptions(ws.scheduledRun, workflow.RegisterOptions{Name: ScheduledWorkflowName})
	w.RegisterActivityWithOptions(ws.createScheduledRun, activity.RegisterOptions{Name: CreateRunActivityName})
}

// scheduledRun creates the run of the schedule's action time and runs it
// as the run workflow, under the run id; cancelling it cancels the run.
func (w *workerState) scheduledRun(ctx workflow.Context, in scheduledInput) error {
	at := scheduledTime(ctx)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{TaskQueue: in.TaskQueue,
		StartToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 10}})
	var runID string
	if err := workflow.ExecuteActivity(actx, CreateRunActivityName,
		createInput{Pipeline: in.Pipeline, Cron: in.Cron, Conf: in.Conf, At: at}).Get(ctx, &runID); err != nil {
		return err
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: runID, TaskQueue: in.TaskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL, WaitForCancellation: true})
	run := runInput{Pipeline: in.Pipeline, RunID: runID, TaskQueue: in.TaskQueue, HeartbeatTimeout: in.HeartbeatTimeout}
	err := workflow.ExecuteChildWorkflow(cctx, WorkflowName, run).Get(cctx, nil)
	if err != nil && !isCanceled(err) {
		return err
	}
	return nil
}

// scheduledTime is the action's scheduled time: Temporal's search
// attribute, else the time suffix of the workflow id, else now.
func scheduledTime(ctx workflow.Context) time.Time {
	if at, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledTimeKey); ok && !at.IsZero() {
		return at.UTC()
	}
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	if n := len("2006-01-02T15:04:05Z"); len(id) > n {
		if at, err := time.Parse(time.RFC3339, id[len(id)-n:]); err == nil {
			return at.UTC()
		}
	}
	return workflow.Now(ctx).UTC()
}

// ScheduledRunID is the id of the run a cron trigger of pipeline starts
// for logicalDate, the same as the in-process scheduler's:
// "<pipeline>-scheduled-<yyyymmddThhmmssZ>".
func ScheduledRunID(pipelineName string, logicalDate time.Time) string {
	return pipelineName + "-scheduled-" + logicalDate.UTC().Format("20060102T150405Z")
}

// createScheduledRun creates the run of a scheduled time: its logical date
// is the activation before it (as in-process). Creating is idempotent: an
// attempt after one whose result was lost writes the same run record, and
// the run's trace and job, existing, are kept.
func (w *workerState) createScheduledRun(ctx context.Context, in createInput) (string, error) {
	p, err := w.lookup(in.Pipeline)
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), "UnknownPipeline", err)
	}
	sched, err := schedule.ParseSchedule(in.Cron)
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), "BadSchedule", err)
	}
	logical := schedule.Previous(sched, in.At)
	if logical.IsZero() {
		logical = in.At
	}
	opts := w.opts
	opts.RunID, opts.LogicalDate = ScheduledRunID(p.Name(), logical), logical
	opts.DataInterval = pipeline.Interval{Start: logical, End: in.At} // as the in-process scheduler's
	if _, err := pipeline.CreateRun(ctx, p, in.Conf, &opts); err != nil {
		if errors.Is(err, pipeline.ErrInvalidConf) {
			return "", temporal.NewNonRetryableApplicationError(err.Error(), "InvalidConf", err)
		}
		return "", fmt.Errorf("create scheduled run %s: %w", opts.RunID, err)
	}
	return opts.RunID, nil
}

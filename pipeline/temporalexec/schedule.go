package temporalexec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datafactory/datafactory/pipeline/schedule"
)

// Catch-up windows of the Temporal Schedules of cron triggers: how late
// a missed action (the server or the schedule was down) may still start.
const (
	// CatchupWindow is a trigger's with Catchup: every missed interval of
	// the last year runs.
	CatchupWindow = 365 * 24 * time.Hour
	// NoCatchupWindow is a trigger's without Catchup: an interval missed
	// by more than this is skipped.
	NoCatchupWindow = time.Minute
)

// Schedules is a [schedule.CronSchedules] on Temporal Schedules: each
// cron trigger becomes one schedule whose action starts
// [ScheduledWorkflowName] on TaskQueue, which creates the run and runs it
// as the run workflow ([WorkflowName], the one [Executor] starts), so a
// scheduled run's trace, job and files are those of any other run.
// Temporal fires each schedule once per interval, whatever the number of
// schedulers (replicas of a service) putting it: its id is deterministic
// (see [Schedules.ScheduleID]) and Put creates it or updates it to match.
//
// The mapping: the trigger's Start and End bound the schedule's action
// times; Catchup sets the catch-up window ([CatchupWindow], else
// [NoCatchupWindow]); the pipeline's MaxActiveRuns sets the overlap
// policy (1: BUFFER_ALL with Catchup, so no logical date is lost, else
// BUFFER_ONE; more: ALLOW_ALL); an INACTIVE trigger or pipeline pauses it,
// with the reason as its note. Expressions are standard 5-field cron or
// descriptors, evaluated by Temporal (which, unlike robfig/cron, ANDs day
// of month and day of week when both are set); "@every <duration>" becomes
// an interval; AWS 6-field expressions are refused. A run's logical date
// is the activation before the action's time, as in-process.
type Schedules struct {
	// Client connects to the namespace. Required.
	Client client.Client
	// TaskQueue runs the scheduled runs; workers must poll it. Required.
	TaskQueue string
	// HeartbeatTimeout: default [DefaultHeartbeatTimeout].
	HeartbeatTimeout time.Duration
}

var _ schedule.CronSchedules = (*Schedules)(nil)

// ScheduleID is the id of the schedule of a cron trigger of pipeline:
// "datafactory-<task queue>-<pipeline>-<trigger>", the same in every
// process.
func (s *Schedules) ScheduleID(trigger, pipeline string) string {
	return "datafactory-" + s.TaskQueue + "-" + pipeline + "-" + trigger
}

// Put implements [schedule.CronSchedules]: it creates the trigger's
// schedule, or updates the existing one to match.
func (s *Schedules) Put(ctx context.Context, cs schedule.CronSchedule) error {
	spec, err := scheduleSpec(cs)
	if err != nil {
		return fmt.Errorf("temporalexec: trigger %s: %w", cs.Trigger, err)
	}
	if s.Client == nil || s.TaskQueue == "" {
		return errors.New("temporalexec: Client and TaskQueue are required")
	}
	id := s.ScheduleID(cs.Trigger, cs.Pipeline)
	action := s.action(id, cs)
	policy := schedulePolicy(cs)
	_, err = s.Client.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id, Spec: spec, Action: action,
		Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow, Paused: cs.Paused, Note: cs.Reason})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("temporalexec: create schedule %s: %w", id, err)
		}
		return nil
	}
	err = s.Client.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			return &client.ScheduleUpdate{Schedule: &client.Schedule{Action: action, Spec: &spec, Policy: &policy,
				State: &client.ScheduleState{Paused: cs.Paused, Note: cs.Reason}}}, nil
		}})
	if err != nil {
		return fmt.Errorf("temporalexec: update schedule %s: %w", id, err)
	}
	return nil
}

// Delete implements [schedule.CronSchedules].
func (s *Schedules) Delete(ctx context.Context, trigger, pipeline string) error {
	id := s.ScheduleID(trigger, pipeline)
	err := s.Client.ScheduleClient().GetHandle(ctx, id).Delete(ctx)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("temporalexec: delete schedule %s: %w", id, err)
	}
	return nil
}

// action starts the scheduled-run workflow; Temporal appends the
// scheduled time to its workflow id.
func (s *Schedules) action(id string, cs schedule.CronSchedule) *client.ScheduleWorkflowAction {
	hb := s.HeartbeatTimeout
	if hb <= 0 {
		hb = DefaultHeartbeatTimeout
	}
	conf := cs.Conf
	if len(conf) == 0 {
		conf = json.RawMessage("null")
	}
	in := scheduledInput{Pipeline: cs.Pipeline, Cron: cs.Cron, Conf: conf, TaskQueue: s.TaskQueue, HeartbeatTimeout: hb}
	return &client.ScheduleWorkflowAction{ID: id, Workflow: ScheduledWorkflowName, Args: []any{in}, TaskQueue: s.TaskQueue}
}

// schedulePolicy maps catch-up and the pipeline's limit on active runs.
func schedulePolicy(cs schedule.CronSchedule) client.SchedulePolicies {
	p := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, CatchupWindow: NoCatchupWindow}
	if cs.Catchup {
		p.CatchupWindow = CatchupWindow
	}
	if cs.MaxActiveRuns <= 1 {
		p.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
		if cs.Catchup {
			p.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL
		}
	}
	return p
}

// scheduleSpec is the Temporal spec of a cron trigger: its expression (an
// interval for "@every"), with action times from the end of the first
// interval at or after Start to the end of the interval of End.
func scheduleSpec(cs schedule.CronSchedule) (client.ScheduleSpec, error) {
	expr := strings.TrimSpace(cs.Cron)
	sched, err := schedule.ParseSchedule(expr)
	if err != nil {
		return client.ScheduleSpec{}, err
	}
	var spec client.ScheduleSpec
	switch every, isEvery := strings.CutPrefix(expr, "@every "); {
	case isEvery:
		d, err := time.ParseDuration(strings.TrimSpace(every))
		if err != nil || d < time.Second {
			return client.ScheduleSpec{}, fmt.Errorf("schedule %q: want @every with a duration of at least 1s", expr)
		}
		spec.Intervals = []client.ScheduleIntervalSpec{{Every: d}}
	case strings.HasPrefix(expr, "cron(") || len(strings.Fields(expr)) == 6:
		return client.ScheduleSpec{}, fmt.Errorf("schedule %q: AWS cron expressions are not supported on Temporal; write a standard 5-field expression", expr)
	default:
		spec.CronExpressions = []string{expr}
	}
	if !cs.Start.IsZero() {
		spec.StartAt = sched.Next(cs.Start.Add(-time.Nanosecond)).Add(time.Nanosecond)
	}
	if !cs.End.IsZero() {
		spec.EndAt = sched.Next(cs.End)
	}
	return spec, nil
}

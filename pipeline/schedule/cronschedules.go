package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/robfig/cron/v3"
)

// CronSchedules fires cron triggers outside the scheduler, exactly once
// per interval however many schedulers share it (package
// pipeline/temporalexec's Schedules puts them on Temporal Schedules). With
// [Options].Cron set, a scheduler ticks no cron trigger itself: it puts
// each one there when it starts and whenever the trigger or its pipeline
// changes, and deletes it with the trigger. Every scheduler sharing the
// schedules puts the same ones, so Put must be idempotent.
type CronSchedules interface {
	// Put creates the schedule of a cron trigger, or updates the one
	// there to match (paused when the trigger or its pipeline is
	// INACTIVE).
	Put(ctx context.Context, s CronSchedule) error
	// Delete removes the schedule of a cron trigger of pipeline; one that
	// does not exist is not an error.
	Delete(ctx context.Context, trigger, pipeline string) error
}

// CronSchedule is a cron trigger as handed to [CronSchedules].
type CronSchedule struct {
	// Trigger is the trigger's id, Pipeline the one it starts.
	Trigger, Pipeline string
	// Cron is the trigger's expression (see [ParseSchedule]).
	Cron string
	// Start and End bound the logical dates (End zero: none).
	Start, End time.Time
	// Catchup runs every missed interval (see [CronTrigger]).
	Catchup bool
	// MaxActiveRuns is the pipeline's limit on active runs
	// ([PipelineOptions]).
	MaxActiveRuns int
	// Conf is the conf of the runs (the pipeline's [PipelineOptions].Conf);
	// nil means null.
	Conf json.RawMessage
	// Paused is set when the trigger or the pipeline is INACTIVE; Reason
	// says which.
	Paused bool
	Reason string
}

// cronSchedule describes a cron trigger for [CronSchedules], with its
// current activation.
func (s *Scheduler) cronSchedule(ctx context.Context, tr *trigger) (CronSchedule, error) {
	ct := tr.t.(CronTrigger)
	name := tr.targets[0]
	s.mu.Lock()
	sp := s.pipelines[name]
	s.mu.Unlock()
	cs := CronSchedule{Trigger: tr.id, Pipeline: name, Cron: ct.Cron, Start: ct.Start, End: ct.End,
		Catchup: ct.Catchup, MaxActiveRuns: sp.max, Conf: slices.Clone(sp.conf)}
	if ct.Schedule != nil && ct.Cron == "" {
		return cs, errors.New("a cron trigger given as a Schedule value cannot be put on outside schedules; give Cron")
	}
	tst, err := s.TriggerState(ctx, tr.id)
	if err != nil {
		return cs, err
	}
	pst, err := s.PipelineState(ctx, name)
	if err != nil {
		return cs, err
	}
	switch {
	case tst.State != Active:
		cs.Paused, cs.Reason = true, "trigger INACTIVE: "+tst.Reason
	case pst.State != Active:
		cs.Paused, cs.Reason = true, "pipeline INACTIVE: "+pst.Reason
	}
	return cs, nil
}

// putCron puts a cron trigger on the outside schedules (nothing without
// them, for another kind of trigger, or before Start, which puts every
// cron trigger as it then is).
func (s *Scheduler) putCron(ctx context.Context, tr *trigger) error {
	if s.o.Cron == nil || tr.t.kind() != "cron" || !s.started() {
		return nil
	}
	cs, err := s.cronSchedule(ctx, tr)
	if err != nil {
		return fmt.Errorf("put schedule of trigger %s: %w", tr.id, err)
	}
	if err := s.o.Cron.Put(ctx, cs); err != nil {
		return fmt.Errorf("put schedule of trigger %s: %w", tr.id, err)
	}
	return nil
}

// putCronOf puts again the cron triggers targeting pipeline name (after
// its activation changed).
func (s *Scheduler) putCronOf(ctx context.Context, name string) error {
	if s.o.Cron == nil {
		return nil
	}
	var errs []error
	for _, tr := range s.sortedTriggers("cron") {
		if tr.targets[0] == name {
			errs = append(errs, s.putCron(ctx, tr))
		}
	}
	return errors.Join(errs...)
}

// started reports whether Start has run.
func (s *Scheduler) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loopDone != nil
}

// putAllCron puts every cron trigger, when the scheduler starts.
func (s *Scheduler) putAllCron(ctx context.Context) error {
	if s.o.Cron == nil {
		return nil
	}
	var errs []error
	for _, tr := range s.sortedTriggers("cron") {
		errs = append(errs, s.putCron(ctx, tr))
	}
	return errors.Join(errs...)
}

// deleteCron removes a trigger's outside schedule (a cron trigger
// deleted, or replaced by another kind).
func (s *Scheduler) deleteCron(ctx context.Context, tr *trigger) error {
	if s.o.Cron == nil || tr == nil || tr.t.kind() != "cron" {
		return nil
	}
	if err := s.o.Cron.Delete(ctx, tr.id, tr.targets[0]); err != nil {
		return fmt.Errorf("delete schedule of trigger %s: %w", tr.id, err)
	}
	return nil
}

// Previous returns the latest activation of sched strictly before t: the
// logical date of the interval that ends at t when t is an activation (a
// cron interval's run starts once it is over, see [CronTrigger]). It
// returns the zero time when none is found within about two years before t.
func Previous(sched Schedule, t time.Time) time.Time {
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok { // @every: no fixed phase
		return t.Add(-cd.Delay)
	}
	for back := time.Second; back <= 800*24*time.Hour; back *= 2 {
		x := sched.Next(t.Add(-back))
		if x.IsZero() || !x.Before(t) {
			continue
		}
		for {
			n := sched.Next(x)
			if n.IsZero() || !n.Before(t) {
				return x
			}
			x = n
		}
	}
	return time.Time{}
}

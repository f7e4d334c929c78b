package service

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// schedule adds the pipelines with their workflow settings, the cron
// triggers, the triggers of the spec files, and the triggers put over the
// API before (persisted with the scheduler's state; one whose id a spec
// file now uses is not restored), to the scheduler, with its state in the
// bucket when there is one.
func (s *Service) schedule() error {
	backend := pipeline.NewBackend(&pipeline.BackendOptions{Status: s.cfg.Status, Storage: s.cfg.Bucket,
		HeartbeatInterval: s.cfg.HeartbeatTimeout / 4, Logger: s.cfg.Logger})
	opts := &schedule.Options{Logger: s.cfg.Logger.With("component", "scheduler"),
		RunOptions: func(name string) *pipeline.RunOptions {
			return &pipeline.RunOptions{Backend: backend, Executor: s.cfg.Executor,
				OnTransition: s.cfg.Metrics.TaskTimer(name)}
		}, Cron: s.cfg.Cron}
	if s.cfg.Bucket != nil {
		st, err := schedule.NewBucketStateStore(s.cfg.Bucket, "_scheduler")
		if err != nil {
			return fmt.Errorf("service: scheduler state: %w", err)
		}
		opts.State = st
	}
	s.sched = schedule.New(opts)
	known := map[string]bool{}
	for _, d := range s.cfg.Pipelines {
		if err := s.sched.AddPipeline(d.Pipeline, s.cfg.Workflows[d.Pipeline.Name()]); err != nil {
			return fmt.Errorf("service: %w", err)
		}
		known[d.Pipeline.Name()] = true
	}
	for name := range s.cfg.Workflows {
		if !known[name] {
			return fmt.Errorf("service: workflow settings for %q: no such pipeline", name)
		}
	}
	for _, sc := range s.cfg.Schedules {
		if !known[sc.Pipeline] {
			return fmt.Errorf("service: schedule %s=%s: no pipeline %q", sc.Pipeline, sc.Cron, sc.Pipeline)
		}
		start := time.Now().UTC().Truncate(time.Hour)
		if err := s.sched.AddTrigger("cron-"+sc.Pipeline, schedule.CronTrigger{Cron: sc.Cron, Start: start}, sc.Pipeline); err != nil {
			return fmt.Errorf("service: schedule %s=%s: %w", sc.Pipeline, sc.Cron, err)
		}
		if o := s.cfg.Workflows[sc.Pipeline]; o != nil && o.Inactive {
			s.cfg.Logger.Warn("service: scheduled pipeline is INACTIVE until activated (its spec sets no state: dart's default)",
				"pipeline", sc.Pipeline)
		}
	}
	if err := s.sched.AddSpecTriggers(context.Background(), s.cfg.Triggers); err != nil {
		return fmt.Errorf("service: spec file triggers: %w", err)
	}
	if err := s.sched.RestoreTriggers(context.Background()); err != nil {
		s.cfg.Logger.Warn("service: triggers put over the API not restored", "error", err)
	}
	return nil
}

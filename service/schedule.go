package service

import (
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// schedule adds the pipelines and the cron triggers to the scheduler,
// with its state in the bucket when there is one.
func (s *Service) schedule() error {
	backend := pipeline.NewBackend(&pipeline.BackendOptions{Status: s.cfg.Status, Storage: s.cfg.Bucket,
		HeartbeatInterval: s.cfg.HeartbeatTimeout / 4, Logger: s.cfg.Logger})
	opts := &schedule.Options{Logger: s.cfg.Logger.With("component", "scheduler"),
		RunOptions: func(string) *pipeline.RunOptions { return &pipeline.RunOptions{Backend: backend} }}
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
		if err := s.sched.AddPipeline(d.Pipeline, nil); err != nil {
			return fmt.Errorf("service: %w", err)
		}
		known[d.Pipeline.Name()] = true
	}
	for _, sc := range s.cfg.Schedules {
		if !known[sc.Pipeline] {
			return fmt.Errorf("service: schedule %s=%s: no pipeline %q", sc.Pipeline, sc.Cron, sc.Pipeline)
		}
		start := time.Now().UTC().Truncate(time.Hour)
		if err := s.sched.AddTrigger("cron-"+sc.Pipeline, schedule.CronTrigger{Cron: sc.Cron, Start: start}, sc.Pipeline); err != nil {
			return fmt.Errorf("service: schedule %s=%s: %w", sc.Pipeline, sc.Cron, err)
		}
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// viewName is the name specs/companies_views.yaml gives the view of the
// month of ds: data-flow's, after the month's last day
// (companies_2026_07_31).
func viewName(ds time.Time) string {
	last := time.Date(ds.Year(), ds.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return fmt.Sprintf("%s_%s", target, last.Format("2006_01_02"))
}

// catchUpViews adds the views pipeline and the triggers its spec file
// declares (@monthly with catch-up, from ${VIEWS_START}: months before
// now's month) to a scheduler and ticks once: one run per finished month.
// It returns the names of the views those runs must have made, oldest
// first (the caller queries them, so a missing one is an error).
func catchUpViews(ctx context.Context, r *pipeline.Registry, be *pipeline.Backend, clock pipeline.Clock, months int) ([]string, error) {
	now := clock.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := thisMonth.AddDate(0, -months, 0)
	spec, p, err := loadSpec(r, "companies_views", map[string]string{"VIEWS_START": start.Format(time.RFC3339)})
	if err != nil {
		return nil, err
	}
	sched := schedule.New(&schedule.Options{Synchronous: true, Clock: clock,
		RunOptions: func(string) *pipeline.RunOptions { return &pipeline.RunOptions{Backend: be} }})
	opts, err := schedule.SpecOptions(spec)
	if err != nil {
		return nil, err
	}
	if err := sched.AddPipeline(p, opts); err != nil {
		return nil, err
	}
	triggers, err := schedule.SpecTriggers(spec)
	if err != nil {
		return nil, err
	}
	if err := sched.AddSpecTriggers(ctx, triggers); err != nil {
		return nil, err
	}
	if err := sched.Tick(ctx); err != nil {
		return nil, err
	}
	sched.Wait()
	var made []string
	for m := start; m.Before(thisMonth); m = m.AddDate(0, 1, 0) {
		made = append(made, viewName(m))
	}
	return made, nil
}

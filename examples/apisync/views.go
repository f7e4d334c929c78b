package main

import (
	"context"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// viewName is data-flow's name of a month's view: the last day of the
// logical date's month, e.g. companies_2026_07_31.
func viewName(ds time.Time) string {
	last := time.Date(ds.Year(), ds.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return fmt.Sprintf("%s_%s", target, last.Format("2006_01_02"))
}

// viewsPipeline builds companies_views: one task that (re)creates the view of
// the companies created in the run's logical month.
func viewsPipeline(store *datastore.Store) (*pipeline.Pipeline, error) {
	task := func(ctx context.Context, tc *pipeline.TaskContext) error {
		ds := tc.LogicalDate().UTC()
		from := time.Date(ds.Year(), ds.Month(), 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 1, 0)
		db, q, err := sqlDB(store)
		if err != nil {
			return err
		}
		name := viewName(ds)
		view, err := q(name)
		if err != nil {
			return pipeline.Permanent(err)
		}
		table, _ := q(target)
		col, _ := q("created_on")
		if _, err := db.ExecContext(ctx, "DROP VIEW IF EXISTS "+view); err != nil {
			return err
		}
		// The bounds are dates computed here, not input; views take no
		// placeholders on every database, so they are written as literals.
		stmt := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s WHERE %s >= '%s' AND %s < '%s'",
			view, table, col, from.Format("2006-01-02"), col, to.Format("2006-01-02"))
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
		tc.SetStatus("view", name)
		return nil
	}
	return pipeline.NewBuilder("companies_views").Add("create_view", pipeline.TaskFunc(task), nil).Build()
}

// catchUpViews schedules the views pipeline @monthly from months ago with
// catch-up and ticks once: one run per finished month. It returns the names
// of the views those runs must have made, oldest first (the caller queries
// them, so a missing one is an error).
func catchUpViews(ctx context.Context, store *datastore.Store, be *pipeline.Backend, months int, now time.Time) ([]string, error) {
	p, err := viewsPipeline(store)
	if err != nil {
		return nil, err
	}
	sched := schedule.New(&schedule.Options{Synchronous: true,
		RunOptions: func(string) *pipeline.RunOptions { return &pipeline.RunOptions{Backend: be} }})
	if err := sched.AddPipeline(p, nil); err != nil {
		return nil, err
	}
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -months, 0)
	if err := sched.AddTrigger("monthly", schedule.CronTrigger{Cron: "@monthly", Start: start, Catchup: true}, p.Name()); err != nil {
		return nil, err
	}
	if err := sched.Tick(ctx); err != nil {
		return nil, err
	}
	sched.Wait()
	var made []string
	for m := start; m.Before(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		made = append(made, viewName(m))
	}
	return made, nil
}

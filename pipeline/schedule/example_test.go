package schedule_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// A @monthly view pipeline with catch-up: every finished month runs once,
// with its logical date.
func ExampleScheduler() {
	clock := pipelinetest.NewFakeClock(time.Date(2019, 10, 15, 0, 0, 0, 0, time.UTC))
	view := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		ds := tc.LogicalDate()
		fmt.Println("completed_omis_orders_" + ds.AddDate(0, 1, -1).Format("2006_01_02"))
		return nil
	})
	p, err := pipeline.NewBuilder("omis_view").Add("create_view", view, nil).Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := schedule.New(&schedule.Options{Clock: clock, Synchronous: true})
	defer s.Stop()
	if err := s.AddPipeline(p, nil); err != nil {
		fmt.Println(err)
		return
	}
	err = s.AddTrigger("monthly", schedule.CronTrigger{Cron: "@monthly", Start: time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC), Catchup: true}, "omis_view")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Tick(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// completed_omis_orders_2019_07_31
	// completed_omis_orders_2019_08_31
	// completed_omis_orders_2019_09_30
}

// A spec file declares its pipeline's triggers; the scheduler adds them as
// the operator's, and each cron run carries its data interval.
func ExampleSpecTriggers() {
	spec, err := pipeline.ParseSpec([]byte(`
name: views
state: ACTIVE
triggers:
  - id: views-monthly
    kind: cron
    cron: "@monthly"
    start: 2026-01-01T00:00:00Z
    catchup: true
    state: ACTIVE
  - kind: event
    event: views-refresh
tasks:
  - {name: create_view, type: view}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := pipeline.NewRegistry()
	view := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		iv := tc.DataInterval()
		fmt.Println(iv.Start.Format("2006-01-02"), "→", iv.End.Format("2006-01-02"))
		return nil
	})
	if err := r.Register(pipeline.TaskType{Name: "view", New: func(json.RawMessage) (pipeline.Task, error) { return view, nil }}); err != nil {
		fmt.Println(err)
		return
	}
	p, err := r.Build(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	triggers, err := schedule.SpecTriggers(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	clock := pipelinetest.NewFakeClock(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	s := schedule.New(&schedule.Options{Clock: clock, Synchronous: true})
	defer s.Stop()
	opts, _ := schedule.SpecOptions(spec)
	if err := s.AddPipeline(p, opts); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.AddSpecTriggers(context.Background(), triggers); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Tick(context.Background()); err != nil {
		fmt.Println(err)
	}
	for _, t := range s.Triggers() {
		st, _ := s.TriggerState(context.Background(), t.ID)
		fmt.Println(t.ID, t.Kind, t.DeclaredBy, st.State)
	}
	// Output:
	// 2026-01-01 → 2026-02-01
	// 2026-02-01 → 2026-03-01
	// views-event event views INACTIVE
	// views-monthly cron views ACTIVE
}

package schedule_test

import (
	"context"
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

package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// TestCronRunsCarryTheirInterval: each cron run carries [its logical date,
// the activation that fired it); a retry of a failed cron run keeps both;
// a manual run carries no interval.
func TestCronRunsCarryTheirInterval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var (
		mu   sync.Mutex
		seen []string
		runs int
	)
	task := pipeline.TaskFunc(func(_ context.Context, tc *pipeline.TaskContext) error {
		mu.Lock()
		defer mu.Unlock()
		runs++
		iv := tc.DataInterval()
		seen = append(seen, tc.LogicalDate().Format("01-02")+" ["+iv.Start.Format("01-02")+", "+iv.End.Format("01-02")+")")
		if runs == 1 {
			return pipeline.Permanent(context.Canceled) // the first run fails once
		}
		return nil
	})
	clock := pipelinetest.NewFakeClock(time.Date(2019, 9, 15, 0, 0, 0, 0, time.UTC))
	s := schedule.New(&schedule.Options{Clock: clock, Synchronous: true})
	t.Cleanup(s.Stop)
	require.NoError(t, s.AddPipeline(onePipeline(t, "view", task), &schedule.PipelineOptions{RetriesOnFailure: 1}))
	require.NoError(t, s.AddTrigger("monthly", schedule.CronTrigger{Cron: "@monthly", Start: month(2019, 7), Catchup: true}, "view"))
	require.NoError(t, s.Tick(ctx))
	s.Wait()
	require.NoError(t, s.RunNow(ctx, "view", nil))
	s.Wait()
	require.Equal(t, []string{
		"07-01 [07-01, 08-01)", "07-01 [07-01, 08-01)", // the run and its retry
		"08-01 [08-01, 09-01)",
		"09-15 [01-01, 01-01)", // manual: no interval (zero times)
	}, seen)
}

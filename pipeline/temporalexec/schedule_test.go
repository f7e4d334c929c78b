package temporalexec_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/status"
)

// TestSchedulesRefuseExpressions: expressions Temporal would read
// differently are refused before anything is sent.
func TestSchedulesRefuseExpressions(t *testing.T) {
	t.Parallel()
	s := &temporalexec.Schedules{TaskQueue: "tsched-none"}
	for expr, want := range map[string]string{
		"0 12 ? * MON-FRI *":   "AWS cron",
		"cron(0 12 ? * MON *)": "AWS cron",
		"@every 500ms":         "at least 1s",
		"61 * * * *":           "parse schedule",
	} {
		err := s.Put(context.Background(), schedule.CronSchedule{Trigger: "t", Pipeline: "p", Cron: expr})
		require.ErrorContains(t, err, want, expr)
	}
}

// TestSchedulesOnTemporal: Put creates the schedule, a second Put (another
// replica) updates the same one, its action runs the pipeline on the
// worker as a run with the scheduled run id and logical date, a paused
// trigger pauses it, and Delete removes it (twice is no error).
func TestSchedulesOnTemporal(t *testing.T) {
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t)
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	id := fmt.Sprint(time.Now().UnixNano())
	queue, name := "tsched-lib-"+id, "tsched_lib_"+id
	registry.Store(name, must(pipeline.NewBuilder(name).Add("tick", pipeline.TaskFunc(ok), nil)))
	w := worker.New(c, queue, worker.Options{})
	temporalexec.Register(w, lookup, &pipeline.RunOptions{Backend: h.backend})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	s := &temporalexec.Schedules{Client: c, TaskQueue: queue}
	handle := c.ScheduleClient().GetHandle(ctx, s.ScheduleID("cron", name))
	t.Cleanup(func() { _ = handle.Delete(ctx) })
	cs := schedule.CronSchedule{Trigger: "cron", Pipeline: name, Cron: "@every 1s", MaxActiveRuns: 1, Catchup: true}
	require.NoError(t, s.Put(ctx, cs))
	cs.MaxActiveRuns = 3
	require.NoError(t, s.Put(ctx, cs)) // another replica, with other settings: the same schedule, updated
	desc, err := handle.Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, desc.Schedule.Policy.Overlap)
	require.Equal(t, temporalexec.CatchupWindow, desc.Schedule.Policy.CatchupWindow)

	var run status.Job
	require.Eventually(t, func() bool {
		jobs, err := h.status.ListJobs(ctx, &status.JobQuery{Status: status.JobDone})
		require.NoError(t, err)
		for _, j := range jobs {
			if strings.HasPrefix(j.ID, name+"-scheduled-") {
				run = j
				return true
			}
		}
		return false
	}, 60*time.Second, 50*time.Millisecond, "a scheduled run ended")
	logical, err := time.Parse("20060102T150405Z", strings.TrimPrefix(run.ID, name+"-scheduled-"))
	require.NoError(t, err)
	require.Equal(t, logical.Format(time.RFC3339), fmt.Sprint(run.Info["logical_date"])[:len("2006-01-02T15:04:05")]+"Z",
		"the run id and the job's logical date agree")
	wf, err := c.DescribeWorkflow(ctx, run.ID, "")
	require.NoError(t, err, "the run is the run workflow, under the run id")
	require.Equal(t, temporalexec.WorkflowName, wf.WorkflowType.Name)

	cs.Paused, cs.Reason = true, "trigger INACTIVE: test"
	require.NoError(t, s.Put(ctx, cs))
	desc, err = handle.Describe(ctx)
	require.NoError(t, err)
	require.True(t, desc.Schedule.State.Paused)
	require.Equal(t, "trigger INACTIVE: test", desc.Schedule.State.Note)

	require.NoError(t, s.Delete(ctx, "cron", name))
	require.NoError(t, s.Delete(ctx, "cron", name))
	_, err = handle.Describe(ctx)
	require.Error(t, err)
}

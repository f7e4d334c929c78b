package statustest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
	"github.com/stretchr/testify/require"
)

func reapTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"ExpiredOnly": testReapExpiredOnly,
		"Heartbeater": testHeartbeater,
		"InvalidAge":  testReapInvalid,
		"ManyExpired": testReapMany,
	}
}

func testReapExpiredOnly(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	mk := func(id string, st status.JobStatus) {
		_, err := b.store.CreateJob(ctx, status.Job{ID: id, Type: status.JobLoad})
		require.NoError(t, err)
		if st != status.JobWaiting {
			_, err = b.store.Transition(ctx, id, st, nil)
			require.NoError(t, err)
		}
	}
	mk("stale", status.JobRunning)
	mk("waiting", status.JobWaiting)
	mk("beating", status.JobRunning)
	mk("cancelled", status.JobCancelled)
	b.clock.Advance(10 * time.Minute)
	require.NoError(t, b.store.Heartbeat(ctx, "beating"))
	b.clock.Advance(time.Minute)
	mk("fresh", status.JobRunning)

	reaped, err := b.store.Reap(ctx, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, []string{"stale"}, jobIDs(reaped))
	stale, err := b.store.Job(ctx, "stale")
	require.NoError(t, err)
	require.Equal(t, status.JobFailed, stale.Status)
	require.Equal(t, b.clock.Now(), stale.Updated)
	reason, _ := stale.Info[status.InfoError].(string)
	require.True(t, strings.HasPrefix(reason, "heartbeat expired"), reason)
	require.Equal(t, driver.FormatTime(b.clock.Now()), stale.Info[status.InfoFinishedAt])
	for id, want := range map[string]status.JobStatus{
		"waiting": status.JobWaiting, "beating": status.JobRunning,
		"cancelled": status.JobCancelled, "fresh": status.JobRunning,
	} {
		j, err := b.store.Job(ctx, id)
		require.NoError(t, err, id)
		require.Equal(t, want, j.Status, id)
	}
	again, err := b.store.Reap(ctx, 5*time.Minute)
	require.NoError(t, err)
	require.Empty(t, again)
	require.ErrorIs(t, b.store.Heartbeat(ctx, "stale"), status.ErrNotRunning)
}

func testReapInvalid(t *testing.T, setup setupFunc) {
	b := setup(t)
	_, err := b.store.Reap(context.Background(), 0)
	require.ErrorIs(t, err, status.ErrInvalid)
}

func testReapMany(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	const n = 230 // more than one page
	for range n {
		j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobHarvest, Status: status.JobRunning})
		require.NoError(t, err)
		require.Equal(t, status.JobRunning, j.Status)
	}
	b.clock.Advance(time.Hour)
	reaped, err := b.store.Reap(ctx, time.Minute)
	require.NoError(t, err)
	require.Len(t, reaped, n)
	left, err := b.store.ListJobs(ctx, &status.JobQuery{Status: status.JobRunning})
	require.NoError(t, err)
	require.Empty(t, left)
}

func testHeartbeater(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad, Status: status.JobRunning})
	require.NoError(t, err)
	hb := b.store.NewHeartbeater(j.ID, &status.HeartbeatOptions{Interval: 5 * time.Millisecond})
	require.NoError(t, hb.Start(ctx))
	require.Error(t, hb.Start(ctx))
	b.clock.Advance(time.Hour)
	want := b.clock.Now()
	require.Eventually(t, func() bool {
		got, err := b.store.Job(ctx, j.ID)
		return err == nil && got.Heartbeat.Equal(want)
	}, 10*time.Second, 5*time.Millisecond)
	reaped, err := b.store.Reap(ctx, time.Minute)
	require.NoError(t, err)
	require.Empty(t, reaped)

	_, err = b.store.Transition(ctx, j.ID, status.JobDone, nil)
	require.NoError(t, err)
	select {
	case <-hb.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("heartbeater did not notice the job left RUNNING")
	}
	require.GreaterOrEqual(t, hb.Failures(), int64(1))
	hb.Stop()
	hb.Stop()
}

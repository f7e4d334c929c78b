package statustest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
	"github.com/stretchr/testify/require"
)

func jobTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"CreateDefaults":    testJobCreateDefaults,
		"CreateDuplicate":   testJobCreateDuplicate,
		"CreateValidation":  testJobCreateValidation,
		"GetUnknown":        testJobGetUnknown,
		"TransitionTable":   testJobTransitionTable,
		"TransitionInfo":    testJobTransitionInfo,
		"TransitionUnknown": testJobTransitionUnknown,
		"Heartbeat":         testJobHeartbeat,
		"ListNewestFirst":   testJobListNewestFirst,
		"ListPagination":    testJobListPagination,
		"ListValidation":    testJobListValidation,
	}
}

func testJobCreateDefaults(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad, Dataset: "ds", Resource: "r1", FactoryID: "run-1", User: "u",
		Info: map[string]any{"source": "a.csv"}})
	require.NoError(t, err)
	require.Regexp(t, uuidRE, j.ID)
	require.Equal(t, status.JobWaiting, j.Status)
	require.Equal(t, b.clock.Now(), j.Created)
	require.Equal(t, b.clock.Now(), j.Updated)
	require.True(t, j.Heartbeat.IsZero())
	got, err := b.store.Job(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, j, got)

	r, err := b.store.CreateJob(ctx, status.Job{ID: "running-from-start", Type: "HARVEST", Status: status.JobRunning})
	require.NoError(t, err)
	require.Equal(t, b.clock.Now(), r.Heartbeat)
}

func testJobCreateDuplicate(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	_, err := b.store.CreateJob(ctx, status.Job{ID: "j1", Type: status.JobLoad})
	require.NoError(t, err)
	_, err = b.store.CreateJob(ctx, status.Job{ID: "j1", Type: status.JobValidate})
	require.ErrorIs(t, err, status.ErrExists)
	got, err := b.store.Job(ctx, "j1")
	require.NoError(t, err)
	require.Equal(t, status.JobLoad, got.Type)
}

func testJobCreateValidation(t *testing.T, setup setupFunc) {
	b := setup(t)
	tests := []struct {
		name string
		job  status.Job
	}{
		{"no type", status.Job{}},
		{"lower-case type", status.Job{Type: "load"}},
		{"type with space", status.Job{Type: "LOAD DATA"}},
		{"starts DONE", status.Job{Type: status.JobLoad, Status: status.JobDone}},
		{"unknown status", status.Job{Type: status.JobLoad, Status: "PAUSED"}},
		{"long dataset", status.Job{Type: status.JobLoad, Dataset: strings.Repeat("d", 300)}},
	}
	for _, tc := range tests {
		_, err := b.store.CreateJob(context.Background(), tc.job)
		require.ErrorIs(t, err, status.ErrInvalid, tc.name)
	}
}

func testJobGetUnknown(t *testing.T, setup setupFunc) {
	b := setup(t)
	_, err := b.store.Job(context.Background(), "missing")
	require.ErrorIs(t, err, status.ErrNotFound)
}

func testJobTransitionTable(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	all := []status.JobStatus{status.JobWaiting, status.JobRunning, status.JobDone, status.JobFailed, status.JobCancelled}
	legal := map[[2]status.JobStatus]bool{
		{status.JobWaiting, status.JobRunning}: true, {status.JobWaiting, status.JobFailed}: true,
		{status.JobWaiting, status.JobCancelled}: true, {status.JobRunning, status.JobDone}: true,
		{status.JobRunning, status.JobFailed}: true, {status.JobRunning, status.JobCancelled}: true,
	}
	// pathTo lists the moves that bring a new WAITING job to a status.
	pathTo := map[status.JobStatus][]status.JobStatus{
		status.JobWaiting: nil, status.JobRunning: {status.JobRunning},
		status.JobDone: {status.JobRunning, status.JobDone}, status.JobFailed: {status.JobFailed},
		status.JobCancelled: {status.JobCancelled},
	}
	for _, from := range all {
		for _, to := range all {
			name := fmt.Sprintf("%s->%s", from, to)
			j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad})
			require.NoError(t, err, name)
			for _, s := range pathTo[from] {
				_, err := b.store.Transition(ctx, j.ID, s, nil)
				require.NoError(t, err, name)
			}
			b.clock.Advance(time.Millisecond)
			got, err := b.store.Transition(ctx, j.ID, to, nil)
			if legal[[2]status.JobStatus{from, to}] {
				require.NoError(t, err, name)
				require.Equal(t, to, got.Status, name)
				require.Equal(t, b.clock.Now(), got.Updated, name)
				continue
			}
			require.ErrorIs(t, err, status.ErrIllegalTransition, name)
			var te *status.TransitionError
			require.True(t, errors.As(err, &te), name)
			require.Equal(t, from, te.From, name)
			require.Equal(t, to, te.To, name)
			require.Equal(t, j.ID, te.JobID, name)
			stored, err := b.store.Job(ctx, j.ID)
			require.NoError(t, err, name)
			require.Equal(t, from, stored.Status, name)
		}
	}
	_, err := b.store.Transition(ctx, "x", "PAUSED", nil)
	require.ErrorIs(t, err, status.ErrInvalid)
}

func testJobTransitionInfo(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad, Info: map[string]any{"a": "1", "drop": true}})
	require.NoError(t, err)
	b.clock.Advance(time.Second)
	r, err := b.store.Transition(ctx, j.ID, status.JobRunning, map[string]any{"b": 2.5, "drop": nil})
	require.NoError(t, err)
	started := driver.FormatTime(b.clock.Now())
	require.Equal(t, map[string]any{"a": "1", "b": 2.5, status.InfoStartedAt: started}, r.Info)
	require.Equal(t, b.clock.Now(), r.Heartbeat)
	b.clock.Advance(time.Second)
	d, err := b.store.Transition(ctx, j.ID, status.JobDone, map[string]any{"outputs": map[string]any{"rows": 3.0}})
	require.NoError(t, err)
	got, err := b.store.Job(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, d, got)
	require.Equal(t, map[string]any{"a": "1", "b": 2.5, "outputs": map[string]any{"rows": 3.0},
		status.InfoStartedAt: started, status.InfoFinishedAt: driver.FormatTime(b.clock.Now())}, got.Info)
	// A caller's own timing wins.
	j2, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad})
	require.NoError(t, err)
	c, err := b.store.Transition(ctx, j2.ID, status.JobCancelled, map[string]any{status.InfoFinishedAt: "mine"})
	require.NoError(t, err)
	require.Equal(t, map[string]any{status.InfoFinishedAt: "mine"}, c.Info)
	require.Equal(t, j.Created, got.Created)
	require.Equal(t, b.clock.Now(), got.Updated)
}

func testJobTransitionUnknown(t *testing.T, setup setupFunc) {
	b := setup(t)
	_, err := b.store.Transition(context.Background(), "missing", status.JobRunning, nil)
	require.ErrorIs(t, err, status.ErrNotFound)
}

func testJobHeartbeat(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad})
	require.NoError(t, err)
	require.ErrorIs(t, b.store.Heartbeat(ctx, j.ID), status.ErrNotRunning)
	require.ErrorIs(t, b.store.Heartbeat(ctx, "missing"), status.ErrNotFound)
	_, err = b.store.Transition(ctx, j.ID, status.JobRunning, nil)
	require.NoError(t, err)
	b.clock.Advance(time.Minute)
	require.NoError(t, b.store.Heartbeat(ctx, j.ID))
	got, err := b.store.Job(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, b.clock.Now(), got.Heartbeat)
	_, err = b.store.Transition(ctx, j.ID, status.JobDone, nil)
	require.NoError(t, err)
	require.ErrorIs(t, b.store.Heartbeat(ctx, j.ID), status.ErrNotRunning)
}

func testJobListNewestFirst(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	specs := []struct{ id, dataset, resource string }{
		{"a", "ds1", "r1"}, {"b", "ds1", "r2"}, {"c", "ds2", "r3"}, {"d", "ds1", "r1"},
	}
	for _, s := range specs {
		b.clock.Advance(time.Second)
		_, err := b.store.CreateJob(ctx, status.Job{ID: s.id, Type: status.JobLoad, Dataset: s.dataset, Resource: s.resource, FactoryID: "run-" + s.dataset})
		require.NoError(t, err)
	}
	// Same created time: the later insert is newer.
	_, err := b.store.CreateJob(ctx, status.Job{ID: "e", Type: status.JobLoad, Dataset: "ds1", Resource: "r1"})
	require.NoError(t, err)
	_, err = b.store.Transition(ctx, "a", status.JobRunning, nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		q    *status.JobQuery
		want []string
	}{
		{"all", nil, []string{"e", "d", "c", "b", "a"}},
		{"by dataset", &status.JobQuery{Dataset: "ds1"}, []string{"e", "d", "b", "a"}},
		{"by resource", &status.JobQuery{Resource: "r1"}, []string{"e", "d", "a"}},
		{"by dataset and resource", &status.JobQuery{Dataset: "ds1", Resource: "r2"}, []string{"b"}},
		{"by factory", &status.JobQuery{FactoryID: "run-ds2"}, []string{"c"}},
		{"by status", &status.JobQuery{Status: status.JobRunning}, []string{"a"}},
		{"no match", &status.JobQuery{Dataset: "ds9"}, nil},
	}
	for _, tc := range tests {
		jobs, err := b.store.ListJobs(ctx, tc.q)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, jobIDs(jobs), tc.name)
	}
}

func jobIDs(jobs []status.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func testJobListPagination(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	var want []string
	for i := range 12 {
		b.clock.Advance(time.Second)
		id := fmt.Sprintf("job-%02d", i)
		_, err := b.store.CreateJob(ctx, status.Job{ID: id, Type: status.JobLoad, Dataset: "ds"})
		require.NoError(t, err)
		want = append([]string{id}, want...)
	}
	var got []string
	for offset := 0; ; offset += 5 {
		page, err := b.store.ListJobs(ctx, &status.JobQuery{Dataset: "ds", Limit: 5, Offset: offset})
		require.NoError(t, err)
		got = append(got, jobIDs(page)...)
		if len(page) < 5 {
			break
		}
	}
	require.Equal(t, want, got)
	page, err := b.store.ListJobs(ctx, &status.JobQuery{Dataset: "ds"})
	require.NoError(t, err)
	require.Len(t, page, 12)
}

func testJobListValidation(t *testing.T, setup setupFunc) {
	b := setup(t)
	for _, q := range []*status.JobQuery{{Limit: -1}, {Limit: status.MaxJobLimit + 1}, {Offset: -1}, {Status: "PAUSED"}} {
		_, err := b.store.ListJobs(context.Background(), q)
		require.ErrorIs(t, err, status.ErrInvalid, "%+v", q)
	}
}

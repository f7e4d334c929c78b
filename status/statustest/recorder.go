package statustest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

func recorderTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"WrapOutcomes":    testRecorderWrap,
		"WrapPanic":       testRecorderPanic,
		"NoTraceNoWrites": testRecorderNoTrace,
		"WriteFailure":    testRecorderWriteFailure,
		"StepFinishOnce":  testRecorderFinishOnce,
	}
}

func testRecorderWrap(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	start(t, b.store, "wrap")
	rec := status.NewRecorder(b.store, "wrap", &status.RecorderOptions{Domain: "dataset", DomainID: "ds", Component: "loader",
		Meta: json.RawMessage(`{"git_rev":"abc"}`)})
	boom := errors.New("boom")
	tests := []struct {
		name    string
		fn      func(ctx context.Context, st *status.Step) error
		wantErr error
		ts      status.TraceStatus
		es      status.EventStatus
		exc     string
		body    string
	}{
		{"ok", func(ctx context.Context, st *status.Step) error {
			st.Set("rows", 10)
			b.clock.Advance(1500 * time.Microsecond)
			return nil
		}, nil, status.TraceContinue, status.EventOK, "", `{"rows":10}`},
		{"last step", func(ctx context.Context, st *status.Step) error {
			st.SetTraceStatus(status.TraceFinished)
			b.clock.Advance(1500 * time.Microsecond)
			return nil
		}, nil, status.TraceFinished, status.EventOK, "", ""},
		{"error", func(ctx context.Context, st *status.Step) error {
			st.AddError(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})
			b.clock.Advance(1500 * time.Microsecond)
			return boom
		}, boom, status.TraceFinished, status.EventFailed, "boom", ""},
	}
	for _, tc := range tests {
		before := b.clock.Now()
		err := rec.Wrap(ctx, tc.name, tc.fn)
		require.Equal(t, tc.wantErr, err, tc.name)
		evs, err := b.store.Events(ctx, "wrap")
		require.NoError(t, err)
		ev := evs[len(evs)-1]
		require.Equal(t, tc.name, ev.Operation, tc.name)
		require.Equal(t, tc.ts, ev.TraceStatus, tc.name)
		require.Equal(t, tc.es, ev.TraceEventStatus, tc.name)
		require.Equal(t, tc.exc, ev.Exception, tc.name)
		require.Equal(t, before, ev.StartTime, tc.name)
		require.Equal(t, before.Add(1500*time.Microsecond), ev.EndTime, tc.name)
		require.Equal(t, 1500*time.Microsecond, ev.Duration, tc.name)
		require.Equal(t, "loader", ev.Component, tc.name)
		require.JSONEq(t, `{"git_rev":"abc"}`, string(ev.Meta), tc.name)
		if tc.body != "" {
			require.JSONEq(t, tc.body, string(ev.StatusBody), tc.name)
		}
	}
	evs, err := b.store.Events(ctx, "wrap")
	require.NoError(t, err)
	require.Len(t, evs, 1+len(tests))
	sum := status.Summarize(evs)
	require.Equal(t, []string{"Invalid value."}, sum.Errors)
	require.Equal(t, int64(0), rec.Failures())
}

func testRecorderPanic(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	start(t, b.store, "panic")
	rec := status.NewRecorder(b.store, "panic", nil)
	require.PanicsWithValue(t, "kaput", func() {
		_ = rec.Wrap(ctx, "explode", func(context.Context, *status.Step) error { panic("kaput") })
	})
	evs, err := b.store.Events(ctx, "panic")
	require.NoError(t, err)
	require.Len(t, evs, 2)
	require.Equal(t, status.EventFailed, evs[1].TraceEventStatus)
	require.Equal(t, status.TraceFinished, evs[1].TraceStatus)
	require.Equal(t, "panic: kaput", evs[1].Exception)
}

func testRecorderNoTrace(t *testing.T, setup setupFunc) {
	b := setup(t)
	rec := status.NewRecorder(b.store, "", nil)
	ran := false
	err := rec.Wrap(context.Background(), "op", func(context.Context, *status.Step) error { ran = true; return nil })
	require.NoError(t, err)
	require.True(t, ran)
	require.Equal(t, int64(0), rec.Failures())
	jobs, err := b.store.ListJobs(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, jobs)
}

func testRecorderWriteFailure(t *testing.T, setup setupFunc) {
	b := setup(t)
	rec := status.NewRecorder(b.store, "never-started", nil)
	want := errors.New("work failed")
	for i, fnErr := range []error{nil, want} {
		err := rec.Wrap(context.Background(), "op", func(context.Context, *status.Step) error { return fnErr })
		require.Equal(t, fnErr, err)
		require.Equal(t, int64(i+1), rec.Failures())
	}
}

func testRecorderFinishOnce(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	start(t, b.store, "once")
	rec := status.NewRecorder(b.store, "once", nil)
	st := rec.Start("step")
	ev, ok := st.Finish(ctx, nil)
	require.True(t, ok)
	require.Equal(t, "once", ev.TraceID)
	_, ok = st.Finish(ctx, errors.New("late"))
	require.False(t, ok)
	evs, err := b.store.Events(ctx, "once")
	require.NoError(t, err)
	require.Len(t, evs, 2)
}

package status_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/stretchr/testify/require"
)

// TestRecorderLogsFailedWrites: a failed status write is logged and
// counted, and the work's own result is returned untouched.
func TestRecorderLogsFailedWrites(t *testing.T) {
	t.Parallel()
	store := memstatus.New(nil)
	var logs bytes.Buffer
	rec := status.NewRecorder(store, "missing-trace", &status.RecorderOptions{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	workErr := errors.New("work failed")
	require.Equal(t, workErr, rec.Wrap(context.Background(), "step", func(context.Context, *status.Step) error { return workErr }))
	require.Equal(t, int64(1), rec.Failures())
	require.Contains(t, logs.String(), "status write failed")
	require.Contains(t, logs.String(), "trace_id=missing-trace")
	require.Contains(t, logs.String(), "operation=step")

	require.NoError(t, store.Close())
	require.NoError(t, rec.Wrap(context.Background(), "after-close", func(context.Context, *status.Step) error { return nil }))
	require.Equal(t, int64(2), rec.Failures())
}

// TestRecorderGoexit: a step that calls runtime.Goexit is recorded as
// failed and the goroutine still exits (no panic is made up).
func TestRecorderGoexit(t *testing.T) {
	t.Parallel()
	store := memstatus.New(nil)
	ctx := context.Background()
	_, err := store.StartTrace(ctx, status.Event{TraceID: "g"})
	require.NoError(t, err)
	rec := status.NewRecorder(store, "g", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = rec.Wrap(ctx, "exit", func(context.Context, *status.Step) error { runtime.Goexit(); return nil })
	}()
	<-done
	evs, err := store.Events(ctx, "g")
	require.NoError(t, err)
	require.Len(t, evs, 2)
	require.Equal(t, status.EventFailed, evs[1].TraceEventStatus)
	require.Contains(t, evs[1].Exception, "Goexit")
}

package status_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/stretchr/testify/require"
)

func TestExecutionEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state string
		ok    bool
		es    status.EventStatus
	}{
		{"SUCCEEDED", true, status.EventOK},
		{"FAILED", true, status.EventFailed},
		{"ABORTED", true, status.EventFailed},
		{"TIMED_OUT", true, status.EventFailed},
		{"success", true, status.EventOK},
		{"failed", true, status.EventFailed},
		{"RUNNING", false, ""},
		{"", false, ""},
	}
	store := memstatus.New(nil)
	ctx := context.Background()
	for _, tc := range tests {
		ev, ok := status.ExecutionEvent("exec-"+tc.state, tc.state)
		require.Equal(t, tc.ok, ok, tc.state)
		if !ok {
			continue
		}
		require.Equal(t, tc.es, ev.TraceEventStatus, tc.state)
		// Unknown trace: the post fails, as status-api's consumer's does.
		_, err := store.AddEvent(ctx, ev)
		require.ErrorIs(t, err, status.ErrNotFound)
		_, err = store.StartTrace(ctx, status.Event{TraceID: ev.TraceID})
		require.NoError(t, err)
		_, err = store.AddEvent(ctx, ev)
		require.NoError(t, err)
		sum, err := store.Summary(ctx, ev.TraceID)
		require.NoError(t, err)
		require.Equal(t, status.Summary{Done: true, TraceID: ev.TraceID, TraceStatus: status.TraceFinished,
			TraceEventStatus: tc.es, Errors: []string{}}, sum)
	}
}

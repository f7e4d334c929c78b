package pipelinehttp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

// TestCancelRun cancels one running run: its job ends CANCELLED while
// another run goes on; unknown and ended runs are not cancelled.
func TestCancelRun(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	for id, ms := range map[string]string{"c-long": "60000", "c-other": "1500"} {
		code, body := b.do("POST", "/api/v1/dags/echo/dagRuns", `{"dag_run_id":"`+id+`","conf":{"wait_ms":`+ms+`}}`, nil)
		require.Equal(t, http.StatusOK, code, body)
	}
	require.Eventually(t, func() bool {
		j, err := b.store.Job(context.Background(), "c-long")
		return err == nil && j.Status == status.JobRunning
	}, 10*time.Second, 10*time.Millisecond)
	require.True(t, b.h.Cancel("c-long"))
	require.False(t, b.h.Cancel("nope"))
	require.Eventually(t, func() bool {
		j, err := b.store.Job(context.Background(), "c-long")
		return err == nil && j.Status == status.JobCancelled
	}, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return !b.h.Cancel("c-long") }, 10*time.Second, 10*time.Millisecond)
	j, err := b.store.Job(context.Background(), "c-other")
	require.NoError(t, err)
	require.NotEqual(t, status.JobCancelled, j.Status)
}

package memstatus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/statustest"
	"github.com/stretchr/testify/require"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	statustest.RunConformanceTests(t, func(t *testing.T, now func() time.Time) *status.Store {
		s := memstatus.New(&memstatus.Options{Now: now})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestTxUnsupported(t *testing.T) {
	t.Parallel()
	s := memstatus.New(nil)
	ctx := context.Background()
	_, err := s.StartTraceTx(ctx, struct{}{}, status.Event{TraceID: "x"})
	require.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = s.CreateJobTx(ctx, struct{}{}, status.Job{Type: status.JobLoad})
	require.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = s.Events(ctx, "x")
	require.ErrorIs(t, err, status.ErrNotFound)
}

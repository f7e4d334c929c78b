package statustest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

func concurrencyTests() map[string]func(*testing.T, setupFunc) {
	return map[string]func(*testing.T, setupFunc){
		"Events":      testConcurrentEvents,
		"Transitions": testConcurrentTransitions,
	}
}

func testConcurrentEvents(t *testing.T, setup setupFunc) {
	b := setup(t)
	const writers, each = 8, 25
	RequireConcurrentEvents(t, b.store, "conc", writers, each)
}

// RequireConcurrentEvents starts trace traceID, has writers goroutines add
// each events to it at once, and checks that every event was stored
// exactly once.
func RequireConcurrentEvents(t testing.TB, s *status.Store, traceID string, writers, each int) {
	t.Helper()
	ctx := context.Background()
	_, err := s.StartTrace(ctx, status.Event{TraceID: traceID})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				op := fmt.Sprintf("w%03d-%05d", w, i)
				if _, err := s.AddEvent(ctx, status.Event{TraceID: traceID, Operation: op}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	evs, err := s.Events(ctx, traceID)
	require.NoError(t, err)
	require.Len(t, evs, writers*each+1)
	seenOps := make(map[string]bool, len(evs))
	seenIDs := make(map[string]bool, len(evs))
	for _, ev := range evs[1:] {
		require.False(t, seenOps[ev.Operation], "duplicate event %s", ev.Operation)
		require.False(t, seenIDs[ev.TraceEventID], "duplicate id %s", ev.TraceEventID)
		seenOps[ev.Operation], seenIDs[ev.TraceEventID] = true, true
	}
	for w := range writers {
		for i := range each {
			require.True(t, seenOps[fmt.Sprintf("w%03d-%05d", w, i)])
		}
	}
}

func testConcurrentTransitions(t *testing.T, setup setupFunc) {
	b := setup(t)
	ctx := context.Background()
	j, err := b.store.CreateJob(ctx, status.Job{Type: status.JobLoad, Status: status.JobRunning})
	require.NoError(t, err)
	targets := []status.JobStatus{status.JobDone, status.JobFailed, status.JobCancelled}
	const racers = 12
	var wg sync.WaitGroup
	results := make(chan error, racers)
	for i := range racers {
		wg.Go(func() {
			_, err := b.store.Transition(ctx, j.ID, targets[i%len(targets)], map[string]any{"by": float64(i)})
			results <- err
		})
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		if err == nil {
			wins++
			continue
		}
		require.True(t, errors.Is(err, status.ErrIllegalTransition), "unexpected error: %v", err)
	}
	require.Equal(t, 1, wins)
	got, err := b.store.Job(ctx, j.ID)
	require.NoError(t, err)
	require.True(t, got.Status.Terminal())
	require.Contains(t, got.Info, "by")
}

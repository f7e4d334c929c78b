package aircan_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// pending sends what ckanext-aircan records after its trigger returned:
// "pending" for the run, clearing the logs.
func (b *bundle) pending(t *testing.T, runID string) {
	t.Helper()
	c, err := ckan.NewClient(b.srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(b.token)})
	require.NoError(t, err)
	require.NoError(t, c.AircanStatusUpdate(context.Background(), &ckan.StatusUpdate{ResourceID: b.resID,
		State: ckan.StatePending, Message: "Pending", DagRunID: runID, ClearLogs: true}))
}

// states lists the states CKAN recorded for the resource, in order.
func (b *bundle) states() []string {
	var out []string
	for _, u := range b.srv.StatusUpdates() {
		out = append(out, u.State)
	}
	return out
}

// TestStatusOrderAfterTrigger: ckanext-aircan records "pending" (with
// clear_logs) only after the trigger returned. With the default
// FirstUpdateDelay the run's "progress" comes after it, so CKAN shows
// pending, progress, complete, and the logs keep the run's messages.
func TestStatusOrderAfterTrigger(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.cfg.FirstUpdateDelay = 0 // the default
	const runID = "manual__order"
	done := make(chan error, 1)
	go func() {
		p, err := aircan.New(b.cfg)
		if err == nil {
			_, err = pipeline.Run(context.Background(), p, b.conf(t, nil), &pipeline.RunOptions{Backend: b.backend(), RunID: runID})
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // the trigger answered; CKAN records pending
	b.pending(t, runID)
	require.NoError(t, <-done)
	require.Equal(t, []string{ckan.StatePending, ckan.StateProgress, ckan.StateComplete}, b.states())
	c, err := ckan.NewClient(b.srv.URL(), nil)
	require.NoError(t, err)
	st, err := c.AircanStatus(context.Background(), b.resID)
	require.NoError(t, err)
	require.Equal(t, ckan.StateComplete, st.Status)
}

// TestFinalStateReasserted: when ckanext-aircan's "pending" lands after
// the run's final update (a short run), the report task sends the final
// state again, so CKAN does not end on pending; a newer run's status is
// left alone.
func TestFinalStateReasserted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		pendRun  string // the run id the late pending names; "" is the run's own
		wantLast string
	}{
		{"own run's pending", "", ckan.StateComplete},
		{"a newer run's pending", "manual__newer", ckan.StatePending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, "")
			runID := "manual__late_" + map[bool]string{true: "own", false: "other"}[tc.pendRun == ""]
			pendRun := tc.pendRun
			if pendRun == "" {
				pendRun = runID
			}
			var once sync.Once // ckanext-aircan records pending once
			b.after = func(action string, body []byte) {
				var u ckan.StatusUpdate
				if action == "aircan_status_update" && json.Unmarshal(body, &u) == nil &&
					u.State == ckan.StateComplete && u.DagRunID == runID {
					once.Do(func() { b.pending(t, pendRun) })
				}
			}
			p, err := aircan.New(b.cfg)
			require.NoError(t, err)
			sum, err := pipeline.Run(context.Background(), p, b.conf(t, nil), &pipeline.RunOptions{Backend: b.backend(), RunID: runID})
			require.NoError(t, err)
			require.Equal(t, pipeline.StateSuccess, sum.State)
			states := b.states()
			require.Contains(t, states, ckan.StatePending, "the late pending arrived")
			require.Equal(t, tc.wantLast, states[len(states)-1], "states: %v", states)
		})
	}
}

package aircan_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestReportCancelled: a run cancelled in the middle reports nothing final
// itself; ReportCancelled then sends CKAN one "error" naming the run, and
// sends nothing for a run that finished.
func TestReportCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	p, err := aircan.New(b.cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := pipeline.Run(ctx, p, b.conf(t, nil), &pipeline.RunOptions{Backend: b.backend(), RunID: "cancel-1",
		OnTransition: func(tr pipeline.Transition) {
			if tr.Task == aircan.TaskValidate && tr.To == pipeline.StateRunning {
				cancel()
			}
		}})
	require.Error(t, err)
	require.Equal(t, pipeline.StateCancelled, sum.State)
	states, _ := b.updates("cancel-1")
	require.Equal(t, []string{ckan.StateProgress}, states, "the cancelled run sent no final update")

	sent, err := aircan.ReportCancelled(context.Background(), b.cfg, b.conf(t, nil), sum)
	require.NoError(t, err)
	require.True(t, sent)
	states, calls := b.updates("cancel-1")
	require.Equal(t, []string{ckan.StateProgress, ckan.StateError}, states)
	require.Contains(t, calls[1].Message, "cancel-1 was cancelled")
	require.Equal(t, b.resID, calls[1].ResourceID)

	done, err := b.run(t, b.conf(t, nil))
	require.NoError(t, err)
	sent, err = aircan.ReportCancelled(context.Background(), b.cfg, b.conf(t, nil), done)
	require.NoError(t, err)
	require.False(t, sent, "a finished run is not reported again")
	states, _ = b.updates(done.RunID)
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, states)
}

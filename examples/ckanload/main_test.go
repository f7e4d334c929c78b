package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

func TestCKANLoad(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	res, err := demo(context.Background(), &out)
	require.NoError(t, err, out.String())
	require.Equal(t, pipeline.StateFailed, res.firstState, "over 10 rejects fails the first run")
	require.Equal(t, pipeline.StateSuccess, res.state, out.String())
	require.EqualValues(t, 1929, res.rows)
	require.True(t, res.active)
	require.True(t, res.statusOK)
	var states []string
	for _, u := range res.updates {
		states = append(states, u.State)
	}
	require.Equal(t, []string{ckanstore.StatePending, ckanstore.StateProgress, ckanstore.StateError,
		ckanstore.StatePending, ckanstore.StateProgress, ckanstore.StateComplete}, states, "one update per state and run")
	require.Contains(t, res.updates[2].ErrorMessage, "the load failed")
	require.Contains(t, res.updates[5].Message, "1929 rows loaded, 70 rejected")
	require.Contains(t, out.String(), "report_error")
}

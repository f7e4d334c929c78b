package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

func TestCKANLoad(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	res, err := demo(context.Background(), &out)
	require.NoError(t, err, out.String())
	require.Equal(t, []pipeline.State{pipeline.StateFailed, pipeline.StateSuccess, pipeline.StateSuccess}, res.states, out.String())
	require.Equal(t, []int64{0, 1929, 1929}, res.rows, "the failed run created no table; upsert keeps 1929")
	require.True(t, res.active)
	require.True(t, res.statusOK)
	require.Equal(t, 70, res.rejects)
	var states []string
	for _, u := range res.updates {
		states = append(states, u.State)
	}
	require.Equal(t, []string{ckan.StateProgress, ckan.StateError, ckan.StateProgress, ckan.StateComplete,
		ckan.StateProgress, ckan.StateComplete}, states, "one update per state and run")
	require.Contains(t, res.updates[1].ErrorMessage, "70 rows rejected, over max_rejects 10")
	require.Contains(t, res.updates[3].Message, "1929 rows loaded into the DataStore (replace), 70 rejected")
	require.Contains(t, res.updates[5].Message, "1929 rows loaded into the DataStore (upsert)")
	require.Contains(t, out.String(), "task report          SUCCESS")
	require.Contains(t, out.String(), "task create_table    SKIPPED")
}

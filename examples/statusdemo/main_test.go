package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStatusDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	require.Contains(t, s, "Status for: people-")
	require.Contains(t, s, "→ 200, trace people-")
	require.Contains(t, s, "The data could not be loaded")
	// the successful trace: done, OK; the failed one: done, FAILED with the exception's step
	require.Equal(t, 4, strings.Count(s, "$ datafactory status"))
	require.Contains(t, s, "FINISHED")
	require.Contains(t, s, "FAILED")
	require.Contains(t, s, "validate")
	require.Contains(t, s, "load")
	require.Contains(t, s, `field "name": value is required`)
}

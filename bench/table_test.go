package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPrintRoundsShowsEveryRoundReferenceFirst(t *testing.T) {
	s := func(v ...float64) []time.Duration {
		ds := make([]time.Duration, len(v))
		for i, x := range v {
			ds[i] = time.Duration(x * float64(time.Second))
		}
		return ds
	}
	cases := []*benchCase{
		{name: "backup", its: side{times: s(1.11, 0.95, 0.98)}, ours: side{times: s(0.94, 1.10, 0.99)}},
		{name: "stopped early", its: side{times: s(2)}, ours: side{times: s(1, 3)}},
	}
	var b strings.Builder
	printRounds(&b, cases, 83*time.Millisecond)
	out := b.String()
	require.Contains(t, out, "start-up and exit alone (--help, median): 0.083 s")
	require.Contains(t, out, "- backup: 1.11 / 0.94, 0.95 / 1.10, 0.98 / 0.99\n")
	require.Contains(t, out, "- stopped early: 2.00 / 1.00\n", "a round one side did not finish is left out")
}

func TestMedian(t *testing.T) {
	require.Equal(t, 2*time.Second, median([]time.Duration{3 * time.Second, time.Second, 2 * time.Second}))
	require.Equal(t, 1500*time.Millisecond, median([]time.Duration{2 * time.Second, time.Second}))
	require.Zero(t, median(nil))
}

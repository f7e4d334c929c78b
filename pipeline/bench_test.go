package pipeline_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
)

const benchTasks = 10000

// benchPipeline builds 10,000 no-op tasks as a chain (each depends on the
// previous) or wide (all independent, fanning out from one root).
func benchPipeline(b *testing.B, shape string) *pipeline.Pipeline {
	b.Helper()
	bl := pipeline.NewBuilder("bench-" + shape)
	bl.Add("t0", noop(), nil)
	for i := 1; i < benchTasks; i++ {
		dep := "t0"
		if shape == "chain" {
			dep = fmt.Sprintf("t%d", i-1)
		}
		bl.Add(fmt.Sprintf("t%d", i), noop(), deps(dep))
	}
	p, err := bl.Build()
	require.NoError(b, err)
	return p
}

// BenchmarkRunOverhead measures the runner's per-task overhead on 10,000
// no-op tasks, with status off and with status in SQLite and PostgreSQL
// (one event per task attempt plus the run's trace, job and heartbeat).
func BenchmarkRunOverhead(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) *status.Store
	}{
		{"status=off", func(*testing.B) *status.Store { return nil }},
		{"status=sqlite", func(b *testing.B) *status.Store {
			st, err := sqlstatus.Open(context.Background(), "sqlite:"+b.TempDir()+"/status.db", nil)
			require.NoError(b, err)
			return st
		}},
		{"status=postgres", func(b *testing.B) *status.Store {
			st, err := sqlstatus.Open(context.Background(), testutil.PostgresURL(b), nil)
			require.NoError(b, err)
			return st
		}},
	}
	for _, shape := range []string{"chain", "wide"} {
		for _, s := range stores {
			b.Run(shape+"/"+s.name, func(b *testing.B) {
				p := benchPipeline(b, shape)
				st := s.open(b)
				opts := &pipeline.RunOptions{}
				if st != nil {
					b.Cleanup(func() { _ = st.Close() })
					opts.Backend = pipeline.NewBackend(&pipeline.BackendOptions{Status: st})
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					opts.RunID = fmt.Sprintf("bench-%s-%d", shape, i)
					sum, err := pipeline.Run(context.Background(), p, nil, opts)
					if err != nil || sum.State != pipeline.StateSuccess {
						b.Fatalf("run: %v", err)
					}
				}
				b.StopTimer()
				perTask := float64(b.Elapsed().Nanoseconds()) / float64(b.N*benchTasks)
				b.ReportMetric(perTask, "ns/task")
				b.ReportMetric(1e9/perTask, "tasks/s")
				if opts.Backend != nil {
					require.Zero(b, opts.Backend.StatusFailures())
				}
			})
		}
	}
}

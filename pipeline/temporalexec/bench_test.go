package temporalexec_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

const benchTasks = 1000

func noopPipeline(b *testing.B, name string) *pipeline.Pipeline {
	bl := pipeline.NewBuilder(name)
	for i := range benchTasks {
		bl.Add(fmt.Sprintf("t%04d", i), pipeline.TaskFunc(ok), nil)
	}
	p, err := bl.Build()
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchBackend(b *testing.B) *pipeline.Backend {
	ctx := context.Background()
	bk, err := storage.Open(ctx, "mem://")
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlstatus.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return pipeline.NewBackend(&pipeline.BackendOptions{Storage: bk, Status: st})
}

// BenchmarkNoopTasks measures the per-task overhead of a run of 1,000
// independent no-op tasks, with storage and status, in-process and on
// Temporal with 1 and 2 workers (ns/task is the figure to compare).
func BenchmarkNoopTasks(b *testing.B) {
	b.Run("inprocess", func(b *testing.B) {
		be := benchBackend(b)
		p := noopPipeline(b, "bench_inprocess")
		for b.Loop() {
			if _, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: be}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTasks), "ns/task")
	})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("temporal_%dworkers", workers), func(b *testing.B) {
			addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
			if addr == "" {
				b.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
			}
			be := benchBackend(b)
			name := fmt.Sprintf("bench_temporal_%d", workers)
			p := noopPipeline(b, name)
			registry.Store(name, p)
			queue := fmt.Sprintf("tfanout-bench-%d-%d", workers, time.Now().UnixNano())
			var c client.Client
			for range workers {
				wc, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(wc.Close)
				w := worker.New(wc, queue, worker.Options{})
				temporalexec.Register(w, lookup, &pipeline.RunOptions{Backend: be})
				if err := w.Start(); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(w.Stop)
				c = wc
			}
			ex := &temporalexec.Executor{Client: c, TaskQueue: queue}
			for b.Loop() {
				if _, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: be, Executor: ex, Concurrency: 64}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTasks), "ns/task")
		})
	}
}

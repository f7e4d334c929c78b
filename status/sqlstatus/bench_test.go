package sqlstatus_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

// BenchmarkAddEvent measures event writes per second with 64 concurrent
// writers into one trace.
func BenchmarkAddEvent(b *testing.B) {
	for _, be := range []struct {
		name string
		url  func(t testing.TB) string
	}{backends[0], backends[2], backends[3]} {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.url(b), nil)
			ctx := context.Background()
			_, err := s.StartTrace(ctx, status.Event{TraceID: "bench"})
			require.NoError(b, err)
			var n atomic.Int64
			b.SetParallelism(32) // 64 writers on 2 CPUs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := s.AddEvent(ctx, status.Event{TraceID: "bench", Operation: fmt.Sprint("op", i),
						Component: "bench", Domain: "dataset", DomainID: "ds"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkSummary measures fetching and summarising a 10,000-event trace.
func BenchmarkSummary(b *testing.B) {
	const events = 10000
	for _, be := range []struct {
		name string
		url  func(t testing.TB) string
	}{backends[0], backends[2], backends[3]} {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.url(b), nil)
			fillTrace(b, s, "big", events)
			b.ResetTimer()
			for b.Loop() {
				sum, err := s.Summary(context.Background(), "big")
				require.NoError(b, err)
				require.True(b, sum.Done)
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// fillTrace writes a trace of n events whose last one is FINISHED, every
// 100th with an error.
func fillTrace(b *testing.B, s *status.Store, id string, n int) {
	b.Helper()
	ctx := context.Background()
	_, err := s.StartTrace(ctx, status.Event{TraceID: id})
	require.NoError(b, err)
	sem := make(chan struct{}, 32)
	errs := make(chan error, n)
	for i := 1; i < n; i++ {
		ev := status.Event{TraceID: id, Operation: fmt.Sprint("step", i), Component: "bench"}
		if i == n-1 {
			ev.TraceStatus = status.TraceFinished
		}
		if i%100 == 0 {
			ev.TraceEventStatus = status.EventFailed
			ev.Errors = []status.ErrorEntry{status.Localized(map[string]string{"en": "bad row", "nb": "feil"})}
		}
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, err := s.AddEvent(ctx, ev)
			errs <- err
		}()
	}
	for i := 1; i < n; i++ {
		require.NoError(b, <-errs)
	}
}

// Package statustest is the conformance suite that every status backend
// runs: [RunConformanceTests] exercises a backend through [status.Store],
// covering traces, events, summaries, path lookups, jobs and their state
// machine, reaping, the recorder and concurrency.
package statustest

import (
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
)

// Harness returns a new, empty store for one test, whose clock is now.
// It registers its own cleanup with t.Cleanup. It may skip the test (for
// example when a database URL is not set).
type Harness func(t *testing.T, now func() time.Time) *status.Store

// Clock is a manual clock for tests. Its zero value starts at
// 2026-01-02T03:04:05.123456Z.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	}
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is what each test gets.
type bundle struct {
	store *status.Store
	clock *Clock
}

// RunConformanceTests runs the whole suite against the backend that h
// makes. Every test gets its own store and runs in parallel.
func RunConformanceTests(t *testing.T, h Harness) {
	t.Helper()
	setup := func(t *testing.T) *bundle {
		t.Helper()
		c := &Clock{}
		return &bundle{store: h(t, c.Now), clock: c}
	}
	groups := []struct {
		name  string
		tests map[string]func(*testing.T, func(*testing.T) *bundle)
	}{
		{"Traces", traceTests()},
		{"Summary", summaryTests()},
		{"Jobs", jobTests()},
		{"Reap", reapTests()},
		{"Recorder", recorderTests()},
		{"Concurrency", concurrencyTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for name, fn := range g.tests {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, setup)
				})
			}
		})
	}
}

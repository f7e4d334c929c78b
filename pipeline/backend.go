package pipeline

import "context"

// Backend connects runs to storage (task directories and outputs) and to
// status (traces, events, jobs). Build one with [NewBackend] and share it
// between runs.
type Backend struct{}

// attach wires the backend into a run.
func (b *Backend) attach(_ context.Context, _ *runState) error { return nil }

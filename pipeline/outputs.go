package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// outputStore keeps tasks' small JSON outputs.
type outputStore interface {
	put(ctx context.Context, task, key string, data []byte) error
	get(ctx context.Context, task, key string) ([]byte, error)
}

// memOutputs keeps outputs in memory, for runs without storage.
type memOutputs struct {
	mu sync.RWMutex
	m  map[[2]string][]byte
}

func newMemOutputs() *memOutputs { return &memOutputs{m: map[[2]string][]byte{}} }

func (o *memOutputs) put(_ context.Context, task, key string, data []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[[2]string{task, key}] = slices.Clone(data)
	return nil
}

func (o *memOutputs) get(_ context.Context, task, key string) ([]byte, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	d, ok := o.m[[2]string{task, key}]
	if !ok {
		return nil, fmt.Errorf("%w: %s/%s", ErrNoOutput, task, key)
	}
	return d, nil
}

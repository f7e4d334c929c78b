package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// outputStore keeps tasks' small JSON outputs under names relative to the
// task's directory (see outputName). get returns an error matching
// ErrNoOutput for a name never put.
type outputStore interface {
	put(ctx context.Context, task, name string, data []byte) error
	get(ctx context.Context, task, name string) ([]byte, error)
}

// outputName is the one place the output layout is decided, relative to the
// task's directory: "outputs/<key>.json" for a task that runs one
// instance, "outputs/<instance>/<key>.json" for each instance of a fan-out
// task (keys are names, so neither can be mistaken for the other).
func outputName(n *node, inst int, key string) string {
	if n.instances > 1 {
		return "outputs/" + strconv.Itoa(inst) + "/" + key + ".json"
	}
	return "outputs/" + key + ".json"
}

// readOutput reads output key of task into v from store. inst is the
// instance, or -1 for the output of a task that runs one instance.
func readOutput(ctx context.Context, store outputStore, p *Pipeline, task string, inst int, key string, v any) error {
	label := task + "/" + key
	if inst >= 0 {
		label = fmt.Sprintf("%s[%d]/%s", task, inst, key)
	}
	if p == nil || store == nil {
		return fmt.Errorf("output %s: %w: the run kept no outputs", label, ErrNoOutput)
	}
	i, ok := p.index[task]
	if !ok {
		return fmt.Errorf("output %s: %w: %s", label, ErrUnknownTask, task)
	}
	if err := ValidateName(key); err != nil {
		return fmt.Errorf("output %s: %w", label, err)
	}
	n := p.nodes[i]
	switch {
	case inst < 0 && n.instances > 1:
		return fmt.Errorf("output %s: %w: task %s runs %d instances, each with its own outputs (read one with InstanceOutput)",
			label, ErrNoOutput, task, n.instances)
	case inst < 0:
		inst = 0
	case inst >= n.instances:
		return fmt.Errorf("output %s: %w: task %s has %d instance(s)", label, ErrNoOutput, task, n.instances)
	}
	data, err := store.get(ctx, task, outputName(n, inst, key))
	if err != nil {
		return fmt.Errorf("output %s: %w", label, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("output %s: %w", label, err)
	}
	return nil
}

// memOutputs keeps outputs in memory, for runs without storage.
type memOutputs struct {
	mu sync.RWMutex
	m  map[[2]string][]byte
}

func newMemOutputs() *memOutputs { return &memOutputs{m: map[[2]string][]byte{}} }

func (o *memOutputs) put(_ context.Context, task, name string, data []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[[2]string{task, name}] = slices.Clone(data)
	return nil
}

func (o *memOutputs) get(_ context.Context, task, name string) ([]byte, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	d, ok := o.m[[2]string{task, name}]
	if !ok {
		return nil, ErrNoOutput
	}
	return d, nil
}

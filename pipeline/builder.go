package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TaskOptions configure one task of a pipeline. nil means defaults.
type TaskOptions struct {
	// DependsOn names the upstream tasks. Default none.
	DependsOn []string
	// Retry decides retries. Default [NoRetry].
	Retry RetryPolicy
	// Timeout bounds each attempt; an attempt over it fails (and may be
	// retried). Default 0, no timeout.
	Timeout time.Duration
	// TriggerRule decides when the task runs. Default [AllSuccess].
	TriggerRule TriggerRule
	// Instances runs the task as this many parallel instances (fan-out),
	// usually claiming items from a shared [Queue]. The task succeeds when
	// every instance succeeded. Default 1.
	Instances int
	// Feeds names queues this task puts items into. When every task feeding a
	// queue has ended, the queue is closed; if one of them did not succeed it
	// is closed with an error, so consumers stop. Default none.
	Feeds []string
	// OnFailure says what the task's failure does to the run: [Halt],
	// [Continue] or [Deactivate] (dart's on_failure). Default "": the run
	// fails, dependents follow their TriggerRule and independent tasks
	// still run.
	OnFailure FailurePolicy
	// Consumes names queues this task claims items from. Declaring them
	// lets Build refuse the two mistakes that otherwise show only at run
	// time: a consumed queue that no task feeds (its claims would wait
	// forever), and a consumer that depends, directly or through other
	// tasks, on a task feeding its queue (it would start only once the
	// queue is closed, so it would not claim while the producer produces).
	// A consumer must not depend on its producers: they run side by side.
	// Default none (the task may still claim from any queue, unchecked).
	Consumes []string
}

// node is a task inside a built pipeline.
type node struct {
	name      string
	idx       int
	task      Task
	up        []int
	down      []int
	retry     RetryPolicy
	timeout   time.Duration
	rule      TriggerRule
	instances int
	feeds     []string
	consumes  []string
	onFailure FailurePolicy
	params    json.RawMessage // from a spec; nil otherwise
	typ       string          // registered type, "" when added directly
	engine    string          // the registered type's engine
}

// Builder composes a pipeline. Its methods record errors, which Build
// reports all together.
type Builder struct {
	name       string
	nodes      []*node
	deps       [][]string
	index      map[string]int
	errs       []error
	confSchema json.RawMessage
}

// Pipeline is a built, immutable DAG of named tasks. It is safe for
// concurrent runs.
type Pipeline struct {
	name       string
	nodes      []*node // topological order
	index      map[string]int
	confSchema json.RawMessage
	conf       *jsonschema.Schema
	feeders    map[string]int // queue name → number of tasks feeding it
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// ValidateName checks pipeline, task, output and queue names: 1–100 of
// letters, digits, '_', '-', '.', not starting with a punctuation mark.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid name %q: want 1-100 of [A-Za-z0-9_.-], starting with a letter or digit", name)
	}
	return nil
}

// NewBuilder starts a pipeline with the given name.
func NewBuilder(name string) *Builder {
	b := &Builder{name: name, index: map[string]int{}}
	if err := ValidateName(name); err != nil {
		b.errs = append(b.errs, fmt.Errorf("pipeline: %w", err))
	}
	return b
}

// Add adds a named task. opts may be nil.
func (b *Builder) Add(name string, t Task, opts *TaskOptions) *Builder {
	if opts == nil {
		opts = &TaskOptions{}
	}
	if err := ValidateName(name); err != nil {
		b.errs = append(b.errs, fmt.Errorf("task: %w", err))
		return b
	}
	if _, dup := b.index[name]; dup {
		b.errs = append(b.errs, fmt.Errorf("duplicate task name %q", name))
		return b
	}
	if t == nil {
		b.errs = append(b.errs, fmt.Errorf("task %s: nil Task", name))
		return b
	}
	n := &node{name: name, task: t, retry: opts.Retry, timeout: opts.Timeout, rule: opts.TriggerRule,
		instances: opts.Instances, feeds: slices.Clone(opts.Feeds), consumes: slices.Clone(opts.Consumes),
		onFailure: opts.OnFailure}
	if n.retry == nil {
		n.retry = NoRetry()
	}
	if n.rule == "" {
		n.rule = AllSuccess
	}
	if n.rule != AllSuccess && n.rule != AllDone {
		b.errs = append(b.errs, fmt.Errorf("task %s: unknown trigger rule %q", name, n.rule))
	}
	if n.instances <= 0 {
		n.instances = 1
	}
	if err := n.onFailure.validate(); err != nil {
		b.errs = append(b.errs, fmt.Errorf("task %s: %w", name, err))
	}
	for _, q := range slices.Concat(n.feeds, n.consumes) {
		if err := ValidateName(q); err != nil {
			b.errs = append(b.errs, fmt.Errorf("task %s: queue: %w", name, err))
		}
	}
	b.index[name] = len(b.nodes)
	b.nodes = append(b.nodes, n)
	b.deps = append(b.deps, slices.Clone(opts.DependsOn))
	return b
}

// ConfSchema sets the JSON Schema that a run's conf must satisfy.
func (b *Builder) ConfSchema(schema json.RawMessage) *Builder {
	b.confSchema = slices.Clone(schema)
	return b
}

// Build checks the pipeline and returns it. The error matches
// [ErrInvalidPipeline] and lists every problem: invalid or duplicate names,
// unknown dependencies, cycles (with the tasks on the cycle) and an invalid
// conf schema.
func (b *Builder) Build() (*Pipeline, error) {
	errs := slices.Clone(b.errs)
	for i, deps := range b.deps {
		n := b.nodes[i]
		seen := map[string]bool{}
		for _, d := range deps {
			j, ok := b.index[d]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("task %s depends on unknown task %q", n.name, d))
			case j == i:
				errs = append(errs, fmt.Errorf("cycle: %s → %s", n.name, n.name))
			case !seen[d]:
				seen[d] = true
				n.up = append(n.up, j)
				b.nodes[j].down = append(b.nodes[j].down, i)
			}
		}
	}
	p := &Pipeline{name: b.name, index: map[string]int{}, confSchema: b.confSchema, feeders: map[string]int{}}
	if len(errs) == 0 {
		order, err := topoSort(b.nodes)
		if err != nil {
			errs = append(errs, err)
		} else {
			errs = append(errs, checkConsumers(b.nodes)...)
		}
		p.nodes = order
	}
	if b.confSchema != nil {
		s, err := compileSchema("urn:datafactory:conf:"+b.name, b.confSchema)
		if err != nil {
			errs = append(errs, fmt.Errorf("conf schema: %w", err))
		}
		p.conf = s
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("pipeline %s: %w: %w", b.name, ErrInvalidPipeline, errors.Join(errs...))
	}
	p.reindex()
	return p, nil
}

// checkConsumers refuses consumed queues that no task feeds and consumers
// that depend on a task feeding their queue. nodes are acyclic.
func checkConsumers(nodes []*node) []error {
	feeders := map[string][]*node{}
	for _, n := range nodes {
		for _, q := range n.feeds {
			feeders[q] = append(feeders[q], n)
		}
	}
	var errs []error
	for _, n := range nodes {
		if len(n.consumes) == 0 {
			continue
		}
		up := upstreamOf(nodes, n)
		for _, q := range n.consumes {
			if len(feeders[q]) == 0 {
				errs = append(errs, fmt.Errorf("task %s consumes queue %q, which no task feeds: its claims would wait forever", n.name, q))
			}
			for _, f := range feeders[q] {
				if f != n && up[f.idx] {
					errs = append(errs, fmt.Errorf("task %s consumes queue %q but depends on %s, which feeds it: "+
						"it would start only after the queue closed; drop the dependency so both run side by side", n.name, q, f.name))
				}
			}
		}
	}
	return errs
}

// upstreamOf returns the tasks n depends on, directly or not, by index.
func upstreamOf(nodes []*node, n *node) []bool {
	seen := make([]bool, len(nodes))
	stack := slices.Clone(n.up)
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[u] {
			seen[u] = true
			stack = append(stack, nodes[u].up...)
		}
	}
	return seen
}

// reindex renumbers nodes in topological order and fills the index.
func (p *Pipeline) reindex() {
	old := make(map[*node]int, len(p.nodes))
	for i, n := range p.nodes {
		old[n] = n.idx
		n.idx = i
	}
	byOld := make(map[int]int, len(p.nodes))
	for n, o := range old {
		byOld[o] = n.idx
	}
	for _, n := range p.nodes {
		for k, u := range n.up {
			n.up[k] = byOld[u]
		}
		for k, d := range n.down {
			n.down[k] = byOld[d]
		}
		p.index[n.name] = n.idx
		for _, q := range n.feeds {
			p.feeders[q]++
		}
	}
}

// topoSort orders nodes so that every task comes after its upstream tasks
// (Kahn's algorithm, stable in insertion order), or reports a cycle.
func topoSort(nodes []*node) ([]*node, error) {
	for i, n := range nodes {
		n.idx = i
	}
	indeg := make([]int, len(nodes))
	for _, n := range nodes {
		indeg[n.idx] = len(n.up)
	}
	queue := make([]int, 0, len(nodes))
	for i := range nodes {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	order := make([]*node, 0, len(nodes))
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		order = append(order, nodes[i])
		for _, d := range nodes[i].down {
			if indeg[d]--; indeg[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	if len(order) == len(nodes) {
		return order, nil
	}
	return nil, fmt.Errorf("cycle: %s", findCycle(nodes, indeg))
}

// findCycle returns one cycle among the nodes left with a positive
// in-degree, as "a → b → a".
func findCycle(nodes []*node, indeg []int) string {
	start := -1
	for i := range nodes {
		if indeg[i] > 0 {
			start = i
			break
		}
	}
	// Walk upstream through unsorted nodes until a node repeats.
	pos := map[int]int{}
	var path []int
	for cur := start; ; {
		if p, ok := pos[cur]; ok {
			// path runs downstream→upstream; reverse it and start at the
			// task added first, so the message is stable.
			cyc := slices.Clone(path[p:])
			slices.Reverse(cyc)
			first := slices.Index(cyc, slices.Min(cyc))
			cyc = append(cyc[first:], cyc[:first]...)
			names := make([]string, 0, len(cyc)+1)
			for _, k := range cyc {
				names = append(names, nodes[k].name)
			}
			names = append(names, nodes[cyc[0]].name)
			return strings.Join(names, " → ")
		}
		pos[cur] = len(path)
		path = append(path, cur)
		for _, u := range nodes[cur].up {
			if indeg[u] > 0 {
				cur = u
				break
			}
		}
	}
}

// Name returns the pipeline's name.
func (p *Pipeline) Name() string { return p.name }

// Tasks returns the task names in a topological order.
func (p *Pipeline) Tasks() []string {
	out := make([]string, len(p.nodes))
	for i, n := range p.nodes {
		out[i] = n.name
	}
	return out
}

// node returns the task's node, or an error matching [ErrUnknownTask].
func (p *Pipeline) node(task string) (*node, error) {
	i, ok := p.index[task]
	if !ok {
		return nil, fmt.Errorf("pipeline %s: %w: %s", p.name, ErrUnknownTask, task)
	}
	return p.nodes[i], nil
}

// Upstream returns the names of the tasks that task depends on.
func (p *Pipeline) Upstream(task string) ([]string, error) {
	n, err := p.node(task)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(n.up))
	for _, u := range n.up {
		out = append(out, p.nodes[u].name)
	}
	return out, nil
}

// ConfSchema returns the conf JSON Schema, nil when there is none.
func (p *Pipeline) ConfSchema() json.RawMessage { return slices.Clone(p.confSchema) }

// ValidateConf checks conf against the pipeline's JSON Schema. An empty conf
// is validated as null. The error matches [ErrInvalidConf].
func (p *Pipeline) ValidateConf(conf json.RawMessage) error {
	if p.conf == nil {
		if len(conf) > 0 && !json.Valid(conf) {
			return fmt.Errorf("pipeline %s: %w: not valid JSON", p.name, ErrInvalidConf)
		}
		return nil
	}
	if len(conf) == 0 {
		conf = json.RawMessage("null")
	}
	if err := validateJSON(p.conf, conf); err != nil {
		return fmt.Errorf("pipeline %s: %w: %w", p.name, ErrInvalidConf, err)
	}
	return nil
}

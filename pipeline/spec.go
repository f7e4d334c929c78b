package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Spec describes a pipeline made of registered task types. It is read from
// JSON or YAML by [Registry.Load].
type Spec struct {
	Name       string          `json:"name"`
	ConfSchema json.RawMessage `json:"conf_schema,omitempty"`
	Tasks      []TaskSpec      `json:"tasks"`

	// dart's workflow settings, read by a scheduler (schedule.SpecOptions);
	// a pipeline run directly ignores them.

	// OnFailure is the pipeline's policy for a failed run none of whose
	// tasks set one: DEACTIVATE makes the pipeline INACTIVE once its
	// retries are used up; HALT or CONTINUE leave it ACTIVE. Default HALT.
	OnFailure FailurePolicy `json:"on_failure,omitempty"`
	// RetriesOnFailure is how many times a failed run is retried (≥0, default 0).
	RetriesOnFailure int `json:"retries_on_failure,omitempty"`
	// Concurrency caps the runs in progress (1..10, default 1).
	Concurrency int `json:"concurrency,omitempty"`
	// State is ACTIVE or INACTIVE (dart's default for a new workflow).
	State string `json:"state,omitempty"`
	// Triggers is the spec's triggers section, kept as written: each entry
	// is a trigger spec (cron, event, completion or super) with an id, read
	// by a scheduler (schedule.SpecTriggers) and started on this pipeline.
	// A pipeline run directly ignores it.
	Triggers []json.RawMessage `json:"triggers,omitempty"`
}

// ValidateWorkflow checks the workflow settings of a spec.
func (s *Spec) ValidateWorkflow() error {
	var errs []error
	if err := s.OnFailure.validate(); err != nil {
		errs = append(errs, err)
	}
	if s.RetriesOnFailure < 0 {
		errs = append(errs, fmt.Errorf("retries_on_failure %d is negative", s.RetriesOnFailure))
	}
	if s.Concurrency != 0 && (s.Concurrency < 1 || s.Concurrency > 10) {
		errs = append(errs, fmt.Errorf("concurrency %d is not within 1..10", s.Concurrency))
	}
	if s.State != "" && s.State != "ACTIVE" && s.State != "INACTIVE" {
		errs = append(errs, fmt.Errorf("unknown state %q (want ACTIVE or INACTIVE)", s.State))
	}
	if len(errs) > 0 {
		return fmt.Errorf("pipeline %s: %w", s.Name, errors.Join(errs...))
	}
	return nil
}

// TaskSpec is one task of a [Spec].
type TaskSpec struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Params      json.RawMessage `json:"params,omitempty"`
	DependsOn   []string        `json:"depends_on,omitempty"`
	Retries     int             `json:"retries,omitempty"`     // retries after the first attempt; default 0
	RetryDelay  string          `json:"retry_delay,omitempty"` // Go duration, first backoff; default "1s", doubling
	Timeout     string          `json:"timeout,omitempty"`     // Go duration; default none
	TriggerRule TriggerRule     `json:"trigger_rule,omitempty"`
	Instances   int             `json:"instances,omitempty"`
	Feeds       []string        `json:"feeds,omitempty"`
	Consumes    []string        `json:"consumes,omitempty"`
	OnFailure   FailurePolicy   `json:"on_failure,omitempty"` // HALT, CONTINUE or DEACTIVATE; default: trigger rules decide
}

// SpecJSON returns a JSON or YAML document (pipeline or trigger spec) as
// JSON: a document starting with '{' is JSON already.
func SpecJSON(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] == '{' {
		return trimmed, nil
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return j, nil
}

// ParseSpec reads a spec from JSON or YAML (a document starting with '{'
// is read as JSON).
func ParseSpec(data []byte) (*Spec, error) {
	trimmed, err := SpecJSON(data)
	if err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	return &s, nil
}

// Load parses a JSON or YAML spec and builds the pipeline: see [Registry.Build].
func (r *Registry) Load(data []byte) (*Pipeline, error) {
	s, err := ParseSpec(data)
	if err != nil {
		return nil, err
	}
	return r.Build(s)
}

// Build validates every task's params against its type's schema (all of
// them, before building anything; the error lists a [*ParamsError] per bad
// task) and builds the pipeline.
func (r *Registry) Build(s *Spec) (*Pipeline, error) {
	if err := s.ValidateWorkflow(); err != nil {
		return nil, err
	}
	var errs []error
	params := make([]json.RawMessage, len(s.Tasks))
	for i, ts := range s.Tasks {
		p, err := r.ValidateParams(ts.Name, ts.Type, ts.Params)
		if err != nil {
			errs = append(errs, err)
		}
		params[i] = p
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("pipeline %s: %w", s.Name, errors.Join(errs...))
	}
	b := NewBuilder(s.Name)
	if s.ConfSchema != nil {
		b.ConfSchema(s.ConfSchema)
	}
	for i, ts := range s.Tasks {
		opts, err := ts.options()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, _ := r.lookup(ts.Type)
		task, err := t.New(params[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("task %s (type %s): %w", ts.Name, ts.Type, err))
			continue
		}
		b.Add(ts.Name, task, opts)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("pipeline %s: %w", s.Name, errors.Join(errs...))
	}
	p, err := b.Build()
	if err != nil {
		return nil, err
	}
	for i, ts := range s.Tasks {
		n := p.nodes[p.index[ts.Name]]
		n.typ, n.params = ts.Type, params[i]
		if t, ok := r.lookup(ts.Type); ok {
			n.engine = t.Engine
		}
	}
	return p, nil
}

func (ts *TaskSpec) options() (*TaskOptions, error) {
	o := &TaskOptions{DependsOn: ts.DependsOn, TriggerRule: ts.TriggerRule, Instances: ts.Instances, Feeds: ts.Feeds,
		Consumes: ts.Consumes, OnFailure: ts.OnFailure}
	if ts.Timeout != "" {
		d, err := time.ParseDuration(ts.Timeout)
		if err != nil {
			return nil, fmt.Errorf("task %s: timeout: %w", ts.Name, err)
		}
		o.Timeout = d
	}
	if ts.Retries > 0 {
		delay := time.Second
		if ts.RetryDelay != "" {
			d, err := time.ParseDuration(ts.RetryDelay)
			if err != nil {
				return nil, fmt.Errorf("task %s: retry_delay: %w", ts.Name, err)
			}
			delay = d
		}
		o.Retry = &ExponentialBackoff{MaxAttempts: ts.Retries + 1, Initial: delay, Multiplier: 2}
	}
	return o, nil
}

// TaskType returns the registered type and validated params of a task
// built from a spec ("" and nil for tasks added directly).
func (p *Pipeline) TaskType(task string) (typ string, params json.RawMessage, err error) {
	n, err := p.node(task)
	if err != nil {
		return "", nil, err
	}
	return n.typ, n.params, nil
}

package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrTypeExists is matched when a task type name is registered twice.
var ErrTypeExists = errors.New("task type already exists")

// TaskType is a kind of task that specs can name (dart's action types):
// a name, a JSON Schema for its params and a constructor.
type TaskType struct {
	// Name matches ^[A-Za-z0-9_-]+$, at most 50 characters.
	Name string
	// Description is shown to users.
	Description string
	// ParamsSchema is the JSON Schema of the params. nil means the params
	// must be an object without properties (or absent), as in dart.
	ParamsSchema json.RawMessage
	// New builds a task from params that passed the schema, with schema
	// defaults applied.
	New func(params json.RawMessage) (Task, error)
	// Engine names the workers that run this type's tasks when a run's
	// executor spreads attempts over workers (dart's engines): with
	// temporalexec, the workers of the engine's own task queue. It matches
	// the Name pattern; "" (the default) means the run's default workers.
	Engine string
}

// TaskTypeInfo describes a registered type, for UIs.
type TaskTypeInfo struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	ParamsSchema json.RawMessage `json:"params_json_schema"`
	Engine       string          `json:"engine,omitempty"`
}

type registered struct {
	TaskType
	schema *jsonschema.Schema
	doc    any // parsed schema, for defaults
}

// Registry holds task types by name. It is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	types map[string]*registered
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{types: map[string]*registered{}} }

var typeNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,50}$`)

// emptyParamsSchema allows only an object without properties.
var emptyParamsSchema = json.RawMessage(`{"type": "object", "maxProperties": 0}`)

// Register adds a task type. It fails on an invalid or duplicate name
// (matching [ErrTypeExists]), a missing constructor or an invalid schema.
func (r *Registry) Register(t TaskType) error {
	if !typeNameRE.MatchString(t.Name) {
		return fmt.Errorf("register task type: invalid name %q: want ^[A-Za-z0-9_-]+$, at most 50 characters", t.Name)
	}
	if t.Engine != "" && !typeNameRE.MatchString(t.Engine) {
		return fmt.Errorf("register task type %s: invalid engine %q: want ^[A-Za-z0-9_-]+$, at most 50 characters", t.Name, t.Engine)
	}
	if t.New == nil {
		return fmt.Errorf("register task type %s: New is nil", t.Name)
	}
	if t.ParamsSchema == nil {
		t.ParamsSchema = emptyParamsSchema
	}
	t.ParamsSchema = slices.Clone(t.ParamsSchema)
	s, err := compileSchema("urn:datafactory:task-type:"+t.Name, t.ParamsSchema)
	if err != nil {
		return fmt.Errorf("register task type %s: %w", t.Name, err)
	}
	var doc any
	if err := json.Unmarshal(t.ParamsSchema, &doc); err != nil {
		return fmt.Errorf("register task type %s: %w", t.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.types[t.Name]; dup {
		return fmt.Errorf("register task type: %w: %s", ErrTypeExists, t.Name)
	}
	r.types[t.Name] = &registered{TaskType: t, schema: s, doc: doc}
	return nil
}

// Types lists the registered types by name, with their schemas.
func (r *Registry) Types() []TaskTypeInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]TaskTypeInfo, 0, len(r.types))
	for _, t := range r.types {
		out = append(out, TaskTypeInfo{Name: t.Name, Description: t.Description, ParamsSchema: slices.Clone(t.ParamsSchema), Engine: t.Engine})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) lookup(name string) (*registered, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[name]
	return t, ok
}

// ValidateParams applies the type's schema defaults to params and validates
// the result, returning the params to build the task from. The error is a
// [*ParamsError] naming the task and the field.
func (r *Registry) ValidateParams(task, typ string, params json.RawMessage) (json.RawMessage, error) {
	t, ok := r.lookup(typ)
	if !ok {
		return nil, fmt.Errorf("task %s: %w: %q", task, ErrUnknownTaskType, typ)
	}
	var v any = map[string]any{}
	if len(params) > 0 && string(params) != "null" {
		if err := json.Unmarshal(params, &v); err != nil {
			return nil, &ParamsError{Task: task, Type: typ, Err: fmt.Errorf("parse params: %w", err)}
		}
	}
	v = applyDefaults(t.doc, v)
	withDefaults, err := json.Marshal(v)
	if err != nil {
		return nil, &ParamsError{Task: task, Type: typ, Err: err}
	}
	if err := validateJSON(t.schema, withDefaults); err != nil {
		return nil, &ParamsError{Task: task, Type: typ, Field: errorField(err), Err: err}
	}
	return withDefaults, nil
}

// applyDefaults fills missing object properties from the schema's
// "default" values, recursively through "properties" (as dart does before
// validating).
func applyDefaults(schema, v any) any {
	s, ok := schema.(map[string]any)
	if !ok {
		return v
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return v
	}
	props, _ := s["properties"].(map[string]any)
	for name, ps := range props {
		psm, _ := ps.(map[string]any)
		if cur, present := obj[name]; present {
			obj[name] = applyDefaults(psm, cur)
			continue
		}
		if d, has := psm["default"]; has {
			obj[name] = applyDefaults(psm, deepCopy(d))
		}
	}
	return obj
}

func deepCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

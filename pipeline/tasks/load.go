package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
)

// LoadParams are the params of the "load" task type and the conf of the
// built-in "load" pipeline.
type LoadParams struct {
	// Source is a CSV (or .gz, .zip, XLSX) file, resource.json or
	// datapackage.json in a file root: "ROOT:path", an absolute path
	// inside a root, or a path relative to the root named "default"; a
	// file:// URL of such a path; an http(s) URL to a host the operator
	// allowed; or, with Bucket, an object key in that bucket.
	Source string `json:"source"`
	// Bucket names a bucket connection; Source is then an object key in it.
	Bucket string `json:"bucket,omitempty"`
	// Sheet is the XLSX sheet to read. Default: the first.
	Sheet string `json:"sheet,omitempty"`
	// Member is the CSV member of a zip archive. Default: the only one.
	Member string `json:"member,omitempty"`
	// Target names a store (a database or CKAN site connection).
	Target string `json:"target"`
	// Table is the target table. Default: the resource or file name.
	Table string `json:"table,omitempty"`
	// Mode is append, upsert or replace. Default append.
	Mode string `json:"mode,omitempty"`
	// Schema is a Table Schema file in a root, or an http(s) URL to an
	// allowed host. Default: the resource's, else inferred.
	Schema string `json:"schema,omitempty"`
	// NoHeader says the CSV file has no header row.
	NoHeader bool `json:"no_header,omitempty"`
	// MaxRejects fails the load (nothing written) when more rows are
	// rejected. Default 0: no limit.
	MaxRejects int `json:"max_rejects,omitempty"`
	// Resource selects one resource of a data package.
	Resource string `json:"resource,omitempty"`
}

// LoadParamsSchema is the JSON Schema of [LoadParams].
const LoadParamsSchema = loadParamsSchema

const loadParamsSchema = `{
  "type": "object",
  "required": ["source", "target"],
  "additionalProperties": false,
  "properties": {
    "source": {"type": "string", "minLength": 1, "maxLength": 4096, "description": "CSV (.gz, .zip, XLSX: detected by content) file, resource.json or datapackage.json in a file root: ROOT:path, an absolute path inside a root, a path relative to the root \"default\", or its file:// URL; an http(s) URL to a host the operator allowed; with bucket, an object key"},
    "bucket": {"type": "string", "maxLength": 64, "description": "name of a bucket connection; source is then an object key in it"},
    "sheet": {"type": "string", "maxLength": 256, "description": "XLSX sheet; default the first"},
    "member": {"type": "string", "maxLength": 4096, "description": "CSV member of a zip archive; default the only one"},
    "target": {"type": "string", "minLength": 1, "maxLength": 4096, "description": "name of a database or CKAN site connection"},
    "table": {"type": "string", "description": "target table; default the resource or file name"},
    "mode": {"enum": ["append", "upsert", "replace"], "default": "append"},
    "schema": {"type": "string", "description": "Table Schema file in a file root, or an http(s) URL to a host the operator allowed"},
    "no_header": {"type": "boolean", "default": false},
    "max_rejects": {"type": "integer", "default": 0},
    "resource": {"type": "string", "description": "one resource of a data package"}
  }
}`

// ParseMode parses a write mode: append, upsert or replace.
func ParseMode(s string) (datastore.Mode, error) {
	switch s {
	case "append", "":
		return datastore.ModeAppend, nil
	case "upsert":
		return datastore.ModeUpsert, nil
	case "replace":
		return datastore.ModeReplace, nil
	}
	return 0, fmt.Errorf("mode %q: want append, upsert or replace", s)
}

// loadPlan is a load whose references are resolved and allowed.
type loadPlan struct {
	conns   *connection.Set
	source  string
	sources SourceOptions
	store   connection.Store
	table   string
	tableLoad
}

// planLoad checks params and resolves every reference in them; nothing
// is read or connected.
func (t *types) planLoad(p *LoadParams) (*loadPlan, error) {
	mode, err := ParseMode(p.Mode)
	if err != nil {
		return nil, err
	}
	if p.Source == "" || p.Target == "" {
		return nil, fmt.Errorf("source and target are required")
	}
	src, in, err := t.sourceRef(p)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	store, err := t.conns.Store(p.Target)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	schema, err := t.schemaRef(p.Schema)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &loadPlan{conns: t.conns, source: src, store: store, table: p.Table,
		tableLoad: tableLoad{mode: mode, max: p.MaxRejects, loaded: t.loaded},
		sources:   SourceOptions{Schema: schema, NoHeader: p.NoHeader, Resource: p.Resource, Input: in}}, nil
}

// schemaRef resolves a schema reference: an allowed URL or a rooted path.
func (t *types) schemaRef(ref string) (string, error) {
	switch {
	case ref == "":
		return "", nil
	case strings.Contains(ref, "://"):
		return t.conns.HTTPURL(ref)
	}
	return t.conns.Path(ref)
}

func (t *types) newLoad(params json.RawMessage) (pipeline.Task, error) {
	var p LoadParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	plan, err := t.planLoad(&p)
	if err != nil {
		return nil, err
	}
	return pipeline.TaskFunc(plan.run), nil
}

// run is the body of a load task.
func (l *loadPlan) run(ctx context.Context, tc *pipeline.TaskContext) error {
	sources, err := OpenSources(ctx, l.source, &l.sources)
	if err != nil {
		return pipeline.Permanent(err)
	}
	for i := range sources {
		if err := l.confine(sources[i].Resource); err != nil {
			return pipeline.Permanent(err)
		}
	}
	store, err := l.store.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	for i := range sources {
		if err := l.loadOne(ctx, tc, store, &sources[i]); err != nil {
			return err
		}
	}
	return nil
}

// confine checks the files a descriptor points to, before any is read:
// local ones must stay in a root, remote ones go to allowed hosts only.
func (l *loadPlan) confine(res *frictionless.Resource) error {
	if res.BasePath == "" {
		return nil // a plain CSV file, already resolved
	}
	refs := append(resourcePaths(res), res.SchemaPath, res.DialectPath)
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		if strings.Contains(ref, "://") || strings.Contains(res.BasePath, "://") {
			if _, err := l.conns.HTTPURL(ref); err != nil {
				return fmt.Errorf("resource %s: %w", res.Name, err)
			}
			continue
		}
		if _, err := l.conns.Path(filepath.Join(res.BasePath, ref)); err != nil {
			return fmt.Errorf("resource %s: %w", res.Name, err)
		}
	}
	return nil
}

// loadOne loads one source and counts it.
func (l *loadPlan) loadOne(ctx context.Context, tc *pipeline.TaskContext, store *datastore.Store, s *Source) error {
	table := l.table
	if table == "" {
		table = s.Name
	}
	r, err := s.Open(ctx, &frictionless.ReadOptions{SkipUniqueCheck: true})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer r.Close()
	if _, err := l.loadTable(ctx, tc, store, table, r, 1); err != nil {
		return pipeline.Permanent(fmt.Errorf("load %s: %w", table, err))
	}
	return nil
}

// LoadPipeline is the built-in "load" pipeline: one load task whose params
// are the run's conf (validated against [LoadParamsSchema]); references in
// the conf are resolved through opts.Connections before anything is read.
func LoadPipeline(opts *Options) (*pipeline.Pipeline, error) {
	o := opts.withDefaults()
	t := newTypes(&o)
	return pipeline.NewBuilder("load").
		ConfSchema(json.RawMessage(loadParamsSchema)).
		Add("load", pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			var p LoadParams
			if err := tc.DecodeConf(&p); err != nil {
				return pipeline.Permanent(err)
			}
			plan, err := t.planLoad(&p)
			if err != nil {
				return pipeline.Permanent(err)
			}
			return plan.run(ctx, tc)
		}), nil).
		Build()
}

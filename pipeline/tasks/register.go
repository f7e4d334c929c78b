package tasks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/pipeline"
)

// Options give the task types what they need. nil means defaults.
type Options struct {
	// Connections are the operator's connections that params name.
	// Default: an empty set, so every database, bucket and file reference
	// is refused.
	Connections *connection.Set
	// CKANSite names the CKAN site in Connections that ckan_load loads
	// into when a conf names no site (its URL, API key and DataStore write
	// URL). Confs naming another site of Connections by URL get that
	// site's secrets; any other site is refused. Default "": a conf must
	// name a configured site.
	CKANSite string
	// CKANFileRoot names the file root in Connections that ckan_load may
	// read local files (resource.path without a URL scheme) from. Default
	// "": local files are refused, only http(s) URLs are downloaded.
	CKANFileRoot string
	// AirCan tunes ckan_load (HTTP client, CKAN client, download limit).
	// Its site, secrets and file root are replaced by the ones above.
	// Default: aircan's defaults.
	AirCan *aircan.Config
	// HTTPAuth are the credentials of HTTP APIs that http_to_table params
	// name (by key), each sent only to its origin. Default none.
	HTTPAuth map[string]HTTPAuth
	// HTTPSource is the base of http_to_table's source options (transport,
	// retries, budgets); its Auth, Pagination and Records are replaced by
	// the params'. Default: httpsource's defaults.
	HTTPSource *httpsource.Options
	// MaxSourceBytes bounds what a load reads from its source, before and
	// after decompression. Default: package input's (16 GiB).
	MaxSourceBytes int64
	// Loaded, when set, is called with the report of every table load the
	// load and http_to_table tasks make, also of one that failed part-way
	// (serve counts them in its Prometheus metrics). It is called from the
	// task's goroutine; several tasks may call it at once. Default none.
	Loaded func(*datastore.LoadReport)
}

func (o *Options) withDefaults() Options {
	var d Options
	if o != nil {
		d = *o
	}
	if d.Connections == nil {
		d.Connections = &connection.Set{}
	}
	return d
}

// types is the configured set of built-in task types.
type types struct {
	conns    *connection.Set
	maxBytes int64
	auths    map[string]HTTPAuth
	http     *httpsource.Options
	loaded   func(*datastore.LoadReport)
}

// newTypes builds the task types' shared state from filled options.
func newTypes(o *Options) *types {
	return &types{conns: o.Connections, maxBytes: o.MaxSourceBytes, auths: o.HTTPAuth, http: o.HTTPSource, loaded: o.Loaded}
}

// Register adds the built-in task types (load, backup, restore, sql,
// http_to_table, sleep, noop) and AirCan's ckan_load types (see [aircan.Register]) to r.
func Register(r *pipeline.Registry, opts *Options) error {
	o := opts.withDefaults()
	t := newTypes(&o)
	list := []pipeline.TaskType{
		{Name: "load", Description: "Load a CSV, resource or data package into a table of a named store",
			ParamsSchema: json.RawMessage(loadParamsSchema), New: t.newLoad},
		{Name: "backup", Description: "Back a table up to an Avro file in a named bucket (under " + BackupPrefix + ")",
			ParamsSchema: json.RawMessage(backupParamsSchema), New: t.newBackup(false)},
		{Name: "restore", Description: "Restore a table from an Avro file in a named bucket (under " + BackupPrefix + ")",
			ParamsSchema: json.RawMessage(backupParamsSchema), New: t.newBackup(true)},
		{Name: "sql", Description: "Run SQL statements in one transaction on a named database (views, swaps)",
			ParamsSchema: json.RawMessage(sqlParamsSchema), New: t.newSQL},
		{Name: "http_to_table", Description: "Load a paginated JSON API into a table of a named store (replace, append, upsert)",
			ParamsSchema: json.RawMessage(HTTPTableParamsSchema), New: t.newHTTPTable},
		{Name: "sleep", Description: "Wait, then succeed (for tests and demos)",
			ParamsSchema: json.RawMessage(sleepParamsSchema), New: newSleep},
		{Name: "noop", Description: "Do nothing and succeed", ParamsSchema: json.RawMessage(noopParamsSchema),
			New: func(json.RawMessage) (pipeline.Task, error) {
				return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return nil }), nil
			}},
	}
	for _, tt := range list {
		if err := r.Register(tt); err != nil {
			return fmt.Errorf("tasks: %w", err)
		}
	}
	cfg, err := AirCanConfig(&o)
	if err != nil {
		return err
	}
	return aircan.Register(r, cfg)
}

const noopParamsSchema = `{"type": "object", "additionalProperties": false}`

// decodeParams decodes params (the registry has already checked them
// against the type's JSON Schema); empty params decode as {}.
func decodeParams(params json.RawMessage, v any) error {
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	return nil
}

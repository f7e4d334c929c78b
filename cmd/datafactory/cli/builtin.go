package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/jmoiron/sqlx"
)

// loadParams are the params of the "load" task type (and the conf of the
// built-in "load" pipeline).
type loadParams struct {
	Source     string `json:"source"`
	Target     string `json:"target"`
	Table      string `json:"table,omitempty"`
	Mode       string `json:"mode,omitempty"`
	Schema     string `json:"schema,omitempty"`
	NoHeader   bool   `json:"no_header,omitempty"`
	MaxRejects int    `json:"max_rejects,omitempty"`
	Resource   string `json:"resource,omitempty"`
}

const loadParamsSchema = `{
  "type": "object",
  "required": ["source", "target"],
  "additionalProperties": false,
  "properties": {
    "source": {"type": "string", "minLength": 1, "description": "CSV file, resource.json or datapackage.json"},
    "target": {"type": "string", "minLength": 1, "description": "database URL without password, or env:VARIABLE"},
    "table": {"type": "string", "description": "target table; default the resource or file name"},
    "mode": {"enum": ["append", "upsert", "replace"], "default": "append"},
    "schema": {"type": "string", "description": "Table Schema file or URL"},
    "no_header": {"type": "boolean", "default": false},
    "max_rejects": {"type": "integer", "default": 0},
    "resource": {"type": "string", "description": "one resource of a data package"}
  }
}`

// backupParams are the params of the "backup" and "restore" task types.
type backupParams struct {
	DB     string `json:"db"`
	Table  string `json:"table"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Append bool   `json:"append,omitempty"`
}

const backupParamsSchema = `{
  "type": "object",
  "required": ["db", "table", "bucket", "key"],
  "additionalProperties": false,
  "properties": {
    "db": {"type": "string", "minLength": 1},
    "table": {"type": "string", "minLength": 1},
    "bucket": {"type": "string", "minLength": 1, "description": "bucket URL (file://, s3://, gs://, mem://)"},
    "key": {"type": "string", "minLength": 1},
    "append": {"type": "boolean", "default": false, "description": "restore only: append instead of replace"}
  }
}`

// sqlParams are the params of the "sql" task type.
type sqlParams struct {
	DB         string   `json:"db"`
	Statements []string `json:"statements"`
}

const sqlParamsSchema = `{
  "type": "object",
  "required": ["db", "statements"],
  "additionalProperties": false,
  "properties": {
    "db": {"type": "string", "minLength": 1},
    "statements": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
      "description": "SQL run in one transaction, e.g. CREATE VIEW …"}
  }
}`

const sleepParamsSchema = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {"duration": {"type": "string", "default": "0s", "description": "Go duration"}}
}`

// registry returns the task types the tool knows.
func (m *Main) registry() (*pipeline.Registry, error) {
	r := pipeline.NewRegistry()
	types := []pipeline.TaskType{
		{Name: "load", Description: "Load a CSV, resource or data package into a database table",
			ParamsSchema: json.RawMessage(loadParamsSchema), New: m.newLoadTask},
		{Name: "backup", Description: "Back a table up to an Avro file in a bucket",
			ParamsSchema: json.RawMessage(backupParamsSchema), New: m.newBackupTask(false)},
		{Name: "restore", Description: "Restore a table from an Avro file in a bucket",
			ParamsSchema: json.RawMessage(backupParamsSchema), New: m.newBackupTask(true)},
		{Name: "sql", Description: "Run SQL statements in one transaction (views, swaps)",
			ParamsSchema: json.RawMessage(sqlParamsSchema), New: m.newSQLTask},
		{Name: "sleep", Description: "Wait, then succeed (for tests and demos)",
			ParamsSchema: json.RawMessage(sleepParamsSchema), New: newSleepTask},
		{Name: "noop", Description: "Do nothing and succeed", New: func(json.RawMessage) (pipeline.Task, error) {
			return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return nil }), nil
		}},
	}
	for _, t := range types {
		if err := r.Register(t); err != nil {
			return nil, err
		}
	}
	if err := aircan.Register(r, m.ckanLoadConfig()); err != nil {
		return nil, err
	}
	return r, nil
}

func (m *Main) newLoadTask(params json.RawMessage) (pipeline.Task, error) {
	var p loadParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	return pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		return m.runLoad(ctx, tc, &p)
	}), nil
}

// runLoad is the body of a load task.
func (m *Main) runLoad(ctx context.Context, tc *pipeline.TaskContext, p *loadParams) error {
	mode, err := parseMode(orDefault(p.Mode, "append"))
	if err != nil {
		return pipeline.Permanent(err)
	}
	sources, err := openSources(ctx, p.Source, &sourceFlags{schema: p.Schema, noHeader: p.NoHeader, resource: p.Resource})
	if err != nil {
		return pipeline.Permanent(err)
	}
	store, err := m.openStore(ctx, p.Target)
	if err != nil {
		return err
	}
	defer store.Close()
	for i := range sources {
		s := &sources[i]
		table := orDefault(p.Table, s.name)
		r, err := s.open(ctx, &frictionless.ReadOptions{SkipUniqueCheck: true})
		if err != nil {
			return pipeline.Permanent(err)
		}
		rep, err := datastore.Load(ctx, store, table, r, &datastore.LoadOptions{
			Mode: mode, MaxRejects: p.MaxRejects, Rejects: datastore.NewTableRejects(store, table)})
		r.Close()
		if rep != nil {
			tc.AddCounts(pipeline.Counts{RowsIn: rep.Read, RowsOut: rep.Written, FilesIn: 1})
			tc.SetStatus("rejected", rep.Rejected)
		}
		if err != nil {
			return pipeline.Permanent(fmt.Errorf("load %s: %w", table, err))
		}
	}
	return nil
}

func (m *Main) newBackupTask(restore bool) func(json.RawMessage) (pipeline.Task, error) {
	return func(params json.RawMessage) (pipeline.Task, error) {
		var p backupParams
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		return pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
			store, err := m.openStore(ctx, p.DB)
			if err != nil {
				return err
			}
			defer store.Close()
			b, err := openBucket(ctx, p.Bucket)
			if err != nil {
				return err
			}
			defer b.Close()
			if restore {
				rep, err := avrobak.RestoreFromBucket(ctx, b, p.Key, store, p.Table, &avrobak.RestoreOptions{Append: p.Append})
				if err == nil {
					tc.AddCounts(pipeline.Counts{RowsOut: rep.Rows, FilesIn: 1})
				}
				return err
			}
			rep, err := avrobak.BackupToBucket(ctx, store, p.Table, b, p.Key, nil)
			if err == nil {
				tc.AddCounts(pipeline.Counts{RowsIn: rep.Rows, FilesOut: 1})
			}
			return err
		}), nil
	}
}

func (m *Main) newSQLTask(params json.RawMessage) (pipeline.Task, error) {
	var p sqlParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	return pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		store, err := m.openStore(ctx, p.DB)
		if err != nil {
			return err
		}
		defer store.Close()
		var db *sqlx.DB
		if !store.As(&db) {
			return pipeline.Permanent(fmt.Errorf("sql task: the store has no SQL database"))
		}
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
		for i, stmt := range p.Statements {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("statement %d: %w", i+1, err)
			}
		}
		return tx.Commit()
	}), nil
}

func newSleepTask(params json.RawMessage) (pipeline.Task, error) {
	var p struct {
		Duration string `json:"duration"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	d, err := time.ParseDuration(orDefault(p.Duration, "0s"))
	if err != nil {
		return nil, fmt.Errorf("duration: %w", err)
	}
	return pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
			return nil
		}
	}), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

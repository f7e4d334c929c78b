package datastore

import (
	"context"
	"fmt"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// MaxIngestRows is the most rows one Ingest call takes.
const MaxIngestRows = 1000

// IngestOptions tunes Ingest. The zero value (or nil) means defaults.
type IngestOptions struct {
	// Mode is ModeAppend (default) or ModeUpsert.
	Mode Mode
	// Schema validates the rows. Default nil: the table's described schema
	// (the table must exist).
	Schema *frictionless.Schema
}

// IngestResult is the outcome for one input row.
type IngestResult struct {
	// Index is the row's position in the input (0-based).
	Index int
	// Written is true when the row was written.
	Written bool
	// Err says why not: a *RowError (Row = Index+1) for a row that failed
	// validation or that the database refused.
	Err error
}

// IngestReport holds the per-row results, in input order.
type IngestReport struct {
	Written  int
	Rejected int
	Results  []IngestResult
}

// Ingest validates 1..1000 JSON objects (as decoded by encoding/json, with
// UseNumber or not) against the table's schema and writes the valid ones in
// one transaction. Unknown keys, missing required fields and values the
// database refuses make a row fail; the others are written.
func Ingest(ctx context.Context, s *Store, table string, objects []map[string]any, opts *IngestOptions) (*IngestReport, error) {
	schema, o, err := s.ingestSetup(ctx, table, len(objects), opts)
	if err != nil {
		return nil, err
	}
	rc, err := rowCaster(schema)
	if err != nil {
		return nil, s.wrap("ingest", table, err)
	}
	rows := make([]frictionless.Row, len(objects))
	errs := make([]error, len(objects))
	for i, obj := range objects {
		rows[i], errs[i] = rc.CastObject(obj)
	}
	return s.ingest(ctx, table, schema, o, rows, errs)
}

// IngestRows is Ingest for typed rows in schema field order (the Go types of
// frictionless rows). Each value is checked against its field's type and
// constraints.
func IngestRows(ctx context.Context, s *Store, table string, rows []frictionless.Row, opts *IngestOptions) (*IngestReport, error) {
	schema, o, err := s.ingestSetup(ctx, table, len(rows), opts)
	if err != nil {
		return nil, err
	}
	rc, err := rowCaster(schema)
	if err != nil {
		return nil, s.wrap("ingest", table, err)
	}
	checked := make([]frictionless.Row, len(rows))
	errs := make([]error, len(rows))
	for i, r := range rows {
		checked[i], errs[i] = rc.CastValues(r)
	}
	return s.ingest(ctx, table, schema, o, checked, errs)
}

// ingestSetup validates the call and finds the schema.
func (s *Store) ingestSetup(ctx context.Context, table string, n int, opts *IngestOptions) (*frictionless.Schema, IngestOptions, error) {
	var o IngestOptions
	if opts != nil {
		o = *opts
	}
	if err := s.check(); err != nil {
		return nil, o, err
	}
	switch {
	case n < 1 || n > MaxIngestRows:
		return nil, o, fmt.Errorf("%w: ingest takes 1 to %d rows, got %d", ErrInvalidOptions, MaxIngestRows, n)
	case o.Mode != ModeAppend && o.Mode != ModeUpsert:
		return nil, o, fmt.Errorf("%w: IngestOptions.Mode must be append or upsert", ErrInvalidOptions)
	}
	if err := s.validateTable(table); err != nil {
		return nil, o, err
	}
	target, err := s.drv.DescribeTable(ctx, table)
	if err != nil {
		return nil, o, s.wrap("ingest", table, err)
	}
	schema := o.Schema
	if schema == nil {
		return target, o, nil
	}
	if err := s.validateSchema(schema); err != nil {
		return nil, o, err
	}
	if _, err := newPlan(table, schema, target, DriftIgnoreExtra); err != nil {
		return nil, o, s.wrap("ingest", table, err)
	}
	for i := range schema.Fields {
		if target.FieldIndex(schema.Fields[i].Name) < 0 {
			return nil, o, s.wrap("ingest", table, &DriftError{Table: table, Missing: []string{schema.Fields[i].Name}})
		}
	}
	if len(schema.PrimaryKey) == 0 {
		cp := *schema
		cp.PrimaryKey = target.PrimaryKey
		schema = &cp
	}
	return schema, o, nil
}

// ingest writes the valid rows in one session and builds the report.
func (s *Store) ingest(ctx context.Context, table string, schema *frictionless.Schema, o IngestOptions, rows []frictionless.Row, errs []error) (*IngestReport, error) {
	rep := &IngestReport{Results: make([]IngestResult, len(rows))}
	var good []frictionless.Row
	var nums []rowPos
	for i := range rows {
		rep.Results[i] = IngestResult{Index: i, Err: errs[i]}
		if errs[i] == nil {
			good = append(good, rows[i])
			nums = append(nums, rowPos{num: i + 1})
		}
	}
	if len(good) > 0 {
		if o.Mode == ModeUpsert && len(schema.PrimaryKey) == 0 {
			return nil, fmt.Errorf("%w: upsert needs a primary key", ErrInvalidOptions)
		}
		lo := LoadOptions{}
		l := &loader{store: s, opts: &lo, rep: &LoadReport{}, columns: schema.Fields}
		req := &driver.WriteRequest{Table: table, Columns: schema.Fields, Key: schema.PrimaryKey, Mode: o.Mode}
		w, err := s.drv.OpenWriter(ctx, req)
		if err != nil {
			return nil, s.wrap("ingest", table, err)
		}
		l.w = w
		err = l.write(ctx, good, nums)
		if err == nil {
			err = w.Commit(ctx)
		}
		if err != nil {
			_ = w.Abort()
			return nil, s.wrap("ingest", table, err)
		}
		for _, r := range l.rep.Rejects {
			rep.Results[r.Row-1].Err = &RowError{Row: r.Row, Field: r.Field, Value: r.Value, Reason: r.Reason, Raw: r.Raw,
				Errors: []frictionless.FieldError{{Field: r.Field, Value: r.Value, Reason: r.Reason}}}
		}
	}
	for i := range rep.Results {
		rep.Results[i].Written = rep.Results[i].Err == nil
		if rep.Results[i].Written {
			rep.Written++
		} else {
			rep.Rejected++
		}
	}
	return rep, nil
}

// rowCaster compiles schema for one Ingest call. Rows are numbered from 1
// in input order (each is cast once). Unique and primary-key checks are left
// to the database, as in Load: a repeated key is refused there (append) or
// updates the row (upsert).
func rowCaster(schema *frictionless.Schema) (*frictionless.RowCaster, error) {
	return frictionless.NewRowCaster(schema, &frictionless.CastOptions{SkipUniqueCheck: true})
}

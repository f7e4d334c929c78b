package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
)

//go:embed testdata/employees.csv
var employeesCSV []byte

// loadConf is the part of aircan_submit's conf this pipeline reads.
type loadConf struct {
	Resource struct {
		CKANResourceID string `json:"ckan_resource_id"`
		// Schema is the Frictionless schema, as an object or a JSON string
		// (ckanext-aircan sends a string).
		Schema json.RawMessage `json:"schema"`
	} `json:"resource"`
	// MaxRejects (datafactory's extension) fails the load when more rows
	// are rejected; 0 allows any number.
	MaxRejects int `json:"max_rejects"`
}

// loader holds what the tasks share: the CKAN client and where to print.
// Per-run results travel as task outputs.
type loader struct {
	client *ckanstore.Client
	out    io.Writer
}

// loadResult is the load task's output.
type loadResult struct {
	Read, Written, Rejected int64
}

func confSchema() json.RawMessage {
	return json.RawMessage(`{"type": "object", "required": ["resource"], "properties": {"resource": {
	  "type": "object", "required": ["ckan_resource_id", "schema"],
	  "properties": {"ckan_resource_id": {"type": "string", "minLength": 1}, "schema": {"type": ["object", "string"]}}}}}`)
}

// pipeline: check the resource → load it → mark it active → report complete;
// report_error runs whatever happened and reports a failure once.
func (l *loader) pipeline() (*pipeline.Pipeline, error) {
	return pipeline.NewBuilder("ckan_load_example").ConfSchema(confSchema()).
		Add("fetch_resource", pipeline.TaskFunc(l.fetchResource), nil).
		Add("load", pipeline.TaskFunc(l.load), &pipeline.TaskOptions{DependsOn: []string{"fetch_resource"}}).
		Add("mark_active", pipeline.TaskFunc(l.markActive), &pipeline.TaskOptions{DependsOn: []string{"load"}}).
		Add("report_complete", pipeline.TaskFunc(l.reportComplete), &pipeline.TaskOptions{DependsOn: []string{"mark_active"}}).
		Add("report_error", pipeline.TaskFunc(l.reportError), &pipeline.TaskOptions{DependsOn: []string{"report_complete"}, TriggerRule: pipeline.AllDone}).
		Build()
}

func decodeConf(tc *pipeline.TaskContext) (*loadConf, *frictionless.Schema, error) {
	var c loadConf
	if err := tc.DecodeConf(&c); err != nil {
		return nil, nil, err
	}
	raw := c.Resource.Schema
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s) // a schema sent as a JSON string
	}
	schema, err := frictionless.ReadSchema(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	return &c, schema, nil
}

// update sends one aircan_status_update.
func (l *loader) update(ctx context.Context, tc *pipeline.TaskContext, id, state, msg string) error {
	fmt.Fprintf(l.out, "   → CKAN aircan_status_update: %s: %s\n", state, msg)
	return l.client.AircanStatusUpdate(ctx, &ckanstore.StatusUpdate{ResourceID: id, State: state, Message: msg, DagRunID: tc.RunID()})
}

func (l *loader) fetchResource(ctx context.Context, tc *pipeline.TaskContext) error {
	c, _, err := decodeConf(tc)
	if err != nil {
		return pipeline.Permanent(err)
	}
	res, err := l.client.ResourceShow(ctx, c.Resource.CKANResourceID)
	if err != nil {
		return pipeline.Permanent(err)
	}
	tc.SetStatus("resource", res.Name)
	return l.update(ctx, tc, res.ID, ckanstore.StatePending, fmt.Sprintf("loading %s (%s) into the DataStore", res.Name, res.Format))
}

// load validates the file against the schema and writes the valid rows into
// the resource's DataStore table (replace), keeping the rejects.
func (l *loader) load(ctx context.Context, tc *pipeline.TaskContext) error {
	c, schema, err := decodeConf(tc)
	if err != nil {
		return pipeline.Permanent(err)
	}
	id := c.Resource.CKANResourceID
	store, err := ckanstore.Open(l.client, &ckanstore.StoreOptions{Resources: map[string]string{"employees": id}})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer store.Close()
	noHeader := false
	r, err := frictionless.NewReader(bytes.NewReader(employeesCSV), schema, &frictionless.ReadOptions{
		Dialect: &frictionless.Dialect{Header: &noHeader}, SkipUniqueCheck: true})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer r.Close()
	if err := l.update(ctx, tc, id, ckanstore.StateProgress, "validating and loading the rows"); err != nil {
		return err
	}
	rep, err := datastore.Load(ctx, store, "employees", r, &datastore.LoadOptions{Mode: datastore.ModeReplace,
		BatchSize: 500, MaxRejects: c.MaxRejects, Progress: func(p datastore.Progress) {
			fmt.Fprintf(l.out, "   … %d rows read, %d rejected\n", p.Read, p.Rejected)
		}})
	if err != nil {
		return pipeline.Permanent(err)
	}
	for i, rj := range rep.Rejects {
		if i == 3 {
			fmt.Fprintf(l.out, "   … and %d more rejected rows\n", rep.Rejected-3)
			break
		}
		fmt.Fprintf(l.out, "   rejected row %d: field %s: %s\n", rj.Row, rj.Field, rj.Reason)
	}
	if err := tc.SetOutput(ctx, "result", loadResult{rep.Read, rep.Written, rep.Rejected}); err != nil {
		return err
	}
	tc.AddCounts(pipeline.Counts{RowsIn: rep.Read, RowsOut: rep.Written, FilesIn: 1})
	tc.SetStatus("rejected", rep.Rejected)
	return nil
}

func (l *loader) markActive(ctx context.Context, tc *pipeline.TaskContext) error {
	c, _, err := decodeConf(tc)
	if err != nil {
		return pipeline.Permanent(err)
	}
	_, err = l.client.ResourcePatch(ctx, c.Resource.CKANResourceID, map[string]any{"datastore_active": true})
	return err
}

func (l *loader) reportComplete(ctx context.Context, tc *pipeline.TaskContext) error {
	c, _, err := decodeConf(tc)
	if err != nil {
		return pipeline.Permanent(err)
	}
	var rep loadResult
	if err := tc.Output(ctx, "load", "result", &rep); err != nil {
		return err
	}
	if err := l.update(ctx, tc, c.Resource.CKANResourceID, ckanstore.StateComplete,
		fmt.Sprintf("%d rows loaded, %d rejected", rep.Written, rep.Rejected)); err != nil {
		return err
	}
	return tc.SetOutput(ctx, "reported", true)
}

// reportError sends the error state when the run failed before completing.
func (l *loader) reportError(ctx context.Context, tc *pipeline.TaskContext) error {
	var done bool
	if err := tc.Output(ctx, "report_complete", "reported", &done); err == nil && done {
		return nil
	}
	c, _, err := decodeConf(tc)
	if err != nil {
		return errors.Join(errors.New("cannot report the failure"), err)
	}
	id := c.Resource.CKANResourceID
	fmt.Fprintf(l.out, "   → CKAN aircan_status_update: %s: the load failed\n", ckanstore.StateError)
	return l.client.AircanStatusUpdate(ctx, &ckanstore.StatusUpdate{ResourceID: id, State: ckanstore.StateError,
		Message: "the load failed", Error: &ckanstore.StatusError{Message: "the load failed: run " + tc.RunID() +
			" has the details"}, DagRunID: tc.RunID()})
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statuscli"
	"github.com/datafactory/datafactory/storage"
)

// employeesSchema is the resource's Table Schema, every field required.
const employeesSchema = `{"fields": [
  {"name": "employee_id", "type": "integer", "constraints": {"required": true}},
  {"name": "employee_name", "type": "string", "constraints": {"required": true}},
  {"name": "hiring_date", "type": "datetime", "constraints": {"required": true}},
  {"name": "department_id", "type": "integer", "constraints": {"required": true}},
  {"name": "job_id", "type": "integer", "constraints": {"required": true}}
]}`

// outcome is what the demo observed, for its test.
type outcome struct {
	states   []pipeline.State // per run
	rows     []int64          // DataStore rows after each run
	updates  []ckantest.StatusCall
	active   bool
	rejects  int
	statusOK bool
}

func run(ctx context.Context, out io.Writer) error {
	_, err := demo(ctx, out)
	return err
}

// runSpec is one trigger of the pipeline.
type runSpec struct {
	title string
	edit  func(res, ckan map[string]any, conf map[string]any)
}

var runs = []runSpec{
	{"replace, at most 10 rejected rows allowed (max_rejects, a datafactory extension): the load fails",
		func(_, _ map[string]any, conf map[string]any) { conf["max_rejects"] = 10 }},
	{"replace: drop and recreate the table, load the valid rows", nil},
	{"upsert on employee_id (datastore_append_or_update, datastore_unique_keys): the same file again",
		func(res, _ map[string]any, _ map[string]any) {
			res["datastore_append_or_update"], res["datastore_unique_keys"] = true, []string{"employee_id"}
		}},
}

func demo(ctx context.Context, out io.Writer) (*outcome, error) {
	dir, err := os.MkdirTemp("", "datafactory-ckanload-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := newSite()
	if err != nil {
		return nil, err
	}
	defer s.close()
	fmt.Fprintf(out, "CKAN (ckantest) at %s: dataset hr-2021, resource employees.csv %s\n", s.url(), s.resID)
	bucket, err := storage.Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		return nil, err
	}
	defer bucket.Close()
	statusURL := "sqlite://" + filepath.ToSlash(filepath.Join(dir, "status.db"))
	st, err := sqlstatus.Open(ctx, statusURL, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	// The API key lives in the pipeline's configuration (in the CLI:
	// DATAFACTORY_CKAN_SITE_URL and DATAFACTORY_CKAN_API_KEY), never in the
	// run's conf, which is stored with the run.
	p, err := aircan.New(&aircan.Config{SiteURL: s.url(), APIKey: ckan.Secret(s.ckan.SysadminToken())})
	if err != nil {
		return nil, err
	}
	be := pipeline.NewBackend(&pipeline.BackendOptions{Storage: bucket, Status: st})
	res := &outcome{}
	var last *pipeline.Summary
	for i, r := range runs {
		fmt.Fprintf(out, "\nrun %d: %s\n", i+1, r.title)
		sum, err := runOnce(ctx, p, be, s, r, out)
		if err != nil {
			return nil, err
		}
		n, err := rowCount(ctx, s)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "   run %s: %s; the DataStore table has %d rows\n", sum.RunID, sum.State, n)
		res.states, res.rows, last = append(res.states, sum.State), append(res.rows, n), sum
	}
	res.updates = s.ckan.StatusUpdates()
	return res, report(ctx, res, s, bucket, runs, last, statusURL, out)
}

// aircanConf is the conf ckanext-aircan's aircan_submit sends for the
// resource (the schema as a JSON string), without its api_key.
func aircanConf(s *site, r runSpec) (json.RawMessage, error) {
	res := map[string]any{"path": s.url() + "/uploads/employees.csv", "format": "CSV", "ckan_resource_id": s.resID,
		"schema": employeesSchema, "package_id": s.dsID, "datastore_append_or_update": false, "datastore_unique_keys": []string{},
		// datafactory extension: the file has no header row
		"dialect": map[string]any{"header": false}}
	ckan := map[string]any{"site_url": s.url(), "aircan_load_with_postgres_copy": false, "aircan_datastore_chunk_insert_rows_size": 250}
	conf := map[string]any{"resource": res, "ckan_config": ckan, "output_bucket": "2024-03-01"}
	if r.edit != nil {
		r.edit(res, ckan, conf)
	}
	return json.Marshal(conf)
}

// runOnce runs the pipeline, printing each task's transitions and each
// status update CKAN receives as they happen.
func runOnce(ctx context.Context, p *pipeline.Pipeline, be *pipeline.Backend, s *site, r runSpec, out io.Writer) (*pipeline.Summary, error) {
	conf, err := aircanConf(s, r)
	if err != nil {
		return nil, err
	}
	pr := &printer{out: out, ckan: s.ckan, seen: len(s.ckan.StatusUpdates())}
	opts := &pipeline.RunOptions{Backend: be, OnTransition: pr.transition}
	// Label the run with its dataset and resource: the status job is then
	// found by resource, and events are recorded under domain "dataset".
	opts.Dataset, opts.Resource = aircan.Labels(conf)
	sum, runErr := pipeline.Run(ctx, p, conf, opts)
	if sum == nil {
		return nil, runErr
	}
	pr.flush()
	return sum, nil
}

// printer prints transitions and new CKAN status updates.
type printer struct {
	mu   sync.Mutex
	out  io.Writer
	ckan *ckantest.Server
	seen int
}

func (p *printer) transition(t pipeline.Transition) {
	if t.To == pipeline.StatePending {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "   task %-15s %s\n", t.Task, t.To)
	if t.To.Terminal() {
		p.flushLocked()
	}
}

func (p *printer) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushLocked()
}

func (p *printer) flushLocked() {
	ups := p.ckan.StatusUpdates()
	for _, u := range ups[p.seen:] {
		fmt.Fprintf(p.out, "   → CKAN aircan_status_update %s: %s\n", u.State, u.Message)
	}
	p.seen = len(ups)
}

func rowCount(ctx context.Context, s *site) (int64, error) {
	c, err := ckan.NewClient(s.url(), nil)
	if err != nil {
		return 0, err
	}
	zero := 0
	res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: s.resID, Limit: &zero})
	if errors.Is(err, ckan.ErrNotFound) {
		return 0, nil // no DataStore table yet
	}
	if err != nil {
		return 0, err
	}
	return *res.Total, nil
}

// report prints what CKAN, the bucket and the status store now say.
func report(ctx context.Context, res *outcome, s *site, bucket *storage.Bucket, specs []runSpec, last *pipeline.Summary,
	statusURL string, out io.Writer) error {
	c, err := ckan.NewClient(s.url(), nil)
	if err != nil {
		return err
	}
	r, err := c.ResourceShow(ctx, s.resID)
	if err != nil {
		return err
	}
	res.active = r.DatastoreActive
	fmt.Fprintf(out, "\nresource %s: datastore_active %v; %d runs, CKAN received %d status updates\n",
		s.resID, res.active, len(specs), len(res.updates))
	recs, err := rejects(ctx, bucket, last.RunID)
	if err != nil {
		return err
	}
	res.rejects = len(recs)
	key := aircan.Name + "/" + last.RunID + "/" + aircan.TaskValidate + "/" + aircan.RejectsFile
	fmt.Fprintf(out, "%d rejected rows in %s, e.g.:\n", len(recs), key)
	for _, rec := range recs[:min(3, len(recs))] {
		fmt.Fprintf(out, "   row %s: field %s: %s  %s\n", rec[0], rec[2], rec[4], rec[5])
	}
	fmt.Fprintf(out, "\n$ datafactory status %s --history\n", last.RunID)
	st, err := sqlstatus.Open(ctx, statusURL, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := statuscli.Run(ctx, out, st, last.RunID, &statuscli.Options{History: true}); err != nil {
		return fmt.Errorf("datafactory status: %w", err)
	}
	res.statusOK = true
	return nil
}

// rejects reads a run's validate/rejects.csv (without its header).
func rejects(ctx context.Context, bucket *storage.Bucket, runID string) ([][]string, error) {
	rd, err := bucket.Run(aircan.Name, runID).Task(aircan.TaskValidate).NewReader(ctx, aircan.RejectsFile)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	recs, err := csv.NewReader(rd).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[1:], nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/ckanstore/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status/sqlstatus"
)

// employeesSchema is the resource's Table Schema, every field required.
const employeesSchema = `{"fields": [
  {"name": "employee_id", "type": "integer", "constraints": {"required": true}},
  {"name": "employee_name", "type": "string", "constraints": {"required": true}},
  {"name": "hiring_date", "type": "datetime", "constraints": {"required": true}},
  {"name": "department_id", "type": "integer", "constraints": {"required": true}},
  {"name": "job_id", "type": "integer", "constraints": {"required": true}}
], "primaryKey": ["employee_id"]}`

// outcome is what the demo observed, for its test.
type outcome struct {
	firstState pipeline.State
	state      pipeline.State
	rows       int64
	updates    []ckantest.StatusCall
	active     bool
	statusOK   bool
}

func run(ctx context.Context, out io.Writer) error {
	_, err := demo(ctx, out)
	return err
}

func demo(ctx context.Context, out io.Writer) (*outcome, error) {
	dir, err := os.MkdirTemp("", "datafactory-ckanload-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ckan := ckantest.NewServer(nil)
	defer ckan.Close()
	ds, err := ckan.AddDataset(ckantest.Dataset{Name: "hr-2021", Title: "Hired employees 2021"})
	if err != nil {
		return nil, err
	}
	resID, err := ckan.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "employees.csv", URLType: "upload",
		Format: "CSV", URL: "https://ckan.example.org/uploads/employees.csv"})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "CKAN (ckantest) at %s: dataset %s, resource %s\n", ckan.URL(), ds.Name, resID)
	client, err := ckanstore.NewClient(ckan.URL(), &ckanstore.ClientOptions{Token: ckanstore.Secret(ckan.SysadminToken())})
	if err != nil {
		return nil, err
	}
	statusURL := "sqlite://" + filepath.ToSlash(filepath.Join(dir, "status.db"))
	st, err := sqlstatus.Open(ctx, statusURL, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()

	l := &loader{client: client, out: out}
	p, err := l.pipeline()
	if err != nil {
		return nil, err
	}
	be := pipeline.NewBackend(&pipeline.BackendOptions{Status: st})
	// first with at most 10 rejects allowed: the load fails, CKAN hears "error"
	first, err := runOnce(ctx, p, be, resID, ckan.URL(), 10, out)
	if err != nil {
		return nil, err
	}
	sum, err := runOnce(ctx, p, be, resID, ckan.URL(), 0, out)
	if err != nil {
		return nil, err
	}
	res := &outcome{firstState: first.State, state: sum.State, updates: ckan.StatusUpdates()}
	return res, report(ctx, res, client, resID, sum, statusURL, out)
}

// runOnce runs the pipeline with the conf ckanext-aircan's aircan_submit
// sends (the schema as a JSON string), printing task transitions.
func runOnce(ctx context.Context, p *pipeline.Pipeline, be *pipeline.Backend, resID, site string, maxRejects int,
	out io.Writer) (*pipeline.Summary, error) {
	schemaStr, _ := json.Marshal(employeesSchema)
	conf := fmt.Sprintf(`{"resource": {"ckan_resource_id": %q, "schema": %s, "path": "employees.csv"},
	  "ckan_config": {"site_url": %q, "aircan_datastore_chunk_insert_rows_size": 250}, "max_rejects": %d}`,
		resID, schemaStr, site, maxRejects)
	fmt.Fprintf(out, "\nrun ckan_load_example (max_rejects %d)\n", maxRejects)
	sum, runErr := pipeline.Run(ctx, p, json.RawMessage(conf), &pipeline.RunOptions{Backend: be,
		OnTransition: func(t pipeline.Transition) {
			if t.To != pipeline.StatePending {
				fmt.Fprintf(out, "   task %-16s %s\n", t.Task, t.To)
			}
		}})
	if sum == nil {
		return nil, runErr
	}
	fmt.Fprintf(out, "   run %s: %s\n", sum.RunID, sum.State)
	return sum, nil
}

// report prints what CKAN and the status store now say.
func report(ctx context.Context, res *outcome, client *ckanstore.Client, resID string, sum *pipeline.Summary,
	statusURL string, out io.Writer) error {
	zero := 0
	search, err := client.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: resID, Limit: &zero})
	if err != nil {
		return err
	}
	res.rows = *search.Total
	r, err := client.ResourceShow(ctx, resID)
	if err != nil {
		return err
	}
	res.active = r.DatastoreActive
	fmt.Fprintf(out, "\nrun %s: %s\ndatastore_search: %d rows; datastore_active: %v\n", sum.RunID, sum.State, res.rows, res.active)
	fmt.Fprintln(out, "aircan_status_update calls CKAN received:")
	for _, u := range res.updates {
		fmt.Fprintf(out, "   %-8s %s\n", u.State, u.Message)
	}
	fmt.Fprintf(out, "\n$ datafactory status %s --history\n", sum.RunID)
	var errb strings.Builder
	m := &cli.Main{Stdout: out, Stderr: &errb}
	code := m.Run(ctx, []string{"status", sum.RunID, "--history", "--status", statusURL})
	res.statusOK = code == cli.ExitOK
	if !res.statusOK {
		return fmt.Errorf("datafactory status: exit %d: %s", code, errb.String())
	}
	return nil
}

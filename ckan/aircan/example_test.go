package aircan_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// The ckan_load pipeline loads an uploaded CSV into its resource's
// DataStore table, with the conf ckanext-aircan sends (minus the API key,
// which the pipeline's configuration holds).
func ExampleNew() {
	ctx := context.Background()
	site := ckantest.NewServer(nil) // an in-process CKAN
	defer site.Close()
	ds, _ := site.AddDataset(ckantest.Dataset{Name: "hr"})
	resID, _ := site.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "employees.csv", URLType: "upload"})

	p, err := aircan.New(&aircan.Config{SiteURL: site.URL(), APIKey: ckan.Secret(site.SysadminToken()),
		FileRoot: "../../datastore/testdata"})
	if err != nil {
		fmt.Println(err)
		return
	}
	bucket, _ := storage.Open(ctx, "mem://")
	defer bucket.Close()
	conf, _ := json.Marshal(map[string]any{
		"resource": map[string]any{"ckan_resource_id": resID, "path": "employees.csv", "dialect": map[string]any{"header": false},
			"schema": `{"fields": [{"name": "employee_id", "type": "integer"}, {"name": "employee_name", "type": "string"},
			  {"name": "hiring_date", "type": "datetime"}, {"name": "department_id", "type": "integer", "constraints": {"required": true}},
			  {"name": "job_id", "type": "integer", "constraints": {"required": true}}]}`},
		"ckan_config": map[string]any{"site_url": site.URL(), "aircan_datastore_chunk_insert_rows_size": 500},
	})
	sum, err := pipeline.Run(ctx, p, conf, &pipeline.RunOptions{RunID: "example-1",
		Backend: pipeline.NewBackend(&pipeline.BackendOptions{Storage: bucket})})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range sum.Tasks {
		fmt.Println(t.Name, t.State)
	}
	for _, u := range site.StatusUpdates() {
		fmt.Println("CKAN heard:", u.State)
	}
	// Output:
	// fetch_resource SUCCESS
	// download SUCCESS
	// validate SUCCESS
	// create_table SUCCESS
	// load SUCCESS
	// mark_active SUCCESS
	// report SUCCESS
	// CKAN heard: progress
	// CKAN heard: complete
}

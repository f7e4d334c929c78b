package aircan

import (
	"encoding/json"
	"fmt"

	"github.com/datafactory/datafactory/pipeline"
)

// Name is the pipeline's name: the dag_id ckanext-aircan triggers.
const Name = "ckan_load"

// Task names, in the order they run.
const (
	TaskFetch       = "fetch_resource"
	TaskDownload    = "download"
	TaskValidate    = "validate"
	TaskCreateTable = "create_table"
	TaskLoad        = "load"
	TaskMarkActive  = "mark_active"
	TaskReport      = "report"
)

// Tasks returns the task names in the order they run.
func Tasks() []string {
	return []string{TaskFetch, TaskDownload, TaskValidate, TaskCreateTable, TaskLoad, TaskMarkActive, TaskReport}
}

// TypePrefix starts the names of the task types [Register] adds: the type
// of task "download" is "aircan_download".
const TypePrefix = "aircan_"

// noParams is the params schema of every task type: the tasks read the
// run's conf.
const noParams = `{"type": "object", "maxProperties": 0,
  "description": "no params: the task reads the run's conf (see the ckan_load conf schema) and its upstream tasks' files; keep the task names of the ckan_load spec"}`

var descriptions = map[string]string{
	TaskFetch:       "AirCan: resource_show the resource and resolve its Table Schema; report progress to CKAN",
	TaskDownload:    "AirCan: download the resource's file into the run's storage",
	TaskValidate:    "AirCan: validate the file against the schema; valid rows as JSON lines, rejects as CSV",
	TaskCreateTable: "AirCan: create or replace the DataStore table (or keep it in append/upsert mode)",
	TaskLoad:        "AirCan: load the JSON lines through datastore_upsert, or COPY into the DataStore's PostgreSQL",
	TaskMarkActive:  "AirCan: mark the resource datastore_active",
	TaskReport:      "AirCan: report complete or error to CKAN (aircan_status_update), once",
}

// Register adds the task types of the pipeline to r, configured by cfg
// (nil means defaults), as TypePrefix + task name.
func Register(r *pipeline.Registry, cfg *Config) error {
	l := &loader{cfg: cfg.withDefaults()}
	steps := map[string]step{
		TaskFetch: l.fetch, TaskDownload: l.download, TaskValidate: l.validate, TaskCreateTable: l.createTable,
		TaskLoad: l.load, TaskMarkActive: l.markActive, TaskReport: l.report,
	}
	for _, name := range Tasks() {
		t := l.task(name, steps[name])
		err := r.Register(pipeline.TaskType{Name: TypePrefix + name, Description: descriptions[name],
			ParamsSchema: json.RawMessage(noParams),
			New:          func(json.RawMessage) (pipeline.Task, error) { return t, nil }})
		if err != nil {
			return fmt.Errorf("aircan: %w", err)
		}
	}
	return nil
}

// Spec returns the pipeline as a spec of the types [Register] adds: each
// task depends on the one before; report runs whatever happened
// (trigger rule all_done), so CKAN hears of failures too.
func Spec() *pipeline.Spec {
	s := &pipeline.Spec{Name: Name, ConfSchema: ConfSchema()}
	prev := ""
	for _, name := range Tasks() {
		ts := pipeline.TaskSpec{Name: name, Type: TypePrefix + name}
		if prev != "" {
			ts.DependsOn = []string{prev}
		}
		if name == TaskReport {
			ts.TriggerRule = pipeline.AllDone
		}
		s.Tasks = append(s.Tasks, ts)
		prev = name
	}
	return s
}

// New builds the ckan_load pipeline configured by cfg (nil means
// defaults). Runs need a backend with storage.
func New(cfg *Config) (*pipeline.Pipeline, error) {
	r := pipeline.NewRegistry()
	if err := Register(r, cfg); err != nil {
		return nil, err
	}
	p, err := r.Build(Spec())
	if err != nil {
		return nil, fmt.Errorf("aircan: %w", err)
	}
	return p, nil
}

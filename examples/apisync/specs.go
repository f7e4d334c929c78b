package main

import (
	"embed"
	"fmt"
	"os"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
)

// specs are the two pipelines, as spec files on the built-in task types.
//
//go:embed specs/*.yaml
var specs embed.FS

// target is the synced table.
const target = "companies"

// registry registers the built-in task types with the warehouse database
// and the Hawk credential "datahub", sent only to the API's origin.
func registry(dbURL, apiOrigin string, creds hawk.Credentials) (*pipeline.Registry, error) {
	r := pipeline.NewRegistry()
	err := tasks.Register(r, &tasks.Options{
		Connections: &connection.Set{Databases: map[string]connection.Database{"warehouse": {URL: dbURL}}},
		HTTPAuth:    map[string]tasks.HTTPAuth{"datahub": {Origin: apiOrigin, Auth: httpsource.Hawk{Credentials: creds}}},
		HTTPSource:  &httpsource.Options{RetryWaitMin: 50 * time.Millisecond, RetryWaitMax: time.Second},
	})
	return r, err
}

// loadSpec builds the pipeline of specs/<name>.yaml, replacing ${VAR} by
// vars[VAR]; a variable not in vars is an error.
func loadSpec(r *pipeline.Registry, name string, vars map[string]string) (*pipeline.Spec, *pipeline.Pipeline, error) {
	data, err := specs.ReadFile("specs/" + name + ".yaml")
	if err != nil {
		return nil, nil, err
	}
	var missing []string
	text := os.Expand(string(data), func(k string) string {
		v, ok := vars[k]
		if !ok {
			missing = append(missing, k)
		}
		return v
	})
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("spec %s: no value for %v", name, missing)
	}
	s, err := pipeline.ParseSpec([]byte(text))
	if err != nil {
		return nil, nil, fmt.Errorf("spec %s: %w", name, err)
	}
	p, err := r.Build(s)
	return s, p, err
}

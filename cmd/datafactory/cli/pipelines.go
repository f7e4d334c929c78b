package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/datafactory/datafactory/storage"
)

// builtinPipelines are the pipelines the tool has without a spec file, by
// name. Each takes its parameters from the run's conf: "load" (a load
// task's params, naming the operator's connections) and "ckan_load"
// (AirCan's pipeline, with the conf ckanext-aircan's aircan_submit sends;
// its site and secrets come from the CKAN connection "ckan"). ckan_load
// comes with its hooks: the run's dataset and resource from the conf, and
// CKAN told about a cancelled run.
func (m *Main) builtinPipelines() (map[string]pipelinehttp.DAG, error) {
	opts, err := m.taskOptions()
	if err != nil {
		return nil, err
	}
	load, err := tasks.LoadPipeline(opts)
	if err != nil {
		return nil, err
	}
	reg, err := m.registry()
	if err != nil {
		return nil, err
	}
	ckan, err := reg.Build(aircan.Spec())
	if err != nil {
		return nil, err
	}
	cfg, err := tasks.AirCanConfig(opts)
	if err != nil {
		return nil, err
	}
	return map[string]pipelinehttp.DAG{"load": {Pipeline: load},
		aircan.Name: {Pipeline: ckan, Labels: aircan.Labels, Cancelled: aircan.CancelHook(cfg)}}, nil
}

// resolvePipeline returns the built-in pipeline named arg with its hooks,
// or the pipeline of the spec file arg (JSON or YAML), without hooks.
func (m *Main) resolvePipeline(arg string) (pipelinehttp.DAG, error) {
	builtins, err := m.builtinPipelines()
	if err != nil {
		return pipelinehttp.DAG{}, err
	}
	if d, ok := builtins[arg]; ok {
		return d, nil
	}
	if !looksLikeFile(arg) {
		return pipelinehttp.DAG{}, fmt.Errorf("unknown pipeline %q (built-in: %s; or a spec file)", arg, strings.Join(sortedKeys(builtins), ", "))
	}
	sp, err := m.loadSpec(arg)
	return pipelinehttp.DAG{Pipeline: sp.p}, err
}

// specPipeline is a pipeline built from a spec file, with the spec.
type specPipeline struct {
	spec *pipeline.Spec
	p    *pipeline.Pipeline
}

// loadSpec parses and builds the spec file at path.
func (m *Main) loadSpec(path string) (specPipeline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return specPipeline{}, err
	}
	reg, err := m.registry()
	if err != nil {
		return specPipeline{}, err
	}
	s, err := pipeline.ParseSpec(data)
	if err != nil {
		return specPipeline{}, fmt.Errorf("%s: %w", path, err)
	}
	p, err := reg.Build(s)
	if err != nil {
		return specPipeline{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := schedule.SpecTriggers(s); err != nil { // a bad triggers section fails every command
		return specPipeline{}, fmt.Errorf("%s: %w", path, err)
	}
	return specPipeline{spec: s, p: p}, nil
}

// loadPipelineDir loads every *.json, *.yaml and *.yml spec in dir.
func (m *Main) loadPipelineDir(dir string) ([]specPipeline, error) {
	var out []specPipeline
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !looksLikeFile(e.Name()) {
			continue
		}
		sp, err := m.loadSpec(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func looksLikeFile(s string) bool {
	switch strings.ToLower(filepath.Ext(s)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// registry returns the task types the tool knows: the built-in ones over
// the operator's connections (see package pipeline/tasks).
func (m *Main) registry() (*pipeline.Registry, error) {
	opts, err := m.taskOptions()
	if err != nil {
		return nil, err
	}
	r := pipeline.NewRegistry()
	if err := tasks.Register(r, opts); err != nil {
		return nil, err
	}
	return r, nil
}

func openBucket(ctx context.Context, url string) (*storage.Bucket, error) {
	b, err := storage.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open bucket: %w", err)
	}
	return b, nil
}

// readConf reads --conf: inline JSON, or @file.
func readConf(arg string) (json.RawMessage, error) {
	if arg == "" {
		return nil, nil
	}
	data := []byte(arg)
	if path, ok := strings.CutPrefix(arg, "@"); ok {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("--conf is not valid JSON")
	}
	return data, nil
}

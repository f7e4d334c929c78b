package cli

import (
	"fmt"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// serveDAGs are the pipelines serve runs: the built-in ones with their
// hooks, and the specs in dir with their workflow settings (dart's
// concurrency, retries_on_failure, on_failure and state) for the
// scheduler.
func (m *Main) serveDAGs(dir string) ([]pipelinehttp.DAG, map[string]*schedule.PipelineOptions, error) {
	builtins, err := m.builtinPipelines()
	if err != nil {
		return nil, nil, err
	}
	var dags []pipelinehttp.DAG
	for _, name := range sortedKeys(builtins) {
		dags = append(dags, builtins[name])
	}
	if dir == "" {
		return dags, nil, nil
	}
	specs, err := m.loadPipelineDir(dir)
	if err != nil {
		return nil, nil, err
	}
	workflows := map[string]*schedule.PipelineOptions{}
	for _, sp := range specs {
		if _, dup := builtins[sp.p.Name()]; dup {
			return nil, nil, fmt.Errorf("pipeline %q defined twice", sp.p.Name())
		}
		if workflows[sp.p.Name()], err = schedule.SpecOptions(sp.spec); err != nil {
			return nil, nil, fmt.Errorf("pipeline %s: %w", sp.p.Name(), err)
		}
		dags = append(dags, pipelinehttp.DAG{Pipeline: sp.p})
	}
	return dags, workflows, nil
}

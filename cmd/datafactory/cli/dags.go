package cli

import (
	"fmt"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
)

// serveDAGs are the pipelines serve runs: the built-in ones with their
// hooks, and the specs in dir.
func (m *Main) serveDAGs(dir string) ([]pipelinehttp.DAG, error) {
	builtins, err := m.builtinPipelines()
	if err != nil {
		return nil, err
	}
	var dags []pipelinehttp.DAG
	for _, name := range sortedKeys(builtins) {
		dags = append(dags, builtins[name])
	}
	if dir == "" {
		return dags, nil
	}
	specs, err := m.loadPipelineDir(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range specs {
		if _, dup := builtins[p.Name()]; dup {
			return nil, fmt.Errorf("pipeline %q defined twice", p.Name())
		}
		dags = append(dags, pipelinehttp.DAG{Pipeline: p})
	}
	return dags, nil
}

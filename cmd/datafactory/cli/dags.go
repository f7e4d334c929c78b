package cli

import (
	"fmt"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/service"
)

// serveDAGs sets cfg's pipelines: the built-in ones with their hooks, and
// the specs in dir with their workflow settings (dart's concurrency,
// retries_on_failure, on_failure and state) and their triggers sections
// for the scheduler.
func (m *Main) serveDAGs(cfg *service.Config, dir string) error {
	var err error
	cfg.Pipelines, cfg.Workflows, cfg.Triggers, err = m.specDAGs(dir)
	return err
}

func (m *Main) specDAGs(dir string) ([]pipelinehttp.DAG, map[string]*schedule.PipelineOptions, []schedule.SpecTrigger, error) {
	builtins, err := m.builtinPipelines()
	if err != nil {
		return nil, nil, nil, err
	}
	var dags []pipelinehttp.DAG
	for _, name := range sortedKeys(builtins) {
		dags = append(dags, builtins[name])
	}
	if dir == "" {
		return dags, nil, nil, nil
	}
	specs, err := m.loadPipelineDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	workflows := map[string]*schedule.PipelineOptions{}
	var triggers []schedule.SpecTrigger
	for _, sp := range specs {
		if _, dup := builtins[sp.p.Name()]; dup {
			return nil, nil, nil, fmt.Errorf("pipeline %q defined twice", sp.p.Name())
		}
		if workflows[sp.p.Name()], err = schedule.SpecOptions(sp.spec); err != nil {
			return nil, nil, nil, fmt.Errorf("pipeline %s: %w", sp.p.Name(), err)
		}
		trs, err := schedule.SpecTriggers(sp.spec)
		if err != nil {
			return nil, nil, nil, err
		}
		triggers = append(triggers, trs...)
		dags = append(dags, pipelinehttp.DAG{Pipeline: sp.p})
	}
	return dags, workflows, triggers, nil
}

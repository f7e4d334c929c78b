package metrics

import (
	"sync"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// TaskTimer returns a hook for [pipeline.RunOptions].OnTransition that
// observes, for one run of the named pipeline, each task attempt's
// duration from RUNNING to the state it left RUNNING for (SUCCESS, FAILED,
// UP_FOR_RETRY, …) in datafactory_task_duration_seconds. The hook is safe
// for the concurrent calls a run makes; use a new one per run.
func (m *Metrics) TaskTimer(pipelineName string) func(pipeline.Transition) {
	type key struct {
		task     string
		instance int
	}
	var mu sync.Mutex
	started := map[key]time.Time{}
	return func(t pipeline.Transition) {
		k := key{t.Task, t.Instance}
		mu.Lock()
		defer mu.Unlock()
		if t.To == pipeline.StateRunning {
			started[k] = time.Now()
			return
		}
		if t.From != pipeline.StateRunning {
			return
		}
		if at, ok := started[k]; ok {
			delete(started, k)
			m.ObserveTask(pipelineName, t.Task, string(t.To), time.Since(at))
		}
	}
}

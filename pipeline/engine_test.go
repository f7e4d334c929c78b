package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/datafactory/datafactory/pipeline"
)

// TestTaskInfosEngine: a task built from a spec reports its type's engine
// to executors; an invalid engine name is refused at registration.
func TestTaskInfosEngine(t *testing.T) {
	reg := pipeline.NewRegistry()
	newTask := func(json.RawMessage) (pipeline.Task, error) {
		return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return nil }), nil
	}
	if err := reg.Register(pipeline.TaskType{Name: "load", Engine: "gpu", New: newTask}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(pipeline.TaskType{Name: "plain", New: newTask}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(pipeline.TaskType{Name: "bad", Engine: "no spaces", New: newTask}); err == nil {
		t.Error("an engine name with a space was accepted")
	}
	p, err := reg.Build(&pipeline.Spec{Name: "e", Tasks: []pipeline.TaskSpec{{Name: "a", Type: "plain"}, {Name: "b", Type: "load", Feeds: []string{"q"}}}})
	if err != nil {
		t.Fatal(err)
	}
	infos := p.TaskInfos()
	if infos[0].Engine != "" || infos[1].Engine != "gpu" || len(infos[1].Feeds) != 1 {
		t.Errorf("task infos %+v, want engine gpu and feeds [q] on b only", infos)
	}
	for _, ti := range reg.Types() {
		if ti.Name == "load" && ti.Engine != "gpu" {
			t.Errorf("type info %+v, want engine gpu", ti)
		}
	}
}

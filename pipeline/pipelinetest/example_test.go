package pipelinetest_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

// A custom task unit-tested in isolation: it ingests the conf's rows into
// the harness's embedded datastore and reports how many it wrote.
func Example() {
	ctx := context.Background()
	h, err := pipelinetest.Open(ctx) // in a test: h := pipelinetest.New(t)
	if err != nil {
		panic(err)
	}
	defer h.Close()
	ingest := pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		var conf struct{ Rows []map[string]any }
		if err := tc.DecodeConf(&conf); err != nil {
			return err
		}
		rep, err := datastore.Ingest(ctx, h.Data, "cities", conf.Rows, nil)
		if err != nil {
			return err
		}
		return tc.SetOutput(ctx, "written", rep.Written)
	})
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "name", Type: frictionless.TypeString}}}
	if err := h.Data.CreateTable(ctx, "cities", schema); err != nil {
		panic(err)
	}
	sum, err := h.RunAlone(ctx, "ingest", ingest, json.RawMessage(`{"rows": [{"name": "Oslo"}, {"name": "Bergen"}]}`))
	var written int
	_ = sum.Output(ctx, "ingest", "written", &written)
	fmt.Println(sum.State, err, written, h.Clock.Now().Equal(pipelinetest.Start))
	// Output: SUCCESS <nil> 2 true
}

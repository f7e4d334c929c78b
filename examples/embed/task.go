package main

import (
	"context"
	"encoding/json"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/pipeline"
)

// countRows is the host's own task type: it counts a table's rows into
// the task's output "rows".
func countRows(store *datastore.Store) pipeline.TaskType {
	return pipeline.TaskType{
		Name:         "count_rows",
		Description:  "Count the rows of a table",
		ParamsSchema: json.RawMessage(`{"type": "object", "required": ["table"], "additionalProperties": false, "properties": {"table": {"type": "string"}}}`),
		New: func(params json.RawMessage) (pipeline.Task, error) {
			var p struct{ Table string }
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, err
			}
			return pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
				n, err := store.CountRows(ctx, p.Table)
				if err != nil {
					return err
				}
				return tc.SetOutput(ctx, "rows", n)
			}), nil
		},
	}
}

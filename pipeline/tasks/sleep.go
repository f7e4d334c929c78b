package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

const sleepParamsSchema = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {"duration": {"type": "string", "default": "0s", "description": "Go duration, e.g. 250ms"}}
}`

func newSleep(params json.RawMessage) (pipeline.Task, error) {
	var p struct {
		Duration string `json:"duration"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	if p.Duration == "" {
		p.Duration = "0s"
	}
	d, err := time.ParseDuration(p.Duration)
	if err != nil || d < 0 {
		return nil, fmt.Errorf("duration %q: want a non-negative Go duration", p.Duration)
	}
	return pipeline.TaskFunc(func(ctx context.Context, _ *pipeline.TaskContext) error {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return nil
		}
	}), nil
}

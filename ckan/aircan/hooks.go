package aircan

import (
	"context"
	"encoding/json"

	"github.com/datafactory/datafactory/pipeline"
)

// CancelHook returns a hook for a ckan_load run that ended CANCELLED (a
// service shutting down): it tells CKAN with [ReportCancelled], so the
// resource does not stay "running". It fits pipelinehttp.DAG.Cancelled;
// [Labels] fits pipelinehttp.DAG.Labels.
func CancelHook(cfg *Config) func(ctx context.Context, conf json.RawMessage, sum *pipeline.Summary) error {
	return func(ctx context.Context, conf json.RawMessage, sum *pipeline.Summary) error {
		_, err := ReportCancelled(ctx, cfg, conf, sum)
		return err
	}
}

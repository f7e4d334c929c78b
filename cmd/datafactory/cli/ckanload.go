package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
)

// The ckan_load pipeline (AirCan) reads its site and secrets from the
// environment, never from the run's conf (which is stored with the run).
const (
	// EnvCKANSiteURL is the CKAN site that DATAFACTORY_CKAN_API_KEY and
	// DATAFACTORY_CKAN_DATASTORE_URL belong to. ckan_load runs naming
	// another site in ckan_config.site_url are refused, so the key is only
	// ever sent to its own site.
	EnvCKANSiteURL = "DATAFACTORY_CKAN_SITE_URL"
	// EnvCKANFileRoot is the directory ckan_load may read local files
	// from (resource.path without a URL scheme); unset, local files are
	// refused and only http(s) URLs are downloaded.
	EnvCKANFileRoot = "DATAFACTORY_CKAN_FILE_ROOT"
)

// labelRun sets the run's Dataset and Resource with the pipeline's Labels
// hook (ckan_load: from its conf); other pipelines keep theirs.
func labelRun(d pipelinehttp.DAG, conf json.RawMessage, opts *pipeline.RunOptions) {
	if d.Labels != nil {
		opts.Dataset, opts.Resource = d.Labels(conf)
	}
}

// reportCancelled runs the pipeline's Cancelled hook (ckan_load: CKAN is
// told, so the resource does not stay "running") with a bounded context
// of its own, and says so on standard output.
func (m *Main) reportCancelled(d pipelinehttp.DAG, conf json.RawMessage, sum *pipeline.Summary) {
	if d.Cancelled == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cancelReportTimeout)
	defer cancel()
	if err := d.Cancelled(ctx, conf, sum); err != nil {
		fmt.Fprintf(m.Stdout, "run %s: %v\n", sum.RunID, err)
		return
	}
	fmt.Fprintf(m.Stdout, "run %s was cancelled: its cancel hook ran\n", sum.RunID)
}

// cancelReportTimeout bounds the update sent for a cancelled run.
const cancelReportTimeout = 15 * time.Second

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
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

// ckanLoadConfig is the ckan_load pipeline's configuration from the
// operator's connections: the CKAN site "ckan" (DATAFACTORY_CKAN_SITE_URL
// with DATAFACTORY_CKAN_API_KEY and DATAFACTORY_CKAN_DATASTORE_URL, or the
// connections file), other CKAN sites by URL, and the file root
// "ckan_files" (DATAFACTORY_CKAN_FILE_ROOT).
func (m *Main) ckanLoadConfig() (*aircan.Config, error) {
	opts, err := m.taskOptions()
	if err != nil {
		return nil, err
	}
	return tasks.AirCanConfig(opts)
}

// labelRun sets the run's Dataset and Resource from the conf of a
// ckan_load run (see aircan.Labels); other pipelines keep theirs.
func labelRun(p *pipeline.Pipeline, conf json.RawMessage, opts *pipeline.RunOptions) {
	if p.Name() != aircan.Name {
		return
	}
	opts.Dataset, opts.Resource = aircan.Labels(conf)
}

// reportCancelled tells CKAN about a ckan_load run that was cancelled
// before it could report (aircan.ReportCancelled), with a bounded
// context of its own, and says so on standard output.
func (m *Main) reportCancelled(p *pipeline.Pipeline, conf json.RawMessage, sum *pipeline.Summary) {
	if p.Name() != aircan.Name {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cancelReportTimeout)
	defer cancel()
	cfg, err := m.ckanLoadConfig()
	if err != nil {
		fmt.Fprintf(m.Stdout, "run %s: %v\n", sum.RunID, err)
		return
	}
	sent, err := aircan.ReportCancelled(ctx, cfg, conf, sum)
	switch {
	case err != nil:
		fmt.Fprintf(m.Stdout, "run %s: %v\n", sum.RunID, err)
	case sent:
		fmt.Fprintf(m.Stdout, "run %s was cancelled: CKAN was told (aircan_status_update error)\n", sum.RunID)
	}
}

// cancelReportTimeout bounds the update sent for a cancelled run.
const cancelReportTimeout = 15 * time.Second

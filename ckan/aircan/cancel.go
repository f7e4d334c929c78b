package aircan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/pipeline"
)

// ReportCancelled sends the final aircan_status_update of a ckan_load run
// that was cancelled (its context ended: a service shutting down, an
// interrupted command) before its report task could run, so CKAN does not
// show the load as running forever: state error, with a message naming
// the run. sum is the run's summary and conf its conf. Nothing is sent, and
// sent is false, unless the run ended CANCELLED and its report task did
// not succeed. Call it with a context of its own, not the run's.
//
// A report task cancelled while it was sending its own update may have
// reached CKAN already; CKAN then hears "error" after that update.
func ReportCancelled(ctx context.Context, cfg *Config, conf json.RawMessage, sum *pipeline.Summary) (sent bool, err error) {
	if sum == nil || sum.State != pipeline.StateCancelled {
		return false, nil
	}
	if ts, ok := sum.Task(TaskReport); ok && ts.State == pipeline.StateSuccess {
		return false, nil
	}
	c, err := decodeConf(conf)
	if err != nil {
		return false, fmt.Errorf("aircan: report cancelled run %s: %w", sum.RunID, err)
	}
	sc, err := cfg.connect(c.CKANConfig.SiteURL)
	if err != nil {
		return false, fmt.Errorf("aircan: report cancelled run %s: %w", sum.RunID, err)
	}
	msg := fmt.Sprintf("datafactory %s run %s was cancelled before it finished", Name, sum.RunID)
	if _, err := sc.sendUpdate(ctx, c.Resource.CKANResourceID, sum.RunID, ckan.StateError, msg, "run cancelled"); err != nil {
		// Scrub, as the tasks do: the error's text must not carry a secret.
		return false, errors.New("aircan: report cancelled run " + sum.RunID + ": " + sc.scrub.scrub(err.Error()))
	}
	return true, nil
}

package aircan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/pipeline"
)

// markActive makes sure the resource's datastore_active flag is set. It is
// normally set already (datastore_create sets it), and then nothing is
// sent: resource_patch goes through resource_update, whose hook in
// ckanext-aircan submits the resource again once its last status is older
// than 10 minutes, so a long load would trigger itself (AirCan's own DAG
// never calls resource_update).
func (l *loader) markActive(ctx context.Context, r *run) error {
	if err := r.upstream(ctx); err != nil {
		return err
	}
	res, err := r.client.ResourceShow(ctx, r.resourceID())
	if err != nil {
		return permanentIf4xx(err)
	}
	r.meta["datastore_active"] = true
	if res.DatastoreActive {
		r.meta["datastore_active_patched"] = false
		return nil
	}
	if _, err := r.client.ResourcePatch(ctx, r.resourceID(), map[string]any{"datastore_active": true}); err != nil {
		return permanentIf4xx(err)
	}
	r.meta["datastore_active_patched"] = true
	return nil
}

// reported is the report task's output: the state sent to CKAN.
type reported struct {
	State   string `json:"state"`
	Message string `json:"message"`
}

// report sends the run's final aircan_status_update: complete when every
// task succeeded, else error with the first failure's message. It runs
// whatever happened upstream, and sends at most once per run (a retried
// or re-run report task finds its earlier output).
func (l *loader) report(ctx context.Context, r *run) error {
	var done reported
	if err := r.tc.Output(ctx, TaskReport, outReport, &done); err == nil && done.State != "" {
		r.meta["reported"] = done.State
		return nil
	}
	if err := r.upstream(ctx); err != nil && !errors.Is(err, pipeline.ErrNoOutput) {
		return err
	}
	state, msg, errMsg, err := r.verdict(ctx)
	if err != nil {
		return err
	}
	if err := r.update(ctx, state, msg, errMsg); err != nil {
		return err
	}
	r.meta["reported"] = state
	r.tc.SetStatus("reported", state)
	return r.tc.SetOutput(ctx, outReport, reported{State: state, Message: r.scrub.scrub(msg)})
}

// verdict reads the upstream tasks' outcomes and says what to report: the
// state, the message and, for errors, the error's own message.
func (r *run) verdict(ctx context.Context) (state, msg, errMsg string, err error) {
	for _, task := range Tasks() {
		if task == TaskReport {
			break
		}
		var o outcome
		err := r.tc.Output(ctx, task, outOutcome, &o)
		switch {
		case errors.Is(err, pipeline.ErrNoOutput):
			errMsg = "task " + task + " did not run"
			return ckan.StateError, fmt.Sprintf("datafactory %s run %s: %s", Name, r.tc.RunID(), errMsg), errMsg, nil
		case err != nil:
			return "", "", "", err
		case !o.OK:
			return ckan.StateError, fmt.Sprintf("datafactory %s run %s failed in task %s: %s", Name, r.tc.RunID(), task, o.Error),
				o.Error, nil
		}
	}
	msg, err = r.summary(ctx)
	return ckan.StateComplete, msg, "", err
}

// summary describes a successful load: rows written and rejected, the
// first rejects, and where all of them are.
func (r *run) summary(ctx context.Context) (string, error) {
	var v validation
	if err := r.tc.Output(ctx, TaskValidate, outValidation, &v); err != nil {
		return "", err
	}
	var ld loadResult
	if err := r.tc.Output(ctx, TaskLoad, outLoad, &ld); err != nil {
		return "", err
	}
	rejected := v.Rejected + ld.Rejected
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows loaded into the DataStore (%s", ld.Written, ld.Mode)
	if ld.Copy {
		b.WriteString(", direct PostgreSQL")
	}
	fmt.Fprintf(&b, "), %d rejected", rejected)
	if rejected > 0 {
		if len(v.First) > 0 {
			fmt.Fprintf(&b, " (first: %s)", v.First[0])
		}
		b.WriteString("; rejects in ")
		if v.Rejected > 0 {
			b.WriteString(r.tc.TaskDir(TaskValidate).Prefix() + RejectsFile)
		}
		if v.Rejected > 0 && ld.Rejected > 0 {
			b.WriteString(" and ")
		}
		if ld.Rejected > 0 {
			b.WriteString(r.tc.TaskDir(TaskLoad).Prefix() + RejectsFile)
		}
	}
	fmt.Fprintf(&b, "; run %s", r.tc.RunID())
	return b.String(), nil
}

package aircan

import (
	"context"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// Output keys the tasks set (pipeline outputs, kept in the run's storage).
const (
	outOutcome    = "outcome"    // every task: outcome
	outResource   = "resource"   // fetch_resource: resourceInfo
	outSchema     = "schema"     // fetch_resource: the table's Table Schema
	outProgress   = "progress"   // fetch_resource: the progress update was sent
	outFile       = "file"       // download: fileInfo
	outValidation = "validation" // validate: validation
	outTable      = "table"      // create_table: tableResult
	outLoad       = "load"       // load: loadResult
	outReport     = "report"     // report: the state reported
)

// loader holds the configuration the tasks share. Everything about a run
// travels through its conf and its storage.
type loader struct {
	cfg Config
}

// step is the body of a task.
type step func(ctx context.Context, r *run) error

// run is what a task attempt works with.
type run struct {
	tc       *pipeline.TaskContext
	conf     *Conf
	siteConn // the site, its credentials, client and scrubber
	dir      *storage.Task
	res      *resourceInfo        // the CKAN resource, once known
	schema   *frictionless.Schema // the table's schema, once known
	// resource.json of the task: path, format and extra metadata.
	metaPath, metaFormat string
	meta                 map[string]any
}

// outcome is how a task ended, for the report task.
type outcome struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// taskError is a task's error with secrets scrubbed from its text; it
// unwraps to the original error.
type taskError struct {
	msg string
	err error
}

func (e *taskError) Error() string { return e.msg }
func (e *taskError) Unwrap() error { return e.err }

// task wraps a step: it opens the run, runs the step, scrubs the error,
// records the outcome and writes the task's resource.json.
func (l *loader) task(name string, f step) pipeline.Task {
	return pipeline.TaskFunc(func(ctx context.Context, tc *pipeline.TaskContext) error {
		r, err := l.open(tc)
		if err == nil {
			err = f(ctx, r)
		}
		scrub := l.cfg.newScrubber(Credentials{})
		if r != nil {
			scrub = r.scrub
		}
		var msg string
		if err != nil {
			msg = scrub.scrub(err.Error())
		}
		if dir := tc.Dir(); dir != nil {
			werr := tc.SetOutput(ctx, outOutcome, outcome{OK: err == nil, Error: msg})
			if r != nil {
				werr = errors.Join(werr, r.putMeta(ctx, name, msg))
			}
			if werr != nil && err == nil {
				err, msg = werr, scrub.scrub(werr.Error())
			}
		}
		if err != nil {
			return &taskError{msg: msg, err: err}
		}
		return nil
	})
}

// open reads the conf, picks the site and its credentials and builds the
// CKAN client.
func (l *loader) open(tc *pipeline.TaskContext) (*run, error) {
	if tc.Dir() == nil {
		return nil, pipeline.Permanent(errors.New("ckan_load needs run storage: give the pipeline backend a bucket"))
	}
	conf, err := decodeConf(tc.Conf())
	if err != nil {
		return nil, pipeline.Permanent(err)
	}
	r := &run{tc: tc, conf: conf, dir: tc.Dir(), meta: map[string]any{}}
	sc, err := l.cfg.connect(conf.CKANConfig.SiteURL)
	if sc == nil {
		return nil, pipeline.Permanent(err)
	}
	r.siteConn = *sc
	if err != nil {
		return r, pipeline.Permanent(err)
	}
	tc.SetStatus("ckan_resource_id", conf.Resource.CKANResourceID)
	return r, nil
}

// upstream reads what fetch_resource found: the resource and the schema.
func (r *run) upstream(ctx context.Context) error {
	var info resourceInfo
	if err := r.tc.Output(ctx, TaskFetch, outResource, &info); err != nil {
		return err
	}
	var schema frictionless.Schema
	if err := r.tc.Output(ctx, TaskFetch, outSchema, &schema); err != nil {
		return err
	}
	r.res, r.schema = &info, &schema
	return nil
}

// resourceID is the resource being loaded.
func (r *run) resourceID() string { return r.conf.Resource.CKANResourceID }

// dumpURL is the DataStore dump URL of the resource.
func (r *run) dumpURL() string { return r.site + "/datastore/dump/" + r.resourceID() }

// sendUpdate sends one aircan_status_update for the resource and run, its
// texts scrubbed, and returns what it sent.
func (sc *siteConn) sendUpdate(ctx context.Context, resourceID, runID, state, msg, errMsg string) (*ckan.StatusUpdate, error) {
	u := &ckan.StatusUpdate{ResourceID: resourceID, State: state, Message: sc.scrub.scrub(msg), DagRunID: runID}
	if errMsg != "" {
		u.Error = &ckan.StatusError{Message: sc.scrub.scrub(errMsg)}
	}
	if err := sc.client.AircanStatusUpdate(ctx, u); err != nil {
		return nil, fmt.Errorf("aircan_status_update %s: %w", state, err)
	}
	return u, nil
}

// update sends one aircan_status_update.
func (r *run) update(ctx context.Context, state, msg string, errMsg string) error {
	u, err := r.sendUpdate(ctx, r.resourceID(), r.tc.RunID(), state, msg, errMsg)
	if err != nil {
		return err
	}
	r.tc.Logger().InfoContext(ctx, "reported to CKAN", "state", state, "message", u.Message)
	return nil
}

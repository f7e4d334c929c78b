package aircan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
)

// fetch is fetch_resource: resource_show, the Table Schema (the conf's,
// else the resource's "schema"), the unique keys applied as its primary
// key; then one "progress" update to CKAN.
func (l *loader) fetch(ctx context.Context, r *run) error {
	notBefore := time.Now().Add(l.cfg.FirstUpdateDelay)
	res, err := r.client.ResourceShow(ctx, r.resourceID())
	if err != nil {
		return permanentIf4xx(err)
	}
	r.res = &resourceInfo{ID: res.ID, Name: res.Name, URL: res.URL, Format: res.Format, PackageID: res.PackageID, URLType: res.URLType}
	schema, err := resolveSchema(r.conf, res)
	if err != nil {
		return pipeline.Permanent(err)
	}
	// Names, types and keys are checked here, before create_table may drop
	// the table: a schema CKAN would refuse never costs the old table.
	if err := ckanstore.ValidateSchema(schema); err != nil {
		return pipeline.Permanent(fmt.Errorf("table schema: %w", err))
	}
	r.schema = schema
	if src := r.source(); isHTTP(src) {
		r.metaPath, r.metaFormat = redactURL(src), strings.ToLower(r.format())
	}
	r.meta["source"] = sourceName(r.source())
	if err := r.tc.SetOutput(ctx, outResource, r.res); err != nil {
		return err
	}
	if err := r.tc.SetOutput(ctx, outSchema, schema); err != nil {
		return err
	}
	r.tc.SetStatus("resource_name", res.Name)
	return r.progressOnce(ctx, notBefore)
}

// progressOnce sends the run's single "progress" update, not before
// notBefore (see Config.FirstUpdateDelay), unless an earlier attempt did.
func (r *run) progressOnce(ctx context.Context, notBefore time.Time) error {
	var sent bool
	if err := r.tc.Output(ctx, TaskFetch, outProgress, &sent); err == nil && sent {
		return nil
	}
	if err := sleepUntil(ctx, notBefore); err != nil {
		return err
	}
	msg := fmt.Sprintf("datafactory %s run %s: loading %s into the DataStore", Name, r.tc.RunID(), resourceName(r.res, r.resourceID()))
	if err := r.update(ctx, ckan.StateProgress, msg, ""); err != nil {
		return err
	}
	return r.tc.SetOutput(ctx, outProgress, true)
}

// resolveSchema picks the conf's schema, else the resource's, and makes
// the unique keys its primary key.
func resolveSchema(c *Conf, res *ckan.Resource) (*frictionless.Schema, error) {
	schema, err := parseSchema(c.Resource.Schema)
	if err != nil {
		return nil, err
	}
	if schema == nil {
		if raw, ok := res.Extra["schema"]; ok && raw != nil {
			b, err := json.Marshal(raw)
			if err != nil {
				return nil, fmt.Errorf("resource schema: %w", err)
			}
			if schema, err = parseSchema(b); err != nil {
				return nil, fmt.Errorf("resource %w", err)
			}
		}
	}
	if schema == nil {
		return nil, errors.New("no Table Schema: neither the conf's resource.schema nor the resource's schema is set")
	}
	if keys := c.Resource.UniqueKeys; len(keys) > 0 {
		for _, k := range keys {
			if schema.FieldIndex(k) < 0 {
				return nil, fmt.Errorf("datastore_unique_keys: %q is not a field of the schema", k)
			}
		}
		schema.PrimaryKey = slices.Clone([]string(keys))
	}
	return schema, nil
}

// source is the data's location: the conf's path, else the resource URL.
func (r *run) source() string {
	if p := strings.TrimSpace(r.conf.Resource.Path); p != "" {
		return p
	}
	if r.res != nil {
		return r.res.URL
	}
	return ""
}

// format is the data's format: the conf's, else the resource's, else CSV.
func (r *run) format() string {
	if f := strings.TrimSpace(r.conf.Resource.Format); f != "" {
		return f
	}
	if r.res != nil && r.res.Format != "" {
		return r.res.Format
	}
	return "CSV"
}

func isHTTP(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// sourceName names a source in metadata: a URL without query or
// credentials, or a local file's base name.
func sourceName(s string) string {
	if isHTTP(s) {
		return redactURL(s)
	}
	s = strings.TrimPrefix(s, "file://")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// permanentIf4xx makes CKAN's 4xx answers permanent: retrying them cannot
// help (the client already retried 5xx and network errors).
func permanentIf4xx(err error) error {
	var ae *ckan.APIError
	if errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 {
		return pipeline.Permanent(err)
	}
	return err
}

// sleepUntil waits until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

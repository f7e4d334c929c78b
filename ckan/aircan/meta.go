package aircan

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/datafactory/datafactory/frictionless"
)

// resourceInfo is what the tasks keep of the CKAN resource.
type resourceInfo struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	Format    string `json:"format"`
	PackageID string `json:"package_id"`
	URLType   string `json:"url_type"`
}

// putMeta writes the task's resource.json: a Frictionless Data Resource
// describing the task's data (its file, or the DataStore table's dump
// URL), with the CKAN resource and the task's outcome in "ckan" and
// "datafactory". It never holds a secret: only the site URL, ids, file
// names and counts go in.
func (r *run) putMeta(ctx context.Context, task, errMsg string) error {
	res := &frictionless.Resource{Name: resourceName(r.res, r.resourceID()), Path: r.metaPath,
		Format: r.metaFormat, Schema: r.schema}
	if res.Path == "" {
		res.Path, res.Format = r.dumpURL(), "csv"
	}
	ckan := map[string]any{"site_url": r.site, "resource_id": r.resourceID()}
	if r.res != nil {
		ckan["package_id"], ckan["name"], ckan["url"] = r.res.PackageID, r.res.Name, redactURL(r.res.URL)
	}
	df := map[string]any{"pipeline": Name, "run_id": r.tc.RunID(), "task": task, "attempt": r.tc.Attempt(), "state": "success"}
	if errMsg != "" {
		df["state"], df["error"] = "failed", errMsg
	}
	for k, v := range r.meta {
		df[k] = v
	}
	res.Extra = map[string]json.RawMessage{}
	for k, v := range map[string]any{"ckan": ckan, "datafactory": df} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		res.Extra[k] = b
	}
	return r.dir.PutResource(ctx, res)
}

// resourceName turns a CKAN resource name into a Frictionless name
// (lower case letters, digits, '-', '_', '.'), or the resource id.
func resourceName(res *resourceInfo, id string) string {
	name := id
	if res != nil && res.Name != "" {
		name = res.Name
	}
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "resource"
	}
	return b.String()
}

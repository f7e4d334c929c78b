package storagetest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/storage"
)

const resourceJSON = `{
  "name": "employees",
  "path": "data.csv",
  "format": "csv",
  "mediatype": "text/csv",
  "bytes": 120,
  "dialect": {"delimiter": ";"},
  "schema": {
    "fields": [
      {"name": "id", "type": "integer", "constraints": {"required": true}},
      {"name": "name", "type": "string"},
      {"name": "salary", "type": "number", "precision": 10, "scale": 2}
    ],
    "primaryKey": ["id"]
  },
  "x-aircan": {"ckan_resource_id": "abc-123"}
}`

func descriptorJSON(t *testing.T, write func(w *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, write(&buf))
	return buf.String()
}

func testDescriptors(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	task := b.Run("ckan_load", "run-1").Task("extract")
	res, err := frictionless.ReadResource(strings.NewReader(resourceJSON))
	require.NoError(t, err)
	require.NoError(t, task.PutResource(ctx, res))

	// A downstream task in a fresh process gets the same descriptor back.
	got, err := open(t, h).Run("ckan_load", "run-1").Task("extract").GetResource(ctx)
	require.NoError(t, err)
	require.JSONEq(t, resourceJSON, descriptorJSON(t, func(w *bytes.Buffer) error { return got.Write(w) }))
	require.Equal(t, "data.csv", got.Path)
	require.Equal(t, []string{"id", "name", "salary"}, got.Schema.FieldNames())

	pkg := &frictionless.Package{Name: "hr", Title: "HR data", Resources: []frictionless.Resource{*res}}
	pkg.Extra = map[string]json.RawMessage{"licenses": json.RawMessage(`[{"name":"ODC-PDDL-1.0"}]`)}
	require.NoError(t, task.PutDataset(ctx, pkg))
	gotPkg, err := task.GetDataset(ctx)
	require.NoError(t, err)
	require.JSONEq(t,
		descriptorJSON(t, func(w *bytes.Buffer) error { return pkg.Write(w) }),
		descriptorJSON(t, func(w *bytes.Buffer) error { return gotPkg.Write(w) }))
	raw, err := b.ReadAll(ctx, task.Prefix()+storage.DatasetFile)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"ODC-PDDL-1.0"`)

	// Missing and invalid descriptors.
	_, err = b.Run("ckan_load", "run-1").Task("load").GetResource(ctx)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = b.Run("ckan_load", "run-1").Task("load").GetDataset(ctx)
	require.ErrorIs(t, err, storage.ErrNotFound)
	put(t, b, "ckan_load/run-1/bad/resource.json", `{"name": "x", "schema": {"fields": [{"name": "a", "type": "integr"}]}}`)
	_, err = b.Run("ckan_load", "run-1").Task("bad").GetResource(ctx)
	var de *frictionless.DescriptorError
	require.ErrorAs(t, err, &de)
	require.NotErrorIs(t, err, storage.ErrNotFound)
	require.Contains(t, err.Error(), "integr")
}

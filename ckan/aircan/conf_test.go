package aircan_test

import (
	"encoding/json"
	"testing"

	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// aircanConf is a conf as ckanext-aircan's aircan_submit builds it (the
// api_key and write URL stripped).
const aircanConf = `{
  "resource": {"path": "https://ckan.example.org/dataset/x/resource/r1/download/data.csv", "format": "CSV",
    "ckan_resource_id": "r1", "schema": "{\"fields\": [{\"name\": \"a\", \"type\": \"integer\"}]}",
    "package_id": "p1", "datastore_append_or_update": "False", "datastore_unique_keys": [], "editor_user_email": null},
  "ckan_config": {"site_url": "https://ckan.example.org", "ckan_s3_aws_access_key_id": "",
    "ckan_datastore_postgres_url": "postgresql://ckan@db/datastore", "aircan_load_with_postgres_copy": "false",
    "aircan_datastore_chunk_insert_rows_size": "500", "aircan_append_or_update_datastore": null,
    "aircan_notification_to": "someone@example.org"},
  "big_query": {"gcs_uri": "", "bq_project_id": "", "bq_dataset_id": "", "bq_table_name": ""},
  "output_bucket": "2024-03-01"
}`

func TestConfDecoding(t *testing.T) {
	t.Parallel()
	var c aircan.Conf
	require.NoError(t, json.Unmarshal([]byte(aircanConf), &c))
	require.Equal(t, "r1", c.Resource.CKANResourceID)
	require.False(t, bool(c.Resource.AppendOrUpdate))
	require.EqualValues(t, 500, c.CKANConfig.ChunkRows)
	require.Empty(t, c.Resource.UniqueKeys)

	flags := map[string]bool{`true`: true, `"True"`: true, `"yes"`: true, `"1"`: true, `"y"`: true, `false`: false,
		`"False"`: false, `"no"`: false, `""`: false, `null`: false, `"maybe"`: false}
	for in, want := range flags {
		var b aircan.Bool
		require.NoError(t, json.Unmarshal([]byte(in), &b), in)
		require.Equal(t, want, bool(b), in)
	}
	var b aircan.Bool
	require.Error(t, json.Unmarshal([]byte(`1`), &b), "CKAN's boolean_validator fails on numbers")

	ints := map[string]int{`250`: 250, `"250"`: 250, `" 40 "`: 40, `null`: 0}
	for in, want := range ints {
		var n aircan.Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		require.EqualValues(t, want, n, in)
	}
	var n aircan.Int
	require.Error(t, json.Unmarshal([]byte(`"many"`), &n))
	require.Error(t, json.Unmarshal([]byte(`2.5`), &n))

	keys := map[string][]string{`["a","b"]`: {"a", "b"}, `"a, b"`: {"a", "b"}, `"[\"a\"]"`: {"a"}, `""`: nil, `null`: nil, `[]`: nil}
	for in, want := range keys {
		var k aircan.Keys
		require.NoError(t, json.Unmarshal([]byte(in), &k), in)
		require.Equal(t, want, []string(k), in)
	}
	var k aircan.Keys
	require.Error(t, json.Unmarshal([]byte(`[1]`), &k))
	require.Error(t, json.Unmarshal([]byte(`{}`), &k))
}

func TestConfSchema(t *testing.T) {
	t.Parallel()
	p, err := aircan.New(nil)
	require.NoError(t, err)
	require.JSONEq(t, string(aircan.ConfSchema()), string(p.ConfSchema()))
	require.Equal(t, aircan.Tasks(), p.Tasks())
	require.NoError(t, p.ValidateConf(json.RawMessage(aircanConf)))
	bad := map[string]func(m map[string]any){
		"no resource":    func(m map[string]any) { delete(m, "resource") },
		"no resource id": func(m map[string]any) { delete(m["resource"].(map[string]any), "ckan_resource_id") },
		"empty id":       func(m map[string]any) { m["resource"].(map[string]any)["ckan_resource_id"] = "" },
		"api_key":        func(m map[string]any) { m["ckan_config"].(map[string]any)["api_key"] = "tok-123" },
		"write url": func(m map[string]any) {
			m["ckan_config"].(map[string]any)["ckan_datastore_postgres_url"] = "postgresql://u:pw@db/ds"
		},
		"schema number": func(m map[string]any) { m["resource"].(map[string]any)["schema"] = 3 },
		"chunk zero": func(m map[string]any) {
			m["ckan_config"].(map[string]any)["aircan_datastore_chunk_insert_rows_size"] = 0
		},
		"chunk word": func(m map[string]any) {
			m["ckan_config"].(map[string]any)["aircan_datastore_chunk_insert_rows_size"] = "lots"
		},
		"site not http":    func(m map[string]any) { m["ckan_config"].(map[string]any)["site_url"] = "ftp://x" },
		"site with user":   func(m map[string]any) { m["ckan_config"].(map[string]any)["site_url"] = "https://u:p@x" },
		"flag number":      func(m map[string]any) { m["resource"].(map[string]any)["datastore_append_or_update"] = 1 },
		"negative rejects": func(m map[string]any) { m["max_rejects"] = -1 },
	}
	for name, mod := range bad {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(aircanConf), &m))
		mod(m)
		conf, err := json.Marshal(m)
		require.NoError(t, err)
		require.ErrorIs(t, p.ValidateConf(conf), pipeline.ErrInvalidConf, name)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	r := pipeline.NewRegistry()
	require.NoError(t, aircan.Register(r, nil))
	require.ErrorIs(t, aircan.Register(r, nil), pipeline.ErrTypeExists)
	types := r.Types()
	require.Len(t, types, len(aircan.Tasks()))
	for _, ty := range types {
		require.Contains(t, ty.Name, aircan.TypePrefix)
		require.NotEmpty(t, ty.Description)
	}
	// a spec may add tasks around the registered ones
	spec := aircan.Spec()
	spec.Name = "ckan_load_custom"
	p, err := r.Build(spec)
	require.NoError(t, err)
	typ, _, err := p.TaskType(aircan.TaskReport)
	require.NoError(t, err)
	require.Equal(t, "aircan_report", typ)
	_, err = r.ValidateParams("x", "aircan_load", json.RawMessage(`{"a": 1}`))
	require.Error(t, err, "the tasks take no params")
}

func TestLabels(t *testing.T) {
	t.Parallel()
	ds, res := aircan.Labels(json.RawMessage(`{"resource": {"package_id": "pkg", "ckan_resource_id": "res-1"}}`))
	require.Equal(t, "pkg", ds)
	require.Equal(t, "res-1", res)
	ds, res = aircan.Labels(json.RawMessage(`{"resource": {"ckan_resource_id": "res-2"}}`))
	require.Equal(t, "", ds)
	require.Equal(t, "res-2", res)
	ds, res = aircan.Labels(json.RawMessage(`{"resource": "not an object"}`))
	require.Equal(t, "", ds+res, "a conf that does not decode gives no labels")
}

package aircan_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestFailures: whatever fails, CKAN hears one "error" update with a
// message and no "complete", the failed task carries the reason, the tasks
// after it are skipped and the run fails.
func TestFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		mod      func(res, ckan map[string]any)
		cfg      func(c *aircan.Config)
		fail     string // action answered with a 500
		failTask string
		want     string // in the error update's message
		progress bool   // a progress update came first
	}{
		{name: "bad schema", failTask: aircan.TaskFetch, want: "schema",
			mod: func(res, _ map[string]any) { res["schema"] = `{"fields": [{"name": "a", "type": "nonsense"}]}` }},
		{name: "schema not JSON", failTask: aircan.TaskFetch, want: "schema",
			mod: func(res, _ map[string]any) { res["schema"] = `{"fields": [` }},
		{name: "missing resource", failTask: aircan.TaskFetch, want: "Not found",
			mod: func(res, _ map[string]any) { res["ckan_resource_id"] = "no-such-resource" }},
		{name: "unknown unique key", failTask: aircan.TaskFetch, want: `"nope" is not a field`,
			mod: func(res, _ map[string]any) { res["datastore_unique_keys"] = "nope" }},
		{name: "missing file", failTask: aircan.TaskDownload, want: "no such file", progress: true,
			mod: func(res, _ map[string]any) { res["path"] = "nope.csv" }},
		{name: "path outside the file root", failTask: aircan.TaskDownload, want: "outside the file root", progress: true,
			mod: func(res, _ map[string]any) { res["path"] = "../../ckan/aircan/doc.go" }},
		{name: "absolute path outside the file root", failTask: aircan.TaskDownload, want: "outside the file root", progress: true,
			mod: func(res, _ map[string]any) { res["path"] = "file:///etc/hostname" }},
		{name: "file too large", failTask: aircan.TaskDownload, want: "larger than the download limit", progress: true,
			cfg: func(c *aircan.Config) { c.MaxDownloadBytes = 1000 }},
		{name: "download unreachable", failTask: aircan.TaskDownload, want: "connection refused", progress: true,
			mod: func(res, _ map[string]any) { res["path"] = "http://127.0.0.1:1/nope.csv" }},
		{name: "header does not match", failTask: aircan.TaskValidate, want: "does not match the schema", progress: true,
			mod: func(res, _ map[string]any) { delete(res, "dialect") }},
		{name: "too many rejects", failTask: aircan.TaskValidate, want: "70 rows rejected, over max_rejects 10", progress: true},
		{name: "datastore_create 500", fail: "datastore_create", failTask: aircan.TaskCreateTable, want: "500", progress: true},
		{name: "datastore_upsert 500", fail: "datastore_upsert", failTask: aircan.TaskLoad, want: "500", progress: true},
		// mark_active reads datastore_active with resource_show and sends no
		// resource_patch when it is set (as datastore_create leaves it).
		{name: "resource_show 500", fail: "resource_show", failTask: aircan.TaskFetch, want: "500"},
		{name: "copy without a database", failTask: aircan.TaskCreateTable, want: "no DataStore database URL", progress: true,
			mod: func(_, ckan map[string]any) { ckan["aircan_load_with_postgres_copy"] = "true" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, "")
			if tc.cfg != nil {
				tc.cfg(b.cfg)
			}
			if tc.fail != "" {
				b.failAction(tc.fail, http.StatusInternalServerError)
			}
			conf := b.conf(t, tc.mod)
			if tc.name == "too many rejects" {
				var m map[string]any
				require.NoError(t, json.Unmarshal(conf, &m))
				m["max_rejects"] = 10
				conf, _ = json.Marshal(m)
			}
			sum, err := b.run(t, conf)
			require.ErrorIs(t, err, pipeline.ErrRunFailed)
			require.Equal(t, pipeline.StateFailed, sum.State)
			failed := false
			for _, ts := range sum.Tasks {
				switch {
				case ts.Name == tc.failTask:
					require.Equal(t, pipeline.StateFailed, ts.State)
					require.ErrorContains(t, ts.Err, tc.want)
					failed = true
				case ts.Name == aircan.TaskReport:
					require.Equal(t, pipeline.StateSuccess, ts.State, "report ran and reported")
				case failed:
					require.Equal(t, pipeline.StateSkipped, ts.State, ts.Name)
				default:
					require.Equal(t, pipeline.StateSuccess, ts.State, ts.Name)
				}
			}
			states, calls := b.updates(sum.RunID)
			want := []string{ckan.StateError}
			if tc.progress {
				want = []string{ckan.StateProgress, ckan.StateError}
			}
			require.Equal(t, want, states)
			last := calls[len(calls)-1]
			require.Contains(t, last.Message, "failed in task "+tc.failTask)
			require.Contains(t, last.ErrorMessage, tc.want)
			requireTaskEvents(t, b, sum.RunID)
			res, err := b.bucket.Run(aircan.Name, sum.RunID).Task(tc.failTask).GetResource(t.Context())
			require.NoError(t, err)
			require.Contains(t, string(res.Extra["datafactory"]), `"failed"`)
		})
	}
}

package cli_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

// employeesCSV is the data-architecture file: 1999 rows, no header, 70
// with an empty field.
const employeesCSV = "../../../datastore/testdata/employees.csv"

// writePassword is the password of the DataStore write URL aircan sends.
const writePassword = "datastore-write-pw"

// ckanSite is an in-process CKAN whose site also serves the resource's
// upload, as CKAN serves /dataset/…/download/….
type ckanSite struct {
	srv   *ckantest.Server
	url   string
	resID string
	dsID  string
}

func newCKANSite(t *testing.T) *ckanSite {
	t.Helper()
	srv := ckantest.NewServer(nil)
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/uploads/employees.csv" {
			http.ServeFile(w, r, employeesCSV)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	ds, err := srv.AddDataset(ckantest.Dataset{Name: "hr-2021"})
	require.NoError(t, err)
	id, err := srv.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "employees.csv", URLType: "upload", Format: "CSV",
		URL: hs.URL + "/uploads/employees.csv"})
	require.NoError(t, err)
	return &ckanSite{srv: srv, url: hs.URL, resID: id, dsID: ds.ID}
}

// aircanConf is the conf ckanext-aircan's aircan_submit sends, secrets
// included when withSecrets.
func (c *ckanSite) aircanConf(t *testing.T, withSecrets bool) map[string]any {
	t.Helper()
	schema := `{"fields": [{"name": "employee_id", "type": "integer", "constraints": {"required": true}},
	  {"name": "employee_name", "type": "string", "constraints": {"required": true}},
	  {"name": "hiring_date", "type": "datetime", "constraints": {"required": true}},
	  {"name": "department_id", "type": "integer", "constraints": {"required": true}},
	  {"name": "job_id", "type": "integer", "constraints": {"required": true}}]}`
	ckan := map[string]any{"site_url": c.url, "aircan_load_with_postgres_copy": false, "aircan_datastore_chunk_insert_rows_size": 250,
		"aircan_append_or_update_datastore": false, "ckan_s3_aws_bucket_name": "", "aircan_notification_to": ""}
	if withSecrets {
		ckan["api_key"] = c.srv.SysadminToken()
		ckan["ckan_datastore_postgres_url"] = "postgresql://ckan_default:" + writePassword + "@db/datastore_default"
	}
	return map[string]any{
		"resource": map[string]any{"path": c.url + "/uploads/employees.csv", "format": "CSV", "ckan_resource_id": c.resID,
			"schema": schema, "package_id": c.dsID, "datastore_append_or_update": false, "datastore_unique_keys": []string{},
			"dialect": map[string]any{"header": false}},
		"ckan_config":   ckan,
		"big_query":     map[string]any{"gcs_uri": "", "bq_project_id": "", "bq_dataset_id": "", "bq_table_name": ""},
		"output_bucket": "2024-03-01",
	}
}

// env is the tool's environment for the site, with a bucket in dir.
func (c *ckanSite) env(dir string) map[string]string {
	return map[string]string{cli.EnvCKANSiteURL: c.url, cli.EnvCKANAPIKey: c.srv.SysadminToken(),
		cli.EnvBucketURL: "file://" + dir}
}

func (c *ckanSite) total(t *testing.T) int64 {
	t.Helper()
	cl, err := ckan.NewClient(c.srv.URL(), nil)
	require.NoError(t, err)
	res, err := cl.DatastoreSearch(context.Background(), &ckan.SearchRequest{ResourceID: c.resID, Limit: new(0)})
	require.NoError(t, err)
	return *res.Total
}

func (c *ckanSite) states(runID string) []string {
	var out []string
	for _, u := range c.srv.StatusUpdates() {
		if u.DagRunID == runID {
			out = append(out, u.State)
		}
	}
	return out
}

// requireNoSecrets checks no file under dir holds the key or the password.
func requireNoSecrets(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		n++
		for _, s := range secrets {
			require.NotContains(t, string(data), s, p)
		}
		return err
	}))
	require.Positive(t, n)
}

// TestServeCKANLoad: ckanext-aircan triggers ckan_load over HTTP, with its
// API key and write URL in the conf; the service drops them, the pipeline
// uses the key from the environment, and the run succeeds.
func TestServeCKANLoad(t *testing.T) {
	t.Parallel()
	site := newCKANSite(t)
	bucket := t.TempDir()
	s := startServeEnv(t, site.env(bucket), "--bucket", "file://"+bucket)
	body, err := json.Marshal(map[string]any{"dag_run_id": "aircan-42", "conf": site.aircanConf(t, true)})
	require.NoError(t, err)
	var trig map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/ckan_load/dagRuns", basic, "application/json", body, &trig))
	require.NotContains(t, mustJSON(t, trig), site.srv.SysadminToken())
	run := s.pollRun(t, "ckan_load", "aircan-42")
	require.Equal(t, "success", run["state"], "%v", run)
	require.NotContains(t, mustJSON(t, run), site.srv.SysadminToken())
	require.Contains(t, mustJSON(t, run), "[redacted]")

	require.EqualValues(t, 1929, site.total(t))
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, site.states("aircan-42"))
	var tis struct {
		TaskInstances []struct {
			TaskID string `json:"task_id"`
			State  string `json:"state"`
		} `json:"task_instances"`
	}
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/ckan_load/dagRuns/aircan-42/taskInstances", basic, "", nil, &tis))
	require.Len(t, tis.TaskInstances, 7)
	for _, ti := range tis.TaskInstances {
		require.Equal(t, "success", ti.State, ti.TaskID)
	}
	var events []map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/status/aircan-42", bearer, "", nil, &events))
	evs := mustJSON(t, events)
	for _, task := range []string{"fetch_resource", "download", "validate", "create_table", "load", "mark_active", "report"} {
		require.Contains(t, evs, `"`+task+`"`)
	}
	require.NotContains(t, evs, site.srv.SysadminToken())
	// the run's job is labelled with the conf's dataset and resource
	var page struct {
		Jobs []map[string]any `json:"jobs"`
	}
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/jobs?resource="+site.resID, bearer, "", nil, &page))
	require.Len(t, page.Jobs, 1, "%v", page.Jobs)
	require.Equal(t, "aircan-42", page.Jobs[0]["factory_id"], "%v", page.Jobs[0])
	require.Equal(t, site.dsID, page.Jobs[0]["dataset"])
	require.Equal(t, "DONE", page.Jobs[0]["status"])
	requireNoSecrets(t, bucket, site.srv.SysadminToken(), writePassword)
	require.NotContains(t, s.stdout.String(), site.srv.SysadminToken())

	// a bad conf is refused before a run exists
	bad := site.aircanConf(t, true)
	delete(bad["resource"].(map[string]any), "ckan_resource_id")
	body, err = json.Marshal(map[string]any{"dag_run_id": "aircan-43", "conf": bad})
	require.NoError(t, err)
	var prob map[string]any
	require.Equal(t, http.StatusBadRequest, s.call(t, "POST", "/api/v1/dags/ckan_load/dagRuns", basic, "application/json", body, &prob))
	require.Contains(t, prob["detail"], "ckan_resource_id")
	var dags map[string]any
	require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags", basic, "", nil, &dags))
	require.Contains(t, mustJSON(t, dags), `"ckan_load"`)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestRunCKANLoad: "datafactory run ckan_load --conf @file" and "task
// create|run|finish" (a fresh tool per task, sharing the bucket) load the
// file; a conf carrying the key is refused without echoing it, and a site
// without configured credentials fails the run.
func TestRunCKANLoad(t *testing.T) {
	t.Parallel()
	site := newCKANSite(t)
	dir := t.TempDir()
	env := site.env(filepath.Join(dir, "bucket"))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bucket"), 0o755))
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(mustJSON(t, v)), 0o600))
		return "@" + p
	}
	clean := write("conf.json", site.aircanConf(t, false))

	withStatus := maps.Clone(env)
	withStatus[cli.EnvStatusURL] = "sqlite://" + filepath.Join(dir, "status.db")
	r := runCLI(t, withStatus, "run", "ckan_load", "--conf", clean, "--run-id", "cli-1")
	require.Equal(t, cli.ExitOK, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, "run cli-1: SUCCESS")
	require.EqualValues(t, 1929, site.total(t))
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, site.states("cli-1"))
	r = runCLI(t, withStatus, "jobs", "--resource", site.resID, "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, `"cli-1"`, "the run's job is found by its CKAN resource")
	require.Contains(t, r.stdout, `"DONE"`)

	r = runCLI(t, env, "run", "ckan_load", "--conf", write("secret.json", site.aircanConf(t, true)))
	require.Equal(t, cli.ExitError, r.code)
	require.Contains(t, r.stderr, "/ckan_config/api_key")
	require.NotContains(t, r.stdout+r.stderr, site.srv.SysadminToken())

	noSite := map[string]string{cli.EnvCKANAPIKey: site.srv.SysadminToken(), cli.EnvBucketURL: env[cli.EnvBucketURL]}
	r = runCLI(t, noSite, "run", "ckan_load", "--conf", clean, "--run-id", "cli-2")
	require.Equal(t, cli.ExitRefused, r.code)
	require.Contains(t, r.stdout, "no configured credentials")
	require.Empty(t, site.states("cli-2"), "the key went nowhere")

	r = runCLI(t, env, "task", "create", "ckan_load", "--conf", clean, "--run", "cli-3")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	for _, task := range []string{"fetch_resource", "download", "validate", "create_table", "load", "mark_active", "report"} {
		r = runCLI(t, env, "task", "run", "ckan_load", "--run", "cli-3", "--task", task)
		require.Equal(t, cli.ExitOK, r.code, r.stdout+r.stderr)
	}
	r = runCLI(t, env, "task", "finish", "ckan_load", "--run", "cli-3")
	require.Equal(t, cli.ExitOK, r.code, r.stdout+r.stderr)
	require.EqualValues(t, 1929, site.total(t))
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, site.states("cli-3"))
	requireNoSecrets(t, filepath.Join(dir, "bucket"), site.srv.SysadminToken())

	r = runCLI(t, nil, "tasks")
	require.Equal(t, cli.ExitOK, r.code)
	require.True(t, strings.Contains(r.stdout, "aircan_fetch_resource\t") && strings.Contains(r.stdout, "aircan_report\t"), r.stdout)
}

// TestServeCKANLoadCancelledAtShutdown: a ckan_load run still downloading
// when the service shuts down (past its shutdown timeout) is cancelled,
// and CKAN is told: one "error" update after the "progress" one, instead
// of a load that looks running forever.
func TestServeCKANLoadCancelledAtShutdown(t *testing.T) {
	t.Parallel()
	site := newCKANSite(t)
	arrived := make(chan struct{}, 1)
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // a download that never ends
	}))
	t.Cleanup(stall.Close)
	bucket := t.TempDir()
	s := startServeEnv(t, site.env(bucket), "--bucket", "file://"+bucket, "--shutdown-timeout", "100ms")
	conf := site.aircanConf(t, false)
	conf["resource"].(map[string]any)["path"] = stall.URL + "/employees.csv"
	body, err := json.Marshal(map[string]any{"dag_run_id": "aircan-cut", "conf": conf})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/ckan_load/dagRuns", basic, "application/json", body, nil))
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the download did not start")
	}
	require.Equal(t, []string{ckan.StateProgress}, site.states("aircan-cut"))

	require.Equal(t, cli.ExitOK, s.shutdown(), s.stdout.String())
	require.Equal(t, []string{ckan.StateProgress, ckan.StateError}, site.states("aircan-cut"))
}

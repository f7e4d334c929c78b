package aircan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

// testdata is the folder of employees.csv (the data-architecture file,
// 1999 rows without a header; 70 have an empty field).
const testdata = "../../datastore/testdata"

// employeesSchema is the resource's Table Schema, every field required,
// without a primary key (aircan_submit sends the schema as a JSON string).
const employeesSchema = `{"fields": [
  {"name": "employee_id", "type": "integer", "constraints": {"required": true}},
  {"name": "employee_name", "type": "string", "constraints": {"required": true}},
  {"name": "hiring_date", "type": "datetime", "constraints": {"required": true}},
  {"name": "department_id", "type": "integer", "constraints": {"required": true}},
  {"name": "job_id", "type": "integer", "constraints": {"required": true}}
]}`

// bundle is one test's CKAN, bucket, status store and configuration.
type bundle struct {
	srv       *ckantest.Server
	site      string // the URL the pipeline talks to (srv, or a wrapper)
	token     string
	datasetID string
	resID     string
	bucketDir string
	bucket    *storage.Bucket
	status    *status.Store
	statusDB  string
	cfg       *aircan.Config
	logs      *syncBuffer
	mu        sync.Mutex
	actions   map[string]int // action calls seen by the wrapper
	fail      map[string]int // action → HTTP status to answer instead
	authSeen  []string       // Authorization headers of /uploads/ requests
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setup starts ckantest (on dsn; "" is SQLite) behind a wrapper that
// counts actions, can fail them, and serves /uploads/employees.csv.
func setup(t testing.TB, dsn string) *bundle {
	t.Helper()
	return setupWith(t, dsn, nil)
}

// setupWith is setup with ckantest options (their DSN is dsn).
func setupWith(t testing.TB, dsn string, opts *ckantest.Options) *bundle {
	t.Helper()
	ctx := context.Background()
	o := ckantest.Options{}
	if opts != nil {
		o = *opts
	}
	o.DSN = dsn
	srv, err := ckantest.New(&o)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	b := &bundle{srv: srv, token: srv.SysadminToken(), logs: &syncBuffer{}, actions: map[string]int{}, fail: map[string]int{}}
	ws := httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(ws.Close)
	b.site = ws.URL
	ds, err := srv.AddDataset(ckantest.Dataset{Name: "hr-2021"})
	require.NoError(t, err)
	b.datasetID = ds.ID
	b.resID, err = srv.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "employees.csv", URLType: "upload",
		Format: "CSV", URL: b.site + "/uploads/employees.csv"})
	require.NoError(t, err)
	b.bucketDir = t.TempDir()
	b.bucket, err = storage.Open(ctx, "file://"+b.bucketDir)
	require.NoError(t, err)
	t.Cleanup(func() { b.bucket.Close() })
	b.statusDB = filepath.Join(t.TempDir(), "status.db")
	b.status, err = sqlstatus.Open(ctx, "sqlite://"+b.statusDB, nil)
	require.NoError(t, err)
	t.Cleanup(func() { b.status.Close() })
	b.cfg = &aircan.Config{SiteURL: b.site, APIKey: ckan.Secret(b.token), FileRoot: testdata,
		Client: &ckan.ClientOptions{MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}}
	return b
}

// serve forwards to ckantest, counting actions and failing those in fail.
func (b *bundle) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/uploads/employees.csv" {
		b.mu.Lock()
		b.authSeen = append(b.authSeen, r.Header.Get("Authorization"))
		b.mu.Unlock()
		http.ServeFile(w, r, filepath.Join(testdata, "employees.csv"))
		return
	}
	action := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	b.mu.Lock()
	b.actions[action]++
	code := b.fail[action]
	b.mu.Unlock()
	if code != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"help": "", "success": false, "error": {"__type": "Internal Server Error", "message": "Internal Server Error"}}`))
		return
	}
	b.srv.Handler().ServeHTTP(w, r)
}

func (b *bundle) calls(action string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.actions[action]
}

func (b *bundle) failAction(action string, code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail[action] = code
}

// conf is aircan_submit's conf for the resource (the schema as a JSON
// string, the extra keys aircan sends, no secrets); mod edits it.
func (b *bundle) conf(t testing.TB, mod func(res, ckan map[string]any)) json.RawMessage {
	t.Helper()
	res := map[string]any{"path": "employees.csv", "format": "CSV", "ckan_resource_id": b.resID, "schema": employeesSchema,
		"package_id": b.datasetID, "datastore_append_or_update": false, "datastore_unique_keys": []string{},
		"editor_user_email": "editor@example.org", "dialect": map[string]any{"header": false}}
	ckan := map[string]any{"site_url": b.site, "ckan_s3_aws_bucket_name": "", "aircan_load_with_postgres_copy": false,
		"aircan_datastore_chunk_insert_rows_size": 250, "aircan_append_or_update_datastore": false,
		"aircan_notification_to": "", "aircan_notification_from": "", "aircan_notification_subject": ""}
	if mod != nil {
		mod(res, ckan)
	}
	out, err := json.Marshal(map[string]any{"resource": res, "ckan_config": ckan,
		"big_query":     map[string]any{"gcs_uri": "", "bq_project_id": "", "bq_dataset_id": "", "bq_table_name": ""},
		"output_bucket": "2024-03-01"})
	require.NoError(t, err)
	return out
}

// backend is a pipeline backend on the bundle's bucket and status store.
func (b *bundle) backend() *pipeline.Backend {
	return pipeline.NewBackend(&pipeline.BackendOptions{Storage: b.bucket, Status: b.status})
}

// run runs ckan_load once in-process.
func (b *bundle) run(t *testing.T, conf json.RawMessage) (*pipeline.Summary, error) {
	t.Helper()
	p, err := aircan.New(b.cfg)
	require.NoError(t, err)
	return pipeline.Run(context.Background(), p, conf, &pipeline.RunOptions{Backend: b.backend(),
		Logger: slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
}

// total is the resource's DataStore row count.
func (b *bundle) total(t *testing.T) int64 {
	t.Helper()
	c, err := ckan.NewClient(b.srv.URL(), nil)
	require.NoError(t, err)
	res, err := c.DatastoreSearch(context.Background(), &ckan.SearchRequest{ResourceID: b.resID, Limit: new(0)})
	require.NoError(t, err)
	return *res.Total
}

// updates returns the states CKAN received for a run, in order.
func (b *bundle) updates(runID string) ([]string, []ckantest.StatusCall) {
	var states []string
	var calls []ckantest.StatusCall
	for _, u := range b.srv.StatusUpdates() {
		if u.DagRunID == runID {
			states = append(states, u.State)
			calls = append(calls, u)
		}
	}
	return states, calls
}

// readBucket returns every file of the bucket's directory, by path.
func (b *bundle) readBucket(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(b.bucketDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	})
	require.NoError(t, err)
	return files
}

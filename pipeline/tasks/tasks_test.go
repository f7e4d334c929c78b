package tasks_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// bundle is a connection set over a fresh directory: database "db"
// (SQLite), bucket "files" (file://), root "default" holding the test
// data, and a status store and bucket for runs.
type bundle struct {
	dir   string
	dbURL string
	conns *connection.Set
	be    *pipeline.Backend
	st    *status.Store
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	require.NoError(t, os.MkdirAll(root, 0o755))
	for _, f := range []string{"people.csv", "people.schema.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, f), data, 0o644))
	}
	b := &bundle{dir: dir, dbURL: "sqlite://" + filepath.Join(dir, "data.db")}
	b.conns = &connection.Set{
		Databases: map[string]connection.Database{"db": {URL: b.dbURL}},
		Buckets:   map[string]connection.Bucket{"files": {URL: "file://" + filepath.Join(dir, "backups")}},
		Roots:     map[string]string{connection.DefaultName: root},
	}
	st, err := sqlstatus.Open(ctx, "sqlite://"+filepath.Join(dir, "status.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	bk, err := connection.Bucket{URL: "file://" + filepath.Join(dir, "runs")}.Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { bk.Close() })
	b.be, b.st = pipeline.NewBackend(&pipeline.BackendOptions{Status: st, Storage: bk}), st
	return b
}

func (b *bundle) registry(t *testing.T) *pipeline.Registry {
	t.Helper()
	r := pipeline.NewRegistry()
	require.NoError(t, tasks.Register(r, &tasks.Options{Connections: b.conns}))
	return r
}

// runLoad runs the built-in load pipeline with conf.
func (b *bundle) runLoad(t *testing.T, conf string) (*pipeline.Summary, error) {
	t.Helper()
	p, err := tasks.LoadPipeline(&tasks.Options{Connections: b.conns})
	require.NoError(t, err)
	require.NoError(t, p.ValidateConf(json.RawMessage(conf)))
	return pipeline.Run(context.Background(), p, json.RawMessage(conf), &pipeline.RunOptions{Backend: b.be})
}

func (b *bundle) count(t *testing.T, table string) int {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), b.dbURL, nil)
	require.NoError(t, err)
	defer s.Close()
	n := 0
	_, err = s.ReadRows(context.Background(), table, func(frictionless.Row) error { n++; return nil })
	require.NoError(t, err)
	return n
}

// taskErr is the error text of the run's only task.
func taskErr(t *testing.T, sum *pipeline.Summary) string {
	t.Helper()
	require.Len(t, sum.Tasks, 1)
	require.Error(t, sum.Tasks[0].Err)
	return sum.Tasks[0].Err.Error()
}

func TestLoadPipeline(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sum, err := b.runLoad(t, `{"source": "people.csv", "target": "db", "schema": "people.schema.json", "table": "people"}`)
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, 3, b.count(t, "people"))
	require.Equal(t, 2, b.count(t, "people__rejects"))
}

// TestEnvReferenceRefused: a conf naming env:DATAFACTORY_TOKEN fails
// without the token's value reaching the summary, the status database or
// any file of the run bucket.
func TestEnvReferenceRefused(t *testing.T) {
	const token = "tok-8f1e2d3c4b5a69788796a5b4c3d2e1f0"
	t.Setenv("DATAFACTORY_TOKEN", token)
	t.Setenv("DATAFACTORY_DB_PASSWORD", token)
	b := setup(t)
	for _, conf := range []string{
		`{"source": "people.csv", "target": "env:DATAFACTORY_TOKEN"}`,
		`{"source": "env:DATAFACTORY_TOKEN", "target": "db"}`,
		`{"source": "people.csv", "target": "db", "schema": "env:DATAFACTORY_DB_PASSWORD"}`,
	} {
		sum, err := b.runLoad(t, conf)
		require.ErrorIs(t, err, pipeline.ErrRunFailed)
		msg := taskErr(t, sum)
		require.Contains(t, msg, "refused")
		require.NotContains(t, msg, token)
	}
	testutil.RequireNotInFiles(t, b.dir, token)
}

// TestUnlistedHostRefused: a conf naming a database host that is not on
// the allow-list makes no connection (the listener counts zero accepts).
func TestUnlistedHostRefused(t *testing.T) {
	t.Parallel()
	ln := testutil.CountingListener(t)
	b := setup(t)
	for _, scheme := range []string{"postgres", "mysql"} {
		sum, err := b.runLoad(t, `{"source": "people.csv", "target": "`+scheme+`://someone@`+ln.Addr+`/db"}`)
		require.ErrorIs(t, err, pipeline.ErrRunFailed)
		require.Contains(t, taskErr(t, sum), "allow-list")
	}
	require.Zero(t, ln.Accepts())
}

// TestSystemFilesRefused: /proc/self/environ, /etc/passwd and a path out
// of the root are refused before anything is opened: a FIFO outside the
// root, which would block whoever opens it, is refused at once.
func TestSystemFilesRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fifo := filepath.Join(b.dir, "outside.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	require.NoError(t, os.Symlink(fifo, filepath.Join(b.conns.Roots[connection.DefaultName], "link.csv")))
	for _, src := range []string{"/proc/self/environ", "/etc/passwd", "../outside.csv", fifo, "link.csv", "default:../outside.csv"} {
		done := make(chan struct{})
		var (
			sum *pipeline.Summary
			err error
		)
		go func() {
			defer close(done)
			sum, err = b.runLoad(t, `{"source": "`+src+`", "target": "db", "table": "leak"}`)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the source was opened", src)
		}
		require.ErrorIs(t, err, pipeline.ErrRunFailed, src)
		require.Contains(t, taskErr(t, sum), "refused", src)
	}
	s, err := sqlstore.Open(context.Background(), b.dbURL, nil)
	require.NoError(t, err)
	defer s.Close()
	ok, err := s.TableExists(context.Background(), "leak")
	require.NoError(t, err)
	require.False(t, ok)
}

// TestParamsRefusedAtBuild: task params naming what the operator did not
// configure fail when the pipeline is built, before any run.
func TestParamsRefusedAtBuild(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.registry(t)
	bad := []string{
		`{"source": "people.csv", "target": "env:DB"}`,
		`{"source": "/etc/passwd", "target": "db"}`,
		`{"source": "people.csv", "target": "sqlite::memory:"}`,
		`{"source": "people.csv", "target": "db", "schema": "http://169.254.169.254/x"}`,
		`{"source": "people.csv", "target": "db", "mode": "merge"}`,
	}
	for _, params := range bad {
		_, err := r.Load([]byte(`{"name": "p", "tasks": [{"name": "t", "type": "load", "params": ` + params + `}]}`))
		require.Error(t, err, params)
	}
	for _, params := range []string{
		`{"db": "db", "table": "t", "bucket": "files", "key": "../x.avro"}`,
		`{"db": "db", "table": "t", "bucket": "file:///tmp", "key": "x.avro"}`,
		`{"db": "env:DB", "table": "t", "bucket": "files", "key": "x.avro"}`,
		`{"db": "db", "table": "t", "bucket": "files", "key": "/abs.avro"}`,
	} {
		_, err := r.Load([]byte(`{"name": "p", "tasks": [{"name": "t", "type": "backup", "params": ` + params + `}]}`))
		require.Error(t, err, params)
	}
	_, err := r.Load([]byte(`{"name": "p", "tasks": [{"name": "t", "type": "sql", "params": {"db": "sqlite::memory:", "statements": ["SELECT 1"]}}]}`))
	require.Error(t, err)
	_, err = r.Load([]byte(`{"name": "p", "tasks": [{"name": "t", "type": "sleep", "params": {"duration": "-1s"}}]}`))
	require.Error(t, err)
}

// TestSpecPipeline: load, view, backup and restore by connection names;
// the backup lands under backups/ of the named bucket.
func TestSpecPipeline(t *testing.T) {
	t.Parallel()
	b := setup(t)
	spec := `{"name": "nightly", "tasks": [
	  {"name": "load", "type": "load", "params": {"source": "people.csv", "target": "db", "schema": "people.schema.json", "table": "people"}},
	  {"name": "view", "type": "sql", "depends_on": ["load"], "params": {"db": "db", "statements": ["CREATE VIEW people_v AS SELECT * FROM people"]}},
	  {"name": "backup", "type": "backup", "depends_on": ["view"], "params": {"db": "db", "table": "people", "bucket": "files", "key": "people/1.avro"}},
	  {"name": "restore", "type": "restore", "depends_on": ["backup"], "params": {"db": "db", "table": "people_copy", "bucket": "files", "key": "people/1.avro"}},
	  {"name": "nap", "type": "sleep", "params": {"duration": "1ms"}},
	  {"name": "done", "type": "noop", "depends_on": ["restore", "nap"]}
	]}`
	p, err := b.registry(t).Load([]byte(spec))
	require.NoError(t, err)
	sum, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: b.be})
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.Equal(t, 3, b.count(t, "people_copy"))
	require.Equal(t, 3, b.count(t, "people_v"))
	_, err = os.Stat(filepath.Join(b.dir, "backups", "backups", "people", "1.avro"))
	require.NoError(t, err)
}

func TestTypes(t *testing.T) {
	t.Parallel()
	r := pipeline.NewRegistry()
	require.NoError(t, tasks.Register(r, nil))
	names := map[string]bool{}
	for _, tt := range r.Types() {
		names[tt.Name] = true
		if tt.ParamsSchema != nil {
			require.True(t, json.Valid(tt.ParamsSchema), tt.Name)
		}
	}
	for _, n := range []string{"load", "backup", "restore", "sql", "http_to_table", "sleep", "noop", aircan.TypePrefix + aircan.TaskFetch} {
		require.True(t, names[n], n)
	}
	require.Error(t, tasks.Register(r, nil), "registering twice")
	err := tasks.Register(pipeline.NewRegistry(), &tasks.Options{CKANSite: "nope"})
	require.ErrorIs(t, err, connection.ErrNotConfigured)
}

func TestAirCanConfig(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	conns := &connection.Set{
		CKANSites: map[string]connection.CKANSite{
			"portal": {URL: "https://ckan.example.org", APIKey: "k1", DatastoreURL: "postgres://w:pw@db/ds"},
			"other":  {URL: "https://other.example.org/", APIKey: "k2"},
		},
		Roots: map[string]string{"uploads": root},
	}
	cfg, err := tasks.AirCanConfig(&tasks.Options{Connections: conns, CKANSite: "portal", CKANFileRoot: "uploads"})
	require.NoError(t, err)
	require.Equal(t, "https://ckan.example.org", cfg.SiteURL)
	require.Equal(t, "k1", cfg.APIKey.Reveal())
	require.Equal(t, "postgres://w:pw@db/ds", cfg.PostgresURL.Reveal())
	require.Equal(t, root, cfg.FileRoot)
	cred, ok := cfg.Sites("https://OTHER.example.org")
	require.True(t, ok)
	require.Equal(t, "k2", cred.APIKey.Reveal())
	_, ok = cfg.Sites("https://evil.example.org")
	require.False(t, ok)
	_, err = tasks.AirCanConfig(&tasks.Options{Connections: conns, CKANFileRoot: "nope"})
	require.Error(t, err)
}

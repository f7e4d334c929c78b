package tasks_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/stretchr/testify/require"
)

// gzipped is testdata/people.csv gzipped.
func gzipped(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/people.csv")
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// TestLoadSourceLocations: a load reads a gzipped CSV over HTTP from an
// allowed host, from a bucket connection by name (a file:// bucket) and by
// a file:// URL inside a root.
func TestLoadSourceLocations(t *testing.T) {
	t.Parallel()
	gz := gzipped(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(gz) }))
	defer srv.Close()
	b := setup(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	b.conns.AllowHosts = []string{u.Host}
	inbox := filepath.Join(b.dir, "inbox")
	require.NoError(t, os.MkdirAll(filepath.Join(inbox, "2026"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(inbox, "2026", "people.csv.gz"), gz, 0o644))
	b.conns.Buckets["inbox"] = connection.Bucket{URL: "file://" + inbox}
	root := b.conns.Roots[connection.DefaultName]
	require.NoError(t, os.WriteFile(filepath.Join(root, "people.csv.gz"), gz, 0o644))

	for table, conf := range map[string]string{
		"http":   `{"source": "` + srv.URL + `/people.csv.gz", "target": "db", "schema": "people.schema.json", "table": "http"}`,
		"bucket": `{"source": "2026/people.csv.gz", "bucket": "inbox", "target": "db", "schema": "people.schema.json", "table": "bucket"}`,
		"file":   `{"source": "file://` + filepath.Join(root, "people.csv.gz") + `", "target": "db", "table": "file"}`,
	} {
		sum, err := b.runLoad(t, conf)
		require.NoError(t, err, table)
		require.Equal(t, pipeline.StateSuccess, sum.State)
		if table == "file" { // inferred schema: every row fits
			require.Equal(t, 5, b.count(t, table))
			continue
		}
		require.Equal(t, 3, b.count(t, table), table)
	}
}

// TestRemoteSourceRefused: a conf cannot make the service fetch a host
// off the allow-list (also through a redirect), a raw bucket URL, a
// bucket that is not configured, a key out of the bucket, or a file://
// path outside the roots; nothing is fetched from the unlisted host.
func TestRemoteSourceRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("id\n1\n"))
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.RedirectHandler(other.URL+"/secret.csv", http.StatusFound))
	defer redirector.Close()
	b := setup(t)
	ru, err := url.Parse(redirector.URL)
	require.NoError(t, err)
	b.conns.AllowHosts = []string{ru.Host}
	for _, conf := range []string{
		`{"source": "` + other.URL + `/x.csv", "target": "db"}`,
		`{"source": "` + redirector.URL + `/x.csv", "target": "db"}`,
		`{"source": "s3://bucket/key.csv", "target": "db"}`,
		`{"source": "gs://bucket/key.csv", "target": "db"}`,
		`{"source": "key.csv", "bucket": "nope", "target": "db"}`,
		`{"source": "../backups/x.csv", "bucket": "files", "target": "db"}`,
		`{"source": "file:///etc/passwd", "target": "db"}`,
		`{"source": "file://otherhost/etc/passwd", "target": "db"}`,
	} {
		sum, err := b.runLoad(t, conf)
		require.ErrorIs(t, err, pipeline.ErrRunFailed, conf)
		require.NotEmpty(t, taskErr(t, sum))
	}
	require.Zero(t, hits.Load(), "the unlisted host was fetched")
}

// TestLoadSourceSizeLimit: MaxSourceBytes stops a load, nothing written.
func TestLoadSourceSizeLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := tasksLoadPipelineWithLimit(b, 16)
	require.NoError(t, err)
	sum, err := pipeline.Run(t.Context(), p, []byte(`{"source": "people.csv", "target": "db", "schema": "people.schema.json", "table": "small"}`),
		&pipeline.RunOptions{Backend: b.be})
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	require.Contains(t, taskErr(t, sum), "size limit")
}

func tasksLoadPipelineWithLimit(b *bundle, n int64) (*pipeline.Pipeline, error) {
	return tasks.LoadPipeline(&tasks.Options{Connections: b.conns, MaxSourceBytes: n})
}

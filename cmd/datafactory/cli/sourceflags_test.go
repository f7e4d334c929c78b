package cli_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

// remoteFixtures serves testdata/people.csv gzipped over HTTP and writes
// it zipped to a temp dir; it returns the gzip URL and the zip's file URL.
func remoteFixtures(t *testing.T) (gzURL, zipURL string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/people.csv")
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/files/people.csv.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(gz.Bytes())
	}))
	t.Cleanup(srv.Close)

	path := filepath.Join(t.TempDir(), "people.zip")
	f, err := os.Create(path)
	require.NoError(t, err)
	arc := zip.NewWriter(f)
	m, err := arc.Create("data/people.csv")
	require.NoError(t, err)
	_, err = m.Write(raw)
	require.NoError(t, err)
	require.NoError(t, arc.Close())
	require.NoError(t, f.Close())
	return srv.URL + "/files/people.csv.gz", "file://" + filepath.ToSlash(path)
}

func TestSourcesByURL(t *testing.T) {
	t.Parallel()
	gzURL, zipURL := remoteFixtures(t)
	for _, db := range databases {
		t.Run("load gz over http "+db.name, func(t *testing.T) {
			t.Parallel()
			u := db.url(t)
			r := runCLI(t, map[string]string{"DB": u}, "load", gzURL, "env:DB", "--schema", "testdata/people.schema.json")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, "people: 5 rows read, 3 written, 2 rejected")
			require.Equal(t, 3, countRows(t, u, "people"))
		})
	}
	t.Run("load zip by file URL", func(t *testing.T) {
		t.Parallel()
		u := sqliteURL(t)
		r := runCLI(t, map[string]string{"DB": u}, "load", zipURL, "env:DB", "--schema", "testdata/people.schema.json", "--table", "zipped")
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		require.Equal(t, 3, countRows(t, u, "zipped"))
	})
	t.Run("validate", func(t *testing.T) {
		t.Parallel()
		for _, src := range []string{gzURL, zipURL} {
			r := runCLI(t, nil, "validate", src, "--schema", "testdata/people.schema.json")
			require.Equal(t, cli.ExitRefused, r.code, r.stdout+r.stderr)
			require.Contains(t, r.stdout, "people: INVALID: 5 rows, 3 valid, 2 invalid", src)
		}
	})
	t.Run("infer", func(t *testing.T) {
		t.Parallel()
		for _, src := range []string{gzURL, zipURL} {
			r := runCLI(t, nil, "infer", src)
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, `"name": "age"`, src)
		}
	})
	t.Run("size limit", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, nil, "infer", gzURL, "--max-bytes", "20")
		require.Equal(t, cli.ExitError, r.code)
		require.Contains(t, r.stderr, "over the size limit")
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, nil, "infer", gzURL+".nope")
		require.Equal(t, cli.ExitError, r.code)
		require.Contains(t, r.stderr, "404")
	})
}

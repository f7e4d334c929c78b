package connection_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	env := map[string]string{"DW_PASSWORD": secret, "CKAN_KEY": secret + "-key"}
	cfg := fmt.Sprintf(`{
	  "databases": {"warehouse": {"url": "postgres://etl@db:5432/dw", "password_env": "DW_PASSWORD"}},
	  "ckan_sites": {"portal": {"url": "https://ckan.example.org", "api_key_env": "CKAN_KEY", "package_id": "p", "chunk_bytes": 500000}},
	  "buckets": {"runs": {"url": "mem://"}},
	  "roots": {"uploads": %q},
	  "allow_hosts": ["replica:5432"]
	}`, root)
	s, err := connection.ParseConfig([]byte(cfg), func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, secret, s.Databases["warehouse"].Password.Reveal())
	require.Equal(t, secret+"-key", s.CKANSites["portal"].APIKey.Reveal())
	require.Equal(t, "p", s.CKANSites["portal"].PackageID)
	require.Equal(t, 500000, s.CKANSites["portal"].ChunkBytes)
	require.Equal(t, []string{"replica:5432"}, s.AllowHosts)
	out, err := json.Marshal(s)
	require.NoError(t, err)
	require.NotContains(t, string(out), secret)
	require.NotContains(t, fmt.Sprintf("%v %+v %#v", s, *s, *s), secret)

	bad := []string{
		`{"databases": {"w": {"url": "postgres://etl:` + secret + `@db/dw"}}}`,
		`{"databses": {}}`,
		`{"roots": {"r": "/proc"}}`,
		`{"ckan_sites": {"c": {"url": "not a url"}}}`,
		`{"ckan_sites": {"c": {"url": "https://ckan.example.org", "chunk_bytes": -1}}}`,
		`{"ckan_sites": {"c": {"url": "https://ckan.example.org", "chunk_bytes": 99999999999}}}`,
		`[`,
	}
	for _, c := range bad {
		_, err := connection.ParseConfig([]byte(c), func(k string) string { return env[k] })
		require.Error(t, err, c)
		require.NotContains(t, err.Error(), secret)
	}
}

func TestOpenEmbedded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "new", "dir")
	e, err := connection.OpenEmbedded(ctx, dir)
	require.NoError(t, err)
	defer e.Close()
	require.NoError(t, e.Bucket.WriteAll(ctx, "k", []byte("v"), nil))
	_, err = os.Stat(filepath.Join(dir, "bucket", "k"))
	require.NoError(t, err)
	ok, err := e.Store.TableExists(ctx, "t")
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, e.Connections.Validate())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "files", "a.csv"), []byte("x\n"), 0o644))
	_, err = e.Connections.Path("a.csv")
	require.NoError(t, err)
	_, err = e.Status.Summary(ctx, "nope")
	require.Error(t, err)
}

package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

func TestLoadIntoCKAN(t *testing.T) {
	t.Parallel()
	srv := ckantest.NewServer(nil)
	t.Cleanup(srv.Close)
	ds, err := srv.AddDataset(ckantest.Dataset{Name: "people-ds"})
	require.NoError(t, err)
	res, err := srv.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "people.csv", URLType: "upload", Format: "CSV"})
	require.NoError(t, err)
	target := "ckan+" + srv.URL() + "/?package_id=" + ds.ID + "&resources=people:" + res
	env := map[string]string{cli.EnvCKANAPIKey: srv.SysadminToken()}

	r := runCLI(t, env, "load", "testdata/people.csv", target, "--schema", "testdata/people.schema.json", "--table", "people")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "people: 5 rows read, 3 written, 2 rejected")
	require.NotContains(t, r.stdout+r.stderr, srv.SysadminToken())

	c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
	require.NoError(t, err)
	out, err := c.DatastoreSearch(context.Background(), &ckan.SearchRequest{ResourceID: res})
	require.NoError(t, err)
	require.EqualValues(t, 3, *out.Total)

	// replace mode keeps 3 rows; without a token CKAN refuses the write
	r = runCLI(t, env, "load", "testdata/people_valid.csv", target, "--schema", "testdata/people.schema.json", "--table", "people", "--mode", "replace")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	r = runCLI(t, nil, "load", "testdata/people_valid.csv", target, "--schema", "testdata/people.schema.json", "--table", "people")
	require.Equal(t, cli.ExitError, r.code, r.stdout+r.stderr)
	require.Equal(t, cli.ExitError, runCLI(t, env, "load", "testdata/people.csv", "ckan+ftp://x").code)
	require.Equal(t, cli.ExitError, runCLI(t, env, "load", "testdata/people.csv", "ckan+https://u:p@x/?package_id=a").code)
}

// TestCKANChunkBytesFromTarget: chunk_bytes in the target URL sets the
// request budget: behind a 64 KiB body limit a load with chunk_bytes=32000
// gets no 413; with the default budget (900 KiB) the proxy refuses
// requests and the load only succeeds by splitting them. Bad values and
// unknown parameters are refused before anything is sent.
func TestCKANChunkBytesFromTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "wide.csv")
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "%d,%s\n", i, strings.Repeat("w", 200))
	}
	require.NoError(t, os.WriteFile(csvPath, []byte(b.String()), 0o600))
	for _, tc := range []struct {
		query     string
		tooLarge  bool
		tableName string
	}{{"&chunk_bytes=32000", false, "budget"}, {"", true, "default"}} {
		srv := ckantest.NewServer(&ckantest.Options{MaxBodyBytes: 64 << 10})
		t.Cleanup(srv.Close)
		ds, err := srv.AddDataset(ckantest.Dataset{Name: "wide-ds"})
		require.NoError(t, err)
		env := map[string]string{cli.EnvCKANAPIKey: srv.SysadminToken()}
		target := "ckan+" + srv.URL() + "/?package_id=" + ds.ID + tc.query
		r := runCLI(t, env, "load", csvPath, target, "--table", tc.tableName)
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		require.Contains(t, r.stdout, "2000 rows read, 2000 written")
		require.Equal(t, tc.tooLarge, srv.TooLarge() > 0, "%q: %d answers 413", tc.query, srv.TooLarge())
	}
	for _, q := range []string{"&chunk_bytes=0", "&chunk_bytes=x", "&chunk_bytes=99999999999", "&chunks=5"} {
		r := runCLI(t, nil, "load", csvPath, "ckan+https://ckan.invalid/?package_id=a"+q)
		require.Equal(t, cli.ExitError, r.code, q)
		require.Contains(t, r.stderr, "CKAN target", q)
	}
}

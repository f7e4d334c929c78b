package cli_test

import (
	"context"
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

package cli_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

func TestLoadDatabases(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			u := db.url(t)
			rejects := filepath.Join(t.TempDir(), "rejects.csv")
			r := runCLI(t, nil, "load", "testdata/people.csv", "env:DB", "--schema", "testdata/people.schema.json",
				"--rejects", rejects, "--table", "people")
			// the URL is given through env:DB so a password never reaches the args
			require.Equal(t, cli.ExitError, r.code, "env:DB unset: %s", r.stderr)

			r = runCLI(t, map[string]string{"DB": u}, "load", "testdata/people.csv", "env:DB",
				"--schema", "testdata/people.schema.json", "--rejects", rejects, "--table", "people")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, "people: 5 rows read, 3 written, 2 rejected")
			require.Equal(t, 3, countRows(t, u, "people"))
			recs := readCSV(t, rejects)
			require.Len(t, recs, 3)
			require.Equal(t, []string{"row", "line", "field", "value", "reason", "raw", "stage"}, recs[0])
			require.Equal(t, "3", recs[1][0])
			require.Equal(t, "name", recs[1][2])
			require.Equal(t, "age", recs[2][2])

			// upsert of the same rows keeps 3; replace with the valid file keeps 3
			r = runCLI(t, map[string]string{"DB": u}, "load", "testdata/people_valid.csv", "env:DB",
				"--schema", "testdata/people.schema.json", "--table", "people", "--mode", "upsert")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Equal(t, 3, countRows(t, u, "people"))
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return recs
}

func TestLoadExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     func(db string) []string
		env      map[string]string
		code     int
		stderr   string
		rows     int // rows in "people" afterwards, -1: table absent
		noSecret string
	}{
		{"csv with inferred schema", func(db string) []string {
			return []string{"load", "testdata/people_valid.csv", db, "--table", "people"}
		}, nil, cli.ExitOK, "", 3, ""},
		{"resource descriptor", func(db string) []string {
			return []string{"load", "testdata/people.resource.json", db}
		}, nil, cli.ExitOK, "", 3, ""},
		{"data package, one resource", func(db string) []string {
			return []string{"load", "testdata/datapackage.json", db, "--resource", "people"}
		}, nil, cli.ExitOK, "", 3, ""},
		{"rejects over the limit write nothing", func(db string) []string {
			return []string{"load", "testdata/people.csv", db, "--schema", "testdata/people.schema.json", "--table", "people", "--max-rejects", "1"}
		}, nil, cli.ExitRefused, "too many rejected rows", -1, ""},
		{"no rejects allowed", func(db string) []string {
			return []string{"load", "testdata/people.csv", db, "--schema", "testdata/people.schema.json", "--table", "people", "--max-rejects", "-1"}
		}, nil, cli.ExitRefused, "too many rejected rows", -1, ""},
		{"rejects under the limit", func(db string) []string {
			return []string{"load", "testdata/people.csv", db, "--schema", "testdata/people.schema.json", "--table", "people", "--max-rejects", "2"}
		}, nil, cli.ExitOK, "", 3, ""},
		{"bad mode", func(db string) []string {
			return []string{"load", "testdata/people.csv", db, "--mode", "merge"}
		}, nil, cli.ExitError, "--mode", -1, ""},
		{"missing file", func(db string) []string {
			return []string{"load", "testdata/nope.csv", db}
		}, nil, cli.ExitError, "no such file", -1, ""},
		{"missing argument", func(string) []string {
			return []string{"load", "testdata/people.csv"}
		}, nil, cli.ExitError, "accepts 2 arg", -1, ""},
		{"password on the command line", func(string) []string {
			return []string{"load", "testdata/people.csv", "postgres://bob:hunter2@127.0.0.1:1/db"}
		}, nil, cli.ExitError, "DATAFACTORY_DB_PASSWORD", -1, "hunter2"},
		{"password parameter on the command line", func(string) []string {
			return []string{"load", "testdata/people.csv", "postgres://bob@127.0.0.1:1/db?password=hunter2"}
		}, nil, cli.ExitError, "DATAFACTORY_DB_PASSWORD", -1, "hunter2"},
		{"password in a MySQL URL on the command line", func(string) []string {
			return []string{"load", "testdata/people.csv", "mysql://bob:hunter2@127.0.0.1:1/db"}
		}, nil, cli.ExitError, "DATAFACTORY_DB_PASSWORD", -1, "hunter2"},
		{"password from the environment is not printed", func(string) []string {
			return []string{"load", "testdata/people.csv", "postgres://bob@127.0.0.1:1/db?connect_timeout=1"}
		}, map[string]string{cli.EnvDBPassword: "s3cr3tpw"}, cli.ExitError, "connect to postgres://bob:xxxxx@127.0.0.1:1/db", -1, "s3cr3tpw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := sqliteURL(t)
			r := runCLI(t, tt.env, tt.args(db)...)
			require.Equal(t, tt.code, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
			require.Contains(t, r.stderr, tt.stderr)
			if tt.noSecret != "" {
				require.NotContains(t, r.stdout+r.stderr, tt.noSecret)
			}
			if !strings.Contains(tt.name, "password") && tt.name != "missing argument" && tt.name != "bad mode" && tt.name != "missing file" {
				if tt.rows < 0 {
					require.False(t, tableExists(t, db, "people"))
				} else {
					require.Equal(t, tt.rows, countRows(t, db, "people"))
				}
			}
		})
	}
}

func TestLoadDataPackageAllResources(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	r := runCLI(t, nil, "load", "testdata/datapackage.json", db, "--rejects-table")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "total: 8 rows read, 6 written, 2 rejected")
	require.Equal(t, 3, countRows(t, db, "people"))
	require.Equal(t, 3, countRows(t, db, "people_all"))
	require.Equal(t, 2, countRows(t, db, "people_all__rejects"))
	r = runCLI(t, nil, "load", "testdata/datapackage.json", db, "--table", "x")
	require.Equal(t, cli.ExitError, r.code)
	require.Contains(t, r.stderr, "--table needs a single resource")
}

func TestLoadProgressOnTerminal(t *testing.T) {
	t.Parallel()
	var out, errb strings.Builder
	m := &cli.Main{Stdout: &out, Stderr: &errb, Terminal: true}
	code := m.Run(t.Context(), []string{"load", "testdata/people_valid.csv", sqliteURL(t)})
	require.Equal(t, cli.ExitOK, code, errb.String())
	require.Contains(t, errb.String(), "people_valid: 3 rows")
	require.Contains(t, errb.String(), "100%")
}

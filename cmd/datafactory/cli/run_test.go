package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	loadConf := `{"source": "people.csv", "target": "default", "schema": "people.schema.json", "table": "people"}`
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"spec file", []string{"run", "testdata/noop.yaml"}, cli.ExitOK, []string{"first", "second", "SUCCESS"}},
		{"failing task", []string{"run", "testdata/failing.json"}, cli.ExitRefused, []string{"bad_sql", "FAILED", "after", "SKIPPED"}},
		{"built-in load", []string{"run", "load", "--conf", loadConf}, cli.ExitOK, []string{"load", "SUCCESS"}},
		{"conf from a file", []string{"run", "load", "--conf", "@testdata/loadconf.json"}, cli.ExitOK, []string{"SUCCESS"}},
		{"missing conf file", []string{"run", "load", "--conf", "@testdata/nope.json"}, cli.ExitError, nil},
		{"invalid conf", []string{"run", "load", "--conf", `{"source": 1}`}, cli.ExitError, nil},
		{"conf not JSON", []string{"run", "load", "--conf", `{`}, cli.ExitError, nil},
		{"bad params", []string{"run", "testdata/badparams.json"}, cli.ExitError, nil},
		{"unknown pipeline", []string{"run", "nope"}, cli.ExitError, nil},
		{"missing spec", []string{"run", "testdata/nope.yaml"}, cli.ExitError, nil},
	}
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := runCLI(t, operatorEnv(t, map[string]string{cli.EnvDBURL: db}), tt.args...)
				require.Equal(t, tt.code, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
				for _, s := range tt.want {
					require.Contains(t, r.stdout, s)
				}
			})
		}
	})
	require.Equal(t, 3, countRows(t, db, "people"))
	require.Equal(t, 2, countRows(t, db, "people__rejects"))
	require.Equal(t, 3, countRows(t, db, "people_from_file"))
}

func TestRunRecordsStatus(t *testing.T) {
	t.Parallel()
	st := "sqlite://" + filepath.Join(t.TempDir(), "status.db")
	env := operatorEnv(t, map[string]string{cli.EnvStatusURL: st})
	r := runCLI(t, env, "run", "testdata/noop.yaml", "--run-id", "run-42")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	r = runCLI(t, env, "status", "run-42", "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	var sum map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sum))
	require.Equal(t, true, sum["done"])
	require.Equal(t, "OK", sum["trace_event_status"])
	r = runCLI(t, env, "status", "run-42", "--history")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "first")
	require.Contains(t, r.stdout, "second")

	r = runCLI(t, env, "run", "testdata/failing.json", "--run-id", "run-43")
	require.Equal(t, cli.ExitRefused, r.code)
	r = runCLI(t, env, "status", "run-43", "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, `"trace_event_status": "FAILED"`)
}

func TestTaskRunOneByOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bucket"), 0o755))
	env := operatorEnv(t, map[string]string{cli.EnvBucketURL: "file://" + filepath.Join(dir, "bucket"),
		cli.EnvStatusURL: "sqlite://" + filepath.Join(dir, "status.db")})
	r := runCLI(t, env, "task", "create", "testdata/noop.yaml", "--run", "r1")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Equal(t, "r1", strings.TrimSpace(r.stdout))

	r = runCLI(t, env, "task", "run", "testdata/noop.yaml", "--run", "r1", "--task", "second")
	require.Equal(t, cli.ExitError, r.code, "upstream not done: %s", r.stdout)
	for _, task := range []string{"first", "second"} {
		r = runCLI(t, env, "task", "run", "testdata/noop.yaml", "--run", "r1", "--task", task)
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		require.Contains(t, r.stdout, "SUCCESS")
	}
	r = runCLI(t, env, "task", "finish", "testdata/noop.yaml", "--run", "r1")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "run r1: SUCCESS")
	r = runCLI(t, env, "status", "r1", "--format", "json")
	require.Contains(t, r.stdout, `"done": true`)

	// failures: no bucket, missing flags, unknown task, failing task
	require.Equal(t, cli.ExitError, runCLI(t, nil, "task", "run", "testdata/noop.yaml", "--run", "r1", "--task", "first").code)
	require.Equal(t, cli.ExitError, runCLI(t, env, "task", "run", "testdata/noop.yaml", "--run", "r1").code)
	require.Equal(t, cli.ExitError, runCLI(t, env, "task", "run", "testdata/noop.yaml", "--run", "r1", "--task", "nope").code)
	r = runCLI(t, env, "task", "create", "testdata/failing.json", "--run", "r2")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Equal(t, cli.ExitRefused, runCLI(t, env, "task", "run", "testdata/failing.json", "--run", "r2", "--task", "bad_sql").code)
}

func TestTasks(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "tasks", "--format", "json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	var types []struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"params_json_schema"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &types))
	names := map[string]json.RawMessage{}
	for _, tt := range types {
		names[tt.Name] = tt.Schema
	}
	for _, n := range []string{"load", "backup", "restore", "sql", "noop", "sleep"} {
		require.Contains(t, names, n)
	}
	require.Contains(t, string(names["load"]), `"required"`)
	r = runCLI(t, nil, "tasks")
	require.Equal(t, cli.ExitOK, r.code)
	require.Contains(t, r.stdout, "load\t")
	require.Equal(t, cli.ExitError, runCLI(t, nil, "tasks", "--format", "xml").code)
	require.Equal(t, cli.ExitError, runCLI(t, nil, "nope").code)
}

// TestRunConfNamesConnections: a conf given to run names the operator's
// connections; an env: reference, a raw URL or a path out of the root is
// refused, and the secret behind the variable is never printed, while the
// same URL as a command-line argument is the operator's and works.
func TestRunConfNamesConnections(t *testing.T) {
	t.Parallel()
	const secret = "tok-3c59dc048e8850243be8079a5c74d079"
	db := sqliteURL(t)
	env := operatorEnv(t, map[string]string{cli.EnvDBURL: db, cli.EnvToken: secret, "DB": db})
	for _, conf := range []string{
		`{"source": "people_valid.csv", "target": "env:DATAFACTORY_TOKEN"}`,
		`{"source": "people_valid.csv", "target": "env:DB"}`,
		`{"source": "people_valid.csv", "target": "` + db + `"}`,
		`{"source": "/etc/passwd", "target": "default", "table": "leak"}`,
		`{"source": "../run_test.go", "target": "default", "table": "leak"}`,
	} {
		r := runCLI(t, env, "run", "load", "--conf", conf)
		require.Equal(t, cli.ExitRefused, r.code, "%s\n%s\n%s", conf, r.stdout, r.stderr)
		require.Contains(t, r.stdout, "refused", conf)
		require.NotContains(t, r.stdout+r.stderr, secret)
	}
	require.False(t, tableExists(t, db, "leak"))
	require.False(t, tableExists(t, db, "people_valid"))
	r := runCLI(t, env, "load", "testdata/people_valid.csv", "env:DB")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Equal(t, 3, countRows(t, db, "people_valid"))
}

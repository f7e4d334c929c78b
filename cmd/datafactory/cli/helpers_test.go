package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// result is what one in-process invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the tool in-process with env as its whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := m.Run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// operatorEnv adds the operator's connections of the tests to env: the
// connections file testdata/connections.json (database "scratch") and
// testdata as the file root "default".
func operatorEnv(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	root, err := filepath.Abs("testdata")
	require.NoError(t, err)
	out := map[string]string{cli.EnvConnections: filepath.Join(root, "connections.json"), cli.EnvFileRoot: root}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// sqliteURL is a fresh SQLite database in the test's temp dir.
func sqliteURL(t *testing.T) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
}

// databases are the targets each load test runs on.
var databases = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"sqlite", sqliteURL},
	{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }},
	{"mysql", func(t *testing.T) string { return testutil.MySQLURL(t) }},
}

// countRows opens the store and counts the rows of table.
func countRows(t *testing.T, dbURL, table string) int {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dbURL, nil)
	require.NoError(t, err)
	defer s.Close()
	n := 0
	_, err = s.ReadRows(context.Background(), table, func(frictionless.Row) error { n++; return nil })
	require.NoError(t, err)
	return n
}

// tableExists reports whether table exists.
func tableExists(t *testing.T, dbURL, table string) bool {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dbURL, nil)
	require.NoError(t, err)
	defer s.Close()
	ok, err := s.TableExists(context.Background(), table)
	require.NoError(t, err)
	return ok
}

var _ = datastore.ModeAppend

// lines splits output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

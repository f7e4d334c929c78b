package importrules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/internal/importrules"
	"github.com/stretchr/testify/require"
)

// TestModuleImportRules runs the rules on the module as it is.
func TestModuleImportRules(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-json=ImportPath,Imports,Module", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	pkgs, err := importrules.Decode(bytes.NewReader(out))
	require.NoError(t, err)
	require.Greater(t, len(pkgs), 20, "go list saw the module")
	var lines []string
	for _, v := range importrules.Check(pkgs) {
		lines = append(lines, v.String())
	}
	require.Empty(t, lines, "import rules broken:\n%s", strings.Join(lines, "\n"))
}

const mod = "example.com/m"

// fake builds go list records: the module's packages (by their path in the
// module), outside ones (by full path, with a dot) and the standard
// library's (std:name), each with its imports.
func fake(t *testing.T, graph map[string][]string) []importrules.Package {
	t.Helper()
	full := func(p string) string {
		if std, ok := strings.CutPrefix(p, "std:"); ok {
			return std
		}
		if strings.Contains(p, ".") {
			return p
		}
		return mod + "/" + p
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for p, imps := range graph {
		rec := map[string]any{"ImportPath": full(p)}
		var paths []string
		for _, i := range imps {
			paths = append(paths, full(i))
		}
		rec["Imports"] = paths
		switch {
		case strings.HasPrefix(p, "std:"):
		case strings.Contains(p, "."):
			rec["Module"] = map[string]any{"Path": p}
		default:
			rec["Module"] = map[string]any{"Path": mod, "Main": true}
		}
		require.NoError(t, enc.Encode(rec))
	}
	pkgs, err := importrules.Decode(&buf)
	require.NoError(t, err)
	return pkgs
}

// TestRulesCatchEachViolation feeds the checker a fake graph that breaks
// each rule and one that breaks none.
func TestRulesCatchEachViolation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		graph map[string][]string
		want  []string
	}{
		{"clean", map[string][]string{
			"frictionless": {"std:errors"}, "datastore": {"frictionless"}, "datastore/sqlstore": {"datastore", "github.com/jackc/pgx/v5/stdlib"},
			"github.com/jackc/pgx/v5/stdlib": nil, "pipeline": {"storage", "status"}, "storage": nil, "status": nil,
			"status/statushttp": {"status"}, "service": {"status/statushttp", "pipeline"}, "cmd/app": {"service", "cmd/app/cli"},
			"cmd/app/cli": {"datastore/sqlstore"}, "examples/demo": {"status/statushttp"}, "std:errors": nil,
		}, nil},
		{"cmd imported from outside", map[string][]string{
			"examples/demo": {"cmd/app/cli"}, "cmd/app/cli": nil,
		}, []string{"nothing outside cmd/ imports cmd/: examples/demo -> cmd/app/cli"}},
		{"datastore imports avrobak through an adapter", map[string][]string{
			"datastore/ingesthttp": {"avrobak"}, "avrobak": {"datastore"}, "datastore": nil,
		}, []string{"datastore/ never imports pipeline, avrobak or ckan/aircan: datastore/ingesthttp -> avrobak"}},
		{"datastore imports pipeline and aircan", map[string][]string{
			"datastore/ckanstore": {"ckan/aircan"}, "ckan/aircan": {"pipeline/schedule"}, "pipeline/schedule": nil,
		}, []string{
			"datastore/ never imports pipeline, avrobak or ckan/aircan: datastore/ckanstore -> ckan/aircan",
		}},
		{"frictionless imports the module", map[string][]string{
			"frictionless": {"internal/x"}, "internal/x": nil,
		}, []string{"frictionless imports nothing else of the module: frictionless -> internal/x"}},
		{"pipeline links a driver through a helper", map[string][]string{
			"pipeline": {"internal/sqlurl"}, "internal/sqlurl": {"github.com/go-sql-driver/mysql", "modernc.org/sqlite"},
			"github.com/go-sql-driver/mysql": nil, "modernc.org/sqlite": {"modernc.org/sqlite/lib"}, "modernc.org/sqlite/lib": nil,
			"pipeline/schedule": {"github.com/go-sql-driver/mysql"},
		}, []string{
			"pipeline (the core) links no SQL driver: pipeline -> internal/sqlurl -> github.com/go-sql-driver/mysql",
			"pipeline (the core) links no SQL driver: pipeline -> internal/sqlurl -> modernc.org/sqlite",
		}},
		{"a served package imports its adapter", map[string][]string{
			"status": {"status/statushttp"}, "status/statushttp": nil, "storage": {"service"}, "service": nil,
			"pipeline/pipelinehttp": {"status/statushttp"}, "service/ui": {"service"},
		}, []string{
			"adapters are imported only by adapters, cmd/ and examples/: status -> status/statushttp",
			"adapters are imported only by adapters, cmd/ and examples/: storage -> service",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range importrules.Check(fake(t, tc.graph)) {
				got = append(got, v.String())
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeRefusesGarbage(t *testing.T) {
	t.Parallel()
	_, err := importrules.Decode(strings.NewReader(`{"ImportPath": "a"} {`))
	require.ErrorContains(t, err, "decode go list output")
}

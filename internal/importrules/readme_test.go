package importrules_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReadmeTourNamesEveryPackage: README's package tour names every
// public package of the module (examples have their own README), and
// every package it names exists, so the tour cannot drift from the tree.
func TestReadmeTourNamesEveryPackage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.ImportPath}}", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err)
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	tour := string(readme)
	tour = tour[strings.Index(tour, "## Packages"):]
	tour = tour[:strings.Index(tour[3:], "\n## ")+3]
	var missing []string
	pkgs := map[string]bool{}
	for _, path := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(path, "github.com/datafactory/datafactory"), "/")
		pkgs[rel] = true
		if strings.HasPrefix(rel, "examples/") || strings.HasPrefix(rel, "internal/") || rel == "cmd/datafactory/cli" {
			continue
		}
		if !strings.Contains(tour, "`"+rel+"`") {
			missing = append(missing, rel)
		}
	}
	require.Empty(t, missing, "packages README's tour does not name")
	for _, line := range strings.Split(tour, "\n") {
		name, ok := strings.CutPrefix(line, "| `")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "`")
		if name != "internal/…" {
			require.True(t, pkgs[name], "README's tour names %q, which is not a package", name)
		}
	}
}

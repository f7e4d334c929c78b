package connection_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/stretchr/testify/require"
)

// FuzzRefs resolves arbitrary references as paths and as stores. A path
// that resolves is inside a root; a store that resolves is a configured
// one or a URL to an allowed host; errors are *RefError and never carry
// the configured secret or a parse failure's raw text.
func FuzzRefs(f *testing.F) {
	for _, seed := range []string{"uploads:a.csv", "a.csv", "../x", "/etc/passwd", "/proc/self/environ",
		"env:DATAFACTORY_TOKEN", "postgres://u@replica:5432/db", "postgres://u:p@%zz/db", "uploads:sub/../a.csv",
		"uploads:escape.csv", "warehouse", "sqlite:x.db", "mysql://u@REPLICA/db", "uploads:a\x00"} {
		f.Add(seed)
	}
	base := f.TempDir()
	up := filepath.Join(base, "uploads")
	require.NoError(f, os.MkdirAll(filepath.Join(up, "sub"), 0o755))
	require.NoError(f, os.WriteFile(filepath.Join(up, "a.csv"), []byte("x\n"), 0o644))
	require.NoError(f, os.WriteFile(filepath.Join(base, "outside.csv"), []byte("x\n"), 0o644))
	require.NoError(f, os.Symlink(filepath.Join(base, "outside.csv"), filepath.Join(up, "escape.csv")))
	realUp, err := filepath.EvalSymlinks(up)
	require.NoError(f, err)
	s := &connection.Set{
		Databases:  map[string]connection.Database{"warehouse": {URL: "postgres://etl@db/dw", Password: secret}},
		Roots:      map[string]string{"uploads": up, connection.DefaultName: up},
		AllowHosts: []string{"replica:5432"},
	}
	f.Fuzz(func(t *testing.T, ref string) {
		p, err := s.Path(ref)
		if err == nil {
			require.True(t, p == realUp || strings.HasPrefix(p, realUp+string(filepath.Separator)), "%q → %q", ref, p)
		} else {
			var re *connection.RefError
			require.True(t, errors.As(err, &re), "%T", err)
		}
		c, err := s.Store(ref)
		if err != nil {
			require.True(t, errors.Is(err, connection.ErrRefused) || errors.Is(err, connection.ErrNotConfigured))
			require.NotContains(t, err.Error(), secret)
			return
		}
		if ref == "warehouse" {
			return
		}
		d, ok := c.(connection.Database)
		require.True(t, ok)
		require.Empty(t, d.Password, "no secret attached to a raw URL")
		require.NotContains(t, strings.ToLower(ref), "env:")
	})
}

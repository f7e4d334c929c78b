package connection_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/stretchr/testify/require"
)

// roots makes two roots with files, a symlink out of one, and a file
// outside both.
func roots(t *testing.T) (*connection.Set, string, string) {
	t.Helper()
	base := t.TempDir()
	up, def := filepath.Join(base, "uploads"), filepath.Join(base, "default")
	for _, d := range []string{up, def, filepath.Join(up, "sub")} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	for _, f := range []string{filepath.Join(up, "a.csv"), filepath.Join(up, "sub", "b.csv"), filepath.Join(def, "c.csv"), filepath.Join(base, "secret.txt")} {
		require.NoError(t, os.WriteFile(f, []byte("x\n1\n"), 0o644))
	}
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(up, "passwd.csv")))
	require.NoError(t, os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(up, "escape.csv")))
	require.NoError(t, os.Symlink(base, filepath.Join(up, "updir")))
	require.NoError(t, os.Symlink(filepath.Join(up, "a.csv"), filepath.Join(up, "inside.csv")))
	s := &connection.Set{Roots: map[string]string{"uploads": up, connection.DefaultName: def}}
	require.NoError(t, s.Validate())
	return s, up, def
}

func TestPath(t *testing.T) {
	t.Parallel()
	s, up, def := roots(t)
	realUp, err := filepath.EvalSymlinks(up)
	require.NoError(t, err)
	realDef, err := filepath.EvalSymlinks(def)
	require.NoError(t, err)
	ok := []struct{ ref, want string }{
		{"uploads:a.csv", filepath.Join(realUp, "a.csv")},
		{"uploads:sub/b.csv", filepath.Join(realUp, "sub", "b.csv")},
		{"c.csv", filepath.Join(realDef, "c.csv")},
		{filepath.Join(up, "a.csv"), filepath.Join(realUp, "a.csv")},
		{"uploads:inside.csv", filepath.Join(realUp, "a.csv")},
	}
	for _, tt := range ok {
		got, err := s.Path(tt.ref)
		require.NoError(t, err, tt.ref)
		require.Equal(t, tt.want, got, tt.ref)
	}
	bad := []struct {
		ref  string
		want error
	}{
		{"/proc/self/environ", connection.ErrRefused},
		{"/etc/passwd", connection.ErrRefused},
		{"uploads:../secret.txt", connection.ErrRefused},
		{"../secret.txt", connection.ErrRefused},
		{"uploads:/etc/passwd", connection.ErrRefused},
		{"uploads:passwd.csv", connection.ErrRefused},
		{"uploads:escape.csv", connection.ErrRefused},
		{"uploads:updir/secret.txt", connection.ErrRefused},
		{filepath.Join(up, "..", "secret.txt"), connection.ErrRefused},
		{"uploads:a\x00.csv", connection.ErrRefused},
		{"uploads:a\n.csv", connection.ErrRefused},
		{"nosuchroot:a.csv", connection.ErrRefused},
		{"file:///etc/passwd", connection.ErrRefused},
		{"http://example.com/a.csv", connection.ErrRefused},
		{"", connection.ErrRefused},
		{"uploads:nope.csv", connection.ErrNotConfigured},
	}
	for _, tt := range bad {
		_, err := s.Path(tt.ref)
		require.ErrorIs(t, err, tt.want, tt.ref)
	}
	// with no roots at all, nothing is readable
	_, err = (&connection.Set{}).Path("a.csv")
	require.ErrorIs(t, err, connection.ErrRefused)
}

func TestHTTPURL(t *testing.T) {
	t.Parallel()
	s := &connection.Set{AllowHosts: []string{"schemas.example.org"}}
	_, err := s.HTTPURL("https://schemas.example.org/people.json")
	require.NoError(t, err)
	for _, ref := range []string{"https://evil.example/x.json", "http://169.254.169.254/latest/meta-data",
		"https://u:p@schemas.example.org/x", "file:///etc/passwd", "ftp://schemas.example.org/x", "%zz"} {
		_, err := s.HTTPURL(ref)
		require.ErrorIs(t, err, connection.ErrRefused, ref)
	}
}

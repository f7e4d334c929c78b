package sqlstatus

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		dialect Dialect
		dsn     string
		memory  bool
	}{
		{"sqlite::memory:", SQLite, "file::memory:?" + sqlitePragmas, true},
		{"sqlite://:memory:", SQLite, "file::memory:?" + sqlitePragmas, true},
		{"sqlite:///var/lib/status.db", SQLite, "file:/var/lib/status.db?" + sqlitePragmas, false},
		{"sqlite:rel/status.db", SQLite, "file:rel/status.db?" + sqlitePragmas, false},
		{"SQLite3:///abs.db", SQLite, "file:/abs.db?" + sqlitePragmas, false},
		{"mariadb://root@db/status", MySQL, "root@tcp(db:3306)/status", false},
		{"sqlite:status.db?_pragma=cache_size(1000)", SQLite, "file:status.db?" + sqlitePragmas + "&_pragma=cache_size(1000)", false},
		{"postgres://u:p@h:5432/db?sslmode=disable", Postgres, "postgres://u:p@h:5432/db?sslmode=disable", false},
		{"postgresql://h/db", Postgres, "postgresql://h/db", false},
		{"mysql://root:pa%40ss@db.example:3307/status", MySQL, "root:pa@ss@tcp(db.example:3307)/status", false},
		{"mysql://root@localhost/status?charset=utf8mb4", MySQL, "root@tcp(localhost:3306)/status?charset=utf8mb4", false},
	}
	for _, tc := range tests {
		got, err := parseURL(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.dialect, got.dialect, tc.in)
		require.Equal(t, tc.dsn, got.dsn, tc.in)
		require.Equal(t, tc.memory, got.memory, tc.in)
	}
}

// FuzzParseURL: parsing never panics, and a password in the URL never
// appears in the error.
func TestParseURLErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"sqlite://host/rel.db", "sqlite:", "no-scheme", "mysql://u:hunter2@h:1/", "oracle://u:hunter2@h/x", "postgres://"} {
		_, err := parseURL(in)
		require.Error(t, err, in)
		require.NotContains(t, err.Error(), "hunter2", in)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range [][2]string{{"sqlite", "/a.db"}, {"postgres", "h/db"}, {"mysql", "h:1/db?x=%zz"}, {"x", "y"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, scheme, rest string) {
		if strings.Contains(scheme+rest, "hunter2") {
			return
		}
		_, err := parseURL(scheme + "://user:hunter2@" + rest)
		if err != nil {
			require.NotContains(t, err.Error(), "hunter2")
		}
		_, _ = parseURL(scheme + ":" + rest)
	})
}

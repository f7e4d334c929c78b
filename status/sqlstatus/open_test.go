package sqlstatus_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// TestOpenURLForms opens every SQLite form the store accepts (the same
// grammar as sqlstore's) and refuses the malformed ones.
func TestOpenURLForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(wd, filepath.Join(dir, "rel.db"))
	require.NoError(t, err)
	tests := []struct {
		name, url string
		ok        bool
	}{
		{"memory", "sqlite::memory:", true},
		{"memory with slashes", "sqlite://:memory:", true},
		{"absolute", "sqlite://" + filepath.Join(dir, "abs.db"), true},
		{"relative", "sqlite:" + rel, true},
		{"sqlite3 scheme", "SQLite3://" + filepath.Join(dir, "three.db"), true},
		{"driver parameters", "sqlite:" + rel + "x?_pragma=cache_size(1000)", true},
		{"host form", "sqlite://host/rel.db", false},
		{"no path", "sqlite:", false},
		{"no scheme", "status.db", false},
		{"unknown scheme", "oracle://u:hunter2@h/x", false},
		{"mysql without database", "mysql://u:hunter2@h:1/", false},
		{"postgres without host or database", "postgres://", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlstatus.Open(context.Background(), tc.url, nil)
			if !tc.ok {
				require.Error(t, err)
				require.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
			defer s.Close()
			_, err = s.StartTrace(context.Background(), status.Event{TraceID: "t1"})
			require.NoError(t, err)
		})
	}
}

// TestOpenRefusedHidesPassword: a server that refuses the connection gives
// an error naming the redacted URL, without the password.
func TestOpenRefusedHidesPassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"postgres://root:hunter2@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
		"mysql://root:hunter2@127.0.0.1:1/test?timeout=2s",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := sqlstatus.Open(ctx, raw, nil)
		cancel()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "hunter2")
		require.Contains(t, err.Error(), "root:xxxxx@127.0.0.1:1")
	}
}

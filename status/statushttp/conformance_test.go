package statushttp_test

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statushttp"
	"github.com/datafactory/datafactory/status/statustest"
	"github.com/stretchr/testify/require"
)

const testToken = "s3cr3t-token"

// serve starts the API over backend and returns a client store.
func serve(t *testing.T, backend *status.Store, now func() time.Time) *status.Store {
	t.Helper()
	srv := httptest.NewServer(statushttp.NewHandler(backend, &statushttp.HandlerOptions{Tokens: []string{"other", testToken}}))
	t.Cleanup(srv.Close)
	c, err := statushttp.NewClient(srv.URL+"/", &statushttp.ClientOptions{Token: testToken, Now: now, HTTPClient: srv.Client()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestConformance runs statustest through the Go client against the
// handler, over the in-memory and the SQLite backend.
func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		statustest.RunConformanceTests(t, func(t *testing.T, now func() time.Time) *status.Store {
			backend := memstatus.New(&memstatus.Options{Now: now})
			t.Cleanup(func() { _ = backend.Close() })
			return serve(t, backend, now)
		})
	})
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		statustest.RunConformanceTests(t, func(t *testing.T, now func() time.Time) *status.Store {
			backend, err := sqlstatus.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"), &sqlstatus.Options{Now: now})
			require.NoError(t, err)
			t.Cleanup(func() { _ = backend.Close() })
			return serve(t, backend, now)
		})
	})
}

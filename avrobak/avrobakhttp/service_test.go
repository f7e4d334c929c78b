package avrobakhttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/service"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// TestServiceBackupKeys: issue 15 point 4 over the real service handler,
// whose bucket also holds run records: bad keys are 400, a run record is
// never overwritten, a good key lands under backups/.
func TestServiceBackupKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := connection.OpenEmbedded(ctx, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	st, err := sqlstatus.Open(ctx, "sqlite:"+filepath.Join(e.Dir, "svc-status.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	insert(t, e.Store, "") // creates people
	const token = "svc-backup-token"
	svc, err := service.New(ctx, &service.Config{Status: st, Store: e.Store, Bucket: e.Bucket, Tokens: []string{token},
		Tables: map[string]*frictionless.Schema{"people": peopleSchema()}})
	require.NoError(t, err)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	const record = "load/r1/_run/run.json"
	require.NoError(t, e.Bucket.WriteAll(ctx, record, []byte(`{"run":"r1"}`), nil))
	post := func(path string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, k := range []string{"../x", record, "../" + record, "/" + record, "people/a\x00b", "people/../../" + record, "other.avro", "_scheduler/state.json"} {
		require.Equal(t, http.StatusBadRequest, post("/v1/tables/people/backup?key="+url.QueryEscape(k)), k)
		require.Equal(t, http.StatusBadRequest, post("/v1/tables/people/restore?key="+url.QueryEscape(k)), k)
	}
	require.Equal(t, http.StatusOK, post("/v1/tables/people/backup?key="+url.QueryEscape("people/2024.avro")))
	ok, err := e.Bucket.Exists(ctx, "backups/people/2024.avro")
	require.NoError(t, err)
	require.True(t, ok)
	got, err := e.Bucket.ReadAll(ctx, record)
	require.NoError(t, err)
	require.JSONEq(t, `{"run":"r1"}`, string(got))
}

package ckanstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestDirectReplaceCommentsInSiteFormat: the direct path writes Data
// Dictionary info into column comments in the format of the site's CKAN
// version (asked with status_show), so datastore_info shows the info as
// soon as the swap commits, before the refreshing datastore_create: on 2.11
// " "+{"_info":…}, on 2.10 the bare object. A proxy in front of the site
// reads datastore_info when the refresh arrives.
func TestDirectReplaceCommentsInSiteFormat(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"2.11", "2.10"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := testutil.PostgresURL(t)
			b := ckantest.NewFixture(t, ckantest.Backend{Name: "postgres", DSN: func(testing.TB) string { return dsn }}, &ckantest.Options{Version: version})
			proxy, seen := infoBeforeRefresh(t, b)
			editor, err := ckan.NewClient(proxy, &ckan.ClientOptions{Token: ckan.Secret(b.Server.SysadminToken())})
			require.NoError(t, err)
			store, err := ckanstore.Open(editor, &ckanstore.StoreOptions{PostgresURL: dsn, Resources: map[string]string{"employees": b.UploadID}})
			require.NoError(t, err)
			schema := employeesSchema()
			for range 2 { // create, then replace the table
				_, err = datastore.Load(ctx, store, "employees", &genReader{schema: schema, n: 50, start: testStart}, &datastore.LoadOptions{Mode: datastore.ModeReplace})
				require.NoError(t, err)
			}
			infos := seen()
			require.NotEmpty(t, infos, "the refresh was seen")
			last := infos[len(infos)-1]
			require.Len(t, last.Fields, len(schema.Fields))
			for _, f := range last.Fields {
				require.Contains(t, f.Info, "datafactory", "field %s has its info before the refresh", f.ID)
			}
			var comment string
			require.NoError(t, b.Server.DB().QueryRowContext(ctx, `SELECT col_description(to_regclass(quote_ident($1)), 1 + 2)`, b.UploadID).Scan(&comment))
			require.Equal(t, version == "2.11", strings.HasPrefix(comment, ` {"_info":`), comment)
		})
	}
}

// infoBeforeRefresh puts a proxy in front of the fixture's site; when a
// datastore_create for the upload resource without records passes (the
// refresh after a direct swap), it first records datastore_info.
func infoBeforeRefresh(t *testing.T, b *ckantest.Fixture) (string, func() []*ckan.InfoResult) {
	u, err := url.Parse(b.Server.URL())
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	var infos []*ckan.InfoResult
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/datastore_create") {
			body, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				ResourceID string          `json:"resource_id"`
				Records    json.RawMessage `json:"records"`
			}
			if json.Unmarshal(body, &req) == nil && req.ResourceID == b.UploadID && (len(req.Records) == 0 || string(req.Records) == "null") {
				if info, err := b.Anon.DatastoreInfo(r.Context(), b.UploadID); err == nil {
					mu.Lock()
					infos = append(infos, info)
					mu.Unlock()
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []*ckan.InfoResult {
		mu.Lock()
		defer mu.Unlock()
		return append([]*ckan.InfoResult(nil), infos...)
	}
}

package ckantest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVersion210 checks the CKAN 2.10 differences the contract lists.
func TestVersion210(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			opts := be.opts(t)
			if opts == nil {
				opts = &Options{}
			}
			opts.Version = "2.10"
			b := setup(t, backend{name: be.name, opts: func(*testing.T) *Options { return opts }})
			fields := []any{field("a", "text"), field("n", "numeric")}

			// Tokens: X-CKAN-API-Key, else Authorization without a space.
			req := func(header, value string) int {
				r, err := http.NewRequest("POST", b.s.URL()+"/api/3/action/datastore_create",
					jsonBody(t, map[string]any{"resource_id": b.datastoreID, "fields": fields}))
				require.NoError(t, err)
				r.Header.Set(header, value)
				resp, err := http.DefaultClient.Do(r)
				require.NoError(t, err)
				resp.Body.Close()
				return resp.StatusCode
			}
			require.Equal(t, http.StatusOK, req("X-CKAN-API-Key", b.editor))
			require.Equal(t, http.StatusOK, req("Authorization", b.editor))
			require.Equal(t, http.StatusForbidden, req("Authorization", "Bearer "+b.editor), "a value with a space is ignored")

			a := post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.datastoreID, "fields": fields, "delete_fields": true})
			require.Equal(t, []any{"The input field [('delete_fields',)] was not expected."}, a.errDict(t)["__junk"], "delete_fields is 2.11+")

			a = post(t, b.s, "datastore_records_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{}})
			require.Equal(t, http.StatusBadRequest, a.status, "datastore_records_delete is 2.11+")

			a = post(t, b.s, "datastore_info", "", map[string]any{"resource_id": b.datastoreID})
			require.Equal(t, []any{"Missing value"}, a.errDict(t)["id"], "2.10 datastore_info takes only id")
			post(t, b.s, "datastore_info", "", map[string]any{"id": b.datastoreID}).result(t)

			a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.datastoreID, "method": "insert", "records": []any{map[string]any{"a": "x", "n": ""}}})
			require.Equal(t, http.StatusConflict, a.status)
			e := a.errDict(t)
			require.Equal(t, []any{`invalid input syntax for type numeric: ""`}, e["records"], "2.10 passes \"\" through")
			require.Equal(t, num("0"), e["_records_row"])
			require.NotContains(t, e, "records_row")

			post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.datastoreID, "method": "insert", "records": []any{map[string]any{"a": "x"}}}).result(t)
			post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{}}).result(t)
			r, _ := b.s.ResourceDict(b.datastoreID)
			require.Equal(t, false, r["datastore_active"], "2.10: falsy filters clear datastore_active")
		})
	}
	_, err := New(&Options{Version: "2.9"})
	require.Error(t, err)
}

package ckantest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	revoked := b.s.AddUser("gone", true)
	b.s.RevokeToken(revoked)
	body := func() map[string]any {
		return map[string]any{"resource_id": b.datastoreID, "fields": []any{map[string]any{"id": "a", "type": "text"}}}
	}
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"anonymous", "", http.StatusForbidden},
		{"unknown token runs as anonymous", "not-a-token", http.StatusForbidden},
		{"revoked token", revoked, http.StatusForbidden},
		{"Bearer prefix is not stripped", "Bearer " + b.editor, http.StatusForbidden},
		{"user without rights", b.stranger, http.StatusForbidden},
		{"editor of the dataset", b.editor, http.StatusOK},
		{"sysadmin", b.s.SysadminToken(), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, b.s, "datastore_create", tc.token, body())
			require.Equal(t, tc.status, a.status, "%s", a.raw)
			if tc.status == http.StatusForbidden {
				e := a.errDict(t)
				require.Equal(t, "Authorization Error", e["__type"])
				require.Contains(t, e["message"], "Access denied: User ")
				require.Contains(t, e["message"], "not authorized to edit resource "+b.datastoreID)
			}
		})
	}
	t.Run("search and info allow anonymous on a public dataset", func(t *testing.T) {
		require.Equal(t, http.StatusOK, post(t, b.s, "datastore_search", "", map[string]any{"resource_id": b.datastoreID}).status)
		require.Equal(t, http.StatusOK, post(t, b.s, "datastore_info", "", map[string]any{"id": b.datastoreID}).status)
	})
	t.Run("private dataset hides its resources from anonymous", func(t *testing.T) {
		d, err := b.s.AddDataset(Dataset{Name: "secret", Private: true, Editors: []string{"editor"}})
		require.NoError(t, err)
		rid, err := b.s.AddResource(Resource{PackageID: d.ID, URLType: "datastore"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": rid, "fields": []any{map[string]any{"id": "a", "type": "text"}}}).status)
		require.Equal(t, http.StatusForbidden, post(t, b.s, "datastore_search", "", map[string]any{"resource_id": rid}).status)
		require.Equal(t, http.StatusOK, post(t, b.s, "datastore_search", b.editor, map[string]any{"resource_id": rid}).status)
	})
	t.Run("custom token header", func(t *testing.T) {
		s := NewServer(&Options{TokenHeader: "X-CKAN-API-Key"})
		defer s.Close()
		req, err := http.NewRequest("POST", s.URL()+"/api/3/action/aircan_status_update", nil)
		require.NoError(t, err)
		req.Header.Set("X-CKAN-API-Key", s.SysadminToken())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusConflict, resp.StatusCode) // authorized; resource_id and state missing
	})
}

func TestReadOnlyGuard(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			fields := []any{map[string]any{"id": "a", "type": "text"}}
			a := post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.uploadID, "fields": fields})
			require.Equal(t, http.StatusConflict, a.status)
			require.Equal(t, []any{`Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.`},
				a.errDict(t)["read-only"])
			a = post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.uploadID, "fields": fields, "force": true})
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
			for _, action := range []string{"datastore_upsert", "datastore_delete"} {
				a = post(t, b.s, action, b.editor, map[string]any{"resource_id": b.uploadID, "records": []any{}})
				if action == "datastore_delete" {
					a = post(t, b.s, action, b.editor, map[string]any{"resource_id": b.uploadID})
				}
				require.Equal(t, http.StatusConflict, a.status, action)
				require.Contains(t, a.errDict(t), "read-only", action)
			}
			a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.uploadID, "force": true, "method": "insert", "records": []any{map[string]any{"a": "x"}}})
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
		})
	}
}

package ckantest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInfo(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			b.create(t, map[string]any{
				"fields":      []any{field("k", "text"), map[string]any{"id": "j", "type": "json", "info": map[string]any{"label": "J"}}, field("n", "int")},
				"primary_key": "k", "indexes": "n", "aliases": "ally",
				"records": []any{map[string]any{"k": "a"}, map[string]any{"k": "b"}},
			})
			for _, body := range []map[string]any{{"id": b.datastoreID}, {"resource_id": b.datastoreID}, {"id": "ally"}} {
				r := post(t, b.s, "datastore_info", "", body).result(t)
				meta := r["meta"].(map[string]any)
				require.Equal(t, b.datastoreID, meta["id"])
				require.Equal(t, num("2"), meta["count"])
				require.Equal(t, []any{"ally"}, meta["aliases"])
				for _, k := range []string{"table_type", "size", "db_size", "idx_size"} {
					require.Contains(t, meta, k)
				}
				fields := r["fields"].([]any)
				require.Len(t, fields, 3, "_id is not listed")
				k, j, n := fields[0].(map[string]any), fields[1].(map[string]any), fields[2].(map[string]any)
				require.Equal(t, "text", k["type"])
				require.Equal(t, true, k["schema"].(map[string]any)["uniquekey"])
				require.Equal(t, "nested", j["type"], "json columns show as nested")
				require.Equal(t, map[string]any{"label": "J"}, j["info"])
				require.Equal(t, true, n["schema"].(map[string]any)["is_index"])
				require.Equal(t, false, n["schema"].(map[string]any)["uniquekey"])
			}
			a := post(t, b.s, "datastore_info", "", map[string]any{"id": "nothing"})
			require.Equal(t, http.StatusNotFound, a.status)
			require.Equal(t, `Not found: Resource/Alias "nothing" was not found.`, a.errDict(t)["message"])
		})
	}
}

func TestCoreActions(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	t.Run("resource_show", func(t *testing.T) {
		a := post(t, b.s, "resource_show", "", map[string]any{})
		require.Equal(t, http.StatusConflict, a.status)
		require.Equal(t, []any{"Missing value"}, a.errDict(t)["id"])
		r := post(t, b.s, "resource_show", "", map[string]any{"id": b.uploadID}).result(t)
		require.Equal(t, false, r["datastore_active"], "datastore_active is always present")
		require.Equal(t, "http://x/employees.csv", r["url"])
		r = post(t, b.s, "resource_show", "", map[string]any{"id": b.datastoreID}).result(t)
		require.Equal(t, b.s.URL()+"/datastore/dump/"+b.datastoreID, r["url"], "url_type datastore shows the dump URL")
	})
	t.Run("resource_patch", func(t *testing.T) {
		a := post(t, b.s, "resource_patch", "", map[string]any{"id": b.uploadID, "hash": "abc"})
		require.Equal(t, http.StatusForbidden, a.status)
		r := post(t, b.s, "resource_patch", b.editor, map[string]any{"id": b.uploadID, "hash": "abc", "datastore_active": true}).result(t)
		require.Equal(t, "abc", r["hash"])
		require.Equal(t, "employees.csv", r["name"], "patch keeps the other keys")
		require.Equal(t, true, r["datastore_active"])
	})
	t.Run("resource_delete", func(t *testing.T) {
		rid, err := b.s.AddResource(Resource{PackageID: b.datasetID, URLType: "datastore"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": rid, "fields": []any{field("a", "text")}}).status)
		require.Equal(t, http.StatusForbidden, post(t, b.s, "resource_delete", b.stranger, map[string]any{"id": rid}).status)
		require.Equal(t, http.StatusOK, post(t, b.s, "resource_delete", b.editor, map[string]any{"id": rid}).status)
		require.Equal(t, http.StatusNotFound, post(t, b.s, "resource_show", "", map[string]any{"id": rid}).status)
		require.Equal(t, http.StatusNotFound, post(t, b.s, "datastore_search", "", map[string]any{"resource_id": rid}).status)
	})
	t.Run("package_show", func(t *testing.T) {
		for _, id := range []string{b.datasetID, "employees"} {
			r := post(t, b.s, "package_show", "", map[string]any{"id": id}).result(t)
			require.Equal(t, b.datasetID, r["id"])
			require.Len(t, r["resources"], 2)
		}
		a := post(t, b.s, "package_show", "", map[string]any{"id": "nope"})
		require.Equal(t, http.StatusNotFound, a.status)
		require.Equal(t, "Not found", a.errDict(t)["message"])
	})
	t.Run("aircan_status_update", func(t *testing.T) {
		body := map[string]any{"resource_id": b.uploadID, "state": "error", "message": "load failed", "error": map[string]any{"message": "bad row"}}
		a := post(t, b.s, "aircan_status_update", "", body)
		require.Equal(t, http.StatusForbidden, a.status, "needs package_create")
		require.Equal(t, http.StatusForbidden, post(t, b.s, "aircan_status_update", b.stranger, body).status)
		post(t, b.s, "aircan_status_update", b.editor, map[string]any{"resource_id": b.uploadID, "state": "progress", "message": "loading"}).result(t)
		post(t, b.s, "aircan_status_update", b.editor, body).result(t)
		calls := b.s.StatusUpdates()
		require.Len(t, calls, 2)
		require.Equal(t, "progress", calls[0].State)
		require.Equal(t, "editor", calls[1].User)
		require.Equal(t, "bad row", calls[1].ErrorMessage)
		st := post(t, b.s, "aircan_status", "", map[string]any{"resource_id": b.uploadID}).result(t)
		require.Equal(t, "error", st["status"])
		require.Len(t, st["logs"], 2)
	})
}

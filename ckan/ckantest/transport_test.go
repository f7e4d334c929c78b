package ckantest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTransport(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	bare := func(t *testing.T, a answer) string {
		t.Helper()
		require.Equal(t, http.StatusBadRequest, a.status)
		var s string
		require.NoError(t, json.Unmarshal(a.raw, &s), "body is not a bare string: %s", a.raw)
		return s
	}
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		want   string // bare string, exact or prefix with trailing "…"
	}{
		{"unknown action", "POST", "/api/3/action/no_such_action", `{}`, "Bad request - Action name not known: no_such_action"},
		{"GET on a write action", "GET", "/api/3/action/datastore_create?resource_id=x", "", "Bad request - JSON Error: Invalid request. Please use POST method for your request"},
		{"body not JSON", "POST", "/api/3/action/datastore_search", `{"resource_id": `, "Bad request - JSON Error: …"},
		{"body not an object", "POST", "/api/3/action/datastore_search", `["a"]`, "Bad request - JSON Error: …"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := bare(t, do(t, b.s, tc.method, tc.path, "", []byte(tc.body)))
			if p, ok := strings.CutSuffix(tc.want, "…"); ok {
				require.True(t, strings.HasPrefix(got, p), got)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("success envelope on both routes and GET for reads", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/api/action/resource_show?id=", "/api/3/action/resource_show?id="} {
			a := do(t, b.s, "GET", path+b.datastoreID, "", nil)
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
			require.Equal(t, "application/json;charset=utf-8", a.ctype)
			require.Equal(t, true, a.env["success"])
			require.Equal(t, b.s.URL()+"/api/3/action/help_show?name=resource_show", a.env["help"])
		}
	})
	t.Run("error envelope", func(t *testing.T) {
		t.Parallel()
		a := post(t, b.s, "resource_show", "", map[string]any{"id": "missing"})
		require.Equal(t, http.StatusNotFound, a.status)
		require.Equal(t, false, a.env["success"])
		require.Equal(t, map[string]any{"__type": "Not Found Error", "message": "Not found: Resource was not found."}, a.errDict(t))
	})
	t.Run("form-encoded body", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequest("POST", b.s.URL()+"/api/3/action/resource_show", strings.NewReader("id="+b.datastoreID))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestValidatorQuirks(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	t.Run("unknown top-level key is __junk", func(t *testing.T) {
		a := post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.datastoreID, "foo": 1})
		require.Equal(t, http.StatusConflict, a.status)
		require.Equal(t, map[string]any{
			"__type": "Validation Error",
			"__junk": []any{"The input field [('foo',)] was not expected."},
		}, a.errDict(t))
	})
	t.Run("unknown key inside fields is tolerated", func(t *testing.T) {
		a := post(t, b.s, "datastore_create", b.editor, map[string]any{
			"resource_id": b.datastoreID, "fields": []any{map[string]any{"id": "a", "type": "text", "label": "x"}},
		})
		require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
	})
	t.Run("fields as a string is a 400 Integrity Error", func(t *testing.T) {
		a := post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.datastoreID, "fields": "a,b"})
		require.Equal(t, http.StatusBadRequest, a.status)
		e := a.errDict(t)
		require.Equal(t, "Integrity Error", e["__type"])
		require.Equal(t, "Only lists of dicts can be placed against subschema ('fields',), not <class 'str'>", e["message"])
	})
	tests := []struct {
		name   string
		force  any
		status int
	}{
		{"JSON true", true, http.StatusOK},
		{"string yes", "yes", http.StatusOK},
		{"string T", "T", http.StatusOK},
		{"string 1", "1", http.StatusOK},
		{"string false-y", "sure", http.StatusConflict}, // false → read-only guard
		{"null", nil, http.StatusConflict},
		{"JSON number is a 500", 1, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run("boolean_validator "+tc.name, func(t *testing.T) {
			a := post(t, b.s, "datastore_create", b.editor, map[string]any{
				"resource_id": b.uploadID, "force": tc.force, "fields": []any{map[string]any{"id": "a", "type": "text"}},
			})
			require.Equal(t, tc.status, a.status, "%s", a.raw)
			if tc.status == http.StatusInternalServerError {
				require.Equal(t, map[string]any{"__type": "Internal Server Error", "message": "Internal Server Error"}, a.errDict(t))
			}
		})
	}
}

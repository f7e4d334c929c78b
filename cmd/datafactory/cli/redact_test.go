package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedactConf(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"ckan_config": {"api_key": "abc", "site_url": "https://ckan.example.org",
		   "ckan_datastore_postgres_url": "postgres://ckan:pw@db/datastore"}, "resource": {"path": "x.csv"}}`,
			`{"ckan_config": {"api_key": "[redacted]", "site_url": "https://ckan.example.org",
		   "ckan_datastore_postgres_url": "postgres://ckan:xxxxx@db/datastore"}, "resource": {"path": "x.csv"}}`},
		{`[{"Token": "t"}, {"nested": [{"password": 1}]}]`, `[{"Token": "[redacted]"}, {"nested": [{"password": "[redacted]"}]}]`},
		{`{"source": "a.csv"}`, `{"source": "a.csv"}`},
		{`not json`, `not json`},
	}
	for _, tt := range tests {
		got := redactConf(json.RawMessage(tt.in))
		if json.Valid([]byte(tt.want)) {
			require.JSONEq(t, tt.want, string(got))
		} else {
			require.Equal(t, tt.want, string(got))
		}
	}
}

func TestStripSecrets(t *testing.T) {
	t.Parallel()
	in := `{"ckan_config": {"api_key": "abc", "site_url": "https://ckan.example.org",
	  "ckan_datastore_postgres_url": "postgres://ckan:pw@db/datastore", "read_url": "postgres://ckan@db/datastore"},
	  "resource": {"path": "x.csv", "list": [{"Token": "t"}, 1]}}`
	out, removed := stripSecrets(json.RawMessage(in))
	require.JSONEq(t, `{"ckan_config": {"site_url": "https://ckan.example.org", "read_url": "postgres://ckan@db/datastore"},
	  "resource": {"path": "x.csv", "list": [{}, 1]}}`, string(out))
	require.Equal(t, []string{"/ckan_config/api_key", "/ckan_config/ckan_datastore_postgres_url", "/resource/list/0/Token"}, removed)
	for _, same := range []string{`{"source": "a.csv"}`, `not json`, `[]`} {
		out, removed := stripSecrets(json.RawMessage(same))
		require.Equal(t, same, string(out))
		require.Empty(t, removed)
	}
}

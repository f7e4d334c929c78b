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

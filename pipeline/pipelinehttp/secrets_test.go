package pipelinehttp_test

import (
	"encoding/json"
	"testing"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/stretchr/testify/require"
)

func TestSecretKey(t *testing.T) {
	t.Parallel()
	for k, want := range map[string]bool{
		"Authorization": true, "AUTHORIZATION": true, "token": true, "access_token": true, "Password": true,
		"db_passwd": true, "client_secret": true, "api_key": true, "API-KEY": true, "apikey": true,
		"ckan_s3_secret_key": true, "aws_access_key": true, "private_key": true,
		"primary_key": false, "datastore_unique_keys": false, "key": false, "key_index": false, "name": false,
		"site_url": false,
	} {
		require.Equal(t, want, pipelinehttp.SecretKey(k), k)
	}
}

func TestStripAndRedact(t *testing.T) {
	t.Parallel()
	conf := json.RawMessage(`{"a":{"Authorization":"x","b":[{"Token":"y"},"postgres://u:pw@h/d"]},"ckan_config":{"api_key":"k","site_url":"http://s"}}`)
	stripped, removed := pipelinehttp.StripSecrets(conf)
	require.JSONEq(t, `{"a":{"b":[{},"[redacted]"]},"ckan_config":{"site_url":"http://s"}}`, string(stripped))
	require.Equal(t, []string{"/a/Authorization", "/a/b/0/Token", "/a/b/1", "/ckan_config/api_key"}, removed)
	require.JSONEq(t, `{"a":{"Authorization":"[redacted]","b":[{"Token":"[redacted]"},"[redacted]"]},"ckan_config":{"api_key":"[redacted]","site_url":"http://s"}}`,
		string(pipelinehttp.RedactConf(conf)))
}

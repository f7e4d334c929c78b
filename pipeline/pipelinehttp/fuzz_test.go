package pipelinehttp_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
)

func FuzzDecodeTrigger(f *testing.F) {
	for _, s := range []string{`{"dag_run_id":"a","conf":{"x":1}}`, `{"conf":"x"}`, `{} x`, `null`, `[]`,
		`{"dag_run_id":"../x"}`, `{"run_id":"r","logical_date":"2024-01-01T00:00:00Z"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := pipelinehttp.DecodeTrigger(bytes.NewReader(data))
		if err != nil {
			return
		}
		if tr.RunID != "" {
			if verr := pipelinehttp.ValidateRunID(tr.RunID); verr != nil {
				t.Fatalf("accepted run id %q: %v", tr.RunID, verr)
			}
			if strings.ContainsAny(tr.RunID, "/\x00\n") || strings.Contains(tr.RunID, "..") {
				t.Fatalf("accepted run id %q", tr.RunID)
			}
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(tr.Conf, &obj) != nil || obj == nil {
			t.Fatalf("conf %q is not a JSON object", tr.Conf)
		}
	})
}

// noSecretKeys fails when v holds a secret key at any depth.
func noSecretKeys(t *testing.T, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if pipelinehttp.SecretKey(k) {
				t.Fatalf("secret key %q kept", k)
			}
			noSecretKeys(t, val)
		}
	case []any:
		for _, val := range x {
			noSecretKeys(t, val)
		}
	}
}

func FuzzStripSecrets(f *testing.F) {
	for _, s := range []string{`{"a":{"Authorization":"x"}}`, `{"l":[{"token":"t"}]}`, `{"u":"postgres://u:p@h/d"}`, `[1,2]`, `"s"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		stripped, _ := pipelinehttp.StripSecrets(data)
		var v any
		if err := json.Unmarshal(stripped, &v); err != nil {
			t.Fatalf("stripped conf is not JSON: %v", err)
		}
		noSecretKeys(t, v)
		var r any
		if err := json.Unmarshal(pipelinehttp.RedactConf(data), &r); err != nil {
			t.Fatalf("redacted conf is not JSON: %v", err)
		}
	})
}

package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
	}{
		{"valid csv", []string{"validate", "testdata/people_valid.csv", "--schema", "testdata/people.schema.json"},
			cli.ExitOK, []string{"people_valid: valid: 3 rows, 3 valid, 0 invalid"}},
		{"invalid csv", []string{"validate", "testdata/people.csv", "--schema", "testdata/people.schema.json"},
			cli.ExitRefused, []string{`people: row 3 (line 4): field "name": value is required`,
				`people: row 4 (line 5): field "age": cannot cast`, "people: INVALID: 5 rows, 3 valid, 2 invalid"}},
		{"data package", []string{"validate", "testdata/datapackage.json"},
			cli.ExitRefused, []string{"people: valid: 3 rows", "people_all: INVALID: 5 rows, 3 valid, 2 invalid"}},
		{"resource", []string{"validate", "testdata/people.resource.json"}, cli.ExitOK, []string{"people: valid"}},
		{"header mismatch", []string{"validate", "testdata/people.csv", "--schema", "testdata/people.schema.json", "--no-header"},
			cli.ExitRefused, []string{"INVALID"}},
		{"bad format", []string{"validate", "testdata/people.csv", "--format", "xml"}, cli.ExitError, nil},
		{"missing file", []string{"validate", "testdata/nope.csv"}, cli.ExitError, nil},
		{"missing schema", []string{"validate", "testdata/people.csv", "--schema", "testdata/nope.json"}, cli.ExitError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.args...)
			require.Equal(t, tt.code, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
			for _, s := range tt.stdout {
				require.Contains(t, r.stdout, s)
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "validate", "testdata/people.csv", "--schema", "testdata/people.schema.json", "--format", "json")
	require.Equal(t, cli.ExitRefused, r.code)
	var rep struct {
		Valid  bool `json:"valid"`
		Tables []struct {
			Name        string `json:"name"`
			Rows        int    `json:"rows"`
			InvalidRows int    `json:"invalid_rows"`
			Errors      []struct {
				Row    int    `json:"row"`
				Field  string `json:"field"`
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"tables"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.False(t, rep.Valid)
	require.Len(t, rep.Tables, 1)
	require.Equal(t, 5, rep.Tables[0].Rows)
	require.Equal(t, 2, rep.Tables[0].InvalidRows)
	require.Len(t, rep.Tables[0].Errors, 2)
	require.Equal(t, 3, rep.Tables[0].Errors[0].Row)
	require.Equal(t, "name", rep.Tables[0].Errors[0].Field)
	require.Equal(t, "value is required", rep.Tables[0].Errors[0].Reason)
}

func TestInfer(t *testing.T) {
	t.Parallel()
	type schema struct {
		Fields []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"fields"`
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		types map[string]string
	}{
		{"whole file", []string{"infer", "testdata/people.csv"}, cli.ExitOK,
			map[string]string{"id": "integer", "name": "string", "age": "string"}},
		{"sample", []string{"infer", "testdata/people.csv", "--sample", "2"}, cli.ExitOK,
			map[string]string{"id": "integer", "age": "integer"}},
		{"forced type", []string{"infer", "testdata/people.csv", "--type", "id=string"}, cli.ExitOK,
			map[string]string{"id": "string"}},
		{"no header", []string{"infer", "testdata/people_valid.csv", "--no-header"}, cli.ExitOK,
			map[string]string{"field1": "string"}},
		{"bad --type", []string{"infer", "testdata/people.csv", "--type", "id"}, cli.ExitError, nil},
		{"missing file", []string{"infer", "testdata/nope.csv"}, cli.ExitError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			if tt.code != cli.ExitOK {
				return
			}
			var s schema
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &s))
			got := map[string]string{}
			for _, f := range s.Fields {
				got[f.Name] = f.Type
			}
			for k, v := range tt.types {
				require.Equal(t, v, got[k], k)
			}
		})
	}
}

// TestEmptyFileAlike: with no schema, validate, infer and load refuse an
// empty file with the same error (exit 2); with a schema, validate finds 0
// valid rows and load writes 0 rows.
func TestEmptyFileAlike(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	db := "sqlite://" + filepath.Join(dir, "db.sqlite")
	for _, args := range [][]string{{"validate", empty}, {"infer", empty}, {"load", empty, db}} {
		r := runCLI(t, nil, args...)
		require.Equal(t, cli.ExitError, r.code, "%v: stdout %s", args, r.stdout)
		require.Contains(t, r.stderr, "the file is empty", args[0])
	}
	r := runCLI(t, nil, "validate", empty, "--schema", "testdata/people.schema.json")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "valid: 0 rows")
	r = runCLI(t, nil, "load", empty, db, "--schema", "testdata/people.schema.json", "--table", "people")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "0 rows read, 0 written")
}

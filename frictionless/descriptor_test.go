package frictionless

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPackageRoundTrip(t *testing.T) {
	t.Parallel()
	p, err := LoadPackage(context.Background(), "testdata/datapackage.json")
	require.NoError(t, err)
	require.Equal(t, "hiring", p.Name)
	require.Len(t, p.Resources, 3)
	dep := p.Resource("departments")
	require.NotNil(t, dep)
	require.Equal(t, []string{"department_id"}, dep.Schema.PrimaryKey)
	require.Equal(t, "testdata", dep.BasePath)
	require.Equal(t, "employees.schema.json", p.Resource("employees").SchemaPath)
	require.Nil(t, p.Resource("nope"))

	var first bytes.Buffer
	require.NoError(t, p.Write(&first))
	p2, err := ReadPackage(bytes.NewReader(first.Bytes()))
	require.NoError(t, err)
	var second bytes.Buffer
	require.NoError(t, p2.Write(&second))
	require.Equal(t, first.String(), second.String(), "writing is stable")

	var doc map[string]any
	require.NoError(t, json.Unmarshal(first.Bytes(), &doc))
	require.Equal(t, []any{map[string]any{"name": "MIT", "path": "https://opensource.org/licenses/MIT"}}, doc["licenses"])
	require.Equal(t, map[string]any{"keep": []any{1.0, 2.5, "three"}}, doc["x-custom"])
	res := doc["resources"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{"title": "BetoAvila/data-architecture"}}, res["sources"])
	require.Equal(t, map[string]any{"header": false, "csvddfVersion": 1.2}, res["dialect"])
	schema := res["schema"].(map[string]any)
	require.Equal(t, "kept", schema["x-note"])
	field := schema["fields"].([]any)[0].(map[string]any)
	require.Equal(t, "http://schema.org/identifier", field["rdfType"])
	require.Equal(t, map[string]any{"required": true, "unique": true}, field["constraints"])
	require.Contains(t, first.String(), `"x-custom": {`+"\n")
}

func TestSchemaJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := `{"fields":[{"name":"n","type":"number","format":"default","title":"N","description":"d",` +
		`"constraints":{"required":true,"minimum":1.50,"maximum":"9","minLength":0,"pattern":"[0-9.]+","enum":[1.5,2],"x":1},` +
		`"decimalChar":",","groupChar":" ","bareNumber":false,"precision":5,"scale":2,"example":"1,5"},` +
		`{"name":"b","type":"boolean","trueValues":["J"],"falseValues":["N"]}],` +
		`"primaryKey":["n"],"foreignKeys":[{"fields":["n"],"reference":{"resource":"","fields":["m"],"y":2},"z":3}],` +
		`"missingValues":["","NA"],"other":{"a":null}}`
	s, err := ReadSchema(strings.NewReader(in))
	require.NoError(t, err)
	n := s.Fields[0]
	require.Equal(t, json.Number("1.50"), n.Constraints.Minimum)
	require.Equal(t, "9", n.Constraints.Maximum)
	require.Equal(t, 0, *n.Constraints.MinLength)
	require.Nil(t, n.Constraints.MaxLength)
	require.Equal(t, []any{json.Number("1.5"), json.Number("2")}, n.Constraints.Enum)
	require.False(t, *n.BareNumber)
	require.Equal(t, 5, n.Precision)
	out, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, in, string(out))

	var viaStd Schema
	require.NoError(t, json.Unmarshal([]byte(in), &viaStd))
	require.Equal(t, *s, viaStd)
	var f Field
	require.NoError(t, json.Unmarshal([]byte(`{"name":"x","unknown":[1]}`), &f))
	require.Equal(t, json.RawMessage(`[1]`), f.Extra["unknown"])
	var d Dialect
	require.NoError(t, json.Unmarshal([]byte(`{"delimiter":";","quoteChar":"\"","doubleQuote":true,"lineTerminator":"\n","skipInitialSpace":true,"commentChar":"#","escapeChar":"\\"}`), &d))
	out, err = json.Marshal(d)
	require.NoError(t, err)
	require.JSONEq(t, `{"delimiter":";","quoteChar":"\"","doubleQuote":true,"lineTerminator":"\n","skipInitialSpace":true,"commentChar":"#","escapeChar":"\\"}`, string(out))
}

func TestReadPackageErrors(t *testing.T) {
	t.Parallel()
	res := func(extra string) string {
		return `{"resources":[{"name":"a","path":"a.csv"},{"name":"b","path":"b.csv"},{"name":"c","path":"c.csv"` + extra + `}]}`
	}
	tests := []struct {
		name string
		in   string
		msg  string
	}{
		{"not an object", `[]`, `must be a JSON object`},
		{"empty", ``, `must be a JSON object`},
		{"invalid JSON", `{"name": }`, `invalid JSON: invalid character '}' looking for beginning of value`},
		{"name type", `{"name": 1}`, `name: must be a string`},
		{"no resources", `{"name": "x"}`, `resources: must list at least one resource`},
		{"resources type", `{"resources": {}}`, `resources: must be an array`},
		{"resource type", `{"resources": [1]}`, `resources[0]: must be a JSON object`},
		{"unknown type", res(`,"schema":{"fields":[{"name":"x","type":"integr"}]}`), `resources[2].schema.fields[0].type: unknown type "integr"`},
		{"resource name", `{"resources":[{"path":"a.csv"}]}`, `resources[0].name: is required`},
		{"resource data", `{"resources":[{"name":"a"}]}`, `resources[0]: needs a path or inline data`},
		{"dup resource", `{"resources":[{"name":"a","path":"a.csv"},{"name":"a","path":"b.csv"}]}`, `resources[1].name: "a" repeats resources[0]`},
		{"absolute path", `{"resources":[{"name":"a","path":"/etc/passwd"}]}`, `resources[0].path: path "/etc/passwd" must be relative, without "..", or a URL`},
		{"parent path", `{"resources":[{"name":"a","path":["a.csv","x/../../b.csv"]}]}`, `resources[0].path[1]: path "x/../../b.csv" must be relative, without "..", or a URL`},
		{"windows path", `{"resources":[{"name":"a","path":"C:\\x.csv"}]}`, `resources[0].path: path "C:\\x.csv" must be relative, without "..", or a URL`},
		{"path type", `{"resources":[{"name":"a","path":1}]}`, `resources[0].path: must be a string or an array of strings`},
		{"path item", `{"resources":[{"name":"a","path":["a",1]}]}`, `resources[0].path[1]: must be a string`},
		{"schema path", `{"resources":[{"name":"a","path":"a","schema":"../s.json"}]}`, `resources[0].schema: path "../s.json" must be relative, without "..", or a URL`},
		{"dialect path", `{"resources":[{"name":"a","path":"a","dialect":"/d.json"}]}`, `resources[0].dialect: path "/d.json" must be relative, without "..", or a URL`},
		{"schema type", `{"resources":[{"name":"a","path":"a","schema":[]}]}`, `resources[0].schema: must be a JSON object`},
		{"dialect type", `{"resources":[{"name":"a","path":"a","dialect":1}]}`, `resources[0].dialect: must be a JSON object`},
		{"bytes", `{"resources":[{"name":"a","path":"a","bytes":"x"}]}`, `resources[0].bytes: must be an integer`},
		{"dialect header", `{"resources":[{"name":"a","path":"a","dialect":{"header":"yes"}}]}`, `resources[0].dialect.header: must be true or false`},
		{"dialect skip", `{"resources":[{"name":"a","path":"a","dialect":{"skipInitialSpace":1}}]}`, `resources[0].dialect.skipInitialSpace: must be true or false`},
		{"dialect delimiter", `{"resources":[{"name":"a","path":"a","dialect":{"delimiter":""}}]}`, ``},
		{"dialect bad delimiter", `{"resources":[{"name":"a","path":"a","dialect":{"delimiter":"ab"}}]}`, `resources[0].dialect.delimiter: must be one character other than NUL, a quote or a line break, not "ab"`},
		{"fields type", `{"resources":[{"name":"a","path":"a","schema":{"fields":{}}}]}`, `resources[0].schema.fields: must be an array`},
		{"pk type", `{"resources":[{"name":"a","path":"a","schema":{"fields":[],"primaryKey":1}}]}`, `resources[0].schema.primaryKey: must be a string or an array of strings`},
		{"pk field", `{"resources":[{"name":"a","path":"a","schema":{"fields":[],"primaryKey":"x"}}]}`, `resources[0].schema.primaryKey[0]: field "x" is not in the schema`},
		{"missing values", `{"resources":[{"name":"a","path":"a","schema":{"missingValues":""}}]}`, `resources[0].schema.missingValues: must be an array of strings`},
		{"missing value item", `{"resources":[{"name":"a","path":"a","schema":{"missingValues":[null]}}]}`, `resources[0].schema.missingValues[0]: must be a string`},
		{"fk reference", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x"}],"foreignKeys":[{"fields":"x"}]}}]}`, `resources[0].schema.foreignKeys[0].reference: is required`},
		{"fk type", `{"resources":[{"name":"a","path":"a","schema":{"foreignKeys":{}}}]}`, `resources[0].schema.foreignKeys: must be an array`},
		{"fk reference type", `{"resources":[{"name":"a","path":"a","schema":{"foreignKeys":[{"fields":"x","reference":"y"}]}}]}`, `resources[0].schema.foreignKeys[0].reference: must be a JSON object`},
		{"fk reference resource", `{"resources":[{"name":"a","path":"a","schema":{"foreignKeys":[{"fields":"x","reference":{"resource":1}}]}}]}`, `resources[0].schema.foreignKeys[0].reference.resource: must be a string`},
		{"field type", `{"resources":[{"name":"a","path":"a","schema":{"fields":["x"]}}]}`, `resources[0].schema.fields[0]: must be a JSON object`},
		{"field name", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"type":"integer"}]}}]}`, `resources[0].schema.fields[0].name: is required`},
		{"bareNumber", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","bareNumber":"no"}]}}]}`, `resources[0].schema.fields[0].bareNumber: must be true or false`},
		{"precision", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","precision":1.5}]}}]}`, `resources[0].schema.fields[0].precision: must be an integer`},
		{"trueValues", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","trueValues":"y"}]}}]}`, `resources[0].schema.fields[0].trueValues: must be an array of strings`},
		{"constraints type", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","constraints":[]}]}}]}`, `resources[0].schema.fields[0].constraints: must be a JSON object`},
		{"required", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","constraints":{"required":"yes"}}]}}]}`, `resources[0].schema.fields[0].constraints.required: must be true or false`},
		{"minLength", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","constraints":{"minLength":"3"}}]}}]}`, `resources[0].schema.fields[0].constraints.minLength: must be an integer`},
		{"minimum", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","type":"integer","constraints":{"minimum":true}}]}}]}`, `resources[0].schema.fields[0].constraints.minimum: must be a number or a string`},
		{"minimum cast", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","type":"integer","constraints":{"minimum":"1.5"}}]}}]}`, `resources[0].schema.fields[0].constraints.minimum: cannot cast "1.5" to integer`},
		{"enum", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","constraints":{"enum":{}}}]}}]}`, `resources[0].schema.fields[0].constraints.enum: must be an array`},
		{"format", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","type":"date","format":"fmt:%d"}]}}]}`, ``},
		{"date format", `{"resources":[{"name":"a","path":"a","schema":{"fields":[{"name":"x","type":"date","format":"dd"}]}}]}`, `resources[0].schema.fields[0].format: format "dd" is not a strftime pattern (e.g. %d/%m/%Y) or "any"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ReadPackage(strings.NewReader(tc.in))
			if tc.msg == "" {
				require.NoError(t, err)
				require.NotNil(t, p)
				return
			}
			require.EqualError(t, err, tc.msg)
			require.ErrorIs(t, err, ErrInvalidDescriptor)
		})
	}
}

func TestReadSchemaAndResourceErrors(t *testing.T) {
	t.Parallel()
	_, err := ReadSchema(strings.NewReader(`{"fields":[{"name":"x","type":"integr"}]}`))
	require.EqualError(t, err, `fields[0].type: unknown type "integr"`)
	var s Schema
	err = json.Unmarshal([]byte(`{"fields":[{"name":"x","type":"integr"}]}`), &s)
	require.ErrorIs(t, err, ErrInvalidDescriptor)
	_, err = ReadResource(strings.NewReader(`{"name":"r","path":"x.csv","dialect":{"quoteChar":"'"}}`))
	require.EqualError(t, err, `dialect.quoteChar: only "\"" is supported, not "'" (unsupported operation)`)
	_, err = ReadResource(strings.NewReader(`{"name":"r","path":"x.csv","schema":{"fields":[{"name":"a"},{"name":"a"}]}}`))
	require.EqualError(t, err, `schema.fields[1].name: "a" repeats fields[0]`)
	_, err = LoadSchema(context.Background(), "testdata/nope.json")
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = LoadPackage(context.Background(), "testdata/nope.json")
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = LoadResource(context.Background(), "testdata/nope.json")
	require.ErrorIs(t, err, os.ErrNotExist)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = LoadSchema(ctx, "testdata/employees.schema.json")
	require.ErrorIs(t, err, context.Canceled)
	_, err = json.Marshal(Schema{Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}})
	require.ErrorContains(t, err, "encode bad: invalid JSON in Extra")
}

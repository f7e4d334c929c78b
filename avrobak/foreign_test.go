package avrobak_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/stretchr/testify/require"
)

// hambaFile writes values with hamba's own encoder: a file "written by
// another tool".
func hambaFile(t *testing.T, schema string, meta map[string][]byte, values ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	opts := []ocf.EncoderFunc{ocf.WithCodec(ocf.Deflate), ocf.WithEncoderSchemaCache(&avro.SchemaCache{})}
	if meta != nil {
		opts = append(opts, ocf.WithMetadata(meta))
	}
	enc, err := ocf.NewEncoder(schema, &buf, opts...)
	require.NoError(t, err)
	for _, v := range values {
		require.NoError(t, enc.Encode(v))
	}
	require.NoError(t, enc.Close())
	return buf.Bytes()
}

func TestForeignSchemas(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		schema string
		values []any
		fields []frictionless.Field
		rows   []frictionless.Row
	}{
		{
			name:   "top-level primitive",
			schema: `"long"`,
			values: []any{int64(5), int64(-1)},
			fields: []frictionless.Field{{Name: "value", Type: "integer", Constraints: frictionless.Constraints{Required: true}}},
			rows:   []frictionless.Row{{int64(5)}, {int64(-1)}},
		},
		{
			name:   "general union as text",
			schema: `{"type":"record","name":"r","fields":[{"name":"u","type":["null","int","string"]}]}`,
			values: []any{map[string]any{"u": 3}, map[string]any{"u": "x"}, map[string]any{"u": nil}},
			fields: []frictionless.Field{{Name: "u", Type: "any"}},
			rows:   []frictionless.Row{{"3"}, {"x"}, {nil}},
		},
		{
			name: "nested record, map of arrays, fixed, local timestamp",
			schema: `{"type":"record","name":"r","fields":[
				{"name":"p","type":{"type":"record","name":"P","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","P"]}]}},
				{"name":"m","type":{"type":"map","values":{"type":"array","items":"double"}}},
				{"name":"f","type":{"type":"fixed","name":"F","size":2}},
				{"name":"lt","type":{"type":"long","logicalType":"local-timestamp-micros"}}]}`,
			values: []any{map[string]any{
				"p":  map[string]any{"a": 1, "b": map[string]any{"P": map[string]any{"a": 2, "b": nil}}},
				"m":  map[string]any{"k": []float64{1.5, -2}},
				"f":  [2]byte{0xca, 0xfe},
				"lt": time.Date(2020, 5, 6, 7, 8, 9, 10000, time.UTC),
			}},
			fields: []frictionless.Field{
				{Name: "p", Type: "object", Constraints: frictionless.Constraints{Required: true}},
				{Name: "m", Type: "object", Constraints: frictionless.Constraints{Required: true}},
				{Name: "f", Type: "string", Format: "binary", Constraints: frictionless.Constraints{Required: true}},
				{Name: "lt", Type: "datetime", Constraints: frictionless.Constraints{Required: true}},
			},
			rows: []frictionless.Row{{
				map[string]any{"a": json.Number("1"), "b": map[string]any{"a": json.Number("2"), "b": nil}},
				map[string]any{"k": []any{json.Number("1.5"), json.Number("-2")}},
				"yv4=", time.Date(2020, 5, 6, 7, 8, 9, 10000, time.UTC),
			}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, rows := readFile(t, hambaFile(t, tc.schema, nil, tc.values...))
			require.False(t, r.HasTableSchema())
			require.Equal(t, tc.fields, r.Schema().Fields)
			requireRowsEqual(t, tc.rows, rows)
		})
	}
}

func TestTableSchemaMustMatchAvroSchema(t *testing.T) {
	t.Parallel()
	ts, err := json.Marshal(&frictionless.Schema{Fields: []frictionless.Field{{Name: "n", Type: "string"}}})
	require.NoError(t, err)
	p := hambaFile(t, `{"type":"record","name":"row","namespace":"datafactory","fields":[{"name":"n","type":"long"}]}`,
		map[string][]byte{avrobak.MetaTableSchema: ts}, map[string]any{"n": int64(1)})
	_, err = avrobak.NewReader(bytes.NewReader(p), nil)
	require.ErrorIs(t, err, avrobak.ErrSchemaMismatch)

	p = hambaFile(t, `"long"`, map[string][]byte{avrobak.MetaRows: []byte("many")}, int64(1))
	_, err = avrobak.NewReader(bytes.NewReader(p), nil)
	require.ErrorIs(t, err, avrobak.ErrCorrupt)
}

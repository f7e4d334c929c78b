package frictionless

import (
	"encoding/json"
	"testing"

	tsschema "github.com/frictionlessdata/tableschema-go/schema"
	"github.com/stretchr/testify/require"
)

func TestToTableSchema(t *testing.T) {
	t.Parallel()
	s := &Schema{
		Fields: []Field{
			{Name: "id", Type: TypeInteger, Constraints: Constraints{Required: true, Minimum: json.Number("1")}},
			{Name: "code", Constraints: Constraints{Enum: []any{"a", "b"}}},
			{Name: "geo", Type: TypeGeoJSON, Extra: map[string]json.RawMessage{"x": json.RawMessage(`1`)}},
			{Name: "price", Type: TypeNumber, Precision: 5, Scale: 2},
		},
		PrimaryKey:  []string{"id"},
		ForeignKeys: []ForeignKey{{Fields: []string{"code"}, Reference: ForeignKeyReference{Resource: "codes", Fields: []string{"code"}}}},
	}
	ts, err := s.ToTableSchema()
	require.NoError(t, err)
	require.Equal(t, []string{"id"}, ts.PrimaryKeys)
	require.Equal(t, []string{"code"}, ts.ForeignKeys.Fields)
	require.Equal(t, "codes", ts.ForeignKeys.Reference.Resource)
	require.Equal(t, tsschema.ObjectType, ts.Fields[2].Type)
	require.Equal(t, "1", ts.Fields[0].Constraints.Minimum)
	require.True(t, ts.Fields[0].Constraints.Required)

	v, err := ts.Fields[0].Cast("42")
	require.NoError(t, err)
	require.Equal(t, int64(42), v)
	_, err = ts.Fields[0].Cast("")
	require.Error(t, err, "required, and \"\" is a missing value")
	_, err = ts.Fields[1].Cast("c")
	require.Error(t, err, "enum enforced")
	v, err = ts.Fields[3].Cast("1.25")
	require.NoError(t, err)
	require.Equal(t, 1.25, v)
}

package datastoretest

import (
	"math"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// allTypes has one field of every Table Schema type, and an exact decimal.
func allTypes() *frictionless.Schema {
	f := func(name string, t frictionless.FieldType) frictionless.Field {
		return frictionless.Field{Name: name, Type: t}
	}
	dec := f("dec", frictionless.TypeNumber)
	dec.Precision, dec.Scale = 24, 6
	id := f("id", frictionless.TypeInteger)
	id.Constraints.Required = true
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			id, f("str", frictionless.TypeString), f("int", frictionless.TypeInteger),
			f("num", frictionless.TypeNumber), dec, f("bool", frictionless.TypeBoolean),
			f("date", frictionless.TypeDate), f("time", frictionless.TypeTime),
			f("datetime", frictionless.TypeDateTime), f("year", frictionless.TypeYear),
			f("yearmonth", frictionless.TypeYearMonth), f("duration", frictionless.TypeDuration),
			f("object", frictionless.TypeObject), f("array", frictionless.TypeArray),
			f("geojson", frictionless.TypeGeoJSON), f("geopoint", frictionless.TypeGeoPoint),
			f("any", frictionless.TypeAny),
		},
		PrimaryKey: []string{"id"},
	}
}

// allTypesRecords is the CSV (header first) of the round-trip rows: unicode
// and hostile text, int64 extremes, exact decimals, microseconds and zones,
// JSON, and a row of NULLs.
func allTypesRecords() [][]string {
	return [][]string{
		{"id", "str", "int", "num", "dec", "bool", "date", "time", "datetime", "year", "yearmonth", "duration", "object", "array", "geojson", "geopoint", "any"},
		{"1", "héllo wörld 日本語 🎉", "9223372036854775807", "3.5", "123456789012345678.123456", "true", "2021-11-07", "23:59:59.123456",
			"2021-11-07T02:48:42.123456Z", "2021", "2021-05", "P1DT2H", `{"a":1,"b":"x","c":{"d":[1,2.5]}}`, `[1,"two",null,true]`,
			`{"type":"Point","coordinates":[1.5,2]}`, "45.25,12.5", "anything"},
		{"2", `'; DROP TABLE x; -- "quoted" \back\slash` + "\ttab\nnewline", "-9223372036854775808", "-0.000125", "-0.000001", "false", "1970-01-01", "00:00:00",
			"2021-11-07T02:48:42.654321+05:30", "1999", "1999-12", "PT0S", `{"ünï":"cödé"}`, `[]`,
			`{"type":"LineString","coordinates":[[0,0],[1,1]]}`, "-90,0", "0123"},
		{"3", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""},
		{"4", "   spaces   ", "0", "-1.5e+34", "0.000000", "true", "2024-02-29", "12:00:00.000001",
			"1999-12-31T23:59:59.999999-08:00", "0", "2000-01", "P1Y2M3DT4H5M6.5S", `{}`, `[[1],[2]]`,
			`{"type":"Point","coordinates":[0,0]}`, "0,0", ""},
	}
}

// testTypesRoundTrip loads every type and reads it back unchanged.
func testTypesRoundTrip(t *testing.T, b *bundle) {
	schema := allTypes()
	text := csvText(t, allTypesRecords())
	rep, err := b.load(t, "types", schema, text, nil)
	require.NoError(t, err)
	require.EqualValues(t, 4, rep.Written, "rejects: %+v", rep.Rejects)

	var want []frictionless.Row
	r := reader(t, schema, text)
	for {
		row, err := r.Read()
		if err != nil {
			break
		}
		want = append(want, row)
	}
	require.Len(t, want, 4)
	got := b.rows(t, "types")
	require.Len(t, got, 4)
	for i := range want {
		for j := range schema.Fields {
			f := &schema.Fields[j]
			require.Truef(t, equalValue(f, want[i][j], got[i][j]), "row %d field %s: loaded %#v (%T), read back %#v (%T)",
				i+1, f.Name, want[i][j], want[i][j], got[i][j], got[i][j])
		}
	}
	// Spot checks that do not depend on the reader.
	require.Equal(t, int64(math.MaxInt64), got[0][2])
	require.Equal(t, int64(math.MinInt64), got[1][2])
	require.Equal(t, "123456789012345678.123456", got[0][4].(frictionless.Decimal).String())
	require.Equal(t, "héllo wörld 日本語 🎉", got[0][1])
	require.True(t, strings.HasPrefix(got[1][1].(string), `'; DROP TABLE x; --`))
	require.Equal(t, "0123", got[1][16])
	for j := 1; j < len(schema.Fields); j++ {
		require.Nil(t, got[2][j], "NULL in field %s", schema.Fields[j].Name)
	}
	require.Equal(t, 1, got[0][8].(interface{ Nanosecond() int }).Nanosecond()/123456000)
}

// testDescribe reads a table's definition back as the schema it was made
// from.
func testDescribe(t *testing.T, b *bundle) {
	schema := allTypes()
	require.NoError(t, b.s.CreateTable(b.ctx, "described", schema))
	got, err := b.s.DescribeTable(b.ctx, "described")
	require.NoError(t, err)
	require.Equal(t, schema.FieldNames(), got.FieldNames())
	require.Equal(t, schema.PrimaryKey, got.PrimaryKey)
	for i := range schema.Fields {
		w, g := schema.Fields[i], got.Fields[i]
		require.Equal(t, w.Type, g.Type, "field %s", w.Name)
		require.Equal(t, w.Precision, g.Precision, "field %s", w.Name)
		require.Equal(t, w.Scale, g.Scale, "field %s", w.Name)
	}
	require.True(t, got.Fields[0].Constraints.Required)
	require.False(t, got.Fields[1].Constraints.Required)
}

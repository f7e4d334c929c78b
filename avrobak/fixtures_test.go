package avrobak_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// allTypesSchema has a field of every Table Schema type, nullable except
// the key.
func allTypesSchema() *frictionless.Schema {
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
			{Name: "name", Type: frictionless.TypeString},
			{Name: "uid", Type: frictionless.TypeString, Format: "uuid"},
			{Name: "ratio", Type: frictionless.TypeNumber},
			{Name: "price", Type: frictionless.TypeNumber, Precision: 12, Scale: 2},
			{Name: "huge", Type: frictionless.TypeNumber, Precision: 38, Scale: 10},
			{Name: "active", Type: frictionless.TypeBoolean},
			{Name: "born", Type: frictionless.TypeDate},
			{Name: "seen_at", Type: frictionless.TypeDateTime},
			{Name: "opens", Type: frictionless.TypeTime},
			{Name: "year", Type: frictionless.TypeYear},
			{Name: "month", Type: frictionless.TypeYearMonth},
			{Name: "wait", Type: frictionless.TypeDuration},
			{Name: "attrs", Type: frictionless.TypeObject},
			{Name: "tags", Type: frictionless.TypeArray},
			{Name: "where", Type: frictionless.TypeGeoPoint},
			{Name: "shape", Type: frictionless.TypeGeoJSON},
			{Name: "extra", Type: frictionless.TypeAny},
		},
		PrimaryKey: []string{"id"},
	}
}

func mustDecimal(t testing.TB, s string) frictionless.Decimal {
	t.Helper()
	d, err := frictionless.ParseDecimal(s)
	require.NoError(t, err)
	return d
}

func mustJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(stringReader(s))
	d.UseNumber()
	require.NoError(t, d.Decode(&v))
	return v
}

// allTypesRows returns rows covering NULLs, unicode, int64 extremes, exact
// decimals, microsecond timestamps with zones and JSON. Datetimes are UTC
// (what the databases give back); offsets are covered by the file tests.
func allTypesRows(t testing.TB) []frictionless.Row {
	utc := time.UTC
	return []frictionless.Row{
		{
			int64(1), "Zoë 🚀 — 東京", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", 3.25,
			mustDecimal(t, "1234567890.12"), mustDecimal(t, "1234567890123456789012345678.0123456789"),
			true, time.Date(1969, 7, 20, 0, 0, 0, 0, utc),
			time.Date(2024, 2, 29, 23, 59, 58, 123456000, utc),
			time.Date(0, 1, 1, 8, 30, 15, 654321000, utc),
			int64(1984), time.Date(2023, 11, 1, 0, 0, 0, 0, utc), "P1Y2M3DT4H5M6.5S",
			mustJSON(t, `{"a":1,"b":[true,null,"x"],"c":{"d":1.5}}`), mustJSON(t, `[1,"two",{"three":3}]`),
			"45.5,-73.6", mustJSON(t, `{"type":"Point","coordinates":[1,2]}`), "anything ✓",
		},
		{
			int64(math.MaxInt64), "", "00000000-0000-0000-0000-000000000000", -0.0,
			mustDecimal(t, "-9999999999.99"), mustDecimal(t, "-9999999999999999999999999999.9999999999"),
			false, time.Date(1, 1, 1, 0, 0, 0, 0, utc),
			time.Date(1900, 1, 1, 0, 0, 0, 1000, utc),
			time.Date(0, 1, 1, 23, 59, 59, 999999000, utc),
			int64(-44), time.Date(1, 1, 1, 0, 0, 0, 0, utc), "PT0S",
			mustJSON(t, `{}`), mustJSON(t, `[]`), "0,0", mustJSON(t, `{"type":"Point","coordinates":[0,0]}`), "",
		},
		{
			int64(math.MinInt64), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		},
		{
			int64(0), "line\nbreak\t\"quoted\" 'single' \\ back", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", math.MaxFloat64,
			mustDecimal(t, "0.01"), mustDecimal(t, "0.0000000001"),
			true, time.Date(9999, 12, 31, 0, 0, 0, 0, utc),
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, utc),
			time.Date(0, 1, 1, 0, 0, 0, 0, utc),
			int64(9999), time.Date(9999, 12, 1, 0, 0, 0, 0, utc), "P10D",
			mustJSON(t, `{"ünïcode":"✓","n":-1e-7}`), mustJSON(t, `[[[]]]`), "-90,180", mustJSON(t, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`), "{}",
		},
	}
}

// requireRowsEqual compares rows cell by cell: times by instant and UTC
// offset, decimals by value, everything else exactly.
func requireRowsEqual(t testing.TB, want, got []frictionless.Row) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Len(t, got[i], len(want[i]), "row %d", i)
		for j := range want[i] {
			requireCellEqual(t, want[i][j], got[i][j], "row %d, cell %d", i, j)
		}
	}
}

func requireCellEqual(t testing.TB, want, got any, msgAndArgs ...any) {
	t.Helper()
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		require.True(t, ok, append([]any{"want time.Time, got %T"}, got)...)
		require.True(t, w.Equal(g), "want %v, got %v (%v)", w, g, msgAndArgs)
		_, wo := w.Zone()
		_, gotOff := g.Zone()
		require.Equal(t, wo, gotOff, msgAndArgs...)
	case frictionless.Decimal:
		g, ok := got.(frictionless.Decimal)
		require.True(t, ok, "want Decimal, got %T (%v)", got, msgAndArgs)
		require.Zero(t, w.Cmp(g), "want %s, got %s (%v)", w, g, msgAndArgs)
	default:
		require.Equal(t, want, got, msgAndArgs...)
	}
}

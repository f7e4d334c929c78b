package avrobak_test

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
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
// decimals, microsecond timestamps with zones and JSON.
func allTypesRows(t testing.TB) []frictionless.Row {
	utc := time.UTC
	return []frictionless.Row{
		{
			int64(1), "Zoë 🚀 — 東京", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", mustDecimal(t, "3.250"),
			mustDecimal(t, "1234567890.12"), mustDecimal(t, "1234567890123456789012345678.0123456789"),
			true, time.Date(1969, 7, 20, 0, 0, 0, 0, utc),
			time.Date(2024, 3, 1, 5, 29, 58, 123456000, time.FixedZone("", 5*3600+1800)),
			time.Date(0, 1, 1, 8, 30, 15, 654321000, utc),
			int64(1984), time.Date(2023, 11, 1, 0, 0, 0, 0, utc), "P1Y2M3DT4H5M6.5S",
			mustJSON(t, `{"a":1,"b":[true,null,"x"],"c":{"d":1.5}}`), mustJSON(t, `[1,"two",{"three":3}]`),
			"45.5,-73.6", mustJSON(t, `{"type":"Point","coordinates":[1,2]}`), "anything ✓",
		},
		{
			int64(math.MaxInt64), "", "00000000-0000-0000-0000-000000000000", mustDecimal(t, "-0.000000000000000000000000000001"),
			mustDecimal(t, "-9999999999.99"), mustDecimal(t, "-9999999999999999999999999999.9999999999"),
			false, time.Date(1000, 1, 1, 0, 0, 0, 0, utc), // (year 1 is Go's zero time, which MySQL drivers write as 0000-00-00)
			time.Date(1900, 1, 1, 0, 0, 0, 1000, utc),
			time.Date(0, 1, 1, 23, 59, 59, 999999000, utc),
			int64(-44), time.Date(1000, 1, 1, 0, 0, 0, 0, utc), "PT0S",
			mustJSON(t, `{}`), mustJSON(t, `[]`), "0,0", mustJSON(t, `{"type":"Point","coordinates":[0,0]}`), "",
		},
		{
			int64(math.MinInt64), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		},
		{
			int64(0), "line\nbreak\t\"quoted\" 'single' \\ back", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", mustDecimal(t, "12345678901234567890.1234567890"),
			mustDecimal(t, "0.01"), mustDecimal(t, "0.0000000001"),
			true, time.Date(9999, 12, 31, 0, 0, 0, 0, utc),
			time.Date(9999, 12, 31, 23, 59, 59, 999999000, utc),
			time.Date(0, 1, 1, 0, 0, 0, 0, utc),
			int64(9999), time.Date(9999, 12, 1, 0, 0, 0, 0, utc), "P10D",
			mustJSON(t, `{"ünïcode":"✓","n":-0.0000001}`), mustJSON(t, `[[[]]]`), "-90,180", mustJSON(t, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`), "{}",
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

// requireRowsEqualUTC is requireRowsEqual with times compared as UTC: the
// databases keep a timestamp's instant, not the offset it was given in.
func requireRowsEqualUTC(t testing.TB, want, got []frictionless.Row) {
	t.Helper()
	utc := func(rows []frictionless.Row) []frictionless.Row {
		out := make([]frictionless.Row, len(rows))
		for i, r := range rows {
			out[i] = slices.Clone(r)
			for j, v := range r {
				if tm, ok := v.(time.Time); ok {
					out[i][j] = tm.UTC()
				}
			}
		}
		return out
	}
	requireRowsEqual(t, utc(want), utc(got))
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
		// Every digit as written; databases without a per-value scale
		// (MySQL) give the number without trailing zeros.
		g, ok := got.(frictionless.Decimal)
		require.True(t, ok, "want Decimal, got %T (%v)", got, msgAndArgs)
		require.Contains(t, []string{w.String(), w.Trimmed().String()}, g.String(), "want %s (%v)", w, msgAndArgs)
	case float64:
		if g, ok := got.(frictionless.Decimal); ok { // a double restored into an exact column
			require.Zero(t, frictionless.DecimalFromFloat(w).Cmp(g), "want %v, got %s (%v)", w, g, msgAndArgs)
			return
		}
		require.Equal(t, want, got, msgAndArgs...)
	default:
		require.Equal(t, want, got, msgAndArgs...)
	}
}

var errEOF = io.EOF

func sha256Hex(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

// sortedByID orders rows by their int64 first cell.
func sortedByID(rows []frictionless.Row) []frictionless.Row {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b frictionless.Row) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
	return out
}

// employeesSchema is an employees table, as in data-architecture.
func employeesSchema() *frictionless.Schema {
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
			{Name: "first_name", Type: frictionless.TypeString, Constraints: frictionless.Constraints{Required: true}},
			{Name: "last_name", Type: frictionless.TypeString, Constraints: frictionless.Constraints{Required: true}},
			{Name: "email", Type: frictionless.TypeString},
			{Name: "department", Type: frictionless.TypeString},
			{Name: "salary", Type: frictionless.TypeNumber, Precision: 10, Scale: 2},
			{Name: "hiring_date", Type: frictionless.TypeDate},
			{Name: "active", Type: frictionless.TypeBoolean},
			{Name: "updated_at", Type: frictionless.TypeDateTime},
		},
		PrimaryKey: []string{"id"},
	}
}

// employeeRow returns employee number i (deterministic).
func employeeRow(t testing.TB, i int64) frictionless.Row {
	depts := []string{"Engineering", "Sales", "Finance", "Support", "Marketing"}
	first := []string{"Ana", "Bob", "Chloé", "Dmitri", "Eun-ji", "Fatima"}
	row := frictionless.Row{
		i, first[i%int64(len(first))], fmt.Sprintf("Surname%d", i), fmt.Sprintf("user%d@example.com", i),
		depts[i%int64(len(depts))], mustDecimal(t, fmt.Sprintf("%d.%02d", 30000+i%90000, i%100)),
		time.Date(2000+int(i%25), time.Month(1+i%12), 1+int(i%28), 0, 0, 0, 0, time.UTC), i%3 != 0,
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1234567 * time.Microsecond),
	}
	if i%10 == 0 {
		row[3] = nil
	}
	return row
}

func employeeRows(t testing.TB, from, n int64) []frictionless.Row {
	rows := make([]frictionless.Row, n)
	for i := range rows {
		rows[i] = employeeRow(t, from+int64(i))
	}
	return rows
}

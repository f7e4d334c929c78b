package datastoretest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// exactNumbers are numbers with up to 30 significant digits (and at most
// 35 integer and 30 fractional digits, MySQL's widest DECIMAL), some with
// trailing zeros.
var exactNumbers = []string{
	"123456789012345678901234567890",
	"-123456789012345678901234567890",
	"12345678901234567890.1234567890",
	"123456789012345.678901234567890",
	"0.123456789012345678901234567890",
	"-0.000000000000000000000000000001",
	"12345678901234567890.123456789",
	"99999999999999999999999999999999999",
	"1.10",
	"0.00",
	"-7",
}

// testNumbersExact loads numbers with 30 significant digits into a number
// column without precision and reads every digit back: as written, or
// (where the database keeps no per-value scale) without trailing zeros.
func testNumbersExact(t *testing.T, b *bundle) {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "n", Type: frictionless.TypeNumber},
	}, PrimaryKey: []string{"id"}}
	records := [][]string{{"id", "n"}}
	for i, s := range exactNumbers {
		records = append(records, []string{strconv.Itoa(i + 1), s})
	}
	rep, err := b.load(t, "numbers", schema, csvText(t, records), nil)
	require.NoError(t, err)
	require.EqualValues(t, len(exactNumbers), rep.Written, "rejects: %+v", rep.Rejects)
	got := b.rows(t, "numbers")
	require.Len(t, got, len(exactNumbers))
	for i, s := range exactNumbers {
		requireSameDigits(t, s, got[i][1])
	}
	described, err := b.s.DescribeTable(b.ctx, "numbers")
	require.NoError(t, err)
	require.Equal(t, frictionless.TypeNumber, described.Fields[1].Type)
	require.Zero(t, described.Fields[1].Precision, "a number without precision reads back without one")
}

// testNumbersBeyondTarget loads values some backends cannot hold (NaN,
// more digits than MySQL's DECIMAL): each row is either stored and read
// back exactly, or rejected with a reason; never rounded. (±INF is checked
// per backend: sqlstore's TestNumbersPerBackend, ckanstore's
// TestNumbersInfinity.)
func testNumbersBeyondTarget(t *testing.T, b *bundle) {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "n", Type: frictionless.TypeNumber},
	}, PrimaryKey: []string{"id"}}
	values := []string{"NaN", "1" + strings.Repeat("0", 40),
		"0." + strings.Repeat("0", 30) + "1", "1.5"}
	records := [][]string{{"id", "n"}}
	for i, s := range values {
		records = append(records, []string{strconv.Itoa(i + 1), s})
	}
	rep, err := b.load(t, "beyond", schema, csvText(t, records), nil)
	require.NoError(t, err)
	require.EqualValues(t, len(values), rep.Written+rep.Rejected)
	rejected := map[int]bool{}
	for _, r := range rep.Rejects {
		require.NotEmpty(t, r.Reason)
		require.Equal(t, values[r.Row-1], r.Raw[1], "reject %+v keeps the value", r)
		rejected[r.Row] = true
	}
	require.False(t, rejected[len(values)], "1.5 fits every backend")
	got := map[int64]any{}
	for _, r := range b.rows(t, "beyond") {
		got[r[0].(int64)] = r[1]
	}
	require.Len(t, got, int(rep.Written))
	for i, s := range values {
		v, ok := got[int64(i+1)]
		require.Equal(t, !rejected[i+1], ok, "value %s: stored unless rejected", s)
		if ok {
			requireSameDigits(t, s, v)
		}
	}
}

// requireSameDigits checks that a number read back is the one written:
// the same text, or the same text without trailing fractional zeros.
func requireSameDigits(t *testing.T, written string, got any) {
	t.Helper()
	d, ok := got.(frictionless.Decimal)
	require.Truef(t, ok, "%s read back as %T %v, not a Decimal", written, got, got)
	w, err := frictionless.ParseDecimal(written)
	require.NoError(t, err)
	require.Contains(t, []string{w.String(), w.Trimmed().String()}, d.String(), "written %s", written)
}

// requireNumber checks a number read back by value.
func requireNumber(t *testing.T, want string, got any, what ...string) {
	t.Helper()
	d, ok := got.(frictionless.Decimal)
	require.Truef(t, ok, "%v is a %T, not a Decimal %v", got, got, what)
	w, err := frictionless.ParseDecimal(want)
	require.NoError(t, err)
	require.Zerof(t, w.Cmp(d), "want %s, got %s %v", want, d, what)
}

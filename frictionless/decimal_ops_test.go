package frictionless

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecimalSpecial(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, str        string
		nan, pinf, neg bool
		f              float64
	}{
		{"NaN", "NaN", true, false, false, math.NaN()},
		{"INF", "INF", false, true, false, math.Inf(1)},
		{"+INF", "INF", false, true, false, math.Inf(1)},
		{"Infinity", "INF", false, true, false, math.Inf(1)},
		{"-INF", "-INF", false, false, true, math.Inf(-1)},
		{"-Infinity", "-INF", false, false, true, math.Inf(-1)},
	} {
		d, err := ParseDecimal(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.str, d.String())
		require.Equal(t, tc.nan, d.IsNaN())
		require.Equal(t, tc.pinf, d.IsInf(1))
		require.Equal(t, tc.neg, d.IsInf(-1))
		require.False(t, d.IsFinite())
		require.Nil(t, d.Rat())
		_, ok := d.Unscaled(0)
		require.False(t, ok)
		if tc.nan {
			require.True(t, math.IsNaN(d.Float64()))
		} else {
			require.Equal(t, tc.f, d.Float64())
		}
		b, err := json.Marshal(d)
		require.NoError(t, err)
		require.Equal(t, `"`+tc.str+`"`, string(b))
		var back Decimal
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, d, back)
		require.Equal(t, d, DecimalFromFloat(tc.f))
	}
	for _, bad := range []string{"nan", "inf", "Inf", "-NaN", "+-1", "--1", "1e+", "١٢"} {
		_, err := ParseDecimal(bad)
		require.ErrorIs(t, err, errDecimalSyntax, bad)
	}
}

func TestDecimalKeepsDigits(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"1.10", "12345678901234567890.123456789", "-0.000000000000000000000000000001",
		"123456789012345678901234567890", "0.00", "-98765432109876543210.9876543210"} {
		d, err := ParseDecimal(s)
		require.NoError(t, err)
		require.Equal(t, s, d.String())
	}
}

func TestParseDecimalNoAlloc(t *testing.T) { // not parallel: AllocsPerRun
	n := testing.AllocsPerRun(100, func() { _, _ = ParseDecimal("12345.678") })
	require.Zero(t, n, "canonical text is kept without copying")
}

func TestDecimalCmp(t *testing.T) {
	t.Parallel()
	order := []string{"-INF", "-1e30", "-1.5", "-1.49999999999999999999", "0", "0.000001", "0.5",
		"1", "1.0000000000000000000001", "9.99", "10", "123456789012345678901234567890", "INF", "NaN"}
	for i, a := range order {
		for j, b := range order {
			x, err := ParseDecimal(a)
			require.NoError(t, err)
			y, err := ParseDecimal(b)
			require.NoError(t, err)
			require.Equal(t, cmpInt(i, j), x.Cmp(y), "%s vs %s", a, b)
			if x.IsFinite() && y.IsFinite() {
				require.Equal(t, x.Rat().Cmp(y.Rat()), x.Cmp(y), "%s vs %s", a, b)
			}
		}
	}
	for _, eq := range [][2]string{{"1.10", "1.1"}, {"0.00", "0"}, {"-0.0", "0"}, {"100.00", "1e2"}, {"0.50", ".5"}} {
		x, _ := ParseDecimal(eq[0])
		y, _ := ParseDecimal(eq[1])
		require.Zero(t, x.Cmp(y), eq)
		require.Equal(t, x.key(), y.key(), eq)
		require.Equal(t, y.Trimmed().String(), x.Trimmed().String(), eq)
	}
	d, _ := ParseDecimal("1.2300")
	require.Equal(t, "1.23", d.Trimmed().String())
	require.Equal(t, 2, d.Trimmed().Scale())
}

func TestUniqueDecimalsByValue(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "n", Type: TypeNumber, Constraints: Constraints{Unique: true}}}}
	rd, err := NewReader(strings.NewReader("n\n1.10\n1.1\n2\n"), s, nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Len(t, rows, 2)
	require.Len(t, errs, 1)
	require.Contains(t, errs[0].Error(), "same as row 1")
}

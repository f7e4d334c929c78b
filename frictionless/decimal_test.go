package frictionless

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, str      string
		scale, sign  int
		prec, digits int
		rat          string
	}{
		{"0", "0", 0, 0, 1, 0, "0"},
		{"-0.00", "0.00", 2, 0, 2, 0, "0"},
		{"12.340", "12.340", 3, 1, 5, 2, "617/50"},
		{"+7", "7", 0, 1, 1, 1, "7"},
		{"-.5", "-0.5", 1, -1, 1, 0, "-1/2"},
		{"5.", "5", 0, 1, 1, 1, "5"},
		{"1.5e3", "1500", 0, 1, 4, 4, "1500"},
		{"-1.5E-3", "-0.0015", 4, -1, 4, 0, "-3/2000"},
		{"007.10", "7.10", 2, 1, 3, 1, "71/10"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDecimal(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.str, d.String())
			require.Equal(t, tc.scale, d.Scale())
			require.Equal(t, tc.sign, d.Sign())
			require.Equal(t, tc.prec, d.Precision())
			require.Equal(t, tc.digits, d.IntDigits())
			want, ok := new(big.Rat).SetString(tc.rat)
			require.True(t, ok)
			require.Zero(t, want.Cmp(d.Rat()))
			f, _ := want.Float64()
			require.Equal(t, f, d.Float64())
			b, err := json.Marshal(d)
			require.NoError(t, err)
			require.Equal(t, tc.str, string(b))
			var back Decimal
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, d, back)
			require.NoError(t, json.Unmarshal([]byte(`"`+tc.in+`"`), &back))
			require.Zero(t, d.Cmp(back))
		})
	}
	for _, bad := range []string{"", "-", ".", "1.2.3", "1e", "1e5000", "abc", "1,5", "0x10", "1 "} {
		_, err := ParseDecimal(bad)
		require.ErrorIs(t, err, errDecimalSyntax, bad)
		require.EqualError(t, err, `decimal "`+bad+`": invalid decimal syntax`)
	}
	var d Decimal
	require.Error(t, json.Unmarshal([]byte(`true`), &d))
	require.Equal(t, "0", d.String())
	one, _ := ParseDecimal("1.0")
	require.Equal(t, -1, d.Cmp(one))
}

func TestDecimalUnscaled(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"0", 2, 0, true},
		{"-0.00", 5, 0, true},
		{"12.5", 2, 1250, true},
		{"-12.50", 1, -125, true},
		{"0.05", 2, 5, true},
		{"0.05", 1, 0, false}, // a non-zero digit beyond the scale
		{"1.230", 2, 123, true},
		{"1e3", 0, 1000, true},
		{"999999999999999999", 0, 999999999999999999, true},
		{"1000000000000000000", 0, 0, false}, // 19 digits
		{"1.5", 17, 150000000000000000, true},
		{"1.5", 18, 0, false}, // 19 digits
		{"1.5", -1, 0, false},
	}
	for _, tc := range cases {
		d, err := ParseDecimal(tc.in)
		require.NoError(t, err, tc.in)
		n, ok := d.Unscaled(tc.scale)
		require.Equal(t, tc.ok, ok, "%s at scale %d", tc.in, tc.scale)
		require.Equal(t, tc.want, n, "%s at scale %d", tc.in, tc.scale)
	}
}

package avrobak

import (
	"math/big"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

func TestDecimalEncoding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text             string
		precision, scale int
		want             string // decoded text; "" means an error
	}{
		{"0", 5, 2, "0.00"},
		{"1.27", 5, 2, "1.27"},
		{"1.28", 5, 2, "1.28"},
		{"-1.28", 5, 2, "-1.28"},
		{"-1.29", 5, 2, "-1.29"},
		{"-0.01", 5, 2, "-0.01"},
		{"2.55", 5, 2, "2.55"},
		{"12.5", 5, 2, "12.50"},
		{"1.500", 5, 2, "1.50"},
		{"1.5e2", 5, 2, "150.00"},
		{"999.99", 5, 2, "999.99"},
		{"1000.00", 5, 2, ""},
		{"1.234", 5, 2, ""},
		{"abc", 5, 2, ""},
		{"922337203685477580.7", 19, 1, "922337203685477580.7"},
		{"-922337203685477580.8", 19, 1, "-922337203685477580.8"},
		{"99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999"},
		{"-0.00000000000000000000000000000000000001", 38, 38, "-0.00000000000000000000000000000000000001"},
		{"-12345678901234567890.123456789", 38, 9, "-12345678901234567890.123456789"},
	}
	for _, tc := range cases {
		b, err := appendDecimal(nil, tc.text, tc.precision, tc.scale)
		if tc.want == "" {
			require.Error(t, err, tc.text)
			continue
		}
		require.NoError(t, err, tc.text)
		d := decoder{b: b}
		p, err := d.readBytes()
		require.NoError(t, err)
		require.Zero(t, d.remaining())
		got, err := decodeDecimal(p, tc.scale)
		require.NoError(t, err)
		require.Equal(t, tc.want, got.String(), tc.text)
		// The bytes are the minimal two's complement of the unscaled value.
		n := new(big.Int).SetBytes(p)
		if p[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(p))))
		}
		r, ok := new(big.Rat).SetString(tc.want)
		require.True(t, ok)
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(tc.scale)), nil)))
		require.Equal(t, r.Num().String(), n.String(), tc.text)
		require.Equal(t, bigTwos(n), p, tc.text)
	}
}

// TestDecimalFastPath: a frictionless.Decimal takes Decimal.Unscaled rather
// than text; both paths give the same bytes, or both an error.
func TestDecimalFastPath(t *testing.T) {
	t.Parallel()
	texts := []string{"0", "0.00", "-0.01", "1.27", "-1.28", "12.5", "1.500", "1.5e2", "999.99", "1000.00", "1.234",
		"30123.45", "-30123.4500", "0.05", "123456789012345678", "-999999999999999999", "1234567890123456789",
		"922337203685477580.7", "99999999999999999999999999999999999999", "1e-30", "-12345678901234567890.123456789"}
	shapes := [][2]int{{5, 2}, {10, 2}, {18, 0}, {19, 1}, {20, 2}, {38, 9}, {38, 38}, {3, 0}, {18, 18}}
	for _, text := range texts {
		d, err := frictionless.ParseDecimal(text)
		require.NoError(t, err, text)
		for _, ps := range shapes {
			fast, ferr := appendDecimal(nil, d, ps[0], ps[1])
			slow, serr := appendDecimal(nil, d.String(), ps[0], ps[1])
			require.Equal(t, serr == nil, ferr == nil, "%s as (%d,%d): %v / %v", text, ps[0], ps[1], ferr, serr)
			require.Equal(t, slow, fast, "%s as (%d,%d)", text, ps[0], ps[1])
		}
	}
}

// TestTimestampRange: timestamps from the first microsecond of year
// -290000 to the last of year 290000 (UTC) are encoded; one microsecond
// outside is refused, whatever the zone the time is in.
func TestTimestampRange(t *testing.T) {
	t.Parallel()
	east := time.FixedZone("", 5*3600)
	first := time.Date(minTimestampYear, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(maxTimestampYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Microsecond)
	for _, tc := range []struct {
		at time.Time
		ok bool
	}{
		{first, true}, {first.In(east), true}, {first.Add(-time.Microsecond), false}, {first.Add(-time.Microsecond).In(east), false},
		{last, true}, {last.In(east), true}, {last.Add(time.Microsecond), false}, {last.Add(time.Microsecond).In(east), false},
		{time.Date(2026, 12, 7, 8, 0, 0, 0, east), true},
	} {
		b, off, err := appendTimestamp(nil, tc.at)
		if !tc.ok {
			require.ErrorContains(t, err, "out of range", tc.at)
			continue
		}
		require.NoError(t, err, tc.at)
		_, wantOff := tc.at.Zone()
		require.Equal(t, wantOff, off)
		require.Equal(t, appendLong(nil, tc.at.UnixMicro()), b, tc.at)
	}
}

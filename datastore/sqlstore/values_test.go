package sqlstore

import (
	"math"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

func TestDecodeValue(t *testing.T) {
	t.Parallel()
	f := func(typ frictionless.FieldType) *frictionless.Field { return &frictionless.Field{Name: "c", Type: typ} }
	dec := &frictionless.Field{Name: "d", Type: frictionless.TypeNumber, Precision: 10, Scale: 2}
	utc := time.Date(2021, 11, 7, 2, 48, 42, 123456000, time.UTC)
	tests := []struct {
		field *frictionless.Field
		in    any
		want  any
	}{
		{f(frictionless.TypeString), []byte("héllo"), "héllo"},
		{f(""), "x", "x"},
		{f(frictionless.TypeInteger), int64(-5), int64(-5)},
		{f(frictionless.TypeInteger), "42", int64(42)},
		{f(frictionless.TypeInteger), int32(7), int64(7)},
		{f(frictionless.TypeInteger), float64(3), int64(3)},
		{f(frictionless.TypeYear), int64(2021), int64(2021)},
		{f(frictionless.TypeBoolean), int64(1), true},
		{f(frictionless.TypeBoolean), []byte("0"), false},
		{f(frictionless.TypeBoolean), "t", true},
		{f(frictionless.TypeBoolean), true, true},
		{f(frictionless.TypeNumber), float64(1.5), 1.5},
		{f(frictionless.TypeNumber), int64(2), mustDecimal(t, "2")},
		{f(frictionless.TypeNumber), "2.250", mustDecimal(t, "2.250")},
		{f(frictionless.TypeNumber), []byte("12345678901234567890.123456789"), mustDecimal(t, "12345678901234567890.123456789")},
		{f(frictionless.TypeNumber), "NaN", mustDecimal(t, "NaN")},
		{f(frictionless.TypeNumber), "-Infinity", mustDecimal(t, "-INF")},
		{f(frictionless.TypeDateTime), utc, utc},
		{f(frictionless.TypeDateTime), "2021-11-07T02:48:42.123456Z", utc},
		{f(frictionless.TypeDateTime), "2021-11-07 02:48:42.123456", utc},
		{f(frictionless.TypeDate), utc, time.Date(2021, 11, 7, 0, 0, 0, 0, time.UTC)},
		{f(frictionless.TypeDate), "2021-11-07T00:00:00Z", time.Date(2021, 11, 7, 0, 0, 0, 0, time.UTC)},
		{f(frictionless.TypeYearMonth), utc, time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)},
		{f(frictionless.TypeYearMonth), "2021-11", time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)},
		{f(frictionless.TypeTime), utc, time.Date(0, 1, 1, 2, 48, 42, 123456000, time.UTC)},
		{f(frictionless.TypeAny), "0123", "0123"},
		{f(frictionless.TypeDuration), []byte("P1D"), "P1D"},
		{f(frictionless.TypeString), nil, nil},
	}
	for _, tc := range tests {
		got, err := decodeValue(tc.field, tc.in)
		require.NoError(t, err, "%s %#v", tc.field.Type, tc.in)
		if w, ok := tc.want.(time.Time); ok {
			require.True(t, w.Equal(got.(time.Time)), "%s %#v: got %v", tc.field.Type, tc.in, got)
			continue
		}
		require.Equal(t, tc.want, got, "%s %#v", tc.field.Type, tc.in)
	}
	d, err := decodeValue(dec, "12.30")
	require.NoError(t, err)
	require.Equal(t, "12.30", d.(frictionless.Decimal).String())
	d, err = decodeValue(dec, float64(1.5))
	require.NoError(t, err)
	require.Equal(t, "1.5", d.(frictionless.Decimal).String())
	obj, err := decodeValue(f(frictionless.TypeObject), []byte(`{"a":[1,"b"]}`))
	require.NoError(t, err)
	require.Equal(t, "b", obj.(map[string]any)["a"].([]any)[1])

	for _, bad := range []struct {
		field *frictionless.Field
		in    any
	}{
		{f(frictionless.TypeInteger), "x"},
		{f(frictionless.TypeBoolean), "maybe"},
		{f(frictionless.TypeString), struct{}{}},
		{f(frictionless.TypeDateTime), "yesterday"},
	} {
		_, err := decodeValue(bad.field, bad.in)
		require.Error(t, err, "%s %#v", bad.field.Type, bad.in)
	}
}

func TestEncodeValue(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("+05:30", 5*3600+1800)
	ts := time.Date(2021, 11, 7, 8, 18, 42, 654321000, zone)
	f := func(typ frictionless.FieldType) *frictionless.Field { return &frictionless.Field{Name: "c", Type: typ} }
	tests := []struct {
		field  *frictionless.Field
		in     any
		asTime bool
		want   any
	}{
		{f(frictionless.TypeDateTime), ts, false, "2021-11-07T02:48:42.654321Z"},
		{f(frictionless.TypeDateTime), ts, true, ts.UTC()},
		{f(frictionless.TypeDate), time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC), false, "2021-01-02"},
		{f(frictionless.TypeTime), time.Date(0, 1, 1, 23, 59, 59, 123456000, time.UTC), false, "23:59:59.123456"},
		{f(frictionless.TypeYearMonth), time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC), false, "2021-05"},
		{f(frictionless.TypeBoolean), true, false, int64(1)},
		{f(frictionless.TypeObject), map[string]any{"b": 1, "a": "x"}, false, `{"a":"x","b":1}`},
		{f(frictionless.TypeArray), []any{1, nil}, false, `[1,null]`},
		{f(frictionless.TypeInteger), int64(9), false, int64(9)},
		{f(frictionless.TypeString), nil, false, nil},
	}
	for _, tc := range tests {
		got, err := encodeValue(tc.field, tc.in, tc.asTime)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%s %#v", tc.field.Type, tc.in)
	}
}

func mustDecimal(t *testing.T, s string) frictionless.Decimal {
	t.Helper()
	d, err := frictionless.ParseDecimal(s)
	require.NoError(t, err)
	return d
}

func TestMySQLCheckValue(t *testing.T) {
	t.Parallel()
	num := &frictionless.Field{Name: "n", Type: frictionless.TypeNumber}
	dec := &frictionless.Field{Name: "d", Type: frictionless.TypeNumber, Precision: 5, Scale: 2}
	tests := []struct {
		field  *frictionless.Field
		value  any
		reason string // "" when it fits
	}{
		{num, mustDecimal(t, "99999999999999999999999999999999999.999999999999999999999999999999"), ""},
		{num, mustDecimal(t, "1.1000000000000000000000000000000000"), ""}, // trailing zeros only
		{num, mustDecimal(t, "0.0000000000000000000000000000001"), "more than 30 decimal places do not fit DECIMAL(65,30) and would be rounded"},
		{num, mustDecimal(t, "100000000000000000000000000000000000"), "more than 35 integer digits do not fit DECIMAL(65,30)"},
		{num, mustDecimal(t, "NaN"), "MySQL and MariaDB numeric columns cannot hold NaN or infinity"},
		{num, mustDecimal(t, "-INF"), "MySQL and MariaDB numeric columns cannot hold NaN or infinity"},
		{num, math.Inf(1), "MySQL and MariaDB numeric columns cannot hold NaN or infinity"},
		{num, 1.5, ""},
		{dec, mustDecimal(t, "999.99"), ""},
		{dec, mustDecimal(t, "1000"), "more than 3 integer digits do not fit DECIMAL(5,2)"},
		{f0(), "NaN", ""},
	}
	for _, tc := range tests {
		err := mysqlCheckValue(tc.field, tc.value)
		if tc.reason == "" {
			require.NoError(t, err, "%v", tc.value)
			continue
		}
		var ve *driver.ValueError
		require.ErrorAs(t, err, &ve, "%v", tc.value)
		require.Equal(t, tc.field.Name, ve.Field)
		require.Equal(t, tc.reason, ve.Reason)
	}
}

// f0 is a string field.
func f0() *frictionless.Field { return &frictionless.Field{Name: "s", Type: frictionless.TypeString} }

package frictionless

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func boolPtr(b bool) *bool { return &b }
func intPtr(n int) *int    { return &n }

func TestFieldCast(t *testing.T) {
	t.Parallel()
	plus2 := time.FixedZone("", 2*3600)
	minus0530 := time.FixedZone("", -(5*3600 + 30*60))
	tests := []struct {
		name  string
		field Field
		raw   string
		want  any
	}{
		{"string", Field{Type: TypeString}, "héllo", "héllo"},
		{"default type is string", Field{}, "x", "x"},
		{"any", Field{Type: TypeAny}, "1", "1"},
		{"integer", Field{Type: TypeInteger}, "-42", int64(-42)},
		{"integer plus", Field{Type: TypeInteger}, "+7", int64(7)},
		{"integer leading zeros", Field{Type: TypeInteger}, "007", int64(7)},
		{"integer group char", Field{Type: TypeInteger, GroupChar: ","}, "1,234,567", int64(1234567)},
		{"integer not bare", Field{Type: TypeInteger, BareNumber: boolPtr(false)}, "€ 95 EUR", int64(95)},
		{"integer max", Field{Type: TypeInteger}, "9223372036854775807", int64(math.MaxInt64)},
		{"number", Field{Type: TypeNumber}, "3.25", mustDecimal(t, "3.25")},
		{"number keeps its scale", Field{Type: TypeNumber}, "1.10", mustDecimal(t, "1.10")},
		{"number keeps every digit", Field{Type: TypeNumber}, "12345678901234567890.123456789", mustDecimal(t, "12345678901234567890.123456789")},
		{"number exponent", Field{Type: TypeNumber}, "-1.5e3", mustDecimal(t, "-1500")},
		{"number big exponent", Field{Type: TypeNumber}, "1e999", mustDecimal(t, "1"+strings.Repeat("0", 999))},
		{"number decimal comma", Field{Type: TypeNumber, DecimalChar: ",", GroupChar: "."}, "1.234,5", mustDecimal(t, "1234.5")},
		{"number percent", Field{Type: TypeNumber, BareNumber: boolPtr(false)}, "95.5%", mustDecimal(t, "95.5")},
		{"number NaN", Field{Type: TypeNumber}, "NaN", mustDecimal(t, "NaN")},
		{"number INF", Field{Type: TypeNumber}, "INF", mustDecimal(t, "INF")},
		{"number -INF", Field{Type: TypeNumber}, "-INF", mustDecimal(t, "-INF")},
		{"decimal", Field{Type: TypeNumber, Precision: 6, Scale: 2}, "-1234.50", mustDecimal(t, "-1234.50")},
		{"boolean true", Field{Type: TypeBoolean}, "TRUE", true},
		{"boolean 0", Field{Type: TypeBoolean}, "0", false},
		{"boolean custom", Field{Type: TypeBoolean, TrueValues: []string{"ja"}, FalseValues: []string{"nein"}}, "nein", false},
		{"date", Field{Type: TypeDate}, "2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"date format", Field{Type: TypeDate, Format: "%d/%m/%Y"}, "31/12/2021", time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"date any", Field{Type: TypeDate, Format: "any"}, "2021/12/31", time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"datetime Z", Field{Type: TypeDateTime}, "2021-11-07T02:48:42Z", time.Date(2021, 11, 7, 2, 48, 42, 0, time.UTC)},
		{"datetime no zone", Field{Type: TypeDateTime}, "2021-11-07 02:48:42", time.Date(2021, 11, 7, 2, 48, 42, 0, time.UTC)},
		{"datetime micros offset", Field{Type: TypeDateTime}, "2021-11-07T02:48:42.123456+02:00", time.Date(2021, 11, 7, 2, 48, 42, 123456000, plus2)},
		{"datetime offset no colon", Field{Type: TypeDateTime}, "2021-11-07T02:48:42-0530", time.Date(2021, 11, 7, 2, 48, 42, 0, minus0530)},
		{"datetime format", Field{Type: TypeDateTime, Format: "%Y%m%d %H%M"}, "20211107 0248", time.Date(2021, 11, 7, 2, 48, 0, 0, time.UTC)},
		{"time", Field{Type: TypeTime}, "23:59:58.5", time.Date(0, 1, 1, 23, 59, 58, 500000000, time.UTC)},
		{"time any", Field{Type: TypeTime, Format: "any"}, "3:04PM", time.Date(0, 1, 1, 15, 4, 0, 0, time.UTC)},
		{"year", Field{Type: TypeYear}, "2021", int64(2021)},
		{"yearmonth", Field{Type: TypeYearMonth}, "2021-09", time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)},
		{"duration", Field{Type: TypeDuration}, "P1Y2M10DT2H30M1.5S", "P1Y2M10DT2H30M1.5S"},
		{"duration weeks", Field{Type: TypeDuration}, "P3W", "P3W"},
		{"object", Field{Type: TypeObject}, `{"a":1,"b":[true]}`, map[string]any{"a": json.Number("1"), "b": []any{true}}},
		{"array", Field{Type: TypeArray}, `[1,"x",null]`, []any{json.Number("1"), "x", nil}},
		{"geojson", Field{Type: TypeGeoJSON}, `{"type":"Point","coordinates":[1,2]}`, map[string]any{"type": "Point", "coordinates": []any{json.Number("1"), json.Number("2")}}},
		{"geopoint", Field{Type: TypeGeoPoint}, "90.5, 45", "90.5, 45"},
		{"geopoint array", Field{Type: TypeGeoPoint, Format: "array"}, "[90.5, 45]", "[90.5, 45]"},
		{"geopoint object", Field{Type: TypeGeoPoint, Format: "object"}, `{"lon": 90, "lat": 45}`, `{"lon": 90, "lat": 45}`},
		{"email", Field{Type: TypeString, Format: "email"}, "a@example.org", "a@example.org"},
		{"uri", Field{Type: TypeString, Format: "uri"}, "https://example.org/x", "https://example.org/x"},
		{"uuid", Field{Type: TypeString, Format: "uuid"}, "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"},
		{"binary", Field{Type: TypeString, Format: "binary"}, "aGVsbG8=", "aGVsbG8="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.field.Name = "f"
			got, err := tc.field.Cast(tc.raw)
			require.NoError(t, err)
			if want, ok := tc.want.(time.Time); ok {
				gt, ok := got.(time.Time)
				require.True(t, ok, "got %T", got)
				require.True(t, want.Equal(gt), "got %v want %v", gt, want)
				_, wantOff := want.Zone()
				_, gotOff := gt.Zone()
				require.Equal(t, wantOff, gotOff)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func mustDecimal(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	require.NoError(t, err)
	return d
}

func TestFieldCastErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		field  Field
		raw    string
		reason string
	}{
		{"integer text", Field{Type: TypeInteger}, "abc", `cannot cast "abc" to integer`},
		{"integer fraction", Field{Type: TypeInteger}, "3.5", `cannot cast "3.5" to integer`},
		{"integer empty", Field{Type: TypeInteger}, "", `cannot cast "" to integer`},
		{"integer range", Field{Type: TypeInteger}, "9223372036854775808", `cannot cast "9223372036854775808" to integer: out of range`},
		{"number hex", Field{Type: TypeNumber}, "0x1p3", `cannot cast "0x1p3" to number`},
		{"number inf word", Field{Type: TypeNumber}, "inf", `cannot cast "inf" to number`},
		{"number underscore", Field{Type: TypeNumber}, "1_000", `cannot cast "1_000" to number`},
		{"number range", Field{Type: TypeNumber}, "1e1001", `cannot cast "1e1001" to number: exponent out of range`},
		{"number Infinity", Field{Type: TypeNumber}, "Infinity", `cannot cast "Infinity" to number`},
		{"number hex", Field{Type: TypeNumber}, "0x10", `cannot cast "0x10" to number`},
		{"decimal scale", Field{Type: TypeNumber, Precision: 5, Scale: 2}, "1.234", `cannot cast "1.234" to number: more than 2 decimal places`},
		{"decimal precision", Field{Type: TypeNumber, Precision: 5, Scale: 2}, "1234.5", `cannot cast "1234.5" to number: too many digits for precision 5 and scale 2`},
		{"decimal NaN", Field{Type: TypeNumber, Precision: 5}, "NaN", `cannot cast "NaN" to number: not a finite number`},
		{"decimal INF", Field{Type: TypeNumber, Precision: 5}, "INF", `cannot cast "INF" to number: not a finite number`},
		{"decimal -INF", Field{Type: TypeNumber, Precision: 5}, "-INF", `cannot cast "-INF" to number: not a finite number`},
		{"boolean", Field{Type: TypeBoolean}, "yes", `cannot cast "yes" to boolean`},
		{"date day", Field{Type: TypeDate}, "2021-02-29", `cannot cast "2021-02-29" to date`},
		{"date datetime", Field{Type: TypeDate}, "2021-02-01T00:00:00Z", `cannot cast "2021-02-01T00:00:00Z" to date`},
		{"date format", Field{Type: TypeDate, Format: "%d/%m/%Y"}, "2021-02-01", `cannot cast "2021-02-01" to date`},
		{"date any", Field{Type: TypeDate, Format: "any"}, "soon", `cannot cast "soon" to date`},
		{"datetime minute", Field{Type: TypeDateTime}, "2027-08-29T00:0:1Z", `cannot cast "2027-08-29T00:0:1Z" to datetime`},
		{"datetime hour", Field{Type: TypeDateTime}, "2021-01-01T24:00:00Z", `cannot cast "2021-01-01T24:00:00Z" to datetime`},
		{"datetime zone", Field{Type: TypeDateTime}, "2021-01-01T10:00:00+2:00", `cannot cast "2021-01-01T10:00:00+2:00" to datetime`},
		{"datetime fraction", Field{Type: TypeDateTime}, "2021-01-01T10:00:00.Z", `cannot cast "2021-01-01T10:00:00.Z" to datetime`},
		{"time", Field{Type: TypeTime}, "12:60:00", `cannot cast "12:60:00" to time`},
		{"year", Field{Type: TypeYear}, "20211", `cannot cast "20211" to year`},
		{"yearmonth", Field{Type: TypeYearMonth}, "2021-13", `cannot cast "2021-13" to yearmonth`},
		{"yearmonth layout", Field{Type: TypeYearMonth}, "2021/12", `cannot cast "2021/12" to yearmonth`},
		{"duration", Field{Type: TypeDuration}, "P1H", `cannot cast "P1H" to duration`},
		{"duration empty T", Field{Type: TypeDuration}, "P1DT", `cannot cast "P1DT" to duration`},
		{"duration bare P", Field{Type: TypeDuration}, "P", `cannot cast "P" to duration`},
		{"duration order", Field{Type: TypeDuration}, "P1D2Y", `cannot cast "P1D2Y" to duration`},
		{"object", Field{Type: TypeObject}, `[1]`, `cannot cast "[1]" to object: not a JSON object`},
		{"object trailing", Field{Type: TypeObject}, `{} {}`, `cannot cast "{} {}" to object: not a JSON object`},
		{"array", Field{Type: TypeArray}, `{}`, `cannot cast "{}" to array: not a JSON array`},
		{"geojson", Field{Type: TypeGeoJSON}, `{"type":"Circle"}`, `cannot cast "{\"type\":\"Circle\"}" to geojson: not a GeoJSON object`},
		{"geojson not object", Field{Type: TypeGeoJSON}, `1`, `cannot cast "1" to geojson: not a JSON object`},
		{"geopoint", Field{Type: TypeGeoPoint}, "x, y", `cannot cast "x, y" to geopoint: not a geopoint in format "lon, lat"`},
		{"geopoint array", Field{Type: TypeGeoPoint, Format: "array"}, "1, 2", `cannot cast "1, 2" to geopoint: not a geopoint in format array`},
		{"geopoint range", Field{Type: TypeGeoPoint}, "200, 10", `cannot cast "200, 10" to geopoint: coordinates out of range`},
		{"email", Field{Type: TypeString, Format: "email"}, "nope", `value "nope" is not a valid email: not an email address`},
		{"uri", Field{Type: TypeString, Format: "uri"}, "relative/x", `value "relative/x" is not a valid uri: not an absolute URI`},
		{"uuid", Field{Type: TypeString, Format: "uuid"}, "123", `value "123" is not a valid uuid: not a UUID`},
		{"binary", Field{Type: TypeString, Format: "binary"}, "!!", `value "!!" is not a valid binary: not base64`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.field.Name = "f"
			_, err := tc.field.Cast(tc.raw)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, FieldError{Field: "f", Value: tc.raw, Reason: tc.reason}, *fe)
			require.Equal(t, `field "f": `+tc.reason, err.Error())
		})
	}
}

func TestConstraints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		field  Field
		raw    string
		reason string // "" means valid
	}{
		{"minimum ok", Field{Type: TypeInteger, Constraints: Constraints{Minimum: json.Number("10")}}, "10", ""},
		{"minimum", Field{Type: TypeInteger, Constraints: Constraints{Minimum: json.Number("10")}}, "5", "value 5 is less than minimum 10"},
		{"maximum", Field{Type: TypeNumber, Constraints: Constraints{Maximum: json.Number("1.5")}}, "1.75", "value 1.75 is more than maximum 1.5"},
		{"maximum decimal", Field{Type: TypeNumber, Precision: 4, Scale: 2, Constraints: Constraints{Maximum: json.Number("1.5")}}, "1.51", "value 1.51 is more than maximum 1.5"},
		{"minimum decimal ok", Field{Type: TypeNumber, Precision: 4, Scale: 2, Constraints: Constraints{Minimum: json.Number("1.5")}}, "1.50", ""},
		{"minimum date", Field{Type: TypeDate, Constraints: Constraints{Minimum: "2021-01-01"}}, "2020-12-31", "value 2020-12-31 is less than minimum 2021-01-01"},
		{"maximum datetime", Field{Type: TypeDateTime, Constraints: Constraints{Maximum: "2021-01-01T00:00:00Z"}}, "2021-01-01T01:00:00+02:00", ""},
		{"maximum year", Field{Type: TypeYear, Constraints: Constraints{Maximum: json.Number("2000")}}, "2001", "value 2001 is more than maximum 2000"},
		{"minLength", Field{Constraints: Constraints{MinLength: intPtr(3)}}, "añ", "length 2 is less than minLength 3"},
		{"maxLength", Field{Constraints: Constraints{MaxLength: intPtr(2)}}, "año", "length 3 is more than maxLength 2"},
		{"maxLength array", Field{Type: TypeArray, Constraints: Constraints{MaxLength: intPtr(1)}}, "[1,2]", "length 2 is more than maxLength 1"},
		{"pattern ok", Field{Constraints: Constraints{Pattern: "[a-z]{3}"}}, "abc", ""},
		{"pattern anchored", Field{Constraints: Constraints{Pattern: "[a-z]{3}"}}, "abcd", `value "abcd" does not match pattern "[a-z]{3}"`},
		{"enum ok", Field{Type: TypeInteger, Constraints: Constraints{Enum: []any{json.Number("1"), "2"}}}, "02", ""},
		{"enum", Field{Type: TypeInteger, Constraints: Constraints{Enum: []any{json.Number("1"), "2"}}}, "3", `value "3" is not one of the enum values`},
		{"enum string", Field{Constraints: Constraints{Enum: []any{"a", "b"}}}, "c", `value "c" is not one of the enum values`},
		{"enum date", Field{Type: TypeDate, Constraints: Constraints{Enum: []any{"2021-01-01"}}}, "2021-01-01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.field.Name = "f"
			_, err := tc.field.Cast(tc.raw)
			if tc.reason == "" {
				require.NoError(t, err)
				return
			}
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.reason, fe.Reason)
		})
	}
}

func TestFieldInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		field Field
		msg   string
	}{
		{"type", Field{Type: "integr"}, `type: unknown type "integr"`},
		{"date format", Field{Type: TypeDate, Format: "dd/mm/yyyy"}, `format: format "dd/mm/yyyy" is not a strftime pattern (e.g. %d/%m/%Y) or "any"`},
		{"date directive", Field{Type: TypeDate, Format: "%Q"}, `format: format "%Q": unsupported directive %Q`},
		{"date lone percent", Field{Type: TypeDate, Format: "%Y%"}, `format: format "%Y%" ends with a lone %`},
		{"string format", Field{Format: "ipv4"}, `format: unknown string format "ipv4"`},
		{"geopoint format", Field{Type: TypeGeoPoint, Format: "wkt"}, `format: unknown geopoint format "wkt"`},
		{"scale", Field{Type: TypeNumber, Precision: 2, Scale: 3}, `scale: scale 3 must be between 0 and precision 2`},
		{"minLength", Field{Constraints: Constraints{MinLength: intPtr(-1)}}, `constraints.minLength: must not be negative`},
		{"maxLength", Field{Constraints: Constraints{MaxLength: intPtr(-2)}}, `constraints.maxLength: must not be negative`},
		{"minimum type", Field{Type: TypeInteger, Constraints: Constraints{Minimum: true}}, `constraints.minimum: must be a number or a string, not bool`},
		{"minimum cast", Field{Type: TypeInteger, Constraints: Constraints{Minimum: "x"}}, `constraints.minimum: cannot cast "x" to integer`},
		{"maximum string field", Field{Constraints: Constraints{Maximum: "x"}}, `constraints.maximum: not supported for type string`},
		{"pattern", Field{Constraints: Constraints{Pattern: "("}}, "constraints.pattern: invalid regular expression \"(\": error parsing regexp: missing closing ): `^(?:()$`"},
		{"enum", Field{Type: TypeInteger, Constraints: Constraints{Enum: []any{"x"}}}, `constraints.enum[0]: cannot cast "x" to integer`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.field.Name = "f"
			_, err := tc.field.Cast("1")
			var de *DescriptorError
			require.ErrorAs(t, err, &de)
			require.ErrorIs(t, err, ErrInvalidDescriptor)
			require.Equal(t, tc.msg, err.Error())
		})
	}
}

func TestCastValueAndFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		field Field
		in    any
		want  any
		text  string
	}{
		{"string", Field{}, "x", "x", "x"},
		{"integer json", Field{Type: TypeInteger}, json.Number("12"), int64(12), "12"},
		{"integer float", Field{Type: TypeInteger}, 12.0, int64(12), "12"},
		{"integer go", Field{Type: TypeInteger}, int64(-3), int64(-3), "-3"},
		{"number float", Field{Type: TypeNumber}, 0.5, mustDecimal(t, "0.5"), "0.5"},
		{"number big", Field{Type: TypeNumber}, 1e300, mustDecimal(t, "1e300"), "1" + strings.Repeat("0", 300)},
		{"number NaN float", Field{Type: TypeNumber}, math.NaN(), mustDecimal(t, "NaN"), "NaN"},
		{"number decimal", Field{Type: TypeNumber}, mustDecimal(t, "1.10"), mustDecimal(t, "1.10"), "1.10"},
		{"decimal", Field{Type: TypeNumber, Precision: 10, Scale: 3}, json.Number("2.50"), mustDecimal(t, "2.50"), "2.50"},
		{"boolean", Field{Type: TypeBoolean}, true, true, "true"},
		{"boolean text", Field{Type: TypeBoolean}, "0", false, "false"},
		{"date", Field{Type: TypeDate}, "2021-03-04", time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC), "2021-03-04"},
		{"datetime go", Field{Type: TypeDateTime}, time.Date(2021, 3, 4, 5, 6, 7, 8000, time.UTC), time.Date(2021, 3, 4, 5, 6, 7, 8000, time.UTC), "2021-03-04T05:06:07.000008Z"},
		{"time", Field{Type: TypeTime}, "10:11:12", time.Date(0, 1, 1, 10, 11, 12, 0, time.UTC), "10:11:12"},
		{"yearmonth", Field{Type: TypeYearMonth}, "2020-02", time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), "2020-02"},
		{"object", Field{Type: TypeObject}, map[string]any{"a": json.Number("1")}, map[string]any{"a": json.Number("1")}, `{"a":1}`},
		{"array", Field{Type: TypeArray}, []any{"a"}, []any{"a"}, `["a"]`},
		{"nil", Field{Type: TypeInteger}, nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.field.CastValue(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			txt, err := tc.field.FormatValue(got)
			require.NoError(t, err)
			require.Equal(t, tc.text, txt)
			if got != nil {
				back, err := tc.field.Cast(txt)
				require.NoError(t, err)
				require.Equal(t, got, back)
			}
		})
	}
}

func TestCastValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		field  Field
		in     any
		reason string
	}{
		{"required nil", Field{Type: TypeInteger, Constraints: Constraints{Required: true}}, nil, "value is required"},
		{"integer fraction", Field{Type: TypeInteger}, 1.5, `cannot cast "1.5" to integer`},
		{"wrong Go type", Field{Type: TypeInteger}, struct{}{}, "cannot cast struct {} to integer"},
		{"time for integer", Field{Type: TypeInteger}, time.Now(), "cannot cast time.Time to integer"},
		{"bool for date", Field{Type: TypeDate}, true, `cannot cast "true" to date`},
		{"typed float maximum", Field{Type: TypeNumber, Constraints: Constraints{Maximum: json.Number("1")}}, 2.0, "value 2 is more than maximum 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.field.Name = "f"
			_, err := tc.field.CastValue(tc.in)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.reason, fe.Reason)
		})
	}
	_, err := (&Field{Name: "f", Type: "nope"}).CastValue(1)
	require.ErrorIs(t, err, ErrInvalidDescriptor)
	_, err = (&Field{Name: "f"}).FormatValue(struct{}{})
	require.EqualError(t, err, "cannot format struct {} as string")
	txt, err := (&Field{Type: TypeNumber}).FormatValue(math.NaN())
	require.NoError(t, err)
	require.Equal(t, "NaN", txt)
}

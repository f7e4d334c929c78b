package ckanstore

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/frictionless"
)

// Table Schema → DataStore column types. The choices follow the contract's
// notes on CKAN's types:
//
//   - integer → int8 (bigint). CKAN's "int" is int4, and type guessing makes
//     JSON integers int4, so values ≥ 2^31 fail later; loaders (xloader,
//     DataPusher, AirCan) dodge that with numeric, which loses the integer
//     type. int8 holds every Table Schema integer (int64) exactly.
//   - number → numeric, unconstrained (a number is an exact decimal). numeric
//     is exact and search returns it at full precision and scale (decoded
//     as json.Number); float8 would round. Decimals are sent as text, so
//     NaN and ±INF too. Precision and scale are kept in the column info.
//   - datetime → timestamptz. A timestamp column silently drops the offset,
//     and CKAN renders timestamp columns with to_char, without fractional
//     seconds: the instant and its microseconds would be lost. timestamptz
//     stores the instant and search renders it through to_json with
//     microseconds and offset.
//   - date → date, time → time, boolean → bool, yearmonth → date (first of
//     the month), year → int8.
//   - object, array, geojson → json (CKAN's "nested"); AirCan's "array" is
//     not a PostgreSQL type.
//   - string, duration, geopoint, any → text (duration as ISO 8601: an
//     interval column would render in PostgreSQL's own format).
//
// The Table Schema field itself (type, format, constraints, key position)
// is kept in the column's Data Dictionary info under "datafactory", with
// title and description as CKAN's "label" and "notes", so DescribeTable
// gives the schema back.
func ckanType(f *frictionless.Field) string {
	switch f.Type {
	case frictionless.TypeInteger, frictionless.TypeYear:
		return "int8"
	case frictionless.TypeNumber:
		return "numeric"
	case frictionless.TypeBoolean:
		return "bool"
	case frictionless.TypeDate, frictionless.TypeYearMonth:
		return "date"
	case frictionless.TypeTime:
		return "time"
	case frictionless.TypeDateTime:
		return "timestamptz"
	case frictionless.TypeObject, frictionless.TypeArray, frictionless.TypeGeoJSON:
		return "json"
	}
	return "text"
}

// infoKey is the Data Dictionary key holding the Table Schema field.
const infoKey = "datafactory"

// fieldInfo is what the column info keeps of a Table Schema field.
type fieldInfo struct {
	Type      string `json:"type"`
	Format    string `json:"format,omitempty"`
	Precision int    `json:"precision,omitempty"`
	Scale     int    `json:"scale,omitempty"`
	Required  bool   `json:"required,omitempty"`
	KeyIndex  int    `json:"key_index,omitempty"` // 1-based position in the primary key
}

// ckanField renders a Table Schema field as a DataStore field.
func ckanField(f *frictionless.Field, keyIndex int) ckan.Field {
	fi := fieldInfo{Type: string(f.Type), Format: f.Format, Precision: f.Precision, Scale: f.Scale,
		Required: f.Constraints.Required, KeyIndex: keyIndex}
	if fi.Type == "" {
		fi.Type = string(frictionless.TypeString)
	}
	info := map[string]any{infoKey: fi}
	if f.Title != "" {
		info["label"] = f.Title
	}
	if f.Description != "" {
		info["notes"] = f.Description
	}
	return ckan.Field{ID: f.Name, Type: ckanType(f), Info: info}
}

// schemaField reads a DataStore field back as a Table Schema field; tables
// made by others (no datafactory info) get a type from the column type.
func schemaField(f ckan.InfoField) (frictionless.Field, int) {
	out := frictionless.Field{Name: f.ID}
	if raw, ok := f.Info[infoKey]; ok {
		b, _ := json.Marshal(raw)
		var fi fieldInfo
		if json.Unmarshal(b, &fi) == nil && fi.Type != "" {
			out.Type, out.Format = frictionless.FieldType(fi.Type), fi.Format
			out.Precision, out.Scale = fi.Precision, fi.Scale
			out.Constraints.Required = fi.Required
			out.Title, _ = f.Info["label"].(string)
			out.Description, _ = f.Info["notes"].(string)
			return out, fi.KeyIndex
		}
	}
	t := strings.TrimPrefix(f.Type, "_")
	switch {
	case strings.HasPrefix(f.Type, "_"):
		out.Type = frictionless.TypeArray
	case strings.HasPrefix(t, "int"):
		out.Type = frictionless.TypeInteger
	case t == "numeric" || strings.HasPrefix(t, "float"):
		out.Type = frictionless.TypeNumber
	case t == "bool":
		out.Type = frictionless.TypeBoolean
	case t == "date":
		out.Type = frictionless.TypeDate
	case t == "time":
		out.Type = frictionless.TypeTime
	case strings.HasPrefix(t, "timestamp"):
		out.Type = frictionless.TypeDateTime
	case t == "nested" || t == "json" || t == "jsonb":
		out.Type = frictionless.TypeObject
	default:
		out.Type = frictionless.TypeString
	}
	return out, 0
}

// Layouts of the values sent and read.
const (
	dateLayout = "2006-01-02"
	timeLayout = "15:04:05.999999"
)

// JSONValue converts a row value of field f (see the frictionless package
// for the Go types) to the JSON value the DataStore API takes: numbers as
// json.Number, decimals, dates, times and datetimes as text, NaN and
// infinities as text. [RowValue] converts it back.
func JSONValue(f *frictionless.Field, v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, map[string]any, []any, json.Number:
		return v, nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case frictionless.Decimal:
		return x.String(), nil
	case time.Time:
		switch f.Type {
		case frictionless.TypeDate, frictionless.TypeYearMonth:
			return x.Format(dateLayout), nil
		case frictionless.TypeTime:
			return x.Format(timeLayout), nil
		}
		return x.Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("field %q: cannot send %T", f.Name, v)
}

// RowValue converts a value decoded from DataStore JSON (datastore_search
// output, decoded with UseNumber as this package does) to the row value of
// field f's type.
func RowValue(f *frictionless.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s := stringOf(v)
	switch f.Type {
	case frictionless.TypeInteger, frictionless.TypeYear:
		return strconv.ParseInt(s, 10, 64)
	case frictionless.TypeNumber:
		return frictionless.ParseDecimal(s) // numeric: every digit, "NaN", "Infinity"
	case frictionless.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return strconv.ParseBool(s)
	case frictionless.TypeDate, frictionless.TypeYearMonth:
		return time.Parse(dateLayout, s)
	case frictionless.TypeTime:
		t, err := time.Parse(timeLayout, s)
		if err != nil {
			return nil, err
		}
		return time.Date(0, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
	case frictionless.TypeDateTime:
		return parseDateTime(s)
	case frictionless.TypeObject, frictionless.TypeArray, frictionless.TypeGeoJSON:
		return v, nil
	}
	return s, nil
}

// parseDateTime reads timestamptz (RFC 3339) or timestamp (no zone: UTC)
// output.
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05.999999", s, time.UTC)
}

// stringOf renders a decoded JSON scalar as text.
func stringOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

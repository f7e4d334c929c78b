package ckantest

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Canonical stored forms of date/time values (ISO, sortable as text).
const (
	tsStore   = "2006-01-02 15:04:05.999999"
	dateStore = "2006-01-02"
	timeStore = "15:04:05.999999"
	// tsOut is to_char(col, 'YYYY-MM-DD"T"HH24:MI:SS'): no fraction, no zone.
	tsOut = "2006-01-02T15:04:05"
	// tsTZOut is PostgreSQL's JSON form of a timestamptz in UTC.
	tsTZOut = "2006-01-02T15:04:05.999999-07:00"
)

var (
	zoneSuffix = regexp.MustCompile(`(?i)(z|[+-]\d{2}(:?\d{2})?)$`)
	fracPart   = regexp.MustCompile(`\.\d+$`)
)

// timeLayouts are the date/time inputs accepted, after the zone is cut off
// (DateStyle ISO, MDY as on a default PostgreSQL).
var timeLayouts = []string{
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04",
	"2006-01-02", "01/02/2006 15:04:05", "01/02/2006", "01-02-2006", "2006/01/02",
	"January 2 2006", "Jan 2 2006", "2 January 2006", "2 Jan 2006",
}

// parseTimestamp reads a PostgreSQL-style timestamp literal. The zone, if
// any, is returned separately (timestamp ignores it, timestamptz applies it).
func parseTimestamp(s string) (time.Time, *time.Location, bool) {
	s = strings.TrimSpace(s)
	var loc *time.Location
	if m := zoneSuffix.FindString(s); m != "" && len(s) > 10 {
		if z, ok := parseZone(m); ok {
			loc = z
			s = strings.TrimSpace(s[:len(s)-len(m)])
		}
	}
	frac := fracPart.FindString(s)
	s = strings.TrimSuffix(s, frac)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if frac != "" {
				f, _ := strconv.ParseFloat("0"+frac, 64)
				t = t.Add(time.Duration(math.Round(f*1e6)) * time.Microsecond)
			}
			return t, loc, true
		}
	}
	return time.Time{}, nil, false
}

func parseZone(z string) (*time.Location, bool) {
	if strings.EqualFold(z, "z") {
		return time.UTC, true
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	h, err := strconv.Atoi(digits[:2])
	if err != nil {
		return nil, false
	}
	m := 0
	if len(digits) == 4 {
		m, _ = strconv.Atoi(digits[2:])
	}
	return time.FixedZone("", sign*(h*3600+m*60)), true
}

func convertTime(base string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, invalidInput(base, v)
	}
	if base == "time" {
		for _, layout := range []string{"15:04:05.999999", "15:04:05", "15:04"} {
			if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
				return t.Format(timeStore), nil
			}
		}
		return nil, invalidInput(base, v)
	}
	t, loc, ok := parseTimestamp(s)
	if !ok {
		return nil, invalidInput(base, v)
	}
	switch base {
	case "date":
		return t.Format(dateStore), nil
	case "timestamptz":
		if loc != nil {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		}
		return t.UTC().Format(tsStore), nil
	}
	// timestamp without time zone: PostgreSQL drops the offset silently.
	return t.Format(tsStore), nil
}

// decodeOut turns a stored value (SQLite's raw value, or PostgreSQL's text
// rendering) into the JSON value datastore_search returns.
func decodeOut(t colType, raw any) any {
	if raw == nil {
		return nil
	}
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	s, isStr := raw.(string)
	if t.array || t.isJSON() {
		if isStr {
			return json.RawMessage(s)
		}
		return raw
	}
	switch t.base {
	case "int2", "int4", "int8":
		if isStr {
			return json.Number(s)
		}
		return raw
	case "float4", "float8":
		return decodeFloat(raw)
	case "numeric":
		if isStr {
			if s == "NaN" || s == "Infinity" || s == "-Infinity" {
				return s // to_json renders non-finite numerics as strings
			}
			return json.Number(s)
		}
		return raw
	case "bool":
		return decodeBool(raw)
	case "timestamp":
		if isStr {
			if ts, _, ok := parseTimestamp(s); ok {
				return ts.Format(tsOut)
			}
		}
		return raw
	case "timestamptz":
		// CKAN renders only timestamp with to_char; timestamptz goes
		// through to_json: microseconds and the offset (UTC here) kept.
		if isStr {
			if ts, _, ok := parseTimestamp(s); ok {
				return ts.Format(tsTZOut)
			}
		}
		return raw
	}
	if isStr {
		return s
	}
	return textOf(raw)
}

func decodeFloat(raw any) any {
	var f float64
	switch x := raw.(type) {
	case float64:
		f = x
	case int64:
		f = float64(x)
	case string:
		p, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return x
		}
		f = p
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

func decodeBool(raw any) any {
	switch x := raw.(type) {
	case int64:
		return x != 0
	case bool:
		return x
	case string:
		return x == "true" || x == "t" || x == "1"
	}
	return raw
}

// fullTextOf renders a canonical value for the SQLite full-text column.
func fullTextOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.RawMessage:
		return string(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

package frictionless

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/mail"
	"net/url"
	"strings"

	tsschema "github.com/frictionlessdata/tableschema-go/schema"
)

// castOther handles the rarer types: duration, object, array, geojson,
// geopoint.
func (c *caster) castOther(raw string) (any, string) {
	switch c.kind {
	case TypeDuration:
		if !validDuration(raw) {
			return nil, c.cannotCast(raw, "")
		}
		return raw, ""
	case TypeObject, TypeGeoJSON:
		m, ok := decodeJSON(raw).(map[string]any)
		if !ok {
			return nil, c.cannotCast(raw, "not a JSON object")
		}
		if c.kind == TypeGeoJSON && !validGeoJSON(m) {
			return nil, c.cannotCast(raw, "not a GeoJSON object")
		}
		return m, ""
	case TypeArray:
		a, ok := decodeJSON(raw).([]any)
		if !ok {
			return nil, c.cannotCast(raw, "not a JSON array")
		}
		return a, ""
	case TypeGeoPoint:
		if detail := validGeoPoint(c.format, raw); detail != "" {
			return nil, c.cannotCast(raw, detail)
		}
		return raw, ""
	}
	return nil, c.cannotCast(raw, "unknown type")
}

// decodeJSON decodes one JSON value with numbers as json.Number; it
// returns nil for invalid JSON or trailing data.
func decodeJSON(s string) any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	if dec.More() {
		return nil
	}
	var extra json.RawMessage
	if dec.Decode(&extra) == nil {
		return nil
	}
	return v
}

// geoJSONTypes are the valid values of a GeoJSON object's "type".
var geoJSONTypes = map[string]bool{
	"Point": true, "MultiPoint": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true, "GeometryCollection": true,
	"Feature": true, "FeatureCollection": true,
}

func validGeoJSON(m map[string]any) bool {
	t, _ := m["type"].(string)
	return geoJSONTypes[t]
}

// validGeoPoint checks a geopoint with tableschema-go's parser, then the
// coordinate ranges (which tableschema-go does not check).
func validGeoPoint(format, raw string) string {
	f := tsschema.Field{Name: "geopoint", Type: tsschema.GeoPointType, Format: format}
	v, err := f.Cast(raw)
	if err != nil {
		return "not a geopoint in format " + geoFormatName(format)
	}
	p, ok := v.(tsschema.GeoPoint)
	if !ok {
		return "not a geopoint"
	}
	if p.Lon < -180 || p.Lon > 180 || p.Lat < -90 || p.Lat > 90 {
		return "coordinates out of range"
	}
	return ""
}

func geoFormatName(format string) string {
	if format == "" {
		return `"lon, lat"`
	}
	return format
}

// validDuration checks an ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]
// with at least one component, and at least one after T.
func validDuration(s string) bool {
	if len(s) < 2 || s[0] != 'P' {
		return false
	}
	s = s[1:]
	datePart, timePart, hasT := strings.Cut(s, "T")
	if !durationPart(datePart, "YMWD", false) {
		return false
	}
	if hasT {
		return timePart != "" && durationPart(timePart, "HMS", true)
	}
	return datePart != ""
}

// durationPart checks components number+unit with units in order.
func durationPart(s, units string, fracSeconds bool) bool {
	next := 0
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || fracSeconds && s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return false
		}
		u := strings.IndexByte(units[next:], s[i])
		if u < 0 {
			return false
		}
		if strings.Contains(s[:i], ".") && s[i] != 'S' || strings.Count(s[:i], ".") > 1 {
			return false
		}
		next += u + 1
		s = s[i+1:]
	}
	return true
}

// checkStringFormat validates the email, uri, binary and uuid formats; it
// returns "" when valid.
func checkStringFormat(format, s string) string {
	switch format {
	case "email":
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return "not an email address"
		}
	case "uri":
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return "not an absolute URI"
		}
	case "binary":
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return "not base64"
		}
	case "uuid":
		if !validUUID(s) {
			return "not a UUID"
		}
	}
	return ""
}

// validUUID checks the 8-4-4-4-12 hex form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !bytes.ContainsRune([]byte("0123456789abcdefABCDEF"), rune(s[i])) {
				return false
			}
		}
	}
	return true
}

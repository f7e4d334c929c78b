package ckantest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// colType is a column's PostgreSQL type, reduced to the canonical typname
// of its base type (int4, float8, numeric, text, timestamp, nested, …) and
// whether it is an array.
type colType struct {
	base  string
	array bool
}

// typeAliases maps the names PostgreSQL resolves with cast(x as regtype)
// to their typname. "json" is CKAN's composite "nested" type.
var typeAliases = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4",
	"smallint": "int2", "int2": "int2",
	"bigint": "int8", "int8": "int8",
	"float": "float8", "float8": "float8", "double precision": "float8",
	"real": "float4", "float4": "float4",
	"numeric": "numeric", "decimal": "numeric",
	"text": "text", "varchar": "varchar", "character varying": "varchar",
	"char": "bpchar", "character": "bpchar", "bpchar": "bpchar",
	"bool": "bool", "boolean": "bool",
	"date": "date",
	"time": "time", "time without time zone": "time",
	"timestamp": "timestamp", "timestamp without time zone": "timestamp",
	"timestamptz": "timestamptz", "timestamp with time zone": "timestamptz",
	"interval": "interval", "uuid": "uuid",
	"json": "nested", "nested": "nested", "jsonb": "jsonb",
}

var typeModifier = regexp.MustCompile(`\s*\(\s*\d+\s*(,\s*\d+\s*)?\)`)

// parseType resolves a type name the way cast(:type as regtype) would, for
// the types this server supports. ok is false for anything else.
func parseType(name string) (colType, bool) {
	s := strings.Join(strings.Fields(strings.ToLower(name)), " ")
	var t colType
	if strings.HasSuffix(s, "]") {
		i := strings.Index(s, "[")
		if i < 0 || strings.Trim(s[i:], "[]0123456789") != "" {
			return t, false
		}
		s, t.array = strings.TrimSpace(s[:i]), true
	} else if strings.HasPrefix(s, "_") {
		s, t.array = s[1:], true
	}
	s = typeModifier.ReplaceAllString(s, "")
	base, ok := typeAliases[s]
	if !ok || (t.array && (base == "nested" || base == "jsonb")) {
		return colType{}, false
	}
	t.base = base
	return t, true
}

// typname is the name datastore_search reports ("json" for nested).
func (t colType) typname() string {
	b := t.base
	if b == "nested" {
		b = "json"
	}
	if t.array {
		return "_" + b
	}
	return b
}

// infoName is the name datastore_info reports ("nested" for json).
func (t colType) infoName() string {
	if t.array {
		return "_" + t.base
	}
	return t.base
}

// stored is the name kept in the SQLite metadata table.
func (t colType) stored() string { return t.infoName() }

// pgDecl is the column type used in PostgreSQL.
func (t colType) pgDecl() string {
	b := t.base
	if b == "nested" {
		b = "json"
	}
	if t.array {
		return b + "[]"
	}
	return b
}

func (t colType) isText() bool {
	return !t.array && (t.base == "text" || t.base == "varchar" || t.base == "bpchar")
}

func (t colType) isNumber() bool {
	switch t.base {
	case "int2", "int4", "int8", "float4", "float8", "numeric":
		return !t.array
	}
	return false
}

func (t colType) isJSON() bool { return t.base == "nested" || t.base == "jsonb" }

// pgName is the type name PostgreSQL uses in error messages.
func pgName(base string) string {
	switch base {
	case "int2":
		return "smallint"
	case "int4":
		return "integer"
	case "int8":
		return "bigint"
	case "float4":
		return "real"
	case "float8":
		return "double precision"
	case "bool":
		return "boolean"
	case "timestamptz":
		return "timestamp with time zone"
	case "nested":
		return "json"
	case "varchar":
		return "character varying"
	}
	return base
}

// guessType is CKAN's _guess_type on one value of records[0].
func guessType(v any) string {
	switch x := v.(type) {
	case map[string]any, []any:
		return "nested"
	case bool:
		return "int"
	case json.Number:
		if _, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return "int"
		}
		return "float"
	case string:
		s := strings.TrimSpace(x)
		if _, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64); err == nil {
			return "integer"
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "numeric"
		}
		for _, layout := range guessLayouts {
			if _, err := time.Parse(layout, x); err == nil {
				return "timestamp"
			}
		}
	}
	return "text"
}

// guessLayouts are the formats CKAN's _guess_type tries, in Go notation.
var guessLayouts = []string{
	"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z",
	"02/01/2006", "01/02/2006", "02-01-2006", "01-02-2006",
}

// cellError is a value PostgreSQL would refuse; its text is PostgreSQL's.
type cellError struct{ msg string }

func (e *cellError) Error() string { return e.msg }

func invalidInput(base string, v any) error {
	return &cellError{fmt.Sprintf("invalid input syntax for type %s: %q", pgName(base), textOf(v))}
}

// textOf renders a request value as PostgreSQL would receive it as text.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// convertIn checks a request value against a column type and returns its
// canonical Go form: nil, int64, float64, bool, string (text, numeric,
// date/time), json.RawMessage (json), or []any (arrays). "" for a non-text
// column is NULL, as in CKAN 2.11.
func convertIn(t colType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && s == "" && !t.isText() {
		return nil, nil
	}
	if t.array {
		return convertArray(t, v)
	}
	switch t.base {
	case "text", "varchar", "bpchar", "uuid", "interval":
		if _, isMap := v.(map[string]any); isMap {
			return nil, &cellError{"can't adapt type 'dict'"}
		}
		return textOf(v), nil
	case "int2", "int4", "int8":
		return convertInt(t.base, v)
	case "float4", "float8":
		return convertFloat(t.base, v)
	case "numeric":
		return convertNumeric(v)
	case "bool":
		return convertBool(v)
	case "date", "time", "timestamp", "timestamptz":
		return convertTime(t.base, v)
	case "nested", "jsonb":
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &cellError{err.Error()}
		}
		return json.RawMessage(b), nil
	}
	return textOf(v), nil
}

var intRanges = map[string][2]int64{
	"int2": {math.MinInt16, math.MaxInt16},
	"int4": {math.MinInt32, math.MaxInt32},
	"int8": {math.MinInt64, math.MaxInt64},
}

func convertInt(base string, v any) (any, error) {
	var n int64
	switch x := v.(type) {
	case bool:
		return nil, &cellError{fmt.Sprintf("column is of type %s but expression is of type boolean", pgName(base))}
	case json.Number:
		// A JSON number arrives as a numeric literal: assignment rounds it.
		r, ok := new(big.Float).SetString(x.String())
		if !ok {
			return nil, invalidInput(base, v)
		}
		f, _ := r.Float64()
		if math.Abs(f) > math.MaxInt64 {
			return nil, &cellError{fmt.Sprintf("%s out of range", pgName(base))}
		}
		n = int64(math.Round(f))
		if i, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			n = i
		}
	case string:
		i, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(x), "+"), 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, &cellError{fmt.Sprintf("value %q is out of range for type %s", x, pgName(base))}
			}
			return nil, invalidInput(base, v)
		}
		n = i
	default:
		return nil, invalidInput(base, v)
	}
	r := intRanges[base]
	if n < r[0] || n > r[1] {
		if s, ok := v.(string); ok {
			return nil, &cellError{fmt.Sprintf("value %q is out of range for type %s", s, pgName(base))}
		}
		return nil, &cellError{fmt.Sprintf("%s out of range", pgName(base))}
	}
	return n, nil
}

func convertFloat(base string, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, invalidInput(base, v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, invalidInput(base, v)
	}
	if base == "float4" {
		f = float64(float32(f))
	}
	return f, nil
}

var numericSyntax = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

func convertNumeric(v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil, invalidInput("numeric", v)
	}
	if special, ok := numericSpecial(s); ok {
		return special, nil
	}
	if !numericSyntax.MatchString(s) {
		return nil, invalidInput("numeric", v)
	}
	return canonicalDecimal(s), nil
}

// numericSpecial reads PostgreSQL's non-finite numeric spellings (any
// case): NaN, Infinity and inf with an optional sign; ok is false for
// anything else. The result is PostgreSQL's output form.
func numericSpecial(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "nan":
		return "NaN", true
	case "infinity", "+infinity", "inf", "+inf":
		return "Infinity", true
	case "-infinity", "-inf":
		return "-Infinity", true
	}
	return "", false
}

// canonicalDecimal writes a decimal literal as PostgreSQL's numeric output
// does: no exponent, no leading "+", the given scale kept.
func canonicalDecimal(s string) string {
	s = strings.TrimPrefix(s, "+")
	if !strings.ContainsAny(s, "eE") {
		if strings.HasPrefix(s, ".") {
			s = "0" + s
		} else if strings.HasPrefix(s, "-.") {
			s = "-0" + s[1:]
		}
		return strings.TrimSuffix(s, ".")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	mant := strings.ToLower(s)[:strings.IndexAny(strings.ToLower(s), "e")]
	exp, _ := strconv.Atoi(s[len(mant)+1:])
	scale := 0
	if i := strings.Index(mant, "."); i >= 0 {
		scale = len(mant) - i - 1
	}
	scale = max(scale-exp, 0)
	return r.FloatString(scale)
}

func convertBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "t", "true", "y", "yes", "on", "1":
			return true, nil
		case "f", "false", "n", "no", "off", "0":
			return false, nil
		}
	case json.Number:
		return nil, &cellError{"column is of type boolean but expression is of type integer"}
	}
	return nil, invalidInput("bool", v)
}

func convertArray(t colType, v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		s, isStr := v.(string)
		if !isStr || !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
			return nil, &cellError{fmt.Sprintf("malformed array literal: %q", textOf(v))}
		}
		list = nil
		if inner := strings.TrimSpace(s[1 : len(s)-1]); inner != "" {
			for _, part := range strings.Split(inner, ",") {
				list = append(list, strings.Trim(strings.TrimSpace(part), `"`))
			}
		}
	}
	elem := colType{base: t.base}
	out := make([]any, len(list))
	for i, item := range list {
		c, err := convertIn(elem, item)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

package frictionless

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Error returns `field "name": reason`.
func (e *FieldError) Error() string {
	return "field " + strconv.Quote(e.Field) + ": " + e.Reason
}

// Cast converts a raw cell to the field's Go value (see the package
// documentation for the table of types) and checks the field's
// constraints except unique. Missing values are the schema's business:
// Cast("") on an integer field is an error. A failure is a *FieldError.
// Cast compiles the field on every call; a [Reader] compiles once.
func (f *Field) Cast(raw string) (any, error) {
	c, err := newCaster(f, "")
	if err != nil {
		return nil, err
	}
	v, reason := c.cast(raw)
	if reason != "" {
		return nil, &FieldError{Field: f.Name, Value: raw, Reason: reason}
	}
	return v, nil
}

// CastValue converts a JSON-decoded value (string, json.Number, float64,
// bool, nil, map[string]any, []any) or an already typed Go value to the
// field's Go value and checks the constraints except unique. nil stays
// nil, unless the field is required. A failure is a *FieldError.
func (f *Field) CastValue(v any) (any, error) {
	c, err := newCaster(f, "")
	if err != nil {
		return nil, err
	}
	out, ferr := c.castValue(v)
	if ferr != nil {
		return nil, ferr
	}
	return out, nil
}

// castValue is CastValue on a compiled field.
func (c *caster) castValue(v any) (any, *FieldError) {
	fail := func(raw, reason string) (any, *FieldError) {
		return nil, &FieldError{Field: c.f.Name, Value: raw, Reason: reason}
	}
	if v == nil {
		if c.required {
			return fail("", "value is required")
		}
		return nil, nil
	}
	raw, typed, ok := c.valueText(v)
	if !ok {
		return fail(fmt.Sprint(v), fmt.Sprintf("cannot cast %T to %s", v, c.kind))
	}
	if typed != nil {
		if c.cons.any {
			if reason := c.cons.check(c, raw, typed); reason != "" {
				return fail(raw, reason)
			}
		}
		return typed, nil
	}
	out, reason := c.cast(raw)
	if reason != "" {
		return fail(raw, reason)
	}
	return out, nil
}

// valueText turns a JSON-decoded or Go value into cell text, or returns
// it as already typed when it has the field's Go type.
func (c *caster) valueText(v any) (raw string, typed any, ok bool) {
	switch x := v.(type) {
	case string:
		return x, nil, true
	case json.Number:
		return x.String(), nil, true
	case float64:
		if c.kind == TypeNumber {
			return formatFloat(x), nil, true // cast to a Decimal, NaN and INF included
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil, true
	case bool:
		if c.kind == TypeBoolean {
			return strconv.FormatBool(x), x, true
		}
		return strconv.FormatBool(x), nil, true
	case int:
		return strconv.Itoa(x), nil, true
	case int64:
		return strconv.FormatInt(x, 10), nil, true
	case Decimal:
		return x.String(), nil, true
	case time.Time:
		switch c.kind {
		case TypeDate, TypeDateTime, TypeTime, TypeYearMonth:
			txt, err := formatValue(c.kind, x)
			return txt, nil, err == nil
		}
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return "", nil, false
		}
		return string(b), nil, true
	}
	return "", nil, false
}

// FormatValue is the inverse of Cast: it returns the canonical text of a
// value of the field's type (ISO 8601 for times, plain notation for
// numbers, "true"/"false", JSON for objects and arrays). nil gives "".
func (f *Field) FormatValue(v any) (string, error) {
	t := f.Type
	if t == "" {
		t = TypeString
	}
	return formatValue(t, v)
}

// formatValue writes v's canonical text for type t.
func formatValue(t FieldType, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return formatFloat(x), nil
	case Decimal:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return x.String(), nil
	case time.Time:
		return formatTime(t, x), nil
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return "", fmt.Errorf("format %s value: %w", t, err)
		}
		return string(b), nil
	}
	return "", fmt.Errorf("cannot format %T as %s", v, t)
}

// formatFloat writes plain notation for ordinary magnitudes, exponent
// notation for very large or small ones, and NaN/INF/-INF.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatTime writes a time value in its type's ISO 8601 form.
func formatTime(t FieldType, x time.Time) string {
	switch t {
	case TypeDate:
		return x.Format(time.DateOnly)
	case TypeYearMonth:
		return x.Format("2006-01")
	case TypeTime:
		if x.Location() == time.UTC {
			return x.Format("15:04:05.999999999")
		}
		return x.Format("15:04:05.999999999Z07:00")
	}
	return x.Format(time.RFC3339Nano)
}

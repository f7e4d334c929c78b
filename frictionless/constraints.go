package frictionless

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// constraintSet is a field's constraints compiled for checking cast values.
type constraintSet struct {
	any              bool // any check below is active
	minLen, maxLen   int  // -1 when absent
	min, max         any  // cast bound values; nil when absent
	minText, maxText string
	pattern          *regexp.Regexp
	enum             map[string]struct{} // canonical texts
}

// compileConstraints parses the bounds with the field's own type and
// compiles the pattern. path is the constraints object's path.
func (c *caster) compileConstraints(path string) (constraintSet, error) {
	k := &c.f.Constraints
	cs := constraintSet{minLen: -1, maxLen: -1}
	if k.MinLength != nil {
		cs.minLen = *k.MinLength
	}
	if k.MaxLength != nil {
		cs.maxLen = *k.MaxLength
	}
	if cs.minLen < -1 || k.MinLength != nil && cs.minLen < 0 {
		return cs, descErr(joinPath(path, "minLength"), "must not be negative")
	}
	if k.MaxLength != nil && cs.maxLen < 0 {
		return cs, descErr(joinPath(path, "maxLength"), "must not be negative")
	}
	var err error
	if cs.min, cs.minText, err = c.castBound(k.Minimum, joinPath(path, "minimum")); err != nil {
		return cs, err
	}
	if cs.max, cs.maxText, err = c.castBound(k.Maximum, joinPath(path, "maximum")); err != nil {
		return cs, err
	}
	if k.Pattern != "" {
		re, err := regexp.Compile("^(?:" + k.Pattern + ")$")
		if err != nil {
			return cs, descErr(joinPath(path, "pattern"), "invalid regular expression %q: %v", k.Pattern, err)
		}
		cs.pattern = re
	}
	if k.Enum != nil {
		cs.enum = make(map[string]struct{}, len(k.Enum))
		plain := *c
		plain.cons = constraintSet{}
		for i, e := range k.Enum {
			v, err := plain.castValue(e)
			if err != nil {
				return cs, descErr(indexPath(joinPath(path, "enum"), i), "%s", err.Reason)
			}
			txt, ferr := formatValue(c.kind, v)
			if ferr != nil {
				return cs, descErr(indexPath(joinPath(path, "enum"), i), "%v", ferr)
			}
			cs.enum[txt] = struct{}{}
		}
	}
	cs.any = cs.minLen >= 0 || cs.maxLen >= 0 || cs.min != nil || cs.max != nil ||
		cs.pattern != nil || cs.enum != nil
	return cs, nil
}

// castBound casts a minimum/maximum JSON value with the field's type.
func (c *caster) castBound(raw any, path string) (any, string, error) {
	if raw == nil {
		return nil, "", nil
	}
	var text string
	switch v := raw.(type) {
	case string:
		text = v
	case json.Number:
		text = v.String()
	case float64:
		text = strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		text = strconv.Itoa(v)
	case int64:
		text = strconv.FormatInt(v, 10)
	default:
		return nil, "", descErr(path, "must be a number or a string, not %T", raw)
	}
	switch c.kind {
	case TypeInteger, TypeNumber, TypeYear, TypeDate, TypeDateTime, TypeTime, TypeYearMonth:
	default:
		return nil, "", descErr(path, "not supported for type %s", c.kind)
	}
	plain := *c
	plain.cons = constraintSet{}
	plain.f = &Field{Type: c.kind, Precision: 0}
	if c.kind == TypeNumber {
		plain.bare, plain.groupChar, plain.decimalChar = true, "", "."
	}
	v, reason := plain.castType(text)
	if reason != "" {
		return nil, "", descErr(path, "%s", reason)
	}
	return v, text, nil
}

// check applies the compiled constraints to a cast value.
func (cs *constraintSet) check(c *caster, raw string, v any) string {
	if cs.minLen >= 0 || cs.maxLen >= 0 {
		n := valueLen(v, raw)
		if cs.minLen >= 0 && n < cs.minLen {
			return fmt.Sprintf("length %d is less than minLength %d", n, cs.minLen)
		}
		if cs.maxLen >= 0 && n > cs.maxLen {
			return fmt.Sprintf("length %d is more than maxLength %d", n, cs.maxLen)
		}
	}
	if cs.min != nil && compareValues(v, cs.min) < 0 {
		return fmt.Sprintf("value %s is less than minimum %s", raw, cs.minText)
	}
	if cs.max != nil && compareValues(v, cs.max) > 0 {
		return fmt.Sprintf("value %s is more than maximum %s", raw, cs.maxText)
	}
	if cs.pattern != nil && !cs.pattern.MatchString(raw) {
		return fmt.Sprintf("value %q does not match pattern %q", raw, c.f.Constraints.Pattern)
	}
	if cs.enum != nil {
		txt, err := formatValue(c.kind, v)
		if _, ok := cs.enum[txt]; err != nil || !ok {
			return fmt.Sprintf("value %q is not one of the enum values", raw)
		}
	}
	return ""
}

// valueLen is the length minLength/maxLength measure: characters for
// text, elements for arrays and objects.
func valueLen(v any, raw string) int {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x)
	case []any:
		return len(x)
	case map[string]any:
		return len(x)
	}
	return utf8.RuneCountInString(raw)
}

// compareValues compares two cast values of the same type; 0 when they
// cannot be compared.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmpOrdered(x, y)
	case float64:
		switch y := b.(type) {
		case float64:
			if math.IsNaN(x) || math.IsNaN(y) {
				return 0
			}
			return cmpOrdered(x, y)
		case Decimal:
			return compareDecimals(DecimalFromFloat(x), y)
		}
	case Decimal:
		switch y := b.(type) {
		case float64:
			return compareDecimals(x, DecimalFromFloat(y))
		case Decimal:
			return compareDecimals(x, y)
		}
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	}
	return 0
}

func cmpOrdered[T int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareDecimals is Decimal.Cmp, except that NaN is not comparable (0),
// so that it passes minimum and maximum as a float NaN would.
func compareDecimals(x, y Decimal) int {
	if x.IsNaN() || y.IsNaN() {
		return 0
	}
	return x.Cmp(y)
}

package frictionless

import (
	"strconv"
	"strings"
	"time"
)

// caster is a field compiled for casting: defaults resolved, constraints
// parsed, pattern compiled. A caster is not safe for concurrent use (it
// caches the last time zone it built).
type caster struct {
	f        *Field
	kind     FieldType
	format   string
	required bool
	unique   bool

	bare        bool
	decimalChar string
	groupChar   string
	trueValues  []string
	falseValues []string
	layout      string // Go time layout for a custom date/time format
	isoLayout   bool   // layout is one parseISOLayout reads (see there)

	cons constraintSet

	zoneOff int
	zone    *time.Location
}

// Spec defaults for boolean fields.
var (
	defaultTrueValues  = []string{"true", "True", "TRUE", "1"}
	defaultFalseValues = []string{"false", "False", "FALSE", "0"}
)

// newCaster compiles f. path is the field's descriptor path for errors.
func newCaster(f *Field, path string) (*caster, error) {
	c := &caster{f: f, kind: f.Type, format: f.Format, required: f.Constraints.Required,
		unique: f.Constraints.Unique, bare: f.BareNumber == nil || *f.BareNumber,
		decimalChar: f.DecimalChar, groupChar: f.GroupChar,
		trueValues: f.TrueValues, falseValues: f.FalseValues}
	if c.kind == "" {
		c.kind = TypeString
	}
	if !c.kind.Valid() {
		return nil, descErr(joinPath(path, "type"), "unknown type %q", string(f.Type))
	}
	if c.decimalChar == "" {
		c.decimalChar = "."
	}
	if c.trueValues == nil {
		c.trueValues = defaultTrueValues
	}
	if c.falseValues == nil {
		c.falseValues = defaultFalseValues
	}
	if c.format == "default" {
		c.format = ""
	}
	if err := c.compileFormat(path); err != nil {
		return nil, err
	}
	if f.Precision < 0 || f.Scale < 0 || f.Scale > f.Precision {
		return nil, descErr(joinPath(path, "scale"), "scale %d must be between 0 and precision %d", f.Scale, f.Precision)
	}
	cons, err := c.compileConstraints(joinPath(path, "constraints"))
	if err != nil {
		return nil, err
	}
	c.cons = cons
	return c, nil
}

// compileFormat checks the format and prepares a time layout.
func (c *caster) compileFormat(path string) error {
	if c.format == "" {
		return nil
	}
	switch c.kind {
	case TypeDate, TypeTime, TypeDateTime:
		if c.format == "any" {
			return nil
		}
		layout, err := strftimeLayout(c.format)
		if err != nil {
			return descErr(joinPath(path, "format"), "%v", err)
		}
		c.layout = layout
		c.isoLayout = layout == isoSpaceLayout || layout == isoTLayout
	case TypeString:
		switch c.format {
		case "email", "uri", "binary", "uuid":
		default:
			return descErr(joinPath(path, "format"), "unknown string format %q", c.format)
		}
	case TypeGeoPoint:
		switch c.format {
		case "array", "object":
		default:
			return descErr(joinPath(path, "format"), "unknown geopoint format %q", c.format)
		}
	}
	return nil
}

// cast converts a raw, non-missing cell and checks the constraints (but
// not required or unique). It returns a reason instead of an error to
// keep the hot path allocation-free.
func (c *caster) cast(raw string) (any, string) {
	v, reason := c.castType(raw)
	if reason != "" {
		return nil, reason
	}
	if c.cons.any {
		if reason := c.cons.check(c, raw, v); reason != "" {
			return nil, reason
		}
	}
	return v, ""
}

// castType converts raw to the field's Go value.
func (c *caster) castType(raw string) (any, string) {
	switch c.kind {
	case TypeString:
		return c.castString(raw)
	case TypeInteger:
		return c.castInteger(raw)
	case TypeNumber:
		return c.castNumber(raw)
	case TypeBoolean:
		return c.castBoolean(raw)
	case TypeDate, TypeDateTime, TypeTime, TypeYearMonth:
		return c.castTime(raw)
	case TypeYear:
		return c.castYear(raw)
	case TypeAny:
		return raw, ""
	}
	return c.castOther(raw)
}

// cannotCast is the reason for a cell that does not parse as the type.
func (c *caster) cannotCast(raw, detail string) string {
	r := "cannot cast " + strconv.Quote(raw) + " to " + string(c.kind)
	if detail != "" {
		r += ": " + detail
	}
	return r
}

func (c *caster) castString(raw string) (any, string) {
	if c.format != "" {
		if detail := checkStringFormat(c.format, raw); detail != "" {
			return nil, "value " + strconv.Quote(raw) + " is not a valid " + c.format + ": " + detail
		}
	}
	return raw, ""
}

func (c *caster) castInteger(raw string) (any, string) {
	s := raw
	if !c.bare || c.groupChar != "" {
		s = c.cleanNumber(raw)
	}
	if n, ok := parseShortInt(s); ok {
		return n, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, c.cannotCast(raw, "out of range")
		}
		return nil, c.cannotCast(raw, "")
	}
	return n, ""
}

// parseShortInt parses an optionally signed run of at most 18 digits (it
// cannot overflow); anything else is left to strconv.ParseInt.
func parseShortInt(s string) (int64, bool) {
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i = 1
	}
	if len(s) == i || len(s)-i > 18 {
		return 0, false
	}
	var n int64
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	if s[0] == '-' {
		n = -n
	}
	return n, true
}

// cleanNumber removes group characters, turns the decimal character into
// '.', and (bareNumber false) strips leading and trailing non-numeric text.
func (c *caster) cleanNumber(raw string) string {
	s := raw
	if !c.bare {
		s = strings.TrimLeftFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '-' && r != '+' })
		s = strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	}
	if c.groupChar != "" {
		s = strings.ReplaceAll(s, c.groupChar, "")
	}
	if c.decimalChar != "." {
		s = strings.ReplaceAll(s, c.decimalChar, ".")
	}
	return s
}

// castNumber casts to an exact [Decimal], as the Frictionless reference
// implementation does: every digit and the scale are kept. The precision
// extension only narrows: no NaN or INF, at most Scale fractional digits
// and Precision-Scale integer digits.
func (c *caster) castNumber(raw string) (any, string) {
	s := raw
	if !c.bare || c.groupChar != "" || c.decimalChar != "." {
		s = c.cleanNumber(raw)
	}
	d, ok := parseCanonical(s)
	if !ok {
		switch s {
		case "NaN", "INF", "+INF", "-INF":
			d, _ = ParseDecimal(s)
		default:
			if !plainNumber(s) {
				return nil, c.cannotCast(raw, "")
			}
			var err error
			if d, err = parseGeneral(s); err != nil {
				return nil, c.cannotCast(raw, "exponent out of range")
			}
		}
	}
	if c.f.Precision > 0 {
		if reason := c.narrow(raw, d); reason != "" {
			return nil, reason
		}
	}
	return d, ""
}

// narrow checks a decimal against the field's precision and scale.
func (c *caster) narrow(raw string, d Decimal) string {
	if !d.IsFinite() {
		return c.cannotCast(raw, "not a finite number")
	}
	if d.Scale() > c.f.Scale {
		return c.cannotCast(raw, "more than "+strconv.Itoa(c.f.Scale)+" decimal places")
	}
	if d.IntDigits() > c.f.Precision-c.f.Scale {
		return c.cannotCast(raw, "too many digits for precision "+strconv.Itoa(c.f.Precision)+
			" and scale "+strconv.Itoa(c.f.Scale))
	}
	return ""
}

// plainNumber reports whether s is a decimal number: optional sign,
// digits with an optional fraction, optional exponent. It rejects what
// strconv.ParseFloat would also accept but the spec does not (hex,
// underscores, "inf").
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

func (c *caster) castBoolean(raw string) (any, string) {
	for _, t := range c.trueValues {
		if raw == t {
			return true, ""
		}
	}
	for _, f := range c.falseValues {
		if raw == f {
			return false, ""
		}
	}
	return nil, c.cannotCast(raw, "")
}

func (c *caster) castYear(raw string) (any, string) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > 9999 {
		return nil, c.cannotCast(raw, "")
	}
	return n, ""
}

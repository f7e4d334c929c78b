package frictionless

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number, the Go value of a Table Schema
// number: its plain-notation text keeps every digit and the scale as
// written ("1.10" stays "1.10"). It also holds NaN and ±infinity, which
// Table Schema allows. The zero value is 0. Decimals are values; they are
// safe to copy and compare with [Decimal.Cmp].
type Decimal struct {
	// text is the canonical plain notation: an optional '-', the integer
	// digits without leading zeros ("0" when there are none), then '.' and
	// scale digits when scale > 0. "" is 0. Zero is never negative.
	text    string
	scale   int32
	special special
}

// special marks the values that are not finite numbers.
type special uint8

const (
	finite special = iota
	nan
	posInf
	negInf
)

// maxExponent bounds the exponent ParseDecimal accepts, so that a short
// input cannot expand to a huge number of digits.
const maxExponent = 1000

var errDecimalSyntax = errors.New("invalid decimal syntax")

// ParseDecimal parses plain or exponent notation ("-12.50", "1.5e3") and
// the non-finite values "NaN", "INF", "-INF" (and PostgreSQL's "Infinity",
// "-Infinity"). The scale is the number of fractional digits as written
// (after applying the exponent; never negative). Plain notation already in
// canonical form is kept without copying.
func ParseDecimal(s string) (Decimal, error) {
	if d, ok := parseCanonical(s); ok {
		return d, nil
	}
	switch s {
	case "NaN":
		return Decimal{special: nan}, nil
	case "INF", "+INF", "Infinity", "+Infinity":
		return Decimal{special: posInf}, nil
	case "-INF", "-Infinity":
		return Decimal{special: negInf}, nil
	}
	return parseGeneral(s)
}

// parseCanonical accepts s when it is already canonical plain notation
// ([-](0|[1-9][0-9]*)[.[0-9]+], not a negative zero): the common case,
// which needs no allocation.
func parseCanonical(s string) (Decimal, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n := i - start
	if n == 0 || n > 1 && s[start] == '0' {
		return Decimal{}, false
	}
	nonZero := n > 1 || s[start] != '0'
	scale := 0
	if i < len(s) {
		if s[i] != '.' {
			return Decimal{}, false
		}
		i++
		fracStart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			nonZero = nonZero || s[i] != '0'
			i++
		}
		scale = i - fracStart
		if scale == 0 || i < len(s) {
			return Decimal{}, false
		}
	}
	if start > 0 && !nonZero {
		return Decimal{}, false // "-0.0" becomes "0.0"
	}
	return Decimal{text: s, scale: int32(scale)}, true
}

// parseGeneral parses any other finite notation: a '+' sign, leading
// zeros, ".5", "5.", an exponent, a negative zero.
func parseGeneral(s string) (Decimal, error) {
	body, neg := s, false
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg, body = body[0] == '-', body[1:]
	}
	exp := 0
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		e, err := strconv.Atoi(body[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			return Decimal{}, fmt.Errorf("decimal %q: %w", s, errDecimalSyntax)
		}
		exp, body = e, body[:i]
	}
	intPart, frac, _ := strings.Cut(body, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return Decimal{}, fmt.Errorf("decimal %q: %w", s, errDecimalSyntax)
	}
	coef := intPart + frac
	scale := len(frac) - exp
	if scale < 0 {
		coef += strings.Repeat("0", -scale)
		scale = 0
	}
	return fromCoefficient(neg, coef, scale), nil
}

// fromCoefficient builds the decimal coef × 10^-scale (coef: ASCII digits,
// leading zeros allowed).
func fromCoefficient(neg bool, coef string, scale int) Decimal {
	if len(coef) <= scale {
		coef = strings.Repeat("0", scale-len(coef)+1) + coef
	}
	n := len(coef) - scale
	intPart := strings.TrimLeft(coef[:n], "0")
	if intPart == "" {
		intPart = "0"
	}
	frac := coef[n:]
	if intPart == "0" && strings.Trim(frac, "0") == "" {
		neg = false
	}
	var b strings.Builder
	b.Grow(len(intPart) + len(frac) + 2)
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(intPart)
	if scale > 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return Decimal{text: b.String(), scale: int32(scale)}
}

// DecimalFromFloat returns the shortest decimal that reads back as f
// (NaN and infinities as such).
func DecimalFromFloat(f float64) Decimal {
	d, err := ParseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	if err != nil { // NaN, +Inf, -Inf
		switch {
		case f != f:
			return Decimal{special: nan}
		case f > 0:
			return Decimal{special: posInf}
		}
		return Decimal{special: negInf}
	}
	return d
}

// allDigits reports whether s consists of ASCII digits only ("" is true).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns plain notation with exactly Scale fractional digits,
// e.g. "-0.050", or "NaN", "INF", "-INF".
func (d Decimal) String() string {
	switch d.special {
	case nan:
		return "NaN"
	case posInf:
		return "INF"
	case negInf:
		return "-INF"
	}
	if d.text == "" {
		return "0"
	}
	return d.text
}

// IsNaN reports whether d is NaN.
func (d Decimal) IsNaN() bool { return d.special == nan }

// IsInf reports whether d is an infinity: sign > 0 asks for +INF, sign < 0
// for -INF, 0 for either.
func (d Decimal) IsInf(sign int) bool {
	return sign >= 0 && d.special == posInf || sign <= 0 && d.special == negInf
}

// IsFinite reports whether d is neither NaN nor an infinity.
func (d Decimal) IsFinite() bool { return d.special == finite }

// Scale returns the number of fractional digits (0 for NaN and INF).
func (d Decimal) Scale() int { return int(d.scale) }

// Precision returns the number of significant digits of the coefficient
// (at least the scale, at least 1).
func (d Decimal) Precision() int {
	if n := d.IntDigits(); n > 0 {
		return n + int(d.scale)
	}
	return max(int(d.scale), 1)
}

// IntDigits returns the number of digits before the decimal point,
// ignoring leading zeros.
func (d Decimal) IntDigits() int {
	p := d.intPart()
	if p == "0" {
		return 0
	}
	return len(p)
}

// intPart returns the integer digits of a finite decimal ("" for the zero
// value).
func (d Decimal) intPart() string {
	s := d.text
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if d.scale > 0 {
		s = s[:len(s)-int(d.scale)-1]
	}
	return s
}

// fracPart returns the fractional digits of a finite decimal.
func (d Decimal) fracPart() string { return d.text[len(d.text)-int(d.scale):] }

// Sign returns -1, 0 or +1 (0 for NaN).
func (d Decimal) Sign() int {
	switch {
	case d.special == posInf:
		return 1
	case d.special == negInf:
		return -1
	case d.special == nan, d.text == "":
		return 0
	case d.text[0] == '-':
		return -1
	}
	if d.IntDigits() == 0 && strings.Trim(d.fracPart(), "0") == "" {
		return 0
	}
	return 1
}

// MarshalJSON writes the decimal as a JSON number in plain notation; NaN
// and the infinities, which JSON numbers cannot be, as strings.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d.special != finite {
		return []byte(`"` + d.String() + `"`), nil
	}
	return []byte(d.String()), nil
}

// UnmarshalJSON reads a JSON number or string.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

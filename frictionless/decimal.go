package frictionless

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number: a signed integer coefficient and a
// scale (the number of fractional digits). The zero value is 0. Decimals
// are values; they are safe to copy and compare with [Decimal.Cmp].
type Decimal struct {
	neg    bool
	digits string // coefficient digits, no leading zeros; "" means 0
	scale  int
}

var errDecimalSyntax = errors.New("invalid decimal syntax")

// ParseDecimal parses plain or exponent notation ("-12.50", "1.5e3"). The
// scale is the number of fractional digits as written (after applying the
// exponent; never negative).
func ParseDecimal(s string) (Decimal, error) {
	var d Decimal
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		d.neg = body[0] == '-'
		body = body[1:]
	}
	exp := 0
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		e, err := strconv.Atoi(body[i+1:])
		if err != nil || e > 1000 || e < -1000 {
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
	d.digits = strings.TrimLeft(coef, "0")
	d.scale = scale
	if d.digits == "" {
		d.neg = false
	}
	return d, nil
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
// e.g. "-0.050".
func (d Decimal) String() string {
	digits := d.digits
	if len(digits) <= d.scale {
		digits = strings.Repeat("0", d.scale-len(digits)+1) + digits
	}
	var b strings.Builder
	if d.neg {
		b.WriteByte('-')
	}
	n := len(digits) - d.scale
	b.WriteString(digits[:n])
	if d.scale > 0 {
		b.WriteByte('.')
		b.WriteString(digits[n:])
	}
	return b.String()
}

// Scale returns the number of fractional digits.
func (d Decimal) Scale() int { return d.scale }

// Precision returns the number of significant digits of the coefficient
// (at least the scale, at least 1).
func (d Decimal) Precision() int { return max(len(d.digits), d.scale, 1) }

// IntDigits returns the number of digits before the decimal point,
// ignoring leading zeros.
func (d Decimal) IntDigits() int { return max(len(d.digits)-d.scale, 0) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// Unscaled returns d × 10^scale as an int64 when that is an integer (no
// non-zero digit of d lies beyond scale fractional digits) of at most 18
// digits; ok is false otherwise. It is the unscaled value of d in a
// DECIMAL(p, scale) column, computed without text.
func (d Decimal) Unscaled(scale int) (n int64, ok bool) {
	digits := d.digits
	if digits == "" {
		return 0, true
	}
	if scale < 0 {
		return 0, false
	}
	if extra := d.scale - scale; extra > 0 {
		if extra > len(digits) {
			return 0, false
		}
		for i := len(digits) - extra; i < len(digits); i++ {
			if digits[i] != '0' {
				return 0, false
			}
		}
		digits = digits[:len(digits)-extra]
	}
	pad := max(scale-d.scale, 0)
	if len(digits)+pad > 18 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		n = n*10 + int64(digits[i]-'0')
	}
	for range pad {
		n *= 10
	}
	if d.neg {
		n = -n
	}
	return n, true
}

// Rat returns the exact value as a new big.Rat.
func (d Decimal) Rat() *big.Rat {
	num, ok := new(big.Int).SetString("0"+d.digits, 10)
	if !ok {
		num = new(big.Int)
	}
	if d.neg {
		num.Neg(num)
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil)
	return new(big.Rat).SetFrac(num, den)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	f, _ := d.Rat().Float64()
	return f
}

// Cmp compares d and o numerically: -1, 0 or +1.
func (d Decimal) Cmp(o Decimal) int { return d.Rat().Cmp(o.Rat()) }

// MarshalJSON writes the decimal as a JSON number in plain notation.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

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

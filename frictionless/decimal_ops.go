package frictionless

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Unscaled returns d × 10^scale as an int64 when that is an integer (no
// non-zero digit of d lies beyond scale fractional digits) of at most 18
// digits; ok is false otherwise (and for NaN and INF). It is the unscaled
// value of d in a DECIMAL(p, scale) column, computed without text.
func (d Decimal) Unscaled(scale int) (n int64, ok bool) {
	if d.special != finite || scale < 0 {
		return 0, false
	}
	intPart, frac := d.intPart(), d.fracPart()
	if extra := len(frac) - scale; extra > 0 {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, false
		}
		frac = frac[:scale]
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart)+scale > 18 {
		return 0, false
	}
	for _, part := range [2]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			n = n*10 + int64(part[i]-'0')
		}
	}
	for range scale - len(frac) {
		n *= 10
	}
	if d.text != "" && d.text[0] == '-' {
		n = -n
	}
	return n, true
}

// Rat returns the exact value as a new big.Rat; nil for NaN and INF.
func (d Decimal) Rat() *big.Rat {
	if d.special != finite {
		return nil
	}
	num, ok := new(big.Int).SetString(d.intPart()+d.fracPart(), 10)
	if !ok {
		num = new(big.Int)
	}
	if d.Sign() < 0 {
		num.Neg(num)
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil)
	return new(big.Rat).SetFrac(num, den)
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	switch d.special {
	case nan:
		return math.NaN()
	case posInf:
		return math.Inf(1)
	case negInf:
		return math.Inf(-1)
	}
	f, _ := strconv.ParseFloat(d.String(), 64) // ±Inf beyond float64's range
	return f
}

// Cmp compares d and o numerically: -1, 0 or +1. Like PostgreSQL's
// numeric, NaN equals NaN and is greater than every other value; -INF and
// INF are below and above every finite value.
func (d Decimal) Cmp(o Decimal) int {
	if r, ok := cmpSpecial(d, o); ok {
		return r
	}
	ds, os := d.Sign(), o.Sign()
	if ds != os {
		return cmpInt(ds, os)
	}
	if ds == 0 {
		return 0
	}
	return ds * cmpMagnitude(d, o)
}

// cmpSpecial orders NaN and the infinities; ok is false when both are
// finite.
func cmpSpecial(d, o Decimal) (int, bool) {
	if d.special == finite && o.special == finite {
		return 0, false
	}
	rank := func(x Decimal) int {
		switch x.special {
		case negInf:
			return 0
		case finite:
			return 1
		case posInf:
			return 2
		}
		return 3
	}
	return cmpInt(rank(d), rank(o)), true
}

// cmpMagnitude compares the absolute values of two finite decimals.
func cmpMagnitude(d, o Decimal) int {
	di, oi := strings.TrimLeft(d.intPart(), "0"), strings.TrimLeft(o.intPart(), "0")
	if len(di) != len(oi) {
		return cmpInt(len(di), len(oi))
	}
	if c := strings.Compare(di, oi); c != 0 {
		return c
	}
	df, of := strings.TrimRight(d.fracPart(), "0"), strings.TrimRight(o.fracPart(), "0")
	return strings.Compare(df, of) // equal-length prefixes: the longer one is larger
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// key returns a text equal for numerically equal decimals ("1.10" and
// "1.1" give "1.1"), for unique checks.
func (d Decimal) key() string {
	if d.special != finite || d.scale == 0 {
		return d.String()
	}
	s := strings.TrimRight(d.text, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// Trimmed returns d without trailing fractional zeros ("1.100" → "1.1"),
// the shortest text of the same number.
func (d Decimal) Trimmed() Decimal {
	if d.special != finite || d.scale == 0 {
		return d
	}
	k := d.key()
	_, frac, _ := strings.Cut(k, ".")
	return Decimal{text: k, scale: int32(len(frac))}
}

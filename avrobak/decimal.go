package avrobak

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/frictionless"
)

// decimalText returns the plain-notation text of a decimal cell.
func decimalText(v any) (string, error) {
	switch x := v.(type) {
	case frictionless.Decimal:
		return x.String(), nil
	case *frictionless.Decimal:
		return x.String(), nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	}
	return "", fmt.Errorf("want a frictionless.Decimal, got %T", v)
}

// splitPlain splits plain decimal notation ([-]digits[.digits]) into
// sign, integer digits and fraction digits; ok is false for anything else.
func splitPlain(text string) (neg bool, intPart, frac string, ok bool) {
	if strings.HasPrefix(text, "-") {
		neg, text = true, text[1:]
	}
	intPart, frac, _ = strings.Cut(text, ".")
	if intPart == "" || !isDigits(intPart) || !isDigits(frac) {
		return false, "", "", false
	}
	return neg, intPart, frac, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unscaled returns the unscaled value of text at the given scale: as an
// int64 when it has at most 18 digits (big is nil), else as big. It fails
// when text has non-zero digits beyond scale or more than precision digits.
func unscaled(text string, precision, scale int) (n int64, big *big.Int, err error) {
	neg, intPart, frac, ok := splitPlain(text)
	if !ok {
		d, err := frictionless.ParseDecimal(text) // exponents, "+", ".5"
		if err != nil {
			return 0, nil, err
		}
		neg, intPart, frac, _ = splitPlain(d.String())
	}
	if len(frac) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, nil, fmt.Errorf("decimal %s has more than %d fractional digits", text, scale)
		}
		frac = frac[:scale]
	}
	intPart = strings.TrimLeft(intPart, "0")
	digits := len(intPart) + scale
	if intPart == "" {
		digits = len(strings.TrimLeft(frac, "0")) + scale - len(frac)
	}
	if digits > precision {
		return 0, nil, fmt.Errorf("decimal %s does not fit precision %d, scale %d", text, precision, scale)
	}
	if digits > 18 {
		return 0, bigUnscaled(neg, intPart, frac, scale), nil
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			n = n*10 + int64(part[i]-'0')
		}
	}
	for range scale - len(frac) {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, nil, nil
}

func bigUnscaled(neg bool, intPart, frac string, scale int) *big.Int {
	n, _ := new(big.Int).SetString("0"+intPart+frac+strings.Repeat("0", scale-len(frac)), 10)
	if neg {
		n.Neg(n)
	}
	return n
}

// appendDecimal appends the Avro decimal encoding (bytes: big-endian
// two's-complement unscaled value) of v.
func appendDecimal(b []byte, v any, precision, scale int) ([]byte, error) {
	if d, ok := v.(frictionless.Decimal); ok {
		if n, ok := d.Unscaled(scale); ok && decimalDigits(n) <= precision {
			return appendUnscaled(b, n), nil
		}
		// Errors and values beyond 18 digits take the text path.
	}
	text, err := decimalText(v)
	if err != nil {
		return b, err
	}
	n, bn, err := unscaled(text, precision, scale)
	if err != nil {
		return b, err
	}
	if bn != nil {
		return appendText(b, bigTwos(bn)), nil
	}
	return appendUnscaled(b, n), nil
}

// appendUnscaled appends n as Avro bytes: its minimal big-endian two's
// complement.
func appendUnscaled(b []byte, n int64) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	return appendText(b, minimalTwos(buf[:]))
}

// decimalDigits returns the number of decimal digits of |n| (0 for 0).
func decimalDigits(n int64) int {
	if n < 0 {
		n = -n // |n| < 10^18 here, so no overflow
	}
	d := 0
	for ; n != 0; n /= 10 {
		d++
	}
	return d
}

// minimalTwos strips redundant sign-extension bytes from a two's-complement
// big-endian integer.
func minimalTwos(p []byte) []byte {
	for len(p) > 1 && (p[0] == 0 && p[1]&0x80 == 0 || p[0] == 0xff && p[1]&0x80 != 0) {
		p = p[1:]
	}
	return p
}

// bigTwos returns the minimal two's-complement big-endian bytes of n.
func bigTwos(n *big.Int) []byte {
	if n.Sign() >= 0 {
		p := n.Bytes()
		if len(p) == 0 || p[0]&0x80 != 0 {
			p = append([]byte{0}, p...)
		}
		return p
	}
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1)) // -n-1 >= 0; its bitwise complement is n
	p := m.Bytes()
	for i := range p {
		p[i] = ^p[i]
	}
	if len(p) == 0 || p[0]&0x80 == 0 {
		p = append([]byte{0xff}, p...)
	}
	return p
}

// decodeDecimal turns two's-complement unscaled bytes into a Decimal with
// the given scale.
func decodeDecimal(p []byte, scale int) (frictionless.Decimal, error) {
	var digits string
	neg := len(p) > 0 && p[0]&0x80 != 0
	if len(p) <= 8 {
		var u uint64
		for _, c := range p {
			u = u<<8 | uint64(c)
		}
		if neg && len(p) < 8 {
			u |= ^uint64(0) << (8 * len(p))
		}
		n := int64(u)
		if n < 0 {
			digits = strconv.FormatUint(uint64(-n), 10) // -MinInt64 wraps to itself as uint64: correct
		} else {
			digits = strconv.FormatInt(n, 10)
		}
	} else {
		n := new(big.Int).SetBytes(p)
		if neg {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(p))))
		}
		digits = new(big.Int).Abs(n).String()
	}
	return frictionless.ParseDecimal(formatScaled(neg, digits, scale))
}

// formatScaled places the decimal point scale digits from the right.
func formatScaled(neg bool, digits string, scale int) string {
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	s := digits
	if scale > 0 {
		s = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

package pgstage

import (
	"encoding/binary"
	"strings"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// PostgreSQL's numeric binary format: ndigits, weight, sign, dscale, then
// ndigits base-10000 digits, the first one weighing 10000^weight.
const (
	oidNumeric        = 1700
	numericPos        = 0x0000
	numericNeg        = 0x4000
	numericNaN        = 0xC000
	numericPosInf     = 0xD000
	numericNegInf     = 0xF000
	numericMaxScale   = 0x3FFF    // NUMERIC_DSCALE_MAX
	numericMaxIntPart = 32768 * 4 // the weight is an int16
	numericGroup      = 4         // decimal digits per base-10000 digit
)

// appendNumeric appends d in numeric binary format, length included,
// straight from its text: no big.Int, no allocation. A value numeric
// cannot hold is a *driver.ValueError (the row is refused, not rounded).
func appendNumeric(buf []byte, name string, d frictionless.Decimal) ([]byte, error) {
	if !d.IsFinite() {
		sign := uint16(numericNaN)
		switch {
		case d.IsInf(1):
			sign = numericPosInf
		case d.IsInf(-1):
			sign = numericNegInf
		}
		buf = binary.BigEndian.AppendUint32(buf, 8)
		return append(buf, 0, 0, 0, 0, byte(sign>>8), byte(sign), 0, 0), nil
	}
	text := d.String()
	sign := uint16(numericPos)
	if text[0] == '-' {
		sign, text = numericNeg, text[1:]
	}
	intPart, frac, _ := strings.Cut(text, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if len(frac) > numericMaxScale || len(intPart) > numericMaxIntPart {
		return nil, &driver.ValueError{Field: name, Value: d.String(),
			Reason: "PostgreSQL numeric holds at most 131072 integer and 16383 fractional digits"}
	}
	// Groups of four digits aligned on the decimal point: the integer part
	// padded on the left, the fraction on the right.
	lead := (numericGroup - len(intPart)%numericGroup) % numericGroup
	intGroups := (len(intPart) + lead) / numericGroup
	fracGroups := (len(frac) + numericGroup - 1) / numericGroup
	digit := func(g int) uint16 { // g counts groups from the first integer group
		var v uint16
		for k := 0; k < numericGroup; k++ {
			pos := g*numericGroup + k - lead // index into intPart, then frac
			var c byte = '0'
			switch {
			case pos >= 0 && pos < len(intPart):
				c = intPart[pos]
			case pos >= len(intPart) && pos-len(intPart) < len(frac):
				c = frac[pos-len(intPart)]
			}
			v = v*10 + uint16(c-'0')
		}
		return v
	}
	first, last := 0, intGroups+fracGroups // strip zero groups at both ends
	for first < last && digit(first) == 0 {
		first++
	}
	for last > first && digit(last-1) == 0 {
		last--
	}
	weight := intGroups - 1 - first
	if first == last {
		weight, sign = 0, numericPos // zero
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(8+2*(last-first)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(last-first))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(frac)))
	for g := first; g < last; g++ {
		buf = binary.BigEndian.AppendUint16(buf, digit(g))
	}
	return buf, nil
}

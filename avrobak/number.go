package avrobak

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
)

// numberLogicalType marks the string that holds a Table Schema number
// without precision, in canonical plain notation ("1.10", "-0.5",
// "12345678901234567890.123456789") or "NaN", "INF", "-INF".
//
// Why a string and not Avro's decimal: a decimal's scale is fixed by the
// schema, while a number keeps the scale it was written with ("1.10" is
// not "1.1") and any number of digits; a decimal would have to pad or
// round, and cannot hold NaN or infinities. A double rounds. The string
// keeps every digit; readers in other languages that do not know the
// logical type see (as the Avro specification requires) a plain string
// they can parse as a decimal.
const numberLogicalType = "datafactory-number"

// appendNumber appends the canonical text of a number cell.
func appendNumber(b []byte, v any) ([]byte, error) {
	var d frictionless.Decimal
	switch x := v.(type) {
	case frictionless.Decimal:
		d = x
	case float64:
		d = frictionless.DecimalFromFloat(x)
	case int64:
		d, _ = frictionless.ParseDecimal(strconv.FormatInt(x, 10))
	case int:
		d, _ = frictionless.ParseDecimal(strconv.Itoa(x))
	case string, json.Number:
		var err error
		if d, err = frictionless.ParseDecimal(fmt.Sprint(x)); err != nil {
			return b, err
		}
	default:
		return b, fmt.Errorf("want a frictionless.Decimal, got %T", v)
	}
	return appendText(b, d.String()), nil
}

// readNumber reads a number written by appendNumber.
func readNumber(d *decoder) (any, error) {
	s, err := d.readString()
	if err != nil {
		return nil, err
	}
	return frictionless.ParseDecimal(s)
}

// adoptDoubleNumbers reads backups made before numbers were exact: there a
// number without precision is an Avro double, which reads back as the
// float64 it holds.
func adoptDoubleNumbers(cols []column, s avro.Schema) {
	rec, ok := s.(*avro.RecordSchema)
	if !ok {
		return
	}
	types := map[string]avro.Type{}
	for _, f := range rec.Fields() {
		t := f.Type()
		if u, ok := t.(*avro.UnionSchema); ok && len(u.Types()) == 2 {
			t = u.Types()[1]
		}
		types[f.Name()] = t.Type()
	}
	for i := range cols {
		if cols[i].kind == kindNumber && types[cols[i].avro] == avro.Double {
			cols[i].kind = kindDouble
		}
	}
}

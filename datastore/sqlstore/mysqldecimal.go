package sqlstore

import (
	"math"
	"strconv"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
)

// MySQL's widest DECIMAL, the column type of a number without precision:
// DECIMAL(65,30) holds 35 integer and 30 fractional digits.
const (
	mysqlMaxPrecision = 65
	mysqlNumberScale  = 30
)

// mysqlNumberType is the column type of a number without precision.
var mysqlNumberType = "DECIMAL(" + strconv.Itoa(mysqlMaxPrecision) + "," + strconv.Itoa(mysqlNumberScale) + ")"

// mysqlCheckValue refuses a number the DECIMAL column of f cannot hold
// exactly: MySQL rounds excess fractional digits with a mere note, even in
// strict mode, and has no NaN or infinity. Other values pass.
func mysqlCheckValue(f *frictionless.Field, v any) error {
	if f.Type != frictionless.TypeNumber {
		return nil
	}
	var d frictionless.Decimal
	switch x := v.(type) {
	case frictionless.Decimal:
		d = x
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return nil
		}
		d = frictionless.DecimalFromFloat(x)
	default:
		return nil
	}
	prec, scale := mysqlMaxPrecision, mysqlNumberScale
	if f.Precision > 0 {
		prec, scale = f.Precision, f.Scale
	}
	reason := ""
	switch {
	case !d.IsFinite():
		reason = "MySQL and MariaDB numeric columns cannot hold NaN or infinity"
	case d.Trimmed().Scale() > scale:
		reason = "more than " + strconv.Itoa(scale) + " decimal places do not fit DECIMAL(" +
			strconv.Itoa(prec) + "," + strconv.Itoa(scale) + ") and would be rounded"
	case d.IntDigits() > prec-scale:
		reason = "more than " + strconv.Itoa(prec-scale) + " integer digits do not fit DECIMAL(" +
			strconv.Itoa(prec) + "," + strconv.Itoa(scale) + ")"
	default:
		return nil
	}
	return &driver.ValueError{Field: f.Name, Value: d.String(), Reason: reason}
}

// mysqlTrimNumber gives a number read from a DECIMAL(65,30) column (one
// made for a number without precision) without the column's trailing
// zeros: "1.100000000000000000000000000000" reads as "1.1".
func mysqlTrimNumber(f *frictionless.Field, v any) any {
	if d, ok := v.(frictionless.Decimal); ok && f.Type == frictionless.TypeNumber && f.Precision == 0 {
		return d.Trimmed()
	}
	return v
}

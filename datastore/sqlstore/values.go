package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

// Text layouts used to store temporal values as text (SQLite) and to send
// them as parameters.
const (
	layoutDate      = "2006-01-02"
	layoutTime      = "15:04:05.000000"
	layoutDateTime  = "2006-01-02T15:04:05.000000Z"
	layoutYearMonth = "2006-01"
)

// decodeValue converts what database/sql scanned into the Go type a
// frictionless Row holds for the field's type.
func decodeValue(f *frictionless.Field, v any) (any, error) {
	if asIs(f, v) {
		return v, nil // no conversion, and no second allocation for boxing
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return decodeText(f, string(x))
	case string:
		return decodeText(f, x)
	case int64:
		return decodeInt(f, x)
	case int32:
		return decodeInt(f, int64(x))
	case float64:
		return decodeFloat(f, x)
	case float32:
		return decodeFloat(f, float64(x))
	case bool:
		if f.Type == frictionless.TypeBoolean {
			return x, nil
		}
		return decodeText(f, strconv.FormatBool(x))
	case time.Time:
		return decodeTime(f, x), nil
	}
	return nil, fmt.Errorf("unexpected %T from the database", v)
}

// asIs reports whether v already is the value a Row holds for f: the
// common case, where the driver scanned the column's own type.
func asIs(f *frictionless.Field, v any) bool {
	switch x := v.(type) {
	case string:
		switch f.Type {
		case "", frictionless.TypeString, frictionless.TypeAny, frictionless.TypeDuration, frictionless.TypeGeoPoint:
			return true
		}
	case int64:
		return f.Type == frictionless.TypeInteger || f.Type == frictionless.TypeYear
	case float64:
		return f.Type == frictionless.TypeNumber && f.Precision == 0
	case bool:
		return f.Type == frictionless.TypeBoolean
	case time.Time:
		switch f.Type {
		case frictionless.TypeDateTime:
			return true
		case frictionless.TypeDate:
			return x.Location() == time.UTC && x.Nanosecond() == 0 && x.Unix()%86400 == 0
		}
	}
	return false
}

// plain returns the field without constraints, for casting stored values.
func plain(f *frictionless.Field) *frictionless.Field {
	p := *f
	p.Constraints = frictionless.Constraints{}
	p.TrueValues, p.FalseValues = nil, nil
	p.DecimalChar, p.GroupChar, p.BareNumber, p.Format = "", "", nil, ""
	return &p
}

// textIsValue reports whether the value of field f read as text is that
// text itself.
func textIsValue(f *frictionless.Field) bool {
	switch f.Type {
	case "", frictionless.TypeString, frictionless.TypeAny, frictionless.TypeDuration, frictionless.TypeGeoPoint:
		return true
	}
	return false
}

// decodeText converts a textual database value.
func decodeText(f *frictionless.Field, s string) (any, error) {
	if textIsValue(f) {
		return s, nil
	}
	switch f.Type {
	case frictionless.TypeBoolean:
		switch strings.ToLower(s) {
		case "1", "t", "true":
			return true, nil
		case "0", "f", "false":
			return false, nil
		}
		return nil, fmt.Errorf("not a boolean: %q", s)
	case frictionless.TypeInteger, frictionless.TypeYear:
		return strconv.ParseInt(s, 10, 64)
	case frictionless.TypeNumber:
		return frictionless.ParseDecimal(s)
	case frictionless.TypeDateTime:
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		if t, err := time.Parse("2006-01-02 15:04:05.999999999Z07:00", s); err == nil {
			return t, nil
		}
		if t, err := time.Parse("2006-01-02 15:04:05.999999999", s); err == nil {
			return t, nil
		}
	case frictionless.TypeDate:
		if len(s) > 10 {
			s = s[:10]
		}
	case frictionless.TypeYearMonth:
		if len(s) > 7 {
			s = s[:7]
		}
	}
	return plain(f).Cast(s)
}

// decodeInt converts an integer database value.
func decodeInt(f *frictionless.Field, n int64) (any, error) {
	switch f.Type {
	case frictionless.TypeInteger, frictionless.TypeYear:
		return n, nil
	case frictionless.TypeBoolean:
		return n != 0, nil
	case frictionless.TypeNumber:
		return frictionless.ParseDecimal(strconv.FormatInt(n, 10))
	}
	return decodeText(f, strconv.FormatInt(n, 10))
}

// decodeFloat converts a floating-point database value.
func decodeFloat(f *frictionless.Field, x float64) (any, error) {
	switch f.Type {
	case frictionless.TypeNumber:
		if f.Precision > 0 {
			return frictionless.DecimalFromFloat(x), nil
		}
		return x, nil // a float column: the target says float
	case frictionless.TypeInteger, frictionless.TypeYear:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), nil
		}
	}
	return decodeText(f, strconv.FormatFloat(x, 'f', -1, 64))
}

// decodeTime normalises a time.Time from the driver for the field's type.
func decodeTime(f *frictionless.Field, t time.Time) any {
	switch f.Type {
	case frictionless.TypeDate:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case frictionless.TypeYearMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case frictionless.TypeTime:
		return time.Date(0, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	return t
}

// encodeText renders a row value as the text or number a placeholder
// takes, for SQLite and MySQL. asTime keeps datetimes (and dates) as
// time.Time for drivers that convert them themselves.
func encodeValue(f *frictionless.Field, v any, asTime bool) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, float64:
		return v, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case frictionless.Decimal:
		return x.String(), nil
	case time.Time:
		return encodeTime(f, x, asTime), nil
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	s, err := f.FormatValue(v)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// encodeTime renders a temporal value.
func encodeTime(f *frictionless.Field, t time.Time, asTime bool) any {
	switch f.Type {
	case frictionless.TypeDate:
		if asTime {
			return driverTime(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
		}
		return t.Format(layoutDate)
	case frictionless.TypeTime:
		return t.UTC().Format(layoutTime)
	case frictionless.TypeYearMonth:
		if asTime {
			return driverTime(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
		}
		return t.Format(layoutYearMonth)
	}
	if asTime {
		return driverTime(t.UTC())
	}
	return t.UTC().Format(layoutDateTime)
}

// driverTime returns t for a driver that takes time.Time, except Go's
// zero time (0001-01-01 00:00:00 UTC), which go-sql-driver/mysql sends as
// the zero date '0000-00-00' (refused in strict mode, and not the same
// date): that one goes as text, which MySQL and MariaDB store as
// 0001-01-01.
func driverTime(t time.Time) any {
	if t.IsZero() {
		return zeroTimeText
	}
	return t
}

// zeroTimeText is Go's zero time as MySQL text.
const zeroTimeText = "0001-01-01 00:00:00"

// ignoreDone drops sql.ErrTxDone.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

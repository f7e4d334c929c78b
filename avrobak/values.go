package avrobak

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

const (
	microsPerDay = 86400 * 1_000_000
	// maxOffset bounds the UTC offsets accepted when reading (±26 h).
	maxOffset = 26 * 3600
	// Years whose microsecond timestamps fit an int64, with room to spare.
	minTimestampYear, maxTimestampYear = -290000, 290000
)

// The Unix seconds of the first and last second of those years, in UTC:
// appendTimestamp compares them, which is cheaper than taking the year
// of every timestamp (3 % of a backup's CPU).
var (
	minTimestampSec = time.Date(minTimestampYear, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxTimestampSec = time.Date(maxTimestampYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - 1
)

// appendCell appends the Avro encoding of v for column c (and its offset
// companion, if any).
func (c *column) appendCell(b []byte, v any) ([]byte, error) {
	if v == nil {
		return c.appendNull(b)
	}
	b, off, err := c.appendValue(c.appendBranch(b), v)
	if err != nil {
		return b, err
	}
	return c.appendOffset(b, off), nil
}

// appendNull appends a null value (and a null offset).
func (c *column) appendNull(b []byte) ([]byte, error) {
	if !c.nullable {
		return b, errors.New("value is required")
	}
	b = append(b, 0) // union branch 0: null
	if c.offset != "" {
		b = append(b, 0)
	}
	return b, nil
}

// appendBranch appends the union branch of a non-null value of a nullable
// column.
func (c *column) appendBranch(b []byte) []byte {
	if c.nullable {
		b = append(b, 2) // union branch 1, zig-zag encoded
	}
	return b
}

// appendOffset appends the offset companion of a non-null value, if the
// column has one.
func (c *column) appendOffset(b []byte, off int) []byte {
	if c.offset == "" {
		return b
	}
	return appendLong(c.appendBranch(b), int64(off))
}

// appendValue appends the non-null value; off is the UTC offset of
// timestamp and time values.
func (c *column) appendValue(b []byte, v any) (_ []byte, off int, err error) {
	if c.kind.isTime() {
		t, ok := v.(time.Time)
		if !ok {
			return b, 0, fmt.Errorf("want time.Time, got %T", v)
		}
		return c.appendTime(b, t)
	}
	switch c.kind {
	case kindString, kindUUID:
		return appendStringValue(b, v)
	case kindLong:
		n, err := toInt64(v)
		return appendLong(b, n), 0, err
	case kindDouble:
		f, err := toFloat64(v)
		return appendDouble(b, f), 0, err
	case kindNumber:
		b, err = appendNumber(b, v)
		return b, 0, err
	case kindDecimal:
		b, err = appendDecimal(b, v, c.precision, c.scale)
		return b, 0, err
	case kindBool:
		x, ok := v.(bool)
		if !ok {
			return b, 0, fmt.Errorf("want bool, got %T", v)
		}
		return appendBool(b, x), 0, nil
	case kindObject, kindArray:
		b, err = appendJSON(b, v, c.kind)
		return b, 0, err
	}
	return b, 0, fmt.Errorf("unknown column kind %d", c.kind)
}

func appendStringValue(b []byte, v any) ([]byte, int, error) {
	switch x := v.(type) {
	case string:
		return appendText(b, x), 0, nil
	case []byte:
		return appendText(b, x), 0, nil
	}
	return b, 0, fmt.Errorf("want string, got %T", v)
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("integer %d exceeds int64", x)
		}
		return int64(x), nil
	case json.Number:
		return x.Int64()
	}
	return 0, fmt.Errorf("want int64, got %T", v)
}

func toFloat64(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	}
	return 0, fmt.Errorf("want float64, got %T", v)
}

// appendTime appends t, the value of a column of a time kind; off is its
// UTC offset for the kinds that keep one.
func (c *column) appendTime(b []byte, t time.Time) (_ []byte, off int, err error) {
	switch c.kind {
	case kindDate, kindYearMonth:
		b, err = appendDate(b, t, c.kind == kindYearMonth)
		return b, 0, err
	case kindTimestamp:
		return appendTimestamp(b, t)
	case kindTime:
		return appendTimeOfDay(b, t)
	}
	return b, 0, fmt.Errorf("column kind %d holds no time", c.kind)
}

func appendDate(b []byte, t time.Time, firstOfMonth bool) ([]byte, error) {
	y, m, d := t.Date()
	if firstOfMonth {
		d = 1
	}
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if days < math.MinInt32 || days > math.MaxInt32 {
		return b, fmt.Errorf("date %04d-%02d-%02d out of range", y, m, d)
	}
	return appendLong(b, days), nil
}

func appendTimestamp(b []byte, t time.Time) ([]byte, int, error) {
	if s := t.Unix(); s < minTimestampSec || s > maxTimestampSec {
		return b, 0, fmt.Errorf("timestamp year %d (UTC) out of range", t.UTC().Year())
	}
	_, off := t.Zone()
	return appendLong(b, t.UnixMicro()), off, nil
}

func appendTimeOfDay(b []byte, t time.Time) ([]byte, int, error) {
	h, m, s := t.Clock()
	micros := int64((h*60+m)*60+s)*1_000_000 + int64(t.Nanosecond()/1000)
	_, off := t.Zone()
	return appendLong(b, micros), off, nil
}

// appendJSON appends v as JSON text: an object for kindObject, an array
// for kindArray. Strings and byte slices are taken to be JSON text already.
func appendJSON(b []byte, v any, k kind) ([]byte, error) {
	var p []byte
	switch x := v.(type) {
	case json.RawMessage:
		p = x
	case []byte:
		p = x
	case string:
		p = []byte(x)
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return b, err
		}
		p = buf.Bytes()
	}
	p = bytes.TrimSpace(p)
	if !json.Valid(p) {
		return b, errors.New("invalid JSON text")
	}
	if want := jsonOpener(k); len(p) == 0 || p[0] != want {
		return b, fmt.Errorf("JSON value must start with %q", want)
	}
	return appendText(b, p), nil
}

func jsonOpener(k kind) byte {
	if k == kindArray {
		return '['
	}
	return '{'
}

// readCell decodes the value of column c (and its offset companion).
func (c *column) readCell(d *decoder) (any, error) {
	if c.nullable {
		null, err := readNullIndex(d)
		if err != nil || null {
			if err == nil && c.offset != "" {
				if null, err = readNullIndex(d); err == nil && !null {
					err = errors.New("offset present for a null value")
				}
			}
			return nil, err
		}
	}
	return c.readValue(d)
}

// readNullIndex reads the branch index of a ["null", T] union.
func readNullIndex(d *decoder) (bool, error) {
	i, err := d.readLong()
	switch {
	case err != nil:
		return false, err
	case i != 0 && i != 1:
		return false, fmt.Errorf("union branch %d out of range", i)
	}
	return i == 0, nil
}

func (c *column) readValue(d *decoder) (any, error) {
	switch c.kind {
	case kindString, kindUUID:
		return d.readString()
	case kindLong:
		return d.readLong()
	case kindDouble:
		return d.readDouble()
	case kindNumber:
		return readNumber(d)
	case kindDecimal:
		p, err := d.readBytes()
		if err != nil {
			return nil, err
		}
		return decodeDecimal(p, c.scale)
	case kindBool:
		return d.readBool()
	case kindDate, kindYearMonth:
		n, err := d.readInt()
		return dateFromDays(int64(n)), err
	case kindTimestamp, kindTime:
		return c.readTime(d)
	case kindObject, kindArray:
		p, err := d.readBytes()
		if err != nil {
			return nil, err
		}
		return decodeJSON(p, c.kind)
	}
	return nil, fmt.Errorf("unknown column kind %d", c.kind)
}

func dateFromDays(days int64) time.Time { return time.Unix(days*86400, 0).UTC() }

// readTime reads a timestamp or time of day and its offset companion.
func (c *column) readTime(d *decoder) (any, error) {
	micros, err := d.readLong()
	if err != nil {
		return nil, err
	}
	if c.nullable {
		null, err := readNullIndex(d)
		if err != nil {
			return nil, err
		}
		if null {
			return nil, errors.New("offset missing for a value")
		}
	}
	off, err := d.readLong()
	if err != nil {
		return nil, err
	}
	if off < -maxOffset || off > maxOffset {
		return nil, fmt.Errorf("UTC offset %d s out of range", off)
	}
	zone := zoneFor(int(off))
	if c.kind == kindTimestamp {
		return time.UnixMicro(micros).In(zone), nil
	}
	if micros < 0 || micros >= microsPerDay {
		return nil, fmt.Errorf("time of day %d µs out of range", micros)
	}
	return timeOfDay(micros, zone), nil
}

// zoneFor returns UTC for offset 0, else a fixed zone.
func zoneFor(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// timeOfDay returns the time micros after midnight on 0000-01-01.
func timeOfDay(micros int64, zone *time.Location) time.Time {
	return time.Date(0, 1, 1, 0, 0, 0, 0, zone).Add(time.Duration(micros) * time.Microsecond)
}

// decodeJSON parses JSON text with numbers as json.Number.
func decodeJSON(p []byte, k kind) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: trailing data")
	}
	switch v.(type) {
	case map[string]any:
		if k == kindObject {
			return v, nil
		}
	case []any:
		if k == kindArray {
			return v, nil
		}
	}
	if k == kindObject {
		return nil, errors.New("JSON value is not an object")
	}
	return nil, errors.New("JSON value is not an array")
}

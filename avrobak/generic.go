package avrobak

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hamba/avro/v2"
)

// Generic decoding of nested Avro values (arrays, maps, records, unions of
// a foreign file) into JSON-ready Go values: numbers as json.Number,
// binary as base64 text, dates and times as ISO 8601 text.

const (
	// maxDepth bounds nesting, so recursive schemas cannot exhaust the stack.
	maxDepth = 64
	// maxEmptyItems bounds the items of one array or map block whose items
	// may encode to zero bytes.
	maxEmptyItems = 1 << 16
)

var errDepth = errors.New("values nested too deeply")

func genericValue(d *decoder, t avro.Schema, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	switch s := t.(type) {
	case *avro.RefSchema:
		return genericValue(d, s.Schema(), depth+1)
	case *avro.UnionSchema:
		i, err := d.readLong()
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= int64(len(s.Types())) {
			return nil, fmt.Errorf("union branch %d out of range", i)
		}
		return genericValue(d, s.Types()[i], depth+1)
	case *avro.RecordSchema:
		m := make(map[string]any, len(s.Fields()))
		for _, f := range s.Fields() {
			v, err := genericValue(d, f.Type(), depth+1)
			if err != nil {
				return nil, err
			}
			m[f.Name()] = v
		}
		return m, nil
	case *avro.ArraySchema:
		return genericArray(d, s, depth)
	case *avro.MapSchema:
		return genericMap(d, s, depth)
	}
	return genericScalar(d, t)
}

// blockCount reads the count of an array or map block (a negative count is
// followed by the block's byte size) and bounds it by the bytes left.
func blockCount(d *decoder, item avro.Schema) (int64, error) {
	n, err := d.readLong()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, fmt.Errorf("block count %d out of range", n)
		}
		n = -n
		if _, err := d.readLong(); err != nil {
			return 0, err
		}
	}
	limit := int64(maxEmptyItems)
	if size := minEncodedSize(item); size > 0 {
		limit = int64(d.remaining() / size)
	}
	if n > limit {
		return 0, fmt.Errorf("block claims %d items, only room for %d", n, limit)
	}
	return n, nil
}

func genericArray(d *decoder, s *avro.ArraySchema, depth int) (any, error) {
	out := []any{}
	for {
		n, err := blockCount(d, s.Items())
		if err != nil || n == 0 {
			return out, err
		}
		if len(out)+int(n) > 16*maxEmptyItems && minEncodedSize(s.Items()) == 0 {
			return nil, errors.New("array too long")
		}
		for range n {
			v, err := genericValue(d, s.Items(), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
}

func genericMap(d *decoder, s *avro.MapSchema, depth int) (any, error) {
	out := map[string]any{}
	for {
		n, err := blockCount(d, s.Values())
		if err != nil || n == 0 {
			return out, err
		}
		for range n {
			k, err := d.readString()
			if err != nil {
				return nil, err
			}
			v, err := genericValue(d, s.Values(), depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
	}
}

// genericScalar decodes primitives, enums and fixed values.
func genericScalar(d *decoder, t avro.Schema) (any, error) {
	lt, ls := logicalOf(t)
	switch t.Type() {
	case avro.Null:
		return nil, nil
	case avro.Boolean:
		return d.readBool()
	case avro.Int, avro.Long:
		_, rd, _ := foreignNumeric(t.Type(), lt)
		v, err := rd(d)
		if err != nil {
			return nil, err
		}
		return jsonScalar(v, lt), nil
	case avro.Float:
		f, err := d.readFloat()
		return floatJSON(float64(f), 32), err
	case avro.Double:
		f, err := d.readDouble()
		return floatJSON(f, 64), err
	case avro.String:
		return d.readString()
	case avro.Bytes, avro.Fixed:
		_, rd, _ := foreignBinary(t, lt, ls)
		v, err := rd(d)
		if err != nil {
			return nil, err
		}
		return jsonScalar(v, lt), nil
	case avro.Enum:
		_, rd, _ := foreignEnum(t.(*avro.EnumSchema))
		return rd(d)
	}
	return nil, fmt.Errorf("avro type %s", t.Type())
}

// jsonScalar turns a frictionless cell value of logical type lt into a
// JSON-ready value.
func jsonScalar(v any, lt avro.LogicalType) any {
	switch x := v.(type) {
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case time.Time:
		switch lt {
		case avro.Date:
			return x.Format(time.DateOnly)
		case avro.TimeMillis, avro.TimeMicros:
			return x.Format("15:04:05.999999")
		}
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return json.Number(x.String())
	}
	return v
}

// floatJSON returns a json.Number, or text for NaN and infinities.
func floatJSON(f float64, bits int) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, bits))
}

// anyText renders a union value as text: strings as they are, anything
// else as JSON.
func anyText(v any) (any, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	p, err := json.Marshal(v)
	return string(p), err
}

// minEncodedSize is a lower bound of the encoded size of a value of t.
func minEncodedSize(t avro.Schema) int {
	switch s := t.(type) {
	case *avro.RecordSchema:
		n := 0
		for _, f := range s.Fields() {
			n += minEncodedSize(f.Type())
		}
		return n
	case *avro.FixedSchema:
		return s.Size()
	case *avro.RefSchema:
		return 0 // may be recursive; assume nothing
	}
	switch t.Type() {
	case avro.Null:
		return 0
	case avro.Float:
		return 4
	case avro.Double:
		return 8
	}
	return 1
}

// unixMicro returns the UTC time micros after the epoch.
func unixMicro(micros int64) time.Time { return time.UnixMicro(micros).UTC() }

package avrobak

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
)

// Reverse mapping for files written by other tools (no Table Schema in the
// metadata): each field of the top-level record becomes a Table Schema
// field; a non-record top-level schema becomes one field named "value".

// foreignPlan derives the Table Schema and field readers of schema s.
func foreignPlan(s avro.Schema) (*frictionless.Schema, []fieldReader, int, error) {
	type named struct {
		name, doc string
		typ       avro.Schema
	}
	var fields []named
	if rec, ok := s.(*avro.RecordSchema); ok {
		for _, f := range rec.Fields() {
			fields = append(fields, named{f.Name(), f.Doc(), f.Type()})
		}
	} else {
		fields = []named{{name: "value", typ: s}}
	}
	if len(fields) == 0 {
		return nil, nil, 0, fmt.Errorf("%w: the Avro record has no fields", ErrUnsupported)
	}
	ts := &frictionless.Schema{}
	readers := make([]fieldReader, len(fields))
	minSize := 0
	for i, nf := range fields {
		f, rd, err := foreignField(nf.typ)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("%w: field %q: %w", ErrUnsupported, nf.name, err)
		}
		f.Name, f.Description = nf.name, nf.doc
		ts.Fields = append(ts.Fields, f)
		readers[i] = rd
		minSize += minEncodedSize(nf.typ)
	}
	return ts, readers, minSize, nil
}

// foreignField maps one field type; nullable unions ["null", T] and
// [T, "null"] give a field that is not required.
func foreignField(t avro.Schema) (frictionless.Field, fieldReader, error) {
	u, ok := t.(*avro.UnionSchema)
	if !ok {
		f, rd, err := foreignType(t)
		f.Constraints.Required = t.Type() != avro.Null
		return f, rd, err
	}
	types := u.Types()
	if len(types) == 2 && (types[0].Type() == avro.Null) != (types[1].Type() == avro.Null) {
		nullIdx := int64(0)
		if types[1].Type() == avro.Null {
			nullIdx = 1
		}
		f, rd, err := foreignType(types[1-nullIdx])
		return f, func(d *decoder) (any, error) {
			i, err := d.readLong()
			switch {
			case err != nil:
				return nil, err
			case i == nullIdx:
				return nil, nil
			case i == 1-nullIdx:
				return rd(d)
			}
			return nil, fmt.Errorf("union branch %d out of range", i)
		}, err
	}
	// Any other union: the value as text (JSON for non-strings).
	return frictionless.Field{Type: frictionless.TypeAny}, func(d *decoder) (any, error) {
		v, err := genericValue(d, t, 0)
		if err != nil || v == nil {
			return nil, err
		}
		return anyText(v)
	}, nil
}

type logical interface{ Logical() avro.LogicalSchema }

// logicalOf returns the logical type of t, or "".
func logicalOf(t avro.Schema) (avro.LogicalType, avro.LogicalSchema) {
	if l, ok := t.(logical); ok && l.Logical() != nil {
		return l.Logical().Type(), l.Logical()
	}
	return "", nil
}

// foreignType maps a non-union Avro type to a field type and a reader that
// yields the frictionless Go value of that type.
func foreignType(t avro.Schema) (frictionless.Field, fieldReader, error) {
	if ref, ok := t.(*avro.RefSchema); ok {
		t = ref.Schema()
	}
	lt, ls := logicalOf(t)
	switch t.Type() {
	case avro.Null:
		return field(frictionless.TypeAny), func(*decoder) (any, error) { return nil, nil }, nil
	case avro.Boolean:
		return field(frictionless.TypeBoolean), func(d *decoder) (any, error) { return d.readBool() }, nil
	case avro.Int, avro.Long:
		return foreignNumeric(t.Type(), lt)
	case avro.Float:
		return field(frictionless.TypeNumber), func(d *decoder) (any, error) {
			f, err := d.readFloat()
			return float64(f), err
		}, nil
	case avro.Double:
		return field(frictionless.TypeNumber), func(d *decoder) (any, error) { return d.readDouble() }, nil
	case avro.String:
		f := field(frictionless.TypeString)
		if lt == avro.UUID {
			f.Format = "uuid"
		}
		return f, func(d *decoder) (any, error) { return d.readString() }, nil
	case avro.Bytes, avro.Fixed:
		return foreignBinary(t, lt, ls)
	case avro.Enum:
		return foreignEnum(t.(*avro.EnumSchema))
	case avro.Array:
		return field(frictionless.TypeArray), genericReader(t), nil
	case avro.Map, avro.Record:
		return field(frictionless.TypeObject), genericReader(t), nil
	}
	return frictionless.Field{}, nil, fmt.Errorf("avro type %s", t.Type())
}

func field(t frictionless.FieldType) frictionless.Field { return frictionless.Field{Type: t} }

func genericReader(t avro.Schema) fieldReader {
	return func(d *decoder) (any, error) { return genericValue(d, t, 0) }
}

// foreignNumeric maps int and long with their logical types.
func foreignNumeric(typ avro.Type, lt avro.LogicalType) (frictionless.Field, fieldReader, error) {
	read := func(d *decoder) (int64, error) {
		if typ == avro.Int {
			n, err := d.readInt()
			return int64(n), err
		}
		return d.readLong()
	}
	withUnit := func(ft frictionless.FieldType, conv func(int64) (any, error)) (frictionless.Field, fieldReader, error) {
		return field(ft), func(d *decoder) (any, error) {
			n, err := read(d)
			if err != nil {
				return nil, err
			}
			return conv(n)
		}, nil
	}
	switch {
	case typ == avro.Int && lt == avro.Date:
		return withUnit(frictionless.TypeDate, func(n int64) (any, error) { return dateFromDays(n), nil })
	case typ == avro.Int && lt == avro.TimeMillis:
		return withUnit(frictionless.TypeTime, func(n int64) (any, error) { return checkedTimeOfDay(n * 1000) })
	case typ == avro.Long && lt == avro.TimeMicros:
		return withUnit(frictionless.TypeTime, checkedTimeOfDay)
	case typ == avro.Long && (lt == avro.TimestampMillis || lt == avro.LocalTimestampMillis):
		return withUnit(frictionless.TypeDateTime, func(n int64) (any, error) { return unixMilli(n) })
	case typ == avro.Long && (lt == avro.TimestampMicros || lt == avro.LocalTimestampMicros):
		return withUnit(frictionless.TypeDateTime, func(n int64) (any, error) { return unixMicro(n), nil })
	}
	return withUnit(frictionless.TypeInteger, func(n int64) (any, error) { return n, nil })
}

func checkedTimeOfDay(micros int64) (any, error) {
	if micros < 0 || micros >= microsPerDay {
		return nil, fmt.Errorf("time of day %d µs out of range", micros)
	}
	return timeOfDay(micros, zoneFor(0)), nil
}

func unixMilli(ms int64) (any, error) {
	const limit = 1<<63/1000 - 1
	if ms > limit || ms < -limit {
		return nil, fmt.Errorf("timestamp %d ms out of range", ms)
	}
	return unixMicro(ms * 1000), nil
}

// foreignBinary maps bytes and fixed: decimals, durations, and plain
// binary as base64 text (Table Schema string format "binary").
func foreignBinary(t avro.Schema, lt avro.LogicalType, ls avro.LogicalSchema) (frictionless.Field, fieldReader, error) {
	read := func(d *decoder) ([]byte, error) { return d.readBytes() }
	if fx, ok := t.(*avro.FixedSchema); ok {
		size := int64(fx.Size())
		read = func(d *decoder) ([]byte, error) { return d.readFixed(size) }
	}
	switch {
	case lt == avro.Decimal:
		dec := ls.(*avro.DecimalLogicalSchema)
		f := field(frictionless.TypeNumber)
		f.Precision, f.Scale = dec.Precision(), dec.Scale()
		return f, func(d *decoder) (any, error) {
			p, err := read(d)
			if err != nil {
				return nil, err
			}
			return decodeDecimal(p, f.Scale)
		}, nil
	case lt == avro.Duration && t.Type() == avro.Fixed && t.(*avro.FixedSchema).Size() == 12:
		return field(frictionless.TypeDuration), func(d *decoder) (any, error) {
			p, err := read(d)
			if err != nil {
				return nil, err
			}
			return avroDuration(p), nil
		}, nil
	}
	f := field(frictionless.TypeString)
	f.Format = "binary"
	return f, func(d *decoder) (any, error) {
		p, err := read(d)
		return base64.StdEncoding.EncodeToString(p), err
	}, nil
}

// avroDuration renders Avro's duration (months, days, milliseconds; three
// little-endian uint32) as ISO 8601.
func avroDuration(p []byte) string {
	months := binary.LittleEndian.Uint32(p[0:4])
	days := binary.LittleEndian.Uint32(p[4:8])
	ms := binary.LittleEndian.Uint32(p[8:12])
	secs := strconv.FormatUint(uint64(ms/1000), 10)
	if frac := ms % 1000; frac != 0 {
		secs += fmt.Sprintf(".%03d", frac)
	}
	return fmt.Sprintf("P%dM%dDT%sS", months, days, secs)
}

func foreignEnum(e *avro.EnumSchema) (frictionless.Field, fieldReader, error) {
	symbols := e.Symbols()
	f := field(frictionless.TypeString)
	for _, s := range symbols {
		f.Constraints.Enum = append(f.Constraints.Enum, s)
	}
	return f, func(d *decoder) (any, error) {
		i, err := d.readLong()
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= int64(len(symbols)) {
			return nil, fmt.Errorf("enum index %d out of range", i)
		}
		return symbols[i], nil
	}, nil
}

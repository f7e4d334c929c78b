package avrobak

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/datafactory/datafactory/frictionless"
)

// kind is how one Table Schema field is stored in Avro.
type kind uint8

const (
	kindString    kind = iota + 1 // "string": string, any, duration, geopoint
	kindUUID                      // string with logicalType uuid
	kindLong                      // "long": integer, year
	kindDouble                    // "double": number in backups made before numbers were exact
	kindNumber                    // string with logicalType number-text: number
	kindDecimal                   // bytes with logicalType decimal
	kindBool                      // "boolean"
	kindDate                      // int with logicalType date
	kindYearMonth                 // int date, first day of the month
	kindTimestamp                 // long timestamp-micros (UTC) + offset companion
	kindTime                      // long time-micros (wall clock) + offset companion
	kindObject                    // JSON text of an object (object, geojson)
	kindArray                     // JSON text of an array
)

// isTime reports whether values of kind k are time.Time.
func (k kind) isTime() bool {
	return k == kindDate || k == kindYearMonth || k == kindTimestamp || k == kindTime
}

// offsetSuffix is appended to the Avro name of a datetime or time field to
// name its companion field, which holds the value's UTC offset in seconds.
const offsetSuffix = "_utcoffset"

// Namespace is the Avro namespace of the record schemas this package writes.
const Namespace = "datafactory"

// column is the storage plan of one Table Schema field.
type column struct {
	field     string // Table Schema field name
	avro      string // Avro field name
	offset    string // Avro name of the offset companion; "" when none
	kind      kind
	nullable  bool
	precision int // decimal only
	scale     int // decimal only
}

// planColumns maps each field of s to its Avro storage plan.
func planColumns(s *frictionless.Schema) ([]column, error) {
	if len(s.Fields) == 0 {
		return nil, fmt.Errorf("%w: table schema has no fields", ErrUnsupported)
	}
	names := nameSet{}
	cols := make([]column, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		k, err := fieldKind(f)
		if err != nil {
			return nil, err
		}
		cols[i] = column{
			field:     f.Name,
			avro:      names.unique(f.Name),
			kind:      k,
			nullable:  !f.Constraints.Required && !slices.Contains(s.PrimaryKey, f.Name),
			precision: f.Precision,
			scale:     f.Scale,
		}
	}
	for i := range cols {
		if cols[i].kind == kindTimestamp || cols[i].kind == kindTime {
			cols[i].offset = names.unique(cols[i].avro + offsetSuffix)
		}
	}
	return cols, nil
}

// fieldKind chooses the Avro representation of a Table Schema field type.
func fieldKind(f *frictionless.Field) (kind, error) {
	switch f.Type {
	case frictionless.TypeString, "":
		if f.Format == "uuid" {
			return kindUUID, nil
		}
		return kindString, nil
	case frictionless.TypeAny, frictionless.TypeDuration, frictionless.TypeGeoPoint:
		return kindString, nil
	case frictionless.TypeInteger, frictionless.TypeYear:
		return kindLong, nil
	case frictionless.TypeNumber:
		if f.Precision > 0 {
			if f.Scale < 0 || f.Scale > f.Precision {
				return 0, fmt.Errorf("%w: field %q: decimal scale %d outside 0..precision %d",
					ErrUnsupported, f.Name, f.Scale, f.Precision)
			}
			return kindDecimal, nil
		}
		return kindNumber, nil
	case frictionless.TypeBoolean:
		return kindBool, nil
	case frictionless.TypeDate:
		return kindDate, nil
	case frictionless.TypeYearMonth:
		return kindYearMonth, nil
	case frictionless.TypeDateTime:
		return kindTimestamp, nil
	case frictionless.TypeTime:
		return kindTime, nil
	case frictionless.TypeObject, frictionless.TypeGeoJSON:
		return kindObject, nil
	case frictionless.TypeArray:
		return kindArray, nil
	}
	return 0, fmt.Errorf("%w: field %q: table schema type %q", ErrUnsupported, f.Name, f.Type)
}

// avroType returns the JSON form of the (non-null) Avro type of a kind.
func (c *column) avroType() any {
	logical := func(typ, lt string) map[string]any { return map[string]any{"type": typ, "logicalType": lt} }
	switch c.kind {
	case kindUUID:
		return logical("string", "uuid")
	case kindLong:
		return "long"
	case kindDouble:
		return "double"
	case kindNumber:
		return logical("string", numberLogicalType)
	case kindDecimal:
		m := logical("bytes", "decimal")
		m["precision"], m["scale"] = c.precision, c.scale
		return m
	case kindBool:
		return "boolean"
	case kindDate, kindYearMonth:
		return logical("int", "date")
	case kindTimestamp:
		return logical("long", "timestamp-micros")
	case kindTime:
		return logical("long", "time-micros")
	}
	return "string" // kindString, kindObject, kindArray
}

// avroField is one field of an Avro record schema, in JSON.
type avroField struct {
	Name    string          `json:"name"`
	Type    any             `json:"type"`
	Doc     string          `json:"doc,omitempty"`
	Default json.RawMessage `json:"default,omitempty"`
}

func newAvroField(name string, typ any, nullable bool, doc string) avroField {
	f := avroField{Name: name, Type: typ, Doc: doc}
	if nullable {
		f.Type = []any{"null", typ}
		f.Default = json.RawMessage("null")
	}
	return f
}

// avroRecord is an Avro record schema, in JSON.
type avroRecord struct {
	Type      string      `json:"type"`
	Name      string      `json:"name"`
	Namespace string      `json:"namespace"`
	Doc       string      `json:"doc,omitempty"`
	Fields    []avroField `json:"fields"`
}

// schemaJSON renders the Avro record schema of cols.
func schemaJSON(table string, cols []column) ([]byte, error) {
	name := "row"
	if table != "" {
		name = avroName(table)
	}
	rec := avroRecord{Type: "record", Name: name, Namespace: Namespace}
	if table != "" {
		rec.Doc = "datafactory backup of table " + table
	}
	for i := range cols {
		c := &cols[i]
		doc := ""
		if c.avro != c.field {
			doc = "column " + c.field
		}
		rec.Fields = append(rec.Fields, newAvroField(c.avro, c.avroType(), c.nullable, doc))
		if c.offset != "" {
			rec.Fields = append(rec.Fields, newAvroField(c.offset, "int", c.nullable,
				"UTC offset in seconds of "+c.field))
		}
	}
	return json.Marshal(rec)
}

// AvroSchema returns the Avro record schema (JSON) that a [Writer] uses
// for rows of s; table names the record (any name; it is sanitised). The
// mapping is described in the package documentation.
func AvroSchema(s *frictionless.Schema, table string) ([]byte, error) {
	cols, err := planColumns(s)
	if err != nil {
		return nil, err
	}
	return schemaJSON(table, cols)
}

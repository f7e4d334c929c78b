package frictionless

import (
	"encoding/json"

	tsschema "github.com/frictionlessdata/tableschema-go/schema"
)

// FieldType is a Table Schema field type. The names are those of
// tableschema-go, plus geojson.
type FieldType string

// Field types of the Table Schema specification.
const (
	TypeString    FieldType = FieldType(tsschema.StringType)
	TypeInteger   FieldType = FieldType(tsschema.IntegerType)
	TypeNumber    FieldType = FieldType(tsschema.NumberType)
	TypeBoolean   FieldType = FieldType(tsschema.BooleanType)
	TypeDate      FieldType = FieldType(tsschema.DateType)
	TypeTime      FieldType = FieldType(tsschema.TimeType)
	TypeDateTime  FieldType = FieldType(tsschema.DateTimeType)
	TypeYear      FieldType = FieldType(tsschema.YearType)
	TypeYearMonth FieldType = FieldType(tsschema.YearMonthType)
	TypeDuration  FieldType = FieldType(tsschema.DurationType)
	TypeObject    FieldType = FieldType(tsschema.ObjectType)
	TypeArray     FieldType = FieldType(tsschema.ArrayType)
	TypeGeoPoint  FieldType = FieldType(tsschema.GeoPointType)
	TypeGeoJSON   FieldType = "geojson"
	TypeAny       FieldType = FieldType(tsschema.AnyType)
)

// knownTypes lists every valid FieldType ("" means string).
var knownTypes = map[FieldType]bool{
	"": true, TypeString: true, TypeInteger: true, TypeNumber: true, TypeBoolean: true,
	TypeDate: true, TypeTime: true, TypeDateTime: true, TypeYear: true, TypeYearMonth: true,
	TypeDuration: true, TypeObject: true, TypeArray: true, TypeGeoPoint: true,
	TypeGeoJSON: true, TypeAny: true,
}

// Valid reports whether t is a Table Schema type ("" counts as string).
func (t FieldType) Valid() bool { return knownTypes[t] }

// Constraints are the Table Schema field constraints.
type Constraints struct {
	Required  bool
	Unique    bool
	MinLength *int
	MaxLength *int
	// Minimum and Maximum hold the raw JSON value (json.Number or string),
	// nil when absent.
	Minimum any
	Maximum any
	// Pattern is a regular expression the whole raw cell text must match
	// (it is anchored at both ends, as in XML Schema).
	Pattern string
	// Enum holds the raw JSON values the cell may take.
	Enum []any
	// Extra keeps unknown properties; they are written back unchanged.
	Extra map[string]json.RawMessage
}

// Field is a Table Schema field descriptor.
type Field struct {
	Name        string
	Type        FieldType // "" means string
	Format      string
	Title       string
	Description string
	Constraints Constraints
	TrueValues  []string // nil → ["true","True","TRUE","1"]
	FalseValues []string // nil → ["false","False","FALSE","0"]
	DecimalChar string   // "" → "."
	GroupChar   string   // "" → none
	BareNumber  *bool    // nil → true
	// Precision and Scale are a datafactory extension (JSON "precision" and
	// "scale"). Every number casts to an exact [Decimal]; Precision > 0
	// only narrows it: no NaN or INF, at most Scale fractional digits and
	// Precision digits in all.
	Precision int
	Scale     int
	// Extra keeps unknown properties; they are written back unchanged.
	Extra map[string]json.RawMessage
}

// ForeignKeyReference is the target of a foreign key.
type ForeignKeyReference struct {
	Resource string // "" means the same resource
	Fields   []string
	Extra    map[string]json.RawMessage
}

// ForeignKey is a Table Schema foreign key.
type ForeignKey struct {
	Fields    []string
	Reference ForeignKeyReference
	Extra     map[string]json.RawMessage
}

// Schema is a Table Schema.
type Schema struct {
	Fields []Field
	// PrimaryKey lists the key's fields; JSON accepts a string or an array.
	// Primary-key fields are implicitly required.
	PrimaryKey  []string
	ForeignKeys []ForeignKey
	// MissingValues are the cell texts that mean "no value"; nil → [""].
	MissingValues []string
	// Extra keeps unknown properties; they are written back unchanged.
	Extra map[string]json.RawMessage
}

// FieldIndex returns the index of the field called name, or -1.
func (s *Schema) FieldIndex(name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// FieldNames returns the field names in order.
func (s *Schema) FieldNames() []string {
	names := make([]string, len(s.Fields))
	for i := range s.Fields {
		names[i] = s.Fields[i].Name
	}
	return names
}

// missingValues returns the effective missing values.
func (s *Schema) missingValues() []string {
	if s.MissingValues == nil {
		return []string{""}
	}
	return s.MissingValues
}

package frictionless

import (
	"bytes"
	"encoding/json"
	"fmt"

	tsschema "github.com/frictionlessdata/tableschema-go/schema"
)

// ToTableSchema converts the schema to a github.com/frictionlessdata/tableschema-go
// schema, for code built on that library. What tableschema-go cannot hold
// is dropped: foreign keys after the first (it has a single foreign key),
// precision and scale, unknown properties; geojson becomes object.
// Numeric minimum and maximum become strings, as tableschema-go stores
// them.
func (s *Schema) ToTableSchema() (*tsschema.Schema, error) {
	doc := map[string]any{}
	fields := make([]json.RawMessage, len(s.Fields))
	for i, f := range s.Fields {
		f.Extra, f.Precision, f.Scale = nil, 0, 0
		if f.Type == TypeGeoJSON {
			f.Type = TypeObject
		}
		c := f.Constraints
		f.Constraints = Constraints{}
		if c.Minimum != nil {
			c.Minimum = fmt.Sprint(c.Minimum)
		}
		if c.Maximum != nil {
			c.Maximum = fmt.Sprint(c.Maximum)
		}
		c.Extra = nil
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("frictionless: to tableschema: %w", err)
		}
		cb, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("frictionless: to tableschema: %w", err)
		}
		// Replace the closing brace with the constraints member.
		fields[i] = append(append(b[:len(b)-1], `,"constraints":`...), append(cb, '}')...)
	}
	doc["fields"] = fields
	if len(s.PrimaryKey) > 0 {
		doc["primaryKey"] = s.PrimaryKey
	}
	if len(s.ForeignKeys) > 0 {
		fk := s.ForeignKeys[0]
		doc["foreignKeys"] = map[string]any{"fields": fk.Fields,
			"reference": map[string]any{"resource": fk.Reference.Resource, "fields": fk.Reference.Fields}}
	}
	doc["missingValues"] = s.missingValues()
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("frictionless: to tableschema: %w", err)
	}
	ts, err := tsschema.Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("frictionless: to tableschema: %w", err)
	}
	return ts, nil
}

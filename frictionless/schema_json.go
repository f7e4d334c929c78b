package frictionless

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// UnmarshalJSON decodes a Table Schema; unknown properties go to Extra.
// Errors are *DescriptorError naming the property.
func (s *Schema) UnmarshalJSON(data []byte) error {
	v, err := decodeSchema(data, "")
	if err != nil {
		return err
	}
	*s = *v
	return nil
}

// decodeSchema decodes a schema object found at path.
func decodeSchema(data []byte, path string) (*Schema, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	s := &Schema{}
	fields, ok, err := o.array("fields")
	if err != nil {
		return nil, err
	}
	if ok {
		s.Fields = make([]Field, len(fields))
		for i, raw := range fields {
			f, err := decodeField(raw, indexPath(o.keyPath("fields"), i))
			if err != nil {
				return nil, err
			}
			s.Fields[i] = *f
		}
	}
	if err := o.strings("primaryKey", &s.PrimaryKey, true); err != nil {
		return nil, err
	}
	if err := o.strings("missingValues", &s.MissingValues, false); err != nil {
		return nil, err
	}
	fks, _, err := o.array("foreignKeys")
	if err != nil {
		return nil, err
	}
	for i, raw := range fks {
		fk, err := decodeForeignKey(raw, indexPath(o.keyPath("foreignKeys"), i))
		if err != nil {
			return nil, err
		}
		s.ForeignKeys = append(s.ForeignKeys, *fk)
	}
	s.Extra = o.rest()
	return s, nil
}

func decodeForeignKey(data []byte, path string) (*ForeignKey, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	fk := &ForeignKey{}
	if err := o.strings("fields", &fk.Fields, true); err != nil {
		return nil, err
	}
	raw, ok := o.take("reference")
	if !ok {
		return nil, descErr(o.keyPath("reference"), "is required")
	}
	ro, err := parseObject(raw, o.keyPath("reference"))
	if err != nil {
		return nil, err
	}
	if err := ro.str("resource", &fk.Reference.Resource); err != nil {
		return nil, err
	}
	if err := ro.strings("fields", &fk.Reference.Fields, true); err != nil {
		return nil, err
	}
	fk.Reference.Extra = ro.rest()
	fk.Extra = o.rest()
	return fk, nil
}

// UnmarshalJSON decodes a field descriptor; unknown properties go to Extra.
func (f *Field) UnmarshalJSON(data []byte) error {
	v, err := decodeField(data, "")
	if err != nil {
		return err
	}
	*f = *v
	return nil
}

func decodeField(data []byte, path string) (*Field, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	f := &Field{}
	var typ string
	var prec, scale int64
	for _, step := range []error{
		o.str("name", &f.Name), o.str("type", &typ), o.str("format", &f.Format),
		o.str("title", &f.Title), o.str("description", &f.Description),
		o.strings("trueValues", &f.TrueValues, false), o.strings("falseValues", &f.FalseValues, false),
		o.str("decimalChar", &f.DecimalChar), o.str("groupChar", &f.GroupChar),
		o.boolPtr("bareNumber", &f.BareNumber), o.integer("precision", &prec), o.integer("scale", &scale),
	} {
		if step != nil {
			return nil, step
		}
	}
	f.Type, f.Precision, f.Scale = FieldType(typ), int(prec), int(scale)
	if !f.Type.Valid() {
		return nil, descErr(o.keyPath("type"), "unknown type %q", typ)
	}
	if raw, ok := o.take("constraints"); ok {
		c, err := decodeConstraints(raw, o.keyPath("constraints"))
		if err != nil {
			return nil, err
		}
		f.Constraints = *c
	}
	f.Extra = o.rest()
	return f, nil
}

// UnmarshalJSON decodes a constraints object; unknown properties go to
// Extra.
func (c *Constraints) UnmarshalJSON(data []byte) error {
	v, err := decodeConstraints(data, "")
	if err != nil {
		return err
	}
	*c = *v
	return nil
}

func decodeConstraints(data []byte, path string) (*Constraints, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	c := &Constraints{}
	for _, step := range []error{
		o.boolean("required", &c.Required), o.boolean("unique", &c.Unique),
		o.intPtr("minLength", &c.MinLength), o.intPtr("maxLength", &c.MaxLength), o.str("pattern", &c.Pattern),
	} {
		if step != nil {
			return nil, step
		}
	}
	for _, b := range []struct {
		key string
		dst *any
	}{{"minimum", &c.Minimum}, {"maximum", &c.Maximum}} {
		if raw, ok := o.take(b.key); ok {
			v := decodeJSON(string(raw))
			switch v.(type) {
			case json.Number, string:
				*b.dst = v
			default:
				return nil, descErr(o.keyPath(b.key), "must be a number or a string")
			}
		}
	}
	if raw, ok := o.take("enum"); ok {
		list, ok := decodeJSON(string(raw)).([]any)
		if !ok {
			return nil, descErr(o.keyPath("enum"), "must be an array")
		}
		c.Enum = list
	}
	c.Extra = o.rest()
	return c, nil
}

// MarshalJSON encodes the constraints, unknown properties included.
func (c Constraints) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	if c.Required {
		w.value("required", true)
	}
	if c.Unique {
		w.value("unique", true)
	}
	if c.MinLength != nil {
		w.value("minLength", *c.MinLength)
	}
	if c.MaxLength != nil {
		w.value("maxLength", *c.MaxLength)
	}
	if c.Minimum != nil {
		w.value("minimum", c.Minimum)
	}
	if c.Maximum != nil {
		w.value("maximum", c.Maximum)
	}
	w.str("pattern", c.Pattern)
	if c.Enum != nil {
		w.value("enum", c.Enum)
	}
	w.extra(c.Extra)
	return w.bytes()
}

// isZero reports whether no constraint and no extra property is set.
func (c *Constraints) isZero() bool {
	return !c.Required && !c.Unique && c.MinLength == nil && c.MaxLength == nil && c.Minimum == nil &&
		c.Maximum == nil && c.Pattern == "" && c.Enum == nil && len(c.Extra) == 0
}

// MarshalJSON encodes the field, unknown properties included.
func (f Field) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	w.value("name", f.Name)
	w.str("type", string(f.Type))
	w.str("format", f.Format)
	w.str("title", f.Title)
	w.str("description", f.Description)
	if !f.Constraints.isZero() {
		w.value("constraints", f.Constraints)
	}
	if f.TrueValues != nil {
		w.value("trueValues", f.TrueValues)
	}
	if f.FalseValues != nil {
		w.value("falseValues", f.FalseValues)
	}
	w.str("decimalChar", f.DecimalChar)
	w.str("groupChar", f.GroupChar)
	if f.BareNumber != nil {
		w.value("bareNumber", *f.BareNumber)
	}
	if f.Precision != 0 {
		w.value("precision", f.Precision)
		w.value("scale", f.Scale)
	}
	w.extra(f.Extra)
	return w.bytes()
}

// MarshalJSON encodes the foreign key, unknown properties included.
func (fk ForeignKey) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	w.value("fields", fk.Fields)
	ref := newObjWriter()
	ref.value("resource", fk.Reference.Resource)
	ref.value("fields", fk.Reference.Fields)
	ref.extra(fk.Reference.Extra)
	b, err := ref.bytes()
	if err != nil {
		return nil, err
	}
	w.raw("reference", b)
	w.extra(fk.Extra)
	return w.bytes()
}

// MarshalJSON encodes the schema, unknown properties included.
func (s Schema) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	fields := s.Fields
	if fields == nil {
		fields = []Field{}
	}
	w.value("fields", fields)
	if len(s.PrimaryKey) > 0 {
		w.value("primaryKey", s.PrimaryKey)
	}
	if len(s.ForeignKeys) > 0 {
		w.value("foreignKeys", s.ForeignKeys)
	}
	if s.MissingValues != nil {
		w.value("missingValues", s.MissingValues)
	}
	w.extra(s.Extra)
	return w.bytes()
}

// ReadSchema reads and validates a Table Schema descriptor. Errors are
// *DescriptorError naming the property.
func ReadSchema(r io.Reader) (*Schema, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("frictionless: read schema: %w", err)
	}
	return parseSchema(data, "")
}

// parseSchema decodes and validates a schema at path.
func parseSchema(data []byte, path string) (*Schema, error) {
	s, err := decodeSchema(data, path)
	if err != nil {
		return nil, err
	}
	if _, err := s.compile(path); err != nil {
		return nil, err
	}
	return s, nil
}

// indentJSON pretty-prints a descriptor with two-space indentation and a
// final newline.
func indentJSON(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return b
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// Write writes the schema as indented JSON (e.g. to report an inferred
// schema).
func (s *Schema) Write(w io.Writer) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("frictionless: encode schema: %w", err)
	}
	if _, err := w.Write(indentJSON(b)); err != nil {
		return fmt.Errorf("frictionless: write schema: %w", err)
	}
	return nil
}

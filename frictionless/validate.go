package frictionless

import "strconv"

// Validate checks the schema: field names present and unique, known types,
// valid formats and constraints, primary and foreign keys naming existing
// fields. The error is a *DescriptorError naming the property, e.g.
// `fields[0].type: unknown type "integr"`.
func (s *Schema) Validate() error {
	_, err := s.compile("")
	return err
}

// compile validates the schema at path and compiles its fields.
func (s *Schema) compile(path string) ([]*caster, error) {
	casters := make([]*caster, len(s.Fields))
	seen := make(map[string]int, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		fp := indexPath(joinPath(path, "fields"), i)
		if f.Name == "" {
			return nil, descErr(joinPath(fp, "name"), "is required")
		}
		if j, dup := seen[f.Name]; dup {
			return nil, descErr(joinPath(fp, "name"), "%q repeats fields[%d]", f.Name, j)
		}
		seen[f.Name] = i
		c, err := newCaster(f, fp)
		if err != nil {
			return nil, err
		}
		casters[i] = c
	}
	for i, name := range s.PrimaryKey {
		if _, ok := seen[name]; !ok {
			return nil, descErr(indexPath(joinPath(path, "primaryKey"), i), "field %q is not in the schema", name)
		}
	}
	for i, fk := range s.ForeignKeys {
		fp := indexPath(joinPath(path, "foreignKeys"), i)
		if len(fk.Fields) == 0 {
			return nil, descErr(joinPath(fp, "fields"), "is required")
		}
		for j, name := range fk.Fields {
			if _, ok := seen[name]; !ok {
				return nil, descErr(indexPath(joinPath(fp, "fields"), j), "field %q is not in the schema", name)
			}
		}
		if len(fk.Reference.Fields) != len(fk.Fields) {
			return nil, descErr(joinPath(joinPath(fp, "reference"), "fields"),
				"has %d fields, the key has %s", len(fk.Reference.Fields), strconv.Itoa(len(fk.Fields)))
		}
	}
	return casters, nil
}

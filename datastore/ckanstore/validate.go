package ckanstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
)

// ValidateSchema checks, without any request, that a schema can become a
// DataStore table: every field name passes datastore's allow-list
// ([datastore.ValidateColumnName], at most 63 bytes as CKAN requires) and
// CKAN's is_valid_field_name; names are unique; types are Table Schema
// types; key fields are in the schema. Callers that drop a table before
// recreating it (as AirCan's replace does) check here first, so a bad
// schema never costs the old table. Errors match datastore.ErrInvalidName
// or datastore.ErrInvalidOptions.
func ValidateSchema(schema *frictionless.Schema) error {
	if schema == nil || len(schema.Fields) == 0 {
		return fmt.Errorf("%w: schema has no fields", datastore.ErrInvalidOptions)
	}
	seen := make(map[string]bool, len(schema.Fields))
	for i := range schema.Fields {
		f := &schema.Fields[i]
		if err := datastore.ValidateColumnName(f.Name); err != nil {
			return err
		}
		if err := validName(f.Name); err != nil {
			return fmt.Errorf("%w: column name %q: %v", datastore.ErrInvalidName, f.Name, err)
		}
		if seen[strings.ToLower(f.Name)] {
			return fmt.Errorf("%w: duplicate field %q", datastore.ErrInvalidName, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		if f.Type != "" && !f.Type.Valid() {
			return fmt.Errorf("%w: field %q has unknown type %q", datastore.ErrInvalidOptions, f.Name, f.Type)
		}
	}
	for _, k := range schema.PrimaryKey {
		if schema.FieldIndex(k) < 0 {
			return fmt.Errorf("%w: primary key field %q is not in the schema", datastore.ErrInvalidOptions, k)
		}
	}
	return nil
}

// validName refuses what CKAN's is_valid_field_name and alias rules
// refuse: a leading "_", a double quote, "%", surrounding whitespace.
func validName(name string) error {
	switch {
	case strings.HasPrefix(name, "_"):
		return errors.New(`CKAN names cannot start with "_"`)
	case strings.ContainsAny(name, `"%`):
		return errors.New(`CKAN names cannot contain '"' or '%'`)
	case strings.TrimSpace(name) != name:
		return errors.New("CKAN names cannot start or end with whitespace")
	}
	return nil
}

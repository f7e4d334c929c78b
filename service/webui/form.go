package webui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// field is a form input generated from a property of a conf schema.
type field struct {
	Name, Kind, Description, Value string // Kind: text, integer, number, boolean, select, json
	Options                        []string
	Required                       bool
	Error                          string
}

// schemaProp is the part of a property's JSON Schema the form reads.
type schemaProp struct {
	Type        any    `json:"type"`
	Description string `json:"description"`
	Title       string `json:"title"`
	Enum        []any  `json:"enum"`
	Default     any    `json:"default"`
}

// formFields returns the inputs of an object schema's properties, sorted
// by name; ok is false when the schema is not an object with properties
// (the form then takes the conf as JSON).
func formFields(schema json.RawMessage) (fields []field, ok bool) {
	var s struct {
		Type       any                   `json:"type"`
		Properties map[string]schemaProp `json:"properties"`
		Required   []string              `json:"required"`
	}
	if len(schema) == 0 || json.Unmarshal(schema, &s) != nil || len(s.Properties) == 0 {
		return nil, false
	}
	req := map[string]bool{}
	for _, n := range s.Required {
		req[n] = true
	}
	for name, p := range s.Properties {
		f := field{Name: name, Kind: kindOf(p), Description: strings.TrimSpace(p.Title + " " + p.Description), Required: req[name]}
		for _, e := range p.Enum {
			f.Options = append(f.Options, fmt.Sprint(e))
		}
		if p.Default != nil {
			f.Value = valueText(p.Default)
		}
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	return fields, true
}

// kindOf picks an input for a property.
func kindOf(p schemaProp) string {
	t, _ := p.Type.(string)
	switch {
	case len(p.Enum) > 0 && t == "string":
		return "select"
	case t == "string" || t == "integer" || t == "number" || t == "boolean":
		if t == "string" {
			return "text"
		}
		return t
	}
	return "json"
}

// valueText shows a JSON value in an input.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// confFromForm builds the conf from posted values, typed by the fields;
// a value that does not parse sets the field's Error and ok to false.
func confFromForm(fields []field, form url.Values) (conf map[string]any, ok bool) {
	conf, ok = map[string]any{}, true
	for i := range fields {
		f := &fields[i]
		raw := strings.TrimSpace(form.Get("f." + f.Name))
		f.Value = raw
		if f.Kind == "boolean" {
			f.Value = strconv.FormatBool(raw != "")
			conf[f.Name] = raw != ""
			continue
		}
		if raw == "" {
			if f.Required {
				f.Error, ok = f.Name+" is required", false
			}
			continue
		}
		v, err := parseValue(f.Kind, raw)
		if err != nil {
			f.Error, ok = fmt.Sprintf("%s: %v", f.Name, err), false
			continue
		}
		conf[f.Name] = v
	}
	return conf, ok
}

// parseValue reads a form value as an input kind.
func parseValue(kind, raw string) (any, error) {
	switch kind {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be an integer")
		}
		return n, nil
	case "number":
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a number")
		}
		return n, nil
	case "json":
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, fmt.Errorf("must be JSON")
		}
		return v, nil
	}
	return raw, nil
}

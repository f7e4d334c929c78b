package ckantest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// form validates an action's input the way CKAN's navl schemas do:
// messages collect per key, unknown keys end in __junk, and a value of the
// wrong shape for a subschema is a DataError (400).
type form struct {
	data  map[string]any
	known map[string]bool
	errs  map[string]any
	fatal error
}

func newForm(data map[string]any) *form {
	return &form{data: data, known: map[string]bool{}, errs: map[string]any{}}
}

func (f *form) addErr(key, msg string) {
	list, _ := f.errs[key].([]string)
	f.errs[key] = append(list, msg)
}

// rename moves from to to, like navl's rename('id', 'resource_id').
func (f *form) rename(from, to string) {
	f.known[from] = true
	if v, ok := f.data[from]; ok {
		if _, has := f.data[to]; !has {
			f.data[to] = v
		}
		delete(f.data, from)
	}
}

// get marks key as known and returns its value.
func (f *form) get(key string) (any, bool) {
	f.known[key] = true
	v, ok := f.data[key]
	return v, ok
}

// str reads a string; required adds "Missing value" when absent or empty.
func (f *form) str(key string, required bool) string {
	v, ok := f.get(key)
	if !ok || v == nil || v == "" {
		if required {
			f.addErr(key, "Missing value")
		}
		return ""
	}
	return textOf(v)
}

// boolean is CKAN's boolean_validator: true for true/yes/t/y/1 in any
// case; false for null, missing or any other string. It calls .lower(), so
// a number (or list, dict) is an AttributeError: 500.
func (f *form) boolean(key string) bool {
	v, ok := f.get(key)
	if !ok || v == nil {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		switch strings.ToLower(x) {
		case "true", "yes", "t", "y", "1":
			return true
		}
		return false
	}
	f.fatal = internalError()
	return false
}

// stringList is list_of_strings_or_string: a list of strings, or a
// comma-separated string.
func (f *form) stringList(key string) ([]string, bool) {
	v, ok := f.get(key)
	if !ok || v == nil {
		return nil, false
	}
	switch x := v.(type) {
	case string:
		out := []string{}
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, true
	case []any:
		out := make([]string, 0, len(x))
		for _, item := range x {
			s, isStr := item.(string)
			if !isStr {
				f.addErr(key, "Not a string")
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	f.addErr(key, "Not a list")
	return nil, false
}

// integer is int_validator, plus natural_number_validator when natural.
func (f *form) integer(key string, natural bool) (int, bool) {
	v, ok := f.get(key)
	if !ok || v == nil || v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(textOf(v)))
	if err != nil {
		f.addErr(key, "Invalid integer")
		return 0, false
	}
	if natural && n < 0 {
		f.addErr(key, "Must be a natural number")
		return 0, false
	}
	return n, true
}

// listOfDicts reads a subschema list; anything else is a DataError.
func (f *form) listOfDicts(key string) ([]map[string]any, bool) {
	v, ok := f.get(key)
	if !ok || v == nil {
		return nil, false
	}
	list, isList := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		m, isMap := item.(map[string]any)
		if !isMap {
			isList = false
			break
		}
		out = append(out, m)
	}
	if !isList {
		f.fatal = integrityError(fmt.Sprintf("Only lists of dicts can be placed against subschema ('%s',), not %s", key, pyType(v)), f.data)
		return nil, false
	}
	return out, true
}

// finish reports a DataError or 500 first, then unknown keys as __junk and
// the collected messages as a ValidationError.
func (f *form) finish() error {
	if f.fatal != nil {
		return f.fatal
	}
	var junk []string
	for k := range f.data {
		if !f.known[k] {
			junk = append(junk, fmt.Sprintf("('%s',)", k))
		}
	}
	if len(junk) > 0 {
		sort.Strings(junk)
		f.addErr("__junk", fmt.Sprintf("The input field [%s] was not expected.", strings.Join(junk, ", ")))
	}
	if len(f.errs) > 0 {
		return validationError(f.errs)
	}
	return nil
}

// pyType names a JSON value's Python class as CKAN's messages do.
func pyType(v any) string {
	switch x := v.(type) {
	case string:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "<class 'float'>"
		}
		return "<class 'int'>"
	case map[string]any:
		return "<class 'dict'>"
	case []any:
		return "<class 'list'>"
	}
	return "<class 'NoneType'>"
}

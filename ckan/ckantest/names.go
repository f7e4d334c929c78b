package ckantest

import (
	"strings"
	"unicode"
)

// maxColumnName is PostgreSQL's identifier limit.
const maxColumnName = 63

// validFieldName is CKAN's is_valid_field_name: not empty, no leading or
// trailing whitespace, no leading "_", no double quote.
func validFieldName(name string) bool {
	if name == "" || strings.HasPrefix(name, "_") || strings.Contains(name, `"`) {
		return false
	}
	return strings.TrimFunc(name, unicode.IsSpace) == name
}

// validAliasName is is_valid_table_name: a valid field name without "%".
func validAliasName(name string) bool {
	return validFieldName(name) && !strings.Contains(name, "%")
}

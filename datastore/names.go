package datastore

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Identifier limits. Table names leave room for the "__rejects" suffix within
// the 63 bytes PostgreSQL allows.
const (
	MaxTableNameBytes  = 54
	MaxColumnNameBytes = 63
)

// ValidateTableName checks a table name against the allow-list: 1 to
// [MaxTableNameBytes] bytes of letters (any script), digits and underscores,
// not starting with a digit. Reserved words are allowed: names are always
// quoted. The error matches [ErrInvalidName].
func ValidateTableName(name string) error {
	if err := checkLength("table", name, MaxTableNameBytes); err != nil {
		return err
	}
	for i, r := range name {
		ok := r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))
		if !ok {
			return fmt.Errorf("%w: table name %q: character %q not allowed (letters, digits and _ only, not starting with a digit)", ErrInvalidName, name, r)
		}
	}
	return nil
}

// ValidateColumnName checks a column name: 1 to [MaxColumnNameBytes] bytes of
// valid UTF-8 without control characters and without leading or trailing
// spaces. Anything else (quotes, semicolons, "--", reserved words) is stored
// verbatim, quoted by the backend. The error matches [ErrInvalidName].
func ValidateColumnName(name string) error {
	if err := checkLength("column", name, MaxColumnNameBytes); err != nil {
		return err
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%w: column name %q has leading or trailing spaces", ErrInvalidName, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == unicode.ReplacementChar || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("%w: column name %q: character %U not allowed", ErrInvalidName, name, r)
		}
	}
	return nil
}

func checkLength(what, name string, max int) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty %s name", ErrInvalidName, what)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %s name is not valid UTF-8", ErrInvalidName, what)
	case len(name) > max:
		return fmt.Errorf("%w: %s name %.20q… is %d bytes long (at most %d)", ErrInvalidName, what, name, len(name), max)
	}
	return nil
}

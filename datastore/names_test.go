package datastore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateTableName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"employees", true},
		{"_private", true},
		{"select", true},
		{"Données_été", true},
		{"名前", true},
		{"t2", true},
		{strings.Repeat("a", MaxTableNameBytes), true},
		{strings.Repeat("a", MaxTableNameBytes+1), false},
		{"", false},
		{"2t", false},
		{"a b", false},
		{`a"b`, false},
		{"a;b", false},
		{"a--b", false},
		{"a.b", false},
		{"\xff", false},
	}
	for _, tc := range tests {
		err := ValidateTableName(tc.name)
		if tc.ok {
			require.NoError(t, err, tc.name)
		} else {
			require.ErrorIs(t, err, ErrInvalidName, tc.name)
		}
	}
}

func TestValidateColumnName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"employee_id", true},
		{"Unit price (EUR)", true},
		{`a"b`, true},
		{"a; DROP TABLE t; --", true},
		{"1st", true},
		{strings.Repeat("é", MaxColumnNameBytes/2), true},
		{strings.Repeat("a", MaxColumnNameBytes+1), false},
		{"", false},
		{" lead", false},
		{"trail ", false},
		{"tab\there", false},
		{"nul\x00", false},
		{"zero\u200bwidth", false},
		{"\xff", false},
	}
	for _, tc := range tests {
		err := ValidateColumnName(tc.name)
		if tc.ok {
			require.NoError(t, err, tc.name)
		} else {
			require.ErrorIs(t, err, ErrInvalidName, tc.name)
		}
	}
}

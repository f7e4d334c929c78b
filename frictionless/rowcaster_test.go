package frictionless

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRowCaster(t *testing.T) {
	t.Parallel()
	s := &Schema{
		Fields: []Field{
			{Name: "id", Type: TypeInteger},
			{Name: "name", Constraints: Constraints{MaxLength: intPtr(5)}},
			{Name: "at", Type: TypeDate},
		},
		PrimaryKey:    []string{"id"},
		MissingValues: []string{"", "NA"},
	}
	rc, err := NewRowCaster(s, nil)
	require.NoError(t, err)
	day := time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC)

	row, err := rc.CastStrings([]string{"1", "Ada", "2021-01-02"})
	require.NoError(t, err)
	require.Equal(t, Row{int64(1), "Ada", day}, row)
	row, err = rc.CastObject(map[string]any{"id": json.Number("2"), "at": "2021-01-02"})
	require.NoError(t, err)
	require.Equal(t, Row{int64(2), nil, day}, row)
	row, err = rc.CastValues([]any{3.0, "NA", day})
	require.NoError(t, err)
	require.Equal(t, Row{int64(3), nil, day}, row)

	tests := []struct {
		name string
		cast func() (Row, error)
		msg  string
	}{
		{"duplicate key", func() (Row, error) { return rc.CastStrings([]string{"1", "x", ""}) }, `row 4: field "id": primary key (1) is not unique (same as row 1)`},
		{"cell count", func() (Row, error) { return rc.CastStrings([]string{"1"}) }, `row 5: row has 1 cells, expected 3`},
		{"value count", func() (Row, error) { return rc.CastValues([]any{1, 2}) }, `row 6: row has 2 values, expected 3`},
		{"required and cast", func() (Row, error) { return rc.CastValues([]any{nil, "toolong", "x"}) },
			`row 7: field "id": value is required; field "name": length 7 is more than maxLength 5; field "at": cannot cast "x" to date`},
		{"unknown key", func() (Row, error) { return rc.CastObject(map[string]any{"id": 9, "zz": true}) }, `row 8: field "zz": field is not in the schema`},
		{"wrong Go type", func() (Row, error) { return rc.CastValues([]any{struct{}{}, nil, nil}) }, `row 9: field "id": cannot cast struct {} to integer`},
		{"missing string", func() (Row, error) { return rc.CastObject(map[string]any{"id": "NA"}) }, `row 10: field "id": value is required`},
	}
	for _, tc := range tests {
		row, err := tc.cast()
		require.Nil(t, row, tc.name)
		var re *RowError
		require.True(t, errors.As(err, &re), tc.name)
		require.Zero(t, re.Line)
		require.EqualError(t, err, tc.msg, tc.name)
	}

	rc, err = NewRowCaster(s, &CastOptions{SkipUniqueCheck: true})
	require.NoError(t, err)
	for range 2 {
		_, err := rc.CastStrings([]string{"1", "", ""})
		require.NoError(t, err)
	}
	_, err = NewRowCaster(nil, nil)
	require.EqualError(t, err, "schema: is missing")
	_, err = NewRowCaster(&Schema{Fields: []Field{{Name: "x", Type: "integr"}}}, nil)
	require.EqualError(t, err, `fields[0].type: unknown type "integr"`)
}

// BenchmarkRowCasterValues casts JSON-like employee objects.
func BenchmarkRowCasterValues(b *testing.B) {
	rc, err := NewRowCaster(employeesSchema(), &CastOptions{SkipUniqueCheck: true})
	if err != nil {
		b.Fatal(err)
	}
	obj := map[string]any{"employee_id": json.Number("12"), "employee_name": "Ty Hofer",
		"hiring_date": "2021-05-30T05:43:46Z", "department_id": json.Number("8"), "job_id": json.Number("3")}
	b.ReportAllocs()
	for range b.N {
		if _, err := rc.CastObject(obj); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

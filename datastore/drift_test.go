package datastore

import (
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

func schemaOf(key []string, fields ...frictionless.Field) *frictionless.Schema {
	return &frictionless.Schema{Fields: fields, PrimaryKey: key}
}

func field(name string, t frictionless.FieldType) frictionless.Field {
	return frictionless.Field{Name: name, Type: t}
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	id, name, age := field("id", frictionless.TypeInteger), field("name", ""), field("age", frictionless.TypeInteger)
	reqAge := age
	reqAge.Constraints.Required = true
	tests := []struct {
		desc      string
		src, tgt  *frictionless.Schema
		policy    DriftPolicy
		err       error
		columns   []string
		project   []int
		add       []string
		tableCols []string
	}{
		{"new table", schemaOf(nil, id, name), nil, DriftFail, nil, []string{"id", "name"}, nil, nil, []string{"id", "name"}},
		{"same", schemaOf(nil, name, id), schemaOf([]string{"id"}, id, name), DriftFail, nil, []string{"name", "id"}, nil, nil, []string{"name", "id"}},
		{"string is \"\"", schemaOf(nil, field("name", frictionless.TypeString)), schemaOf(nil, name), DriftFail, nil, []string{"name"}, nil, nil, []string{"name"}},
		{"new field fails", schemaOf(nil, id, age), schemaOf(nil, id), DriftFail, ErrSchemaDrift, nil, nil, nil, nil},
		{"new field evolves", schemaOf(nil, id, reqAge), schemaOf(nil, id), DriftEvolve, nil, []string{"id", "age"}, nil, []string{"age"}, []string{"id", "age"}},
		{"new field ignored", schemaOf(nil, id, age, name), schemaOf(nil, id, name), DriftIgnoreExtra, nil, []string{"id", "name"}, []int{0, 2}, nil, []string{"id", "name"}},
		{"missing nullable column fails", schemaOf(nil, id), schemaOf(nil, id, age), DriftFail, ErrSchemaDrift, nil, nil, nil, nil},
		{"missing nullable column evolves", schemaOf(nil, id), schemaOf(nil, id, age), DriftEvolve, nil, []string{"id"}, nil, nil, []string{"id", "age"}},
		{"missing required column", schemaOf(nil, id), schemaOf(nil, id, reqAge), DriftEvolve, ErrSchemaDrift, nil, nil, nil, nil},
		{"type change", schemaOf(nil, field("id", "")), schemaOf(nil, id), DriftIgnoreExtra, ErrSchemaDrift, nil, nil, nil, nil},
		{"exactness change", schemaOf(nil, frictionless.Field{Name: "n", Type: frictionless.TypeNumber, Precision: 10}), schemaOf(nil, field("n", frictionless.TypeNumber)), DriftEvolve, ErrSchemaDrift, nil, nil, nil, nil},
		{"key change", schemaOf([]string{"name"}, id, name), schemaOf([]string{"id"}, id, name), DriftEvolve, ErrSchemaDrift, nil, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := newPlan("t", tc.src, tc.tgt, tc.policy)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				var de *DriftError
				require.ErrorAs(t, err, &de)
				require.Contains(t, de.Error(), "table t differs")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.columns, schemaOf(nil, p.columns...).FieldNames())
			require.Equal(t, tc.project, p.project)
			var added []string
			for _, f := range p.add {
				added = append(added, f.Name)
				require.False(t, f.Constraints.Required, "added columns are nullable")
			}
			require.Equal(t, tc.add, added)
			require.Equal(t, tc.tableCols, p.table.FieldNames())
			require.Equal(t, tc.tgt != nil, p.exists)
		})
	}
}

func TestLoadOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts  *LoadOptions
		field string
	}{
		{nil, ""},
		{&LoadOptions{Mode: 7}, "LoadOptions.Mode"},
		{&LoadOptions{Drift: -1}, "LoadOptions.Drift"},
		{&LoadOptions{BatchSize: -1}, "LoadOptions.BatchSize"},
		{&LoadOptions{SwapTimeout: -1}, "LoadOptions.SwapTimeout"},
	}
	for _, tc := range tests {
		o := tc.opts.withDefaults()
		err := o.validate()
		if tc.field == "" {
			require.NoError(t, err)
			require.Equal(t, defaultBatchSize, o.BatchSize)
			continue
		}
		require.ErrorIs(t, err, ErrInvalidOptions)
		require.ErrorContains(t, err, tc.field)
	}
}

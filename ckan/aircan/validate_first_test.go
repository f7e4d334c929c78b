package aircan_test

import (
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestBadSchemaKeepsTable: a replace whose schema CKAN would refuse (a
// 64-character column name, a "_" name, a key that is not a field) fails
// before anything destructive: the loaded table keeps its rows, no
// datastore_delete is sent, and CKAN hears why.
func TestBadSchemaKeepsTable(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.DSN(t))
			sum, err := b.run(t, b.conf(t, nil))
			require.NoError(t, err)
			require.Equal(t, pipeline.StateSuccess, sum.State)
			deletes := b.calls("datastore_delete")
			for _, bad := range []struct{ old, new, want string }{
				{`"job_id"`, `"` + strings.Repeat("j", 64) + `"`, "64 bytes long (at most 63)"},
				{`"job_id"`, `"_job_id"`, `cannot start with "_"`},
				{`"type": "integer", "constraints": {"required": true}}
]`, `"type": "integer", "constraints": {"required": true}}
], "primaryKey": ["nope"]`, `"nope" is not in the schema`},
			} {
				schema := strings.Replace(employeesSchema, bad.old, bad.new, 1)
				require.NotEqual(t, employeesSchema, schema)
				sum, err := b.run(t, b.conf(t, func(res, _ map[string]any) { res["schema"] = schema }))
				require.ErrorIs(t, err, pipeline.ErrRunFailed)
				require.EqualValues(t, 1929, b.total(t), "the old table is whole")
				require.Equal(t, deletes, b.calls("datastore_delete"), "nothing dropped")
				_, calls := b.updates(sum.RunID)
				require.Contains(t, calls[len(calls)-1].ErrorMessage, bad.want)
			}
		})
	}
}

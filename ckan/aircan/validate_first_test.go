package aircan_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
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

// TestMostlyBadFileIsAnError: a file with more rejected rows than valid
// ones ends in "error" with the counts (max_reject_ratio, default 0.5),
// before the table is touched; max_reject_ratio 1 loads what is valid.
func TestMostlyBadFileIsAnError(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	sum, err := b.run(t, b.conf(t, nil))
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	b.cfg.FileRoot = t.TempDir()
	var csv strings.Builder
	for i := 1; i <= 10; i++ {
		id := fmt.Sprint(i)
		if i > 3 {
			id = "x" + id
		}
		fmt.Fprintf(&csv, "%s,Name %d,2021-01-01T00:00:00Z,1,1\n", id, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(b.cfg.FileRoot, "bad.csv"), []byte(csv.String()), 0o600))
	sum, err = b.run(t, b.conf(t, func(res, _ map[string]any) { res["path"] = "bad.csv" }))
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	states, calls := b.updates(sum.RunID)
	require.Equal(t, ckan.StateError, states[len(states)-1])
	require.Contains(t, calls[len(calls)-1].ErrorMessage, "7 of 10 rows rejected, over max_reject_ratio 0.5")
	require.EqualValues(t, 1929, b.total(t), "the table was not touched")

	conf := b.conf(t, func(res, _ map[string]any) { res["path"] = "bad.csv" })
	var m map[string]any
	require.NoError(t, json.Unmarshal(conf, &m))
	m["max_reject_ratio"] = 1
	conf, err = json.Marshal(m)
	require.NoError(t, err)
	sum, err = b.run(t, conf)
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.EqualValues(t, 3, b.total(t))
	_, calls = b.updates(sum.RunID)
	require.Contains(t, calls[len(calls)-1].Message, "3 rows loaded into the DataStore (replace), 7 rejected")
}

package aircan_test

import (
	"testing"

	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestNoSelfResubmit: ckan_load never goes through resource_update, so
// ckanext-aircan's hook (modelled by ckantest, here with a status age of
// 1ns: any update of the resource would re-submit it) never triggers the
// load again, in every mode and on both ckantest backends.
func TestNoSelfResubmit(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setupWith(t, be.DSN(t), &ckantest.Options{AircanHook: true, AircanResubmitAfter: 1})
			sum, err := b.run(t, b.conf(t, nil))
			require.NoError(t, err)
			require.Equal(t, pipeline.StateSuccess, sum.State)
			sum, err = b.run(t, b.conf(t, func(res, _ map[string]any) {
				res["datastore_append_or_update"], res["datastore_unique_keys"] = true, []string{"employee_id"}
			}))
			require.NoError(t, err)
			require.Equal(t, pipeline.StateSuccess, sum.State)
			require.Empty(t, b.srv.Submissions(), "resource_update hook fired")
			require.Zero(t, b.calls("resource_patch"))
		})
	}
}

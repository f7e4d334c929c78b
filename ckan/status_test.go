package ckan_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/stretchr/testify/require"
)

// TestStatusShow asks ckantest's status_show for each version it
// reproduces, and compares versions as CKAN numbers them.
func TestStatusShow(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]string{"2.11": "2.11.5", "2.10": "2.10.10"} {
		srv := ckantest.NewServer(&ckantest.Options{Version: version})
		t.Cleanup(srv.Close)
		c, err := ckan.NewClient(srv.URL(), nil)
		require.NoError(t, err)
		st, err := c.StatusShow(context.Background())
		require.NoError(t, err)
		require.Equal(t, want, st.CKANVersion)
		require.Equal(t, version == "2.11", st.AtLeast(2, 11))
		require.True(t, st.AtLeast(2, 10))
	}
	for v, want := range map[string]bool{"2.11.0": true, "2.12.0a0": true, "3.0": true, "2.9.11": false, "2.10": false, "": false, "x.y": false, "2.11b1": true} {
		require.Equal(t, want, (&ckan.Status{CKANVersion: v}).AtLeast(2, 11), v)
	}
}

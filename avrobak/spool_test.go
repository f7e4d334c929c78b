package avrobak_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/stretchr/testify/require"
)

// TestBackupWithoutSnapshots backs up from the CKAN DataStore (a fake CKAN
// site), which cannot take snapshots: the rows go through a spool file,
// the file still records the right count, and the spool file is removed.
func TestBackupWithoutSnapshots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := ckantest.NewServer(nil)
	t.Cleanup(srv.Close)
	d, err := srv.AddDataset(ckantest.Dataset{Name: "staff"})
	require.NoError(t, err)
	c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
	require.NoError(t, err)
	source, err := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: d.ID})
	require.NoError(t, err)
	t.Cleanup(func() { source.Close() })
	_, err = source.Snapshot(ctx)
	require.ErrorIs(t, err, errors.ErrUnsupported, "the premise: this store has no snapshots")

	loadRows(t, source, "employees", employeesSchema(), employeeRows(t, 1, 1500))
	_, want := tableRows(t, source, "employees")
	require.Len(t, want, 1500)

	spoolDir := t.TempDir()
	var buf bytes.Buffer
	rep, err := avrobak.Backup(ctx, source, "employees", &buf, &avrobak.BackupOptions{TempDir: spoolDir})
	require.NoError(t, err)
	require.EqualValues(t, 1500, rep.Rows)
	require.EqualValues(t, buf.Len(), rep.Bytes)
	require.Equal(t, sha256Hex(buf.Bytes()), rep.SHA256)
	left, err := os.ReadDir(spoolDir)
	require.NoError(t, err)
	require.Empty(t, left, "the spool file is removed")

	target := backends[0].open(t)
	rrep, err := avrobak.Restore(ctx, &buf, target, "employees", nil)
	require.NoError(t, err)
	require.EqualValues(t, 1500, rrep.Rows)
	_, got := tableRows(t, target, "employees")
	requireRowsEqual(t, want, got)
}

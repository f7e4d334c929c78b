package avrobak_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/stretchr/testify/require"
)

// ckanSource is a store on the DataStore of a dataset of a fake CKAN site.
func ckanSource(t *testing.T) *datastore.Store {
	t.Helper()
	srv := ckantest.NewServer(nil)
	t.Cleanup(srv.Close)
	d, err := srv.AddDataset(ckantest.Dataset{Name: "staff"})
	require.NoError(t, err)
	c, err := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
	require.NoError(t, err)
	source, err := ckanstore.Open(c, &ckanstore.StoreOptions{PackageID: d.ID})
	require.NoError(t, err)
	t.Cleanup(func() { source.Close() })
	return source
}

// TestBackupWithoutSnapshots backs up from the CKAN DataStore (a fake CKAN
// site), which cannot take snapshots: the rows go through a spool file,
// the file still records the right count, and the spool file is removed.
func TestBackupWithoutSnapshots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	source := ckanSource(t)
	_, err := source.Snapshot(ctx)
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

// TestBackupWithoutSnapshotsIntoFile: from the CKAN DataStore into a file
// it can rewrite, a backup writes the count after the rows and spools
// nothing (its TempDir does not even exist); the file restores whole.
func TestBackupWithoutSnapshotsIntoFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	source := ckanSource(t)
	loadRows(t, source, "employees", employeesSchema(), employeeRows(t, 1, 1200))
	_, want := tableRows(t, source, "employees")

	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "staff.avro"))
	require.NoError(t, err)
	rep, err := avrobak.Backup(ctx, source, "employees", f, &avrobak.BackupOptions{TempDir: filepath.Join(dir, "missing")})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	file, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	require.EqualValues(t, 1200, rep.Rows)
	require.EqualValues(t, len(file), rep.Bytes)
	require.Equal(t, sha256Hex(file), rep.SHA256)
	r, err := avrobak.NewReader(bytes.NewReader(file), nil)
	require.NoError(t, err)
	require.Equal(t, "0000000000000001200", string(r.Metadata()[avrobak.MetaRows]))

	target := backends[0].open(t)
	rrep, err := avrobak.Restore(ctx, bytes.NewReader(file), target, "employees", nil)
	require.NoError(t, err)
	require.EqualValues(t, 1200, rrep.Rows)
	_, got := tableRows(t, target, "employees")
	requireRowsEqual(t, want, got)
}

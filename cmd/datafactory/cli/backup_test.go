package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/stretchr/testify/require"
)

func TestBackupRestore(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			u := db.url(t)
			env := map[string]string{"DB": u}
			r := runCLI(t, env, "load", "testdata/people_valid.csv", "env:DB", "--schema", "testdata/people.schema.json", "--table", "people")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)

			dir := t.TempDir()
			file := filepath.Join(dir, "people.avro")
			r = runCLI(t, env, "backup", "env:DB", "people", file)
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, "people: 3 rows")
			st, err := os.Stat(file)
			require.NoError(t, err)
			require.Positive(t, st.Size())

			bucket := "file://" + filepath.Join(dir, "bucket")
			require.NoError(t, os.Mkdir(filepath.Join(dir, "bucket"), 0o755))
			r = runCLI(t, env, "backup", "env:DB", "people", "backups/people.avro", "--bucket", bucket, "--codec", "null")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)

			r = runCLI(t, env, "restore", file, "env:DB", "people_copy")
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Contains(t, r.stdout, "people_copy: 3 rows restored")
			require.Equal(t, 3, countRows(t, u, "people_copy"))
			r = runCLI(t, env, "restore", "backups/people.avro", "env:DB", "people_copy", "--bucket", bucket, "--append")
			require.Equal(t, cli.ExitError, r.code, "append of the same keys is refused") // primary key clash
			require.Equal(t, 3, countRows(t, u, "people_copy"))
			r = runCLI(t, env, "restore", "backups/people.avro", "env:DB", "people_copy", "--bucket", bucket)
			require.Equal(t, cli.ExitOK, r.code, r.stderr)
			require.Equal(t, 3, countRows(t, u, "people_copy"))
		})
	}
}

func TestBackupRestoreErrors(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.avro")
	require.NoError(t, os.WriteFile(bad, []byte("not avro at all"), 0o644))
	tests := []struct {
		name string
		args []string
	}{
		{"unknown table", []string{"backup", db, "nope", filepath.Join(dir, "x.avro")}},
		{"bad codec", []string{"backup", db, "nope", filepath.Join(dir, "x.avro"), "--codec", "lzma"}},
		{"missing file", []string{"restore", filepath.Join(dir, "nope.avro"), db, "t"}},
		{"corrupt file", []string{"restore", bad, db, "t"}},
		{"bad bucket", []string{"restore", "k", db, "t", "--bucket", "nope://x"}},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, tt.args...)
		require.Equal(t, cli.ExitError, r.code, tt.name)
		require.NotEmpty(t, r.stderr, tt.name)
	}
	_, err := os.Stat(filepath.Join(dir, "x.avro"))
	require.True(t, os.IsNotExist(err), "a failed backup leaves no file")
	require.False(t, tableExists(t, db, "t"))
}

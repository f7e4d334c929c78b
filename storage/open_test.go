package storage_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

func TestOpenFileDirectory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	file := filepath.Join(root, "plain.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	tests := []struct {
		name    string
		url     string
		wantErr []string // substrings; nil: opens
		created string   // directory that must exist afterwards
	}{
		{"existing directory", "file://" + root, nil, root},
		{"missing directory fails and says how to fix it", "file://" + filepath.Join(root, "missing", "bucket"),
			[]string{"no such file or directory", "create_dir=1"}, ""},
		{"create_dir creates it with parents", "file://" + filepath.Join(root, "new", "bucket") + "?create_dir=1", nil,
			filepath.Join(root, "new", "bucket")},
		{"a file is not a directory", "file://" + file, []string{"not a directory"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := storage.Open(ctx, tt.url)
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					require.ErrorContains(t, err, w)
				}
				if tt.wantErr[0] == "no such file or directory" {
					require.ErrorIs(t, err, fs.ErrNotExist)
					_, statErr := os.Stat(filepath.Join(root, "missing"))
					require.ErrorIs(t, statErr, fs.ErrNotExist, "nothing was created")
				}
				return
			}
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })
			require.NoError(t, b.WriteAll(ctx, "k", []byte("v"), nil))
			data, err := os.ReadFile(filepath.Join(tt.created, "k"))
			require.NoError(t, err)
			require.Equal(t, "v", string(data))
		})
	}
}

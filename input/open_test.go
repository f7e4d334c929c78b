package input_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/input"
	"github.com/datafactory/datafactory/storage"
	"github.com/stretchr/testify/require"
)

// TestFormatsByContent opens every format from a file, a file:// URL and
// HTTP, under names that lie about the format.
func TestFormatsByContent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		data   []byte
		opts   input.Options
		format input.Format
		member string
	}{
		{"csv", []byte(csvText), input.Options{}, input.FormatCSV, ""},
		{"gzip", gzipped(t, csvText), input.Options{}, input.FormatGzip, ""},
		{"zip-one", zipped(t, [2]string{"dir/", ""}, [2]string{"data.csv", csvText}, [2]string{"__MACOSX/._data.csv", "x"}), input.Options{}, input.FormatZip, "data.csv"},
		{"zip-named", zipped(t, [2]string{"a.csv", "x\n"}, [2]string{"b.csv", csvText}), input.Options{Member: "b.csv"}, input.FormatZip, "b.csv"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "data.txt", tt.data) // the name says nothing
			srv := serve(t, tt.data)
			for _, loc := range []string{path, "file://" + filepath.ToSlash(path), srv.URL + "/export?format=csv"} {
				in, err := input.Open(context.Background(), loc, &tt.opts)
				require.NoError(t, err, loc)
				require.Equal(t, tt.format, in.Format)
				require.Equal(t, tt.member, in.Name)
				require.Equal(t, csvText, readAll(t, in), loc)
				require.NoError(t, in.Close())
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := serve(t, []byte(csvText))
	two := writeFile(t, "two.zip", zipped(t, [2]string{"a.csv", "x"}, [2]string{"b.csv", "y"}))
	for _, tt := range []struct {
		loc  string
		opts input.Options
		want error
		text string
	}{
		{two, input.Options{}, nil, "2 members (a.csv, b.csv)"},
		{two, input.Options{Member: "c.csv"}, input.ErrNotFound, `"c.csv"`},
		{writeFile(t, "empty.zip", zipped(t)), input.Options{}, input.ErrUnsupported, "no file"},
		{writeFile(t, "old.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")), input.Options{}, input.ErrUnsupported, ".xls"},
		{writeFile(t, "bad.gz", []byte{0x1f, 0x8b, 1, 2, 3}), input.Options{}, nil, "gzip"},
		{filepath.Join(t.TempDir(), "nope.csv"), input.Options{}, nil, "no such file"},
		{t.TempDir(), input.Options{}, nil, "not a regular file"},
		{"file://host/etc/passwd", input.Options{}, nil, "no host"},
		{srv.URL + "/missing?token=hunter2", input.Options{}, nil, "404"},
		{srv.URL + "/x", input.Options{Allow: []input.Kind{input.KindFile}}, input.ErrNotAllowed, "http locations are not allowed"},
		{"/etc/hostname", input.Options{Allow: []input.Kind{input.KindHTTP}}, input.ErrNotAllowed, "file locations"},
		{"s3://bucket/key?secret=hunter2", input.Options{Allow: []input.Kind{input.KindFile}}, input.ErrNotAllowed, "bucket locations"},
		{"s3:///key", input.Options{}, nil, "want s3://bucket/key"},
		{"nosuch://bucket/key?secret=hunter2", input.Options{}, nil, "nosuch://bucket/key"},
	} {
		in, err := input.Open(ctx, tt.loc, &tt.opts)
		require.Error(t, err, tt.loc)
		require.Nil(t, in)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.loc)
		}
		require.ErrorContains(t, err, tt.text, tt.loc)
		require.NotContains(t, err.Error(), "hunter2")
	}
}

// TestMaxBytes bounds the source and the decompressed stream (a gzip bomb).
func TestMaxBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	big := strings.Repeat("a,b,c\n", 100000) // 600 kB, compresses to a few kB
	bomb := gzipped(t, big)
	require.Less(t, len(bomb), 10000)
	for _, data := range [][]byte{[]byte(big), bomb, zipped(t, [2]string{"x.csv", big})} {
		in, err := input.Open(ctx, writeFile(t, "f", data), &input.Options{MaxBytes: 100000})
		if err == nil {
			_, err = readAllErr(in)
			in.Close()
		}
		require.ErrorIs(t, err, input.ErrTooLarge)
	}
	// exactly at the limit is fine
	in, err := input.Open(ctx, writeFile(t, "f", []byte(csvText)), &input.Options{MaxBytes: int64(len(csvText))})
	require.NoError(t, err)
	require.Equal(t, csvText, readAll(t, in))
	require.NoError(t, in.Close())
	// a remote zip is spooled under the limit too
	srv := serve(t, zipped(t, [2]string{"x.csv", big}))
	_, err = input.Open(ctx, srv.URL+"/x.zip", &input.Options{MaxBytes: 1000})
	require.ErrorIs(t, err, input.ErrTooLarge)
}

func readAllErr(in *input.Input) (int, error) {
	buf := make([]byte, 32<<10)
	total := 0
	for {
		n, err := in.Read(buf)
		total += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, err
		}
	}
}

// TestBucketLocation reads through the storage package with the operator's
// bucket opener.
func TestBucketLocation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var opened []string
	opts := &input.Options{OpenBucket: func(ctx context.Context, u string) (*storage.Bucket, error) {
		opened = append(opened, u)
		return storage.Open(ctx, "file://"+filepath.ToSlash(dir))
	}}
	b, err := storage.Open(context.Background(), "file://"+filepath.ToSlash(dir))
	require.NoError(t, err)
	require.NoError(t, b.WriteAll(context.Background(), "exports/2024/data.csv.gz", gzipped(t, csvText), nil))
	require.NoError(t, b.Close())

	in, err := input.Open(context.Background(), "gs://my-bucket/exports/2024/data.csv.gz?x=1", opts)
	require.NoError(t, err)
	require.Equal(t, input.FormatGzip, in.Format)
	require.Equal(t, csvText, readAll(t, in))
	require.NoError(t, in.Close())
	require.Equal(t, []string{"gs://my-bucket?x=1"}, opened)

	_, err = input.Open(context.Background(), "gs://my-bucket/nope.csv", opts)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestHTTPRetries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	body := gzipped(t, csvText)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	in, err := input.Open(context.Background(), srv.URL+"/data", nil)
	require.NoError(t, err)
	require.Equal(t, csvText, readAll(t, in))
	require.NoError(t, in.Close())
	require.EqualValues(t, 2, calls.Load())
}

// TestShortFiles: files shorter than the 8 bytes read to detect a format
// (an empty file, a one-column header) open as CSV with their bytes.
func TestShortFiles(t *testing.T) {
	t.Parallel()
	for _, data := range []string{"", "a\n", "id\n1\n"} {
		in, err := input.Open(context.Background(), writeFile(t, "short.csv", []byte(data)), nil)
		require.NoError(t, err, "%q", data)
		require.Equal(t, input.FormatCSV, in.Format)
		require.Equal(t, data, readAll(t, in))
		require.NoError(t, in.Close())
	}
}

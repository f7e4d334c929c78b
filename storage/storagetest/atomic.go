package storagetest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// atomicSize is larger than an S3 part (8 MiB) so that S3 backends start a
// multipart upload before the write is cancelled.
const atomicSize = 12 << 20

// requireInvisible checks that key is neither readable nor listed.
func requireInvisible(t *testing.T, b *storage.Bucket, key string) {
	t.Helper()
	ok, err := b.Exists(t.Context(), key)
	require.NoError(t, err)
	require.False(t, ok, "%s must not exist", key)
	_, err = b.NewReader(t.Context(), key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NotContains(t, listKeys(t, b, ""), key)
}

func requireNoLeftovers(t *testing.T, h *Harness) {
	t.Helper()
	if h.Leftovers == nil {
		return
	}
	left, err := h.Leftovers(t.Context())
	require.NoError(t, err)
	require.Empty(t, left, "aborted writes left debris")
}

func testAtomicCancel(t *testing.T, h *Harness) {
	b := open(t, h)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for _, how := range []string{"cancel", "abort"} {
		t.Run(how, func(t *testing.T) {
			key := "atomic/" + how + ".bin"
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			w, err := b.NewWriter(ctx, key, nil)
			require.NoError(t, err)
			for written := 0; written < atomicSize; written += len(chunk) {
				_, err := w.Write(chunk)
				require.NoError(t, err)
			}
			// Mid-write: readers see nothing, and another process neither.
			requireInvisible(t, b, key)
			requireInvisible(t, open(t, h), key)
			if how == "cancel" {
				cancel()
				err = w.Close()
				require.ErrorIs(t, err, storage.ErrAborted)
			} else {
				require.NoError(t, w.Abort())
				require.NoError(t, w.Close(), "Close after Abort is a no-op")
			}
			requireInvisible(t, b, key)
			requireNoLeftovers(t, h)
		})
	}
	// A small write cancelled before Close leaves nothing either.
	ctx, cancel := context.WithCancel(t.Context())
	w, err := b.NewWriter(ctx, "atomic/small", nil)
	require.NoError(t, err)
	_, err = w.Write([]byte("tiny"))
	require.NoError(t, err)
	cancel()
	require.ErrorIs(t, w.Close(), storage.ErrAborted)
	requireInvisible(t, b, "atomic/small")
	// Put with an already cancelled context writes nothing.
	_, err = b.Put(ctx, "atomic/put", bytes.NewReader(chunk), nil)
	require.ErrorIs(t, err, storage.ErrAborted)
	requireInvisible(t, b, "atomic/put")
}

// failingReader yields n bytes, then fails.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errSource
	}
	m := min(len(p), f.n)
	for i := range p[:m] {
		p[i] = byte(i)
	}
	f.n -= m
	return m, nil
}

func testAtomicFailedSource(t *testing.T, h *Harness) {
	b := open(t, h)
	for _, size := range []int{0, 100, atomicSize} {
		key := "atomic/failed-source"
		n, err := b.Put(t.Context(), key, &failingReader{n: size}, nil)
		require.ErrorIs(t, err, storage.ErrAborted, "size %d", size)
		require.ErrorIs(t, err, errSource, "size %d: the cause is kept", size)
		require.Equal(t, int64(size), n)
		requireInvisible(t, b, key)
	}
	// The run layout's Put has the same guarantee.
	task := b.Run("dag", "run").Task("t")
	_, err := task.Put(t.Context(), "data.csv", &failingReader{n: 5000}, nil)
	require.ErrorIs(t, err, storage.ErrAborted)
	files, err := task.Files(t.Context())
	require.NoError(t, err)
	require.Empty(t, files)
	requireNoLeftovers(t, h)
}

func testAtomicOverwrite(t *testing.T, h *Harness) {
	b := open(t, h)
	ctx := t.Context()
	key := "atomic/keep.txt"
	put(t, b, key, "version 1")
	// A failed overwrite keeps version 1 whole.
	_, err := b.Put(ctx, key, io.MultiReader(bytes.NewReader(make([]byte, atomicSize)), &failingReader{}), nil)
	require.ErrorIs(t, err, storage.ErrAborted)
	got, err := b.ReadAll(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "version 1", string(got))
	// A cancelled one too.
	cctx, cancel := context.WithCancel(ctx)
	w, err := b.NewWriter(cctx, key, nil)
	require.NoError(t, err)
	_, err = w.Write(make([]byte, atomicSize))
	require.NoError(t, err)
	got, err = b.ReadAll(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "version 1", string(got), "readers see the old version during the write")
	cancel()
	require.ErrorIs(t, w.Close(), storage.ErrAborted)
	got, err = b.ReadAll(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "version 1", string(got))
	// A completed overwrite replaces it.
	put(t, b, key, "version 2")
	got, err = b.ReadAll(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "version 2", string(got))
	requireNoLeftovers(t, h)
}

package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"gocloud.dev/blob"
)

// copyBufferSize is the buffer [Bucket.Put] and [Bucket.Get] copy through.
const copyBufferSize = 256 << 10

// Reader streams one object. It must be closed.
type Reader struct {
	r   *blob.Reader
	key string
}

// NewReader opens the object at key for streaming; a missing object gives
// [ErrNotFound]. The Reader sees one version of the object, complete.
func (b *Bucket) NewReader(ctx context.Context, key string) (*Reader, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	r, err := b.b.NewReader(ctx, key, nil)
	if err != nil {
		return nil, wrapErr("read", key, err)
	}
	return &Reader{r: r, key: key}, nil
}

// Read reads the next bytes of the object.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = wrapErr("read", r.key, err)
	}
	return n, err
}

// Size returns the object's size in bytes.
func (r *Reader) Size() int64 { return r.r.Size() }

// ModTime returns the object's modification time.
func (r *Reader) ModTime() time.Time { return r.r.ModTime() }

// Close releases the reader.
func (r *Reader) Close() error { return wrapErr("read", r.key, r.r.Close()) }

// WriteOptions tunes one write. A nil *WriteOptions means defaults.
type WriteOptions struct {
	// ContentType is the MIME type stored with the object. Default: detected
	// from the first 512 bytes.
	ContentType string
	// Metadata is user metadata stored with the object. Default: none.
	Metadata map[string]string
	// BufferSize is the backend's upload buffer or part size in bytes.
	// Default (0): the backend's (S3: 8 MiB parts, 5 in flight).
	BufferSize int
}

func (o *WriteOptions) blob() *blob.WriterOptions {
	if o == nil {
		return nil
	}
	return &blob.WriterOptions{ContentType: o.ContentType, Metadata: o.Metadata, BufferSize: o.BufferSize}
}

// Writer streams one new object. Nothing is visible to readers until Close
// returns nil; after Abort, a failed Close, or cancellation of the context
// given to [Bucket.NewWriter], no object is left behind and an earlier object
// at the same key stays as it was.
type Writer struct {
	w      *blob.Writer
	ctx    context.Context
	cancel context.CancelFunc
	key    string
	done   bool
}

// NewWriter starts writing the object at key. The caller must finish with
// Close (commit) or Abort (discard).
func (b *Bucket) NewWriter(ctx context.Context, key string, opts *WriteOptions) (*Writer, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &opError{op: "write", key: key, sentinel: ErrAborted, err: err}
	}
	wctx, cancel := context.WithCancel(ctx)
	w, err := b.b.NewWriter(wctx, key, opts.blob())
	if err != nil {
		cancel()
		return nil, wrapErr("write", key, err)
	}
	return &Writer{w: w, ctx: wctx, cancel: cancel, key: key}, nil
}

// Write appends p to the object being written.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, &opError{op: "write", key: w.key, err: errors.New("writer is closed")}
	}
	n, err := w.w.Write(p)
	if err != nil {
		return n, w.fail(err)
	}
	return n, nil
}

// Close commits the object. It returns an error matching [ErrAborted] if the
// context was cancelled; then nothing was written.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	defer w.cancel()
	if err := w.w.Close(); err != nil {
		return w.fail(err)
	}
	return nil
}

// Abort discards the write: no object is created and an earlier object at
// the key is kept. Abort after a successful Close does nothing.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.cancel()
	_ = w.w.Close() // returns the cancellation; the write is gone either way
	return nil
}

func (w *Writer) fail(err error) error {
	if w.ctx.Err() != nil {
		return &opError{op: "write", key: w.key, sentinel: ErrAborted, err: err}
	}
	return wrapErr("write", w.key, err)
}

// Put writes the object at key from r, streaming, and returns the number of
// bytes written. If reading r fails or ctx is cancelled, the write is aborted
// (the error matches [ErrAborted]) and no object is left behind.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts *WriteOptions) (int64, error) {
	w, err := b.NewWriter(ctx, key, opts)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyBuffer(w, ctxReader{ctx: ctx, r: r}, make([]byte, copyBufferSize))
	if err != nil {
		_ = w.Abort()
		var oe *opError
		if errors.As(err, &oe) {
			return n, err
		}
		return n, &opError{op: "write", key: key, sentinel: ErrAborted, err: err}
	}
	return n, w.Close()
}

// WriteAll writes p as the object at key.
func (b *Bucket) WriteAll(ctx context.Context, key string, p []byte, opts *WriteOptions) error {
	_, err := b.Put(ctx, key, bytes.NewReader(p), opts)
	return err
}

// Get streams the object at key into w and returns the number of bytes copied.
func (b *Bucket) Get(ctx context.Context, key string, w io.Writer) (int64, error) {
	r, err := b.NewReader(ctx, key)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n, err := io.CopyBuffer(w, r, make([]byte, copyBufferSize))
	if err != nil {
		return n, wrapErr("read", key, err)
	}
	return n, nil
}

// ReadAll returns the content of the object at key.
func (b *Bucket) ReadAll(ctx context.Context, key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	p, err := b.b.ReadAll(ctx, key)
	return p, wrapErr("read", key, err)
}

// ctxReader stops a copy promptly once ctx is cancelled: some backends
// (fileblob) only notice cancellation at Close.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // registers file://
	_ "gocloud.dev/blob/memblob"  // registers mem://
)

// Bucket is a bucket of objects addressed by "/"-separated keys. It wraps a
// gocloud [*blob.Bucket], validates every key (see [ValidateKey]), makes
// writes all-or-nothing and maps missing objects to [ErrNotFound].
// A Bucket is safe for concurrent use.
type Bucket struct {
	b      *blob.Bucket
	closed atomic.Bool
}

// Open opens the bucket at url with gocloud's default URL mux: file:// and
// mem:// always work; s3://, gs:// and azblob:// work when the program imports
// the gocloud driver (gocloud.dev/blob/s3blob, gcsblob, azureblob). See the
// package documentation for URL examples.
//
// A file:// bucket's directory must exist, so that a bucket on a volume
// that is not mounted fails here instead of filling the disk below the
// mount point; the error matches fs.ErrNotExist and says how to have it
// created: add create_dir=1 to the URL (file:///var/data/bucket?create_dir=1).
func Open(ctx context.Context, url string) (*Bucket, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		oe := &openError{url: url, err: err}
		if strings.HasPrefix(url, "file:") && errors.Is(err, fs.ErrNotExist) {
			oe.hint = "the directory does not exist: create it, or add ?create_dir=1 to the URL to have it created"
		}
		return nil, oe
	}
	return &Bucket{b: b}, nil
}

// New wraps an opened gocloud bucket, for instance one from
// s3blob.OpenBucket with a custom client. The Bucket takes ownership: its
// Close closes b.
func New(b *blob.Bucket) *Bucket { return &Bucket{b: b} }

// Blob returns the wrapped gocloud bucket. Calls made on it bypass key
// validation and error mapping.
func (b *Bucket) Blob() *blob.Bucket { return b.b }

// Close releases the bucket. Calls after Close fail; closing twice
// returns [ErrClosed].
func (b *Bucket) Close() error {
	if b.closed.Swap(true) {
		return ErrClosed
	}
	return wrapErr("close", "", b.b.Close())
}

// openError reports a failed Open without the URL's query or credentials,
// which gocloud's own message repeats.
type openError struct {
	url  string
	err  error
	hint string // how to fix it, "" when there is nothing to say
}

func (e *openError) Error() string {
	msg := e.err.Error()
	safe := redactURL(e.url)
	quoted := strconv.Quote(e.url)
	msg = strings.ReplaceAll(msg, quoted[1:len(quoted)-1], safe)
	msg = strings.ReplaceAll(msg, e.url, safe)
	if e.hint != "" {
		msg += " (" + e.hint + ")"
	}
	return fmt.Sprintf("storage: open %s: %s", safe, msg)
}

func (e *openError) Unwrap() error { return e.err }

// redactURL drops the query and user info of a URL (they may hold secrets).
func redactURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		return scheme + "://" + rest
	}
	return u
}

// Object describes a stored object as listings report it.
type Object struct {
	// Key is the full key of the object.
	Key string `json:"key"`
	// Size is the size in bytes.
	Size int64 `json:"size"`
	// ModTime is the last modification time reported by the backend.
	ModTime time.Time `json:"modTime,omitzero"`
	// MD5 is the MD5 of the content, or nil when the backend does not report
	// one (S3 multipart uploads, files not written through gocloud).
	MD5 []byte `json:"md5,omitempty"`
}

// Fingerprint identifies the object's content: "md5:<hex>" when the MD5 is
// known, otherwise "st:<size>-<modtime in ns>". A new upload of a key with
// different content has a different fingerprint.
func (o Object) Fingerprint() string {
	if len(o.MD5) > 0 {
		return fmt.Sprintf("md5:%x", o.MD5)
	}
	return fmt.Sprintf("st:%d-%d", o.Size, o.ModTime.UnixNano())
}

// Attributes are the attributes of one object.
type Attributes struct {
	// Key is the object's key.
	Key string
	// Size is the size in bytes.
	Size int64
	// ModTime is the last modification time.
	ModTime time.Time
	// MD5 is the MD5 of the content, nil when the backend does not know it.
	MD5 []byte
	// ETag is the backend's entity tag (quoted, as HTTP sends it).
	ETag string
	// ContentType is the MIME type given or detected at write time.
	ContentType string
	// Metadata holds the user metadata given at write time.
	Metadata map[string]string
}

// Attributes returns the attributes of the object at key.
func (b *Bucket) Attributes(ctx context.Context, key string) (*Attributes, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	a, err := b.b.Attributes(ctx, key)
	if err != nil {
		return nil, wrapErr("attributes", key, err)
	}
	return &Attributes{
		Key: key, Size: a.Size, ModTime: a.ModTime, MD5: a.MD5, ETag: a.ETag,
		ContentType: a.ContentType, Metadata: a.Metadata,
	}, nil
}

// Exists reports whether an object exists at key.
func (b *Bucket) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	ok, err := b.b.Exists(ctx, key)
	return ok, wrapErr("exists", key, err)
}

// Delete removes the object at key; a missing object gives [ErrNotFound].
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	return wrapErr("delete", key, b.b.Delete(ctx, key))
}

// listPageSize is the page size List asks for. Some drivers (fileblob,
// memblob) walk the whole prefix for every page, so large pages matter;
// S3 and GCS cap pages at 1000 themselves.
const listPageSize = 10_000

// List yields the objects whose keys start with prefix, in key order. prefix
// is "" (everything), a directory such as "dag/run/", or any valid key start
// such as "incoming/2024-". Iteration stops at the first error, which is
// yielded with a zero Object.
func (b *Bucket) List(ctx context.Context, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		if err := validateListPrefix(prefix); err != nil {
			yield(Object{}, err)
			return
		}
		opts := &blob.ListOptions{Prefix: prefix}
		token := blob.FirstPageToken
		for {
			page, next, err := b.b.ListPage(ctx, token, listPageSize, opts)
			if err != nil {
				yield(Object{}, wrapErr("list", prefix, err))
				return
			}
			for _, o := range page {
				if o.IsDir {
					continue
				}
				if !yield(Object{Key: o.Key, Size: o.Size, ModTime: o.ModTime, MD5: o.MD5}, nil) {
					return
				}
			}
			if len(next) == 0 {
				return
			}
			token = next
		}
	}
}

// ListAll returns every object under prefix (see [Bucket.List]).
func (b *Bucket) ListAll(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	for o, err := range b.List(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// ListDirs returns the names of the "directories" directly under the
// directory prefix (which is "" or ends in "/"), without the trailing "/",
// in key order. ListDirs(ctx, "dag/run/") lists a run's tasks.
func (b *Bucket) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	if err := ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	it := b.b.List(&blob.ListOptions{Prefix: prefix, Delimiter: "/"})
	var dirs []string
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return dirs, nil
		}
		if err != nil {
			return nil, wrapErr("list", prefix, err)
		}
		if o.IsDir {
			dirs = append(dirs, strings.TrimSuffix(strings.TrimPrefix(o.Key, prefix), "/"))
		}
	}
}

func validateListPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := validatePath(strings.TrimSuffix(prefix, "/")); err != nil {
		return &KeyError{Key: prefix, Reason: err.(*KeyError).Reason}
	}
	return nil
}

package input

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/datafactory/datafactory/storage"
)

// Kind is a kind of location.
type Kind string

// Location kinds, for Options.Allow.
const (
	KindFile   Kind = "file"   // a local path or file:// URL
	KindHTTP   Kind = "http"   // http:// and https://
	KindBucket Kind = "bucket" // s3://, gs:// (any URL scheme but the above)
)

// Format is what the content turned out to be.
type Format string

// Formats.
const (
	FormatCSV  Format = "csv"
	FormatGzip Format = "gzip"
	FormatZip  Format = "zip"
	FormatXLSX Format = "xlsx"
)

// Options configure [Open]. The zero value (and nil) means defaults.
type Options struct {
	// Allow lists the kinds of location that may be opened. Default: all
	// (file, http, bucket). A location from a request should be opened with
	// the kinds its operator allowed.
	Allow []Kind
	// MaxBytes bounds the bytes read from the location and the bytes the
	// stream yields. Default 16 GiB; negative: no limit.
	MaxBytes int64
	// Sheet is the XLSX sheet to read. Default: the first sheet.
	Sheet string
	// Member is the zip member to read. Default: the only member that is
	// not a directory or macOS metadata; several are an error.
	Member string
	// HTTPClient fetches http(s) locations. Default: go-retryablehttp's
	// standard client (retries 429 and 5xx, honouring Retry-After).
	HTTPClient *http.Client
	// OpenBucket opens a bucket URL such as "s3://bucket?region=x". Default
	// storage.Open (the program links the gocloud driver).
	OpenBucket func(ctx context.Context, url string) (*storage.Bucket, error)
	// TempDir is where remote archives and workbooks are spooled. Default
	// os.TempDir().
	TempDir string
}

const defaultMaxBytes = 16 << 30

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Allow == nil {
		c.Allow = []Kind{KindFile, KindHTTP, KindBucket}
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = defaultMaxBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = defaultHTTPClient()
	}
	if c.OpenBucket == nil {
		c.OpenBucket = storage.Open
	}
	return c
}

// Input is an opened location: CSV text to read, whatever the source format
// was. Close it to release the source and any temporary file.
type Input struct {
	// Format is the detected format of the source.
	Format Format
	// Name is the zip member or the sheet read; "" for CSV and gzip.
	Name string

	r       io.Reader
	closers []func() error
}

// Read reads CSV text.
func (in *Input) Read(p []byte) (int, error) { return in.r.Read(p) }

// Close releases everything Open acquired, last first.
func (in *Input) Close() error {
	var errs []error
	for i := len(in.closers) - 1; i >= 0; i-- {
		errs = append(errs, in.closers[i]())
	}
	in.closers = nil
	return errors.Join(errs...)
}

func (in *Input) onClose(f func() error) { in.closers = append(in.closers, f) }

// Open opens location (see the package documentation for the forms),
// detects its format from its first bytes and returns its content as CSV
// text. Nothing is read into memory whole.
func Open(ctx context.Context, location string, opts *Options) (_ *Input, err error) {
	o := opts.withDefaults()
	src, err := openLocation(ctx, location, &o)
	if err != nil {
		return nil, err
	}
	in := &Input{}
	in.onClose(src.Close)
	defer func() {
		if err != nil {
			_ = in.Close()
			err = fmt.Errorf("input: %s: %w", redact(location), err)
		}
	}()
	br := bufio.NewReaderSize(limitReader(src, o.MaxBytes), 64<<10)
	magic, err := br.Peek(8)
	if err != nil && err != io.EOF {
		return nil, err
	}
	err = nil // a file shorter than 8 bytes is read as it is
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		err = in.gunzip(br, &o)
	case len(magic) >= 4 && (string(magic[:4]) == "PK\x03\x04" || string(magic[:4]) == "PK\x05\x06"): // an archive, or an empty one
		err = in.archive(ctx, br, src, &o)
	case len(magic) >= 8 && string(magic) == "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
		err = fmt.Errorf("%w: a legacy .xls (or encrypted) workbook; save it as .xlsx or CSV", ErrUnsupported)
	default:
		in.Format, in.r = FormatCSV, limitReader(br, o.MaxBytes)
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// redact drops a URL's user information, query and fragment.
func redact(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Scheme == "" {
		return loc
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// tempDir is o.TempDir or the system's.
func (o *Options) tempDir() string {
	if o.TempDir != "" {
		return o.TempDir
	}
	return os.TempDir()
}

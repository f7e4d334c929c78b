package connection

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/datafactory/datafactory/storage"
)

// Bucket is a bucket connection.
type Bucket struct {
	// URL is the bucket's URL: file:///dir, s3://bucket?region=…,
	// gs://bucket, mem://. Cloud credentials come from the drivers' usual
	// environment, never from the URL. Required.
	URL string
}

// String returns the URL without user information or query.
func (b Bucket) String() string { return printable(b.URL) }

// Open opens the bucket (see [storage.Open]). A file:// bucket's directory
// is created when it does not exist.
func (b Bucket) Open(ctx context.Context) (*storage.Bucket, error) {
	if u, err := url.Parse(b.URL); err == nil && u.Scheme == "file" && u.Path != "" {
		if err := os.MkdirAll(u.Path, 0o750); err != nil {
			return nil, fmt.Errorf("open bucket %s: %w", b, err)
		}
	}
	s, err := storage.Open(ctx, b.URL)
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", b, err)
	}
	return s, nil
}

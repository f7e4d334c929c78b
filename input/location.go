package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// source is an opened location. File is set for local files, which need
// no spooling for random access.
type source struct {
	io.Reader
	file  *os.File
	close func() error
}

func (s *source) Close() error { return s.close() }

// kindOf classifies a location.
func kindOf(loc string) (Kind, *url.URL, error) {
	scheme, _, ok := strings.Cut(loc, "://")
	if !ok {
		return KindFile, nil, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", nil, fmt.Errorf("not a URL: %w", err)
	}
	switch strings.ToLower(scheme) {
	case "file":
		return KindFile, u, nil
	case "http", "https":
		return KindHTTP, u, nil
	default:
		return KindBucket, u, nil
	}
}

// openLocation opens loc for reading after checking its kind is allowed.
func openLocation(ctx context.Context, loc string, o *Options) (*source, error) {
	kind, u, err := kindOf(loc)
	if err != nil {
		return nil, fmt.Errorf("input: %s: %w", redact(loc), err)
	}
	if !slices.Contains(o.Allow, kind) {
		return nil, fmt.Errorf("%w: %s (%s locations are not allowed)", ErrNotAllowed, redact(loc), kind)
	}
	var src *source
	switch kind {
	case KindFile:
		path := loc
		if u != nil {
			if u.Host != "" && u.Host != "localhost" {
				return nil, fmt.Errorf("input: %s: a file URL must have no host", redact(loc))
			}
			path = u.Path
		}
		src, err = openFile(path)
	case KindHTTP:
		src, err = openHTTP(ctx, u, o.HTTPClient)
	default:
		src, err = openBucketObject(ctx, u, o)
	}
	if err != nil {
		return nil, fmt.Errorf("input: %s: %w", redact(loc), err)
	}
	return src, nil
}

func openFile(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("not a regular file")
	}
	return &source{Reader: f, file: f, close: f.Close}, nil
}

func defaultHTTPClient() *http.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 3
	return c.StandardClient()
}

func openHTTP(ctx context.Context, u *url.URL, client *http.Client) (*source, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named once, redacted, by the caller
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET: %s", resp.Status)
	}
	return &source{Reader: resp.Body, close: resp.Body.Close}, nil
}

// openBucketObject opens scheme://bucket/key?query as the object key of
// the bucket scheme://bucket?query.
func openBucketObject(ctx context.Context, u *url.URL, o *Options) (*source, error) {
	key := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || key == "" {
		return nil, fmt.Errorf("want %s://bucket/key", u.Scheme)
	}
	bu := url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: u.RawQuery}
	b, err := o.OpenBucket(ctx, bu.String())
	if err != nil {
		return nil, err
	}
	r, err := b.NewReader(ctx, key)
	if err != nil {
		b.Close()
		return nil, err
	}
	return &source{Reader: r, close: func() error {
		err := r.Close()
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		return err
	}}, nil
}

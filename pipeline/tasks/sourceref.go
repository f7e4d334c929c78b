package tasks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/input"
	"github.com/datafactory/datafactory/storage"
	"github.com/hashicorp/go-retryablehttp"
)

// sourceRef resolves the source of load params, which come from a
// request: a local path must lie in a file root, a URL must be http(s) to
// an allowed host (and so must every redirect), and a bucket is used by
// name only (raw s3:// or gs:// URLs are refused). It returns the location
// to open and the input options that confine the opening to that kind.
func (t *types) sourceRef(p *LoadParams) (string, *input.Options, error) {
	o := &input.Options{MaxBytes: t.maxBytes, Sheet: p.Sheet, Member: p.Member}
	if p.Bucket != "" {
		return t.bucketRef(p.Bucket, p.Source, o)
	}
	ref := p.Source
	if scheme, _, ok := strings.Cut(ref, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			u, err := t.conns.HTTPURL(ref)
			if err != nil {
				return "", nil, err
			}
			o.Allow, o.HTTPClient = []input.Kind{input.KindHTTP}, t.httpClient()
			return u, o, nil
		case "file":
			u, err := url.Parse(ref)
			if err != nil || (u.Host != "" && u.Host != "localhost") || u.RawQuery != "" {
				return "", nil, fmt.Errorf("%q: want file:///absolute/path", ref)
			}
			ref = u.Path
		default:
			return "", nil, fmt.Errorf("%s:// URLs are refused: name a bucket connection (bucket) and give the object key", scheme)
		}
	}
	path, err := t.conns.Path(ref)
	if err != nil {
		return "", nil, err
	}
	o.Allow = []input.Kind{input.KindFile}
	return path, o, nil
}

// bucketRef makes the location of key in the bucket connection name: the
// bucket is opened by name, whatever the location's host says.
func (t *types) bucketRef(name, key string, o *input.Options) (string, *input.Options, error) {
	if _, err := t.conns.Bucket(name); err != nil {
		return "", nil, err
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) ||
		strings.Contains("/"+key+"/", "/../") || strings.Contains(key, "\\") {
		return "", nil, fmt.Errorf("object key %q: want a relative key without .., backslashes or control characters", key)
	}
	conns := t.conns
	o.Allow = []input.Kind{input.KindBucket}
	o.OpenBucket = func(ctx context.Context, _ string) (*storage.Bucket, error) {
		return conns.OpenBucket(ctx, name)
	}
	u := url.URL{Scheme: "bucket", Host: "b", Path: "/" + key}
	return u.String(), o, nil
}

// httpClient fetches remote sources: retries 429 and 5xx (honouring
// Retry-After) and follows a redirect only to a host the operator allowed.
func (t *types) httpClient() *http.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 3
	conns := t.conns
	c.HTTPClient.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if _, err := conns.HTTPURL(req.URL.String()); err != nil {
			return fmt.Errorf("redirect refused: %w", err)
		}
		return nil
	}
	return c.StandardClient()
}

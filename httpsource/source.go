package httpsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Options configure a [Source]. The zero value (and nil) means defaults.
type Options struct {
	// Auth authenticates every request. Default nil: none.
	Auth Auth
	// Pagination is the page style. Default NextLink{} (data-flow's
	// {"results": [...], "next": url}).
	Pagination Pagination
	// Records is the key (a dotted path) of the array of records in a body;
	// "$" means the body itself is the array. Default "results".
	Records string
	// Header holds extra request headers (not secrets: use Auth). Default
	// none; Accept: application/json is always sent.
	Header http.Header
	// Transport sends the requests. Default http.DefaultTransport.
	Transport http.RoundTripper
	// MaxPages bounds the pages one read fetches. Default 100000.
	MaxPages int
	// MaxPageBytes bounds a page's body. Default 64 MiB.
	MaxPageBytes int64
	// PageTimeout bounds one page, its retries included. Default 2 minutes.
	PageTimeout time.Duration
	// RetryMax is the number of retries of a request that failed with a
	// connection error, 429 or 5xx (not 501). Default 4; negative: none.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries. Defaults 500ms and 30s.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps the wait a 429 or 503 asks for in Retry-After
	// (seconds or a date). Default 5 minutes.
	MaxRetryAfter time.Duration
	// RateLimit is the most requests per second (retries included).
	// Default 0: no limit.
	RateLimit float64
	// Logger receives retry messages at debug level. Default: discarded.
	Logger *slog.Logger
}

func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Pagination == nil {
		c.Pagination = NextLink{}
	}
	c.Records = or(c.Records, "results")
	c.Transport = cmpOr[http.RoundTripper](c.Transport, http.DefaultTransport)
	c.MaxPages = cmpOr(c.MaxPages, 100000)
	c.MaxPageBytes = cmpOr(c.MaxPageBytes, 64<<20)
	c.PageTimeout = cmpOr(c.PageTimeout, 2*time.Minute)
	c.RetryMax = cmpOr(c.RetryMax, 4)
	c.RetryWaitMin = cmpOr(c.RetryWaitMin, 500*time.Millisecond)
	c.RetryWaitMax = cmpOr(c.RetryWaitMax, 30*time.Second)
	c.MaxRetryAfter = cmpOr(c.MaxRetryAfter, 5*time.Minute)
	c.Logger = cmpOr(c.Logger, slog.New(slog.DiscardHandler))
	switch {
	case c.MaxPages < 0:
		return c, fmt.Errorf("%w: Options.MaxPages must not be negative", ErrInvalidOptions)
	case c.MaxPageBytes < 0:
		return c, fmt.Errorf("%w: Options.MaxPageBytes must not be negative", ErrInvalidOptions)
	case c.PageTimeout < 0 || c.RetryWaitMin < 0 || c.RetryWaitMax < 0 || c.MaxRetryAfter < 0:
		return c, fmt.Errorf("%w: Options durations must not be negative", ErrInvalidOptions)
	case c.RateLimit < 0:
		return c, fmt.Errorf("%w: Options.RateLimit must not be negative", ErrInvalidOptions)
	}
	c.RetryMax = max(c.RetryMax, 0)
	return c, nil
}

// cmpOr returns v, or def when v is the zero value.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Source is a paginated JSON API. It is safe for concurrent use; each
// [Source.Pages] or [Source.Rows] call reads the API from its first page.
type Source struct {
	first  *url.URL
	opts   Options
	client *retryablehttp.Client
}

// New returns a Source for the API at rawURL (http or https). The URL's
// origin is the only one its credentials are sent to.
func New(rawURL string, opts *Options) (*Source, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: source URL must be an absolute http(s) URL", ErrInvalidOptions)
	}
	s := &Source{first: u, opts: o}
	s.client = s.newClient()
	return s, nil
}

// newClient chains: retries → rate limit → origin guard → auth → transport.
func (s *Source) newClient() *retryablehttp.Client {
	var rt http.RoundTripper = s.opts.Transport
	if s.opts.Auth != nil {
		rt = s.opts.Auth.Transport(rt)
	}
	rt = &guard{origin: s.first, base: rt}
	if s.opts.RateLimit > 0 {
		rt = &limited{lim: rate.NewLimiter(rate.Limit(s.opts.RateLimit), 1), base: rt}
	}
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Transport: rt}
	c.Logger = s.opts.Logger
	c.RetryMax = s.opts.RetryMax
	c.RetryWaitMin, c.RetryWaitMax = s.opts.RetryWaitMin, s.opts.RetryWaitMax
	c.CheckRetry = checkRetry
	c.Backoff = func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
		return min(retryablehttp.DefaultBackoff(lo, hi, n, resp), max(hi, s.opts.MaxRetryAfter))
	}
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}

// checkRetry is retryablehttp's default policy, except that failures
// retrying cannot fix (a foreign URL, a response failing Hawk) stop at once.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	for _, permanent := range []error{ErrForeignURL, hawk.ErrBadMAC, hawk.ErrBadHash, hawk.ErrMissing, hawk.ErrMalformed} {
		if errors.Is(err, permanent) {
			return false, err
		}
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// Pages yields the API's pages in order, from the first; it stops after
// the first error.
func (s *Source) Pages(ctx context.Context) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		p := s.pager()
		for {
			page, err := p.next(ctx)
			if err == io.EOF {
				return
			}
			if !yield(page, err) || err != nil {
				return
			}
		}
	}
}

// pager walks the pages of one read.
type pager struct {
	s    *Source
	url  *url.URL // next page; nil when done
	n    int      // pages fetched
	err  error
	read int64 // body bytes read
}

func (s *Source) pager() *pager {
	p := &pager{s: s}
	p.url, p.err = s.opts.Pagination.First(s.first)
	return p
}

// next fetches the next page; io.EOF after the last one.
func (p *pager) next(ctx context.Context) (*Page, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.url == nil {
		return nil, io.EOF
	}
	p.n++
	page, err := p.s.fetch(ctx, p.n, p.url)
	if err == nil {
		p.read += page.Bytes
		p.url, err = p.s.opts.Pagination.Next(page)
	}
	if err == nil && p.url != nil && p.n >= p.s.opts.MaxPages {
		err = fmt.Errorf("%w: more than %d pages", ErrBudget, p.s.opts.MaxPages)
	}
	if err != nil {
		p.err = pageError(p.n, p.url, err)
		if page != nil {
			p.err = pageError(p.n, page.URL, err)
		}
		return nil, p.err
	}
	return page, nil
}

// pageError wraps err once as a *PageError (a nested one is kept).
func pageError(n int, u *url.URL, err error) error {
	var pe *PageError
	if errors.As(err, &pe) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) { // drop net/http's copy of the URL
		err = ue.Err
	}
	where := ""
	if u != nil {
		where = u.Redacted()
	}
	return &PageError{Page: n, URL: where, Err: err}
}

// fetch GETs one page and decodes it.
func (s *Source) fetch(ctx context.Context, n int, u *url.URL) (*Page, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.PageTimeout)
	defer cancel()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range s.opts.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, &PageError{Page: n, URL: u.Redacted(), Status: resp.StatusCode,
			Err: fmt.Errorf("%w %s", ErrStatus, resp.Status)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.opts.MaxPageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > s.opts.MaxPageBytes {
		return nil, fmt.Errorf("%w: body over %d bytes", ErrBudget, s.opts.MaxPageBytes)
	}
	return decodePage(n, u, resp.Header, body, s.opts.Records)
}

// guard refuses requests outside the source's origin or over plain http
// when the source is https, so no credential leaves its connection.
type guard struct {
	origin *url.URL
	base   http.RoundTripper
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != g.origin.Scheme || !strings.EqualFold(r.URL.Host, g.origin.Host) {
		return nil, fmt.Errorf("%w: %s://%s is not %s://%s", ErrForeignURL, r.URL.Scheme, r.URL.Host, g.origin.Scheme, g.origin.Host)
	}
	return g.base.RoundTrip(r)
}

// limited waits for the rate limiter before each request.
type limited struct {
	lim  *rate.Limiter
	base http.RoundTripper
}

func (l *limited) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := l.lim.Wait(r.Context()); err != nil {
		return nil, err
	}
	return l.base.RoundTrip(r)
}

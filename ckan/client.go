package ckan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for [ClientOptions].
const (
	DefaultMaxRetries      = 4
	DefaultRetryWaitMin    = 500 * time.Millisecond
	DefaultRetryWaitMax    = 30 * time.Second
	DefaultRowsMax         = 32000
	DefaultMaxRequestBytes = 8 << 20
	DefaultTimeout         = 2 * time.Minute
)

// ClientOptions configures a [Client]. The zero value (or nil) gives the
// defaults. Printing it with any fmt verb never shows the token.
type ClientOptions struct {
	// Token is the CKAN API token, sent raw in the Authorization header
	// (the form both CKAN 2.10 and 2.11 accept). Empty means anonymous.
	Token Secret
	// HTTPClient sends the requests. Default: a client with Timeout
	// DefaultTimeout. It sends each attempt; the retries around it are
	// go-retryablehttp's. Its Timeout bounds a whole call, retries and
	// waits included; use a context deadline for finer control.
	HTTPClient *http.Client
	// MaxRetries is how many times a request is retried after a 5xx, a 429
	// or a network error; 4xx answers are never retried. Default
	// DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts. A Retry-After header wins over the backoff but is capped at
	// RetryWaitMax. Defaults DefaultRetryWaitMin and DefaultRetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// RowsMax is the server's ckan.datastore.search.rows_max; search pages
	// never ask for more. Default DefaultRowsMax (CKAN's default, 32000).
	RowsMax int
	// MaxRequestBytes bounds every request body; a larger request fails
	// with ErrRequestTooLarge before it is sent. Default
	// DefaultMaxRequestBytes (8 MiB).
	MaxRequestBytes int
	// UserAgent is sent with every request. Default "datafactory-ckanstore".
	UserAgent string
	// Logger receives debug lines about retries. Default: discard.
	Logger *slog.Logger
}

// String describes the options with the token redacted.
func (o ClientOptions) String() string {
	return fmt.Sprintf("ckan.ClientOptions{Token:%s MaxRetries:%d RetryWaitMin:%s RetryWaitMax:%s RowsMax:%d MaxRequestBytes:%d UserAgent:%q}",
		o.Token.String(), o.MaxRetries, o.RetryWaitMin, o.RetryWaitMax, o.RowsMax, o.MaxRequestBytes, o.UserAgent)
}

// GoString is the %#v form; the token is redacted.
func (o ClientOptions) GoString() string { return o.String() }

// withDefaults returns a filled copy.
func (o *ClientOptions) withDefaults() ClientOptions {
	var c ClientOptions
	if o != nil {
		c = *o
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	} else if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.RetryWaitMin <= 0 {
		c.RetryWaitMin = DefaultRetryWaitMin
	}
	if c.RetryWaitMax <= 0 {
		c.RetryWaitMax = DefaultRetryWaitMax
	}
	if c.RowsMax <= 0 {
		c.RowsMax = DefaultRowsMax
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = "datafactory-ckanstore"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Client calls the CKAN action API of one site. It is safe for concurrent
// use.
type Client struct {
	base  string // site URL without trailing slash
	token Secret
	hc    *http.Client
	rc    *retryablehttp.Client
	opts  ClientOptions
}

// NewClient returns a client for the CKAN site at siteURL (e.g.
// "https://demo.ckan.org"). The URL must be http or https and must not carry
// user information.
func NewClient(siteURL string, opts *ClientOptions) (*Client, error) {
	u, err := url.Parse(siteURL)
	if err != nil {
		return nil, fmt.Errorf("ckanstore: site URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("ckanstore: site URL %q: want http(s)://host", u.Redacted())
	}
	if u.User != nil {
		return nil, errors.New("ckanstore: site URL must not contain user information; pass the token in ClientOptions.Token")
	}
	o := opts.withDefaults()
	base := *o.HTTPClient
	base.Timeout = 0 // the outer client's Timeout bounds the whole call
	rc := newRetryClient(&base, &o)
	hc := &http.Client{Timeout: o.HTTPClient.Timeout, Transport: &retryablehttp.RoundTripper{Client: rc}}
	o.Token = ""
	return &Client{
		base:  strings.TrimRight(u.String(), "/"),
		token: opts.token(),
		hc:    hc,
		rc:    rc,
		opts:  o,
	}, nil
}

// token reads the token from possibly nil options.
func (o *ClientOptions) token() Secret {
	if o == nil {
		return ""
	}
	return o.Token
}

// SiteURL returns the site URL the client talks to.
func (c *Client) SiteURL() string { return c.base }

// String describes the client without its token.
func (c *Client) String() string {
	return fmt.Sprintf("ckan.Client{site:%s token:%s}", c.base, c.token.String())
}

// envelope is CKAN's success/error wrapper.
type envelope struct {
	Help    string          `json:"help"`
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   json.RawMessage `json:"error"`
}

// request POSTs in as JSON to /api/3/action/<action> and decodes the
// envelope's result into out (which may be nil). Every response body is
// drained and closed. Errors are wrapped once with the action name.
func (c *Client) request(ctx context.Context, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("ckan %s: encode request: %w", action, err)
	}
	if len(body) > c.opts.MaxRequestBytes {
		return fmt.Errorf("ckan %s: %d bytes exceeds the %d byte limit: %w",
			action, len(body), c.opts.MaxRequestBytes, ErrRequestTooLarge)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		c.base+"/api/3/action/"+action, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("ckan %s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if c.token != "" {
		req.Header.Set("Authorization", c.token.Reveal())
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("ckan %s: %w", action, unwrapURLError(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("ckan %s: read response: %w", action, err)
	}
	return decodeResponse(action, resp.StatusCode, raw, out)
}

// decodeResponse turns a response body into out or an *APIError.
func decodeResponse(action string, status int, raw []byte, out any) error {
	if status != http.StatusOK {
		return decodeAPIError(action, status, raw)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return &APIError{Action: action, StatusCode: status, Message: "undecodable answer: " + snippet(string(raw))}
	}
	if !env.Success {
		return decodeAPIError(action, status, raw)
	}
	if out == nil || len(env.Result) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(env.Result))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("ckan %s: decode result: %w", action, err)
	}
	return nil
}

// unwrapURLError drops *url.Error's method and URL prefix: the caller
// already names the action, and the URL is the same for every call.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

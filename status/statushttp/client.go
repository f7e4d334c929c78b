package statushttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/driver"
)

// ClientOptions configure NewClient. The zero value (or nil) means
// defaults.
type ClientOptions struct {
	// HTTPClient sends the requests; put retries in its transport (e.g.
	// retryablehttp's StandardClient). Default: a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Token is sent as "Authorization: Bearer <token>". Default none.
	Token string
	// Now is the client-side clock for event times the caller leaves
	// unset. Default time.Now.
	Now func() time.Time
}

// maxResponseBytes caps how much of a response body is read.
const maxResponseBytes = 256 << 20

// client implements driver.Driver over the HTTP API.
type client struct {
	base  *url.URL
	http  *http.Client
	token string
}

var (
	_ driver.Driver = (*client)(nil)
	_ driver.Reaper = (*client)(nil)
)

// NewClient returns a status.Store that talks to the API at baseURL (the
// URL the handler is mounted at, e.g. https://status.example.org/api).
func NewClient(baseURL string, opts *ClientOptions) (*status.Store, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("statushttp: base URL must be http(s)://host[/path]")
	}
	c := &client{base: u, http: &http.Client{Timeout: 30 * time.Second}}
	var o status.Options
	if opts != nil {
		if opts.HTTPClient != nil {
			c.http = opts.HTTPClient
		}
		c.token = opts.Token
		o.Now = opts.Now
	}
	return status.New(c, &o), nil
}

// request sends one request with an optional JSON body and decodes a 2xx
// JSON response into out (when not nil). Every body is drained and closed.
func (c *client) request(ctx context.Context, method, path string, query url.Values, in, out any) error {
	target := c.base.String() + path // path is already escaped
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, redact(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode/100 != 2 {
		return decodeError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

// redact drops the URL from a *url.Error (it may carry credentials).
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// decodeError turns an error response into *APIError, or into
// *status.TransitionError for an illegal job transition.
func decodeError(resp *http.Response) error {
	var b errorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(raw, &b) != nil || b.Message == "" {
		b.Message = strings.TrimSpace(string(raw))
	}
	if b.Code == CodeIllegalTransition {
		return &status.TransitionError{JobID: b.JobID, From: b.From, To: b.To}
	}
	return &APIError{StatusCode: resp.StatusCode, Message: b.Message, Code: b.Code}
}

// ErrorKind maps API errors to driver kinds.
func (c *client) ErrorKind(err error) driver.ErrorKind {
	var ae *APIError
	if !errors.As(err, &ae) {
		return driver.Unknown
	}
	switch {
	case ae.StatusCode == http.StatusNotFound:
		return driver.NotFound
	case ae.Code == CodeExists:
		return driver.Exists
	case ae.Code == CodeConflict:
		return driver.Conflict
	case ae.Code == CodeNotRunning:
		return driver.NotRunning
	case ae.StatusCode == http.StatusBadRequest, ae.StatusCode == http.StatusRequestEntityTooLarge:
		return driver.Invalid
	}
	return driver.Unknown
}

// Close releases idle connections.
func (c *client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

func (c *client) CreateTrace(ctx context.Context, ev driver.Event) (driver.Event, error) {
	var out struct {
		TraceID string `json:"trace_id"`
	}
	if err := c.request(ctx, http.MethodPost, "/status", nil, ev, &out); err != nil {
		return driver.Event{}, err
	}
	ev.TraceID = out.TraceID
	return ev, nil
}

func (c *client) AppendEvent(ctx context.Context, ev driver.Event) (driver.Event, error) {
	var out driver.Event
	err := c.request(ctx, http.MethodPost, "/status/"+url.PathEscape(ev.TraceID), nil, ev, &out)
	return out, err
}

func (c *client) Events(ctx context.Context, traceID string) ([]driver.Event, error) {
	var out []driver.Event
	err := c.request(ctx, http.MethodGet, "/status/"+url.PathEscape(traceID), nil, nil, &out)
	if c.ErrorKind(err) == driver.NotFound {
		return nil, nil
	}
	return out, err
}

// TraceIDsByPath asks status-from-path, which answers only when exactly
// one event matches; otherwise it returns no IDs.
func (c *client) TraceIDsByPath(ctx context.Context, path string, _ int) ([]string, error) {
	var out struct {
		TraceID string `json:"trace_id"`
	}
	enc := base64.StdEncoding.EncodeToString([]byte(path))
	err := c.request(ctx, http.MethodGet, "/status-from-path/"+url.PathEscape(enc), nil, nil, &out)
	if c.ErrorKind(err) == driver.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []string{out.TraceID}, nil
}

func (c *client) CreateJob(ctx context.Context, j driver.Job) (driver.Job, error) {
	var out driver.Job
	err := c.request(ctx, http.MethodPost, "/jobs", nil, j, &out)
	return out, err
}

func (c *client) GetJob(ctx context.Context, id string) (driver.Job, error) {
	var out driver.Job
	err := c.request(ctx, http.MethodGet, "/jobs/"+url.PathEscape(id), nil, nil, &out)
	return out, err
}

func (c *client) TransitionJob(ctx context.Context, req driver.TransitionRequest) (driver.Job, error) {
	if !req.IfHeartbeatBefore.IsZero() {
		return driver.Job{}, fmt.Errorf("conditional transitions over HTTP: %w", errors.ErrUnsupported)
	}
	var out driver.Job
	err := c.request(ctx, http.MethodPost, "/jobs/"+url.PathEscape(req.ID)+"/transition", nil,
		transitionBody{Status: req.To, Info: req.Info}, &out)
	return out, err
}

func (c *client) HeartbeatJob(ctx context.Context, id string, _ time.Time) error {
	return c.request(ctx, http.MethodPost, "/jobs/"+url.PathEscape(id)+"/heartbeat", nil, nil, nil)
}

func (c *client) ListJobs(ctx context.Context, q driver.JobQuery) ([]driver.Job, error) {
	v := url.Values{}
	for k, s := range map[string]string{"dataset": q.Dataset, "resource": q.Resource,
		"factory_id": q.FactoryID, "status": string(q.Status)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.HeartbeatBefore.IsZero() {
		return nil, fmt.Errorf("heartbeat filter over HTTP: %w", errors.ErrUnsupported)
	}
	v.Set("limit", strconv.Itoa(q.Limit))
	v.Set("offset", strconv.Itoa(q.Offset))
	var out jobList
	err := c.request(ctx, http.MethodGet, "/jobs", v, nil, &out)
	return out.Jobs, err
}

// ReapJobs asks the server to reap (with the server's clock).
func (c *client) ReapJobs(ctx context.Context, olderThan time.Duration) ([]driver.Job, error) {
	ms := (olderThan + time.Millisecond - 1) / time.Millisecond
	var out jobList
	err := c.request(ctx, http.MethodPost, "/jobs/reap", nil, reapBody{OlderThanMS: int64(ms)}, &out)
	return out.Jobs, err
}

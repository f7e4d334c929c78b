package ckan

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sleeps records the waits the client's backoff computes and makes
// retryablehttp wait none of them.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	d := DefaultBackoff(min, max, attempt, resp)
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return 0
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newTestClient returns a client for url whose sleeps are recorded.
func newTestClient(t *testing.T, url string, opts *ClientOptions) (*Client, *sleeps) {
	t.Helper()
	c, err := NewClient(url, opts)
	require.NoError(t, err)
	sl := &sleeps{}
	c.rc.Backoff = sl.backoff
	return c, sl
}

// errorBodies are CKAN's answers per status.
var errorBodies = map[int]string{
	400: `"Bad request - JSON Error: Invalid request. Please use POST method for your request"`,
	403: `{"success":false,"error":{"__type":"Authorization Error","message":"Access denied"}}`,
	404: `{"success":false,"error":{"__type":"Not Found Error","message":"Not found"}}`,
	409: `{"success":false,"error":{"__type":"Validation Error","id":["Missing value"]}}`,
	429: `Too Many Requests`,
	500: `{"success":false,"error":{"__type":"Internal Server Error","message":"Internal Server Error"}}`,
	502: `<html>Bad Gateway</html>`,
	503: `Service Unavailable`,
	504: `<html>Gateway Timeout</html>`,
}

const okBody = `{"help":"h","success":true,"result":{"id":"r1","package_id":"p","datastore_active":true}}`

// scripted answers with the given status codes in turn, then 200.
func scripted(t *testing.T, statuses []int, headers map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != `{"id":"r1"}` {
			http.Error(w, "body not replayed: "+string(body), http.StatusTeapot)
			return
		}
		i := int(n.Add(1)) - 1
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		if i < len(statuses) {
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			w.WriteHeader(statuses[i])
			_, _ = io.WriteString(w, errorBodies[statuses[i]])
			return
		}
		_, _ = io.WriteString(w, okBody)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		statuses  []int
		headers   map[string]string
		opts      *ClientOptions
		wantErr   error
		wantCalls int32
		wantWaits []time.Duration
	}{
		{name: "503 then success honours Retry-After", statuses: []int{503}, headers: map[string]string{"Retry-After": "3"},
			wantCalls: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "429 then success", statuses: []int{429, 429}, headers: map[string]string{"Retry-After": "1"},
			wantCalls: 3, wantWaits: []time.Duration{time.Second, time.Second}},
		{name: "500s back off exponentially", statuses: []int{500, 502, 504},
			opts:      &ClientOptions{RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: time.Second},
			wantCalls: 4, wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{name: "Retry-After is capped at RetryWaitMax", statuses: []int{503}, headers: map[string]string{"Retry-After": "3600"},
			opts: &ClientOptions{RetryWaitMax: 5 * time.Second}, wantCalls: 2, wantWaits: []time.Duration{5 * time.Second}},
		{name: "5xx until retries run out", statuses: []int{500, 500, 500},
			opts: &ClientOptions{MaxRetries: 2}, wantErr: ErrServer, wantCalls: 3,
			wantWaits: []time.Duration{DefaultRetryWaitMin, 2 * DefaultRetryWaitMin}},
		{name: "retries disabled", statuses: []int{503}, opts: &ClientOptions{MaxRetries: -1}, wantErr: ErrServer, wantCalls: 1},
		{name: "409 is never retried", statuses: []int{409}, wantErr: ErrValidation, wantCalls: 1},
		{name: "403 is never retried", statuses: []int{403}, wantErr: ErrNotAuthorized, wantCalls: 1},
		{name: "404 is never retried", statuses: []int{404}, wantErr: ErrNotFound, wantCalls: 1},
		{name: "400 is never retried", statuses: []int{400}, wantErr: ErrBadRequest, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := scripted(t, tc.statuses, tc.headers)
			c, sl := newTestClient(t, srv.URL, tc.opts)
			res, err := c.ResourceShow(context.Background(), "r1")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
				require.Equal(t, "r1", res.ID)
				require.True(t, res.DatastoreActive)
			}
			require.Equal(t, tc.wantCalls, calls.Load())
			require.Equal(t, tc.wantWaits, sl.got())
		})
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens: connection refused
	c, sl := newTestClient(t, url, &ClientOptions{MaxRetries: 3})
	_, err := c.ResourceShow(context.Background(), "r1")
	require.Error(t, err)
	require.Contains(t, err.Error(), "giving up after 4 attempts")
	require.Len(t, sl.got(), 3)
}

func TestSlowServerAndDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, sl := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ResourceShow(ctx, "r1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Empty(t, sl.got(), "a done context is not retried")
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestCancelledContextStopsRetries(t *testing.T) {
	t.Parallel()
	srv, calls := scripted(t, []int{503, 503, 503, 503}, nil)
	c, err := NewClient(srv.URL, &ClientOptions{RetryWaitMin: time.Hour, RetryWaitMax: time.Hour})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel() // while the client waits an hour before its retry
	}()
	_, err = c.ResourceShow(ctx, "r1")
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, int32(1), calls.Load())

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = c.ResourceShow(ctx, "r1")
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, int32(1), calls.Load(), "a cancelled context sends nothing")
}

func TestDefaultBackoffRetryAfterDate(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: 503, Header: http.Header{}}
	resp.Header.Set("Retry-After", time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat))
	d := DefaultBackoff(time.Second, time.Minute, 0, resp)
	require.Greater(t, d, 15*time.Second)
	require.LessOrEqual(t, d, 20*time.Second)
	resp.Header.Set("Retry-After", "junk")
	require.Equal(t, 4*time.Second, DefaultBackoff(time.Second, time.Minute, 2, resp))
}

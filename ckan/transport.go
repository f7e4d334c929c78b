package ckan

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultRetryPolicy retries network errors, 429 and every 5xx. It never
// retries a 4xx (CKAN's 400/403/404/409 are permanent answers; a 413 is
// split by the caller, not resent) and stops as soon as the context is
// done. It is a retryablehttp.CheckRetry.
func DefaultRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		return true, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return true, nil
	}
	return false, nil
}

// DefaultBackoff doubles the wait from min on each attempt, capped at max.
// A Retry-After header (seconds or an HTTP date) on a 429 or 5xx answer
// replaces the computed wait, still capped at max (retryablehttp's own
// DefaultBackoff honours it on 429 and 503 only, uncapped). It is a
// retryablehttp.Backoff.
func DefaultBackoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return clampDuration(d, 0, max)
		}
	}
	return retryablehttp.DefaultBackoff(min, max, attempt, nil)
}

// retryAfter parses a Retry-After value.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}

// newRetryClient is the retrying client under every request: base sends
// one attempt; retries, waits and Retry-After are retryablehttp's, with
// this package's policy and backoff.
func newRetryClient(base *http.Client, o *ClientOptions) *retryablehttp.Client {
	logger := o.Logger
	return &retryablehttp.Client{
		HTTPClient:   base,
		RetryMax:     o.MaxRetries,
		RetryWaitMin: o.RetryWaitMin,
		RetryWaitMax: o.RetryWaitMax,
		CheckRetry:   DefaultRetryPolicy,
		Backoff:      DefaultBackoff,
		ErrorHandler: giveUp,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				logger.DebugContext(req.Context(), "ckan request retried",
					slog.String("path", req.URL.Path), slog.Int("attempt", attempt+1))
			}
		},
	}
}

// giveUp ends a request whose retries ran out or stopped. A last answer
// is returned as is, so the caller decodes CKAN's error body; a transport
// error is wrapped with the attempt count; a done context is returned
// unwrapped.
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if resp != nil && err == nil {
		return resp, nil
	}
	if resp != nil {
		closeBody(resp)
	}
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return nil, err
	}
	return nil, fmt.Errorf("giving up after %d attempts: %w", attempts, err)
}

// closeBody drains and closes a response body that will not be returned.
func closeBody(resp *http.Response) {
	if resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}
